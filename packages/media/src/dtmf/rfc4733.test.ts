import { describe, expect, it } from 'vitest';
import {
  type DtmfReport,
  parseTelephoneEvent,
  planDtmfEvent,
  Rfc4733Receiver,
  Rfc4733Sender,
  serializeTelephoneEvent,
} from './rfc4733';

function receiver() {
  const digits: DtmfReport[] = [];
  return { digits, sut: new Rfc4733Receiver((d) => digits.push(d)) };
}

describe('RFC 4733 telephone-event', () => {
  it('serialises and parses the payload', () => {
    const bytes = serializeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 1600 });
    expect(Array.from(bytes)).toEqual([11, 0x8a, 0x06, 0x40]);
    expect(parseTelephoneEvent(bytes)).toEqual({ event: 11, end: true, volume: 10, duration: 1600 });
    expect(parseTelephoneEvent(Uint8Array.of(1, 2))).toBeUndefined();
  });

  it('plans start (marker), continuations and three end packets', () => {
    const plan = planDtmfEvent('5', { durationMs: 100, volume: 12 });
    const parsed = plan.map((p) => ({ ...parseTelephoneEvent(p.payload)!, marker: p.marker }));
    expect(parsed.map((p) => p.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect(parsed.map((p) => p.end)).toEqual([false, false, false, false, true, true, true]);
    expect(parsed.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(parsed.every((p) => p.event === 5 && p.volume === 12)).toBe(true);
    expect(() => planDtmfEvent('x')).toThrow(RangeError);
  });

  it('reports each digit once, at its end, despite end retransmissions', () => {
    const { sut, digits } = receiver();
    let now = 0;
    for (const [i, digit] of ['1', '#', '1'].entries()) {
      const ts = 1000 + i * 8000;
      for (const p of planDtmfEvent(digit, { durationMs: 120 })) {
        now += 20;
        sut.receive(ts, p.payload, now);
      }
    }
    expect(digits).toEqual([
      { digit: '1', durationMs: 120, volume: 10, endLost: false },
      { digit: '#', durationMs: 120, volume: 10, endLost: false },
      { digit: '1', durationMs: 120, volume: 10, endLost: false },
    ]);
    expect(sut.stats).toEqual({ events: 3, malformed: 0, repeats: 6 });
  });

  it('closes an event whose end packets were lost: by the next event or by a timeout', () => {
    const { sut, digits } = receiver();
    const plan = planDtmfEvent('7', { durationMs: 60 });
    sut.receive(0, plan[0]!.payload, 0);
    sut.receive(0, plan[1]!.payload, 20);
    sut.receive(4000, planDtmfEvent('8')[0]!.payload, 600);
    expect(digits).toEqual([{ digit: '7', durationMs: 40, volume: 10, endLost: true }]);
    sut.tick(1000);
    expect(digits).toHaveLength(1);
    sut.tick(1400);
    expect(digits[1]).toEqual({ digit: '8', durationMs: 20, volume: 10, endLost: true });
    // a late end retransmission of 8 is not a new digit
    sut.receive(4000, planDtmfEvent('8')[6]!.payload, 1500);
    expect(digits).toHaveLength(2);
  });

  it('counts malformed and non-digit events without reporting them', () => {
    const { sut, digits } = receiver();
    sut.receive(0, Uint8Array.of(1), 0);
    sut.receive(0, serializeTelephoneEvent({ event: 16, end: true, volume: 0, duration: 160 }), 0);
    expect(digits).toEqual([]);
    expect(sut.stats.malformed).toBe(2);
  });
});

describe('Rfc4733Sender', () => {
  it('sends each digit as one event on the start timestamp, with 60 ms of audio between digits', () => {
    const sut = new Rfc4733Sender();
    sut.enqueue('12', 100);
    const ticks: (ReturnType<Rfc4733Sender['next']> | undefined)[] = [];
    for (let tick = 0; tick < 30; tick++) ticks.push(sut.next(1000 + tick * 160));
    const first = planDtmfEvent('1', { durationMs: 100 }).length;
    const second = planDtmfEvent('2', { durationMs: 100 }).length;
    // digit 1, three ticks of audio, digit 2, then audio
    expect(ticks.slice(0, first).every((p) => p?.ts === 1000)).toBe(true);
    expect(ticks[0]?.marker).toBe(true);
    expect(ticks.slice(first, first + 3)).toEqual([undefined, undefined, undefined]);
    const start2 = 1000 + (first + 3) * 160;
    expect(ticks.slice(first + 3, first + 3 + second).every((p) => p?.ts === start2)).toBe(true);
    expect(ticks[first + 3]?.marker).toBe(true);
    expect(ticks.slice(first + 3 + second).every((p) => p === undefined)).toBe(true);
  });

  it('refuses a non-digit before queueing any of the string', () => {
    const sut = new Rfc4733Sender();
    expect(() => sut.enqueue('1x2')).toThrow(RangeError);
    expect(sut.next(0)).toBeUndefined();
  });
});
