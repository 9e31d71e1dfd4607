import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { millis } from '../ports';
import { DEFAULT_AHT_MS, estimateWaitMs, HandleTimeAverage, type WaitEstimateInput } from './wait-estimate';

const voice: WaitEstimateInput = { position: 5, servingAgents: 4, freeSlots: 1, ahtMs: 240_000 };

describe('estimateWaitMs', () => {
  it('is 0 while a free slot is there for this position', () => {
    expect(estimateWaitMs({ ...voice, position: 1, freeSlots: 1 })).toBe(0);
    expect(estimateWaitMs({ ...voice, position: 3, freeSlots: 3 })).toBe(0);
    // A chat agent with 2 of 3 chats open still has one slot.
    expect(
      estimateWaitMs({ position: 1, servingAgents: 1, freeSlots: 1, ahtMs: 600_000, concurrency: 3 }),
    ).toBe(0);
  });

  it('is unknown (null) with nobody staffed', () => {
    expect(estimateWaitMs({ ...voice, servingAgents: 0, freeSlots: 0 })).toBeNull();
  });

  it('drains the queue at the staffed service rate: (position − free) × AHT / (agents × concurrency)', () => {
    expect(estimateWaitMs(voice)).toBe(((5 - 1) * 240_000) / 4);
    // 3 chat agents with capacity 3 finish 9 chats per AHT.
    expect(
      estimateWaitMs({ position: 10, servingAgents: 3, freeSlots: 0, ahtMs: 900_000, concurrency: 3 }),
    ).toBe(1_000_000);
  });

  it('returns whole milliseconds', () => {
    expect(estimateWaitMs({ position: 1, servingAgents: 3, freeSlots: 0, ahtMs: 100_000 })).toBe(33_333);
  });

  it('falls back to a default AHT without history, or to the recent ASA when that is known', () => {
    const noHistory = { position: 2, servingAgents: 2, freeSlots: 0 };
    expect(estimateWaitMs(noHistory)).toBe(DEFAULT_AHT_MS);
    expect(estimateWaitMs({ ...noHistory, ahtMs: null, fallbackAhtMs: 60_000 })).toBe(60_000);
    expect(estimateWaitMs({ ...noHistory, recentAsaMs: 42_000.4 })).toBe(42_000);
    // With history the ASA is not used: the drain formula follows staffing, ASA lags it.
    expect(estimateWaitMs({ ...noHistory, ahtMs: 10_000, recentAsaMs: 42_000 })).toBe(10_000);
    // ...and a free slot still means no wait.
    expect(estimateWaitMs({ ...noHistory, freeSlots: 2, recentAsaMs: 42_000 })).toBe(0);
  });

  it('takes more free slots than staffed capacity (a racy snapshot) as the capacity', () => {
    expect(estimateWaitMs({ position: 3, servingAgents: 2, freeSlots: 5, ahtMs: 60_000 })).toBe(30_000);
  });

  it('rejects impossible input', () => {
    expect(() => estimateWaitMs({ ...voice, position: 0 })).toThrow(RangeError);
    expect(() => estimateWaitMs({ ...voice, servingAgents: -1 })).toThrow(RangeError);
    expect(() => estimateWaitMs({ ...voice, concurrency: 0 })).toThrow(RangeError);
    expect(() => estimateWaitMs({ ...voice, freeSlots: -1 })).toThrow(RangeError);
  });

  const input = fc.record({
    position: fc.integer({ min: 1, max: 500 }),
    servingAgents: fc.integer({ min: 1, max: 200 }),
    freeSlots: fc.integer({ min: 0, max: 50 }),
    ahtMs: fc.integer({ min: 1_000, max: 3_600_000 }),
    concurrency: fc.integer({ min: 1, max: 5 }),
  });

  it('falls when agents are added and rises with handle time and position', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 50 }), (i, more) => {
        const now = estimateWaitMs(i)!;
        expect(estimateWaitMs({ ...i, servingAgents: i.servingAgents + more })!).toBeLessThanOrEqual(now);
        expect(estimateWaitMs({ ...i, ahtMs: i.ahtMs + more * 1_000 })!).toBeGreaterThanOrEqual(now);
        expect(estimateWaitMs({ ...i, position: i.position + more })!).toBeGreaterThanOrEqual(now);
        expect(estimateWaitMs({ ...i, freeSlots: i.freeSlots + more })!).toBeLessThanOrEqual(now);
      }),
    );
  });

  it('falls strictly with staffing and rises strictly with AHT while the interaction must wait', () => {
    fc.assert(
      fc.property(input, (i) => {
        const waiting = { ...i, freeSlots: 0, position: i.position + 1 };
        const now = estimateWaitMs(waiting)!;
        expect(estimateWaitMs({ ...waiting, servingAgents: waiting.servingAgents * 2 })!).toBeLessThan(now);
        expect(estimateWaitMs({ ...waiting, ahtMs: waiting.ahtMs * 2 })!).toBeGreaterThan(now);
      }),
    );
  });
});

describe('HandleTimeAverage', () => {
  it('has no value before the first sample, then starts at that sample', () => {
    const sut = new HandleTimeAverage({ samples: 10 });
    expect(sut.valueMs).toBeNull();
    sut.record(200_000);
    expect(sut.valueMs).toBe(200_000);
    expect(sut.count).toBe(1);
  });

  it('halves the weight of older samples every `samples` samples', () => {
    const sut = new HandleTimeAverage({ samples: 1 });
    sut.record(100);
    sut.record(400);
    expect(sut.valueMs).toBeCloseTo((400 + 0.5 * 100) / 1.5, 10);
    sut.record(100);
    expect(sut.valueMs).toBeCloseTo((100 + 0.5 * 400 + 0.25 * 100) / 1.75, 10);
  });

  it('halves the weight of older samples every `ms` of time, and treats late samples as current', () => {
    const sut = new HandleTimeAverage({ ms: 60_000 });
    sut.record(100, millis(1_000_000));
    sut.record(200, millis(1_060_000));
    expect(sut.valueMs).toBeCloseTo((200 + 0.5 * 100) / 1.5, 10);
    sut.record(300, millis(1_030_000)); // out of order: no decay
    expect(sut.valueMs).toBeCloseTo((300 + 200 + 0.5 * 100) / 2.5, 10);
    expect(() => sut.record(100)).toThrow(RangeError);
  });

  it('follows a change in handle time', () => {
    const sut = new HandleTimeAverage({ samples: 5 });
    for (let i = 0; i < 50; i++) sut.record(100_000);
    for (let i = 0; i < 50; i++) sut.record(300_000);
    expect(sut.valueMs!).toBeGreaterThan(299_000);
    expect(sut.valueMs!).toBeLessThanOrEqual(300_000);
  });

  it('rejects a bad half-life or sample', () => {
    expect(() => new HandleTimeAverage({ samples: 0 })).toThrow(RangeError);
    expect(() => new HandleTimeAverage({ samples: 3 }).record(-1)).toThrow(RangeError);
  });
});
