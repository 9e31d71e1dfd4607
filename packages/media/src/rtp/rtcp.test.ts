import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReceiverStats } from './receiver-stats';
import {
  concatRtcp,
  ntpFromUnixMs,
  ntpMiddle32,
  parseRtcp,
  serializeBye,
  serializeRr,
  serializeSdesCname,
  serializeSr,
} from './rtcp';

const block = {
  ssrc: 0x1234,
  fractionLost: 25,
  cumulativeLost: -3,
  extendedHighestSeq: 70_000,
  jitter: 80,
  lastSr: 0xabcd0000,
  delaySinceLastSr: 65536,
};

describe('RTCP', () => {
  it('round-trips a compound SR + SDES + BYE', () => {
    const ntp = ntpFromUnixMs(1_700_000_000_500);
    const bytes = concatRtcp(
      serializeSr(7, { ...ntp, rtpTimestamp: 160, packetCount: 3, octetCount: 480 }, [block]),
      serializeSdesCname(7, 'leg-1@hotline'),
      serializeBye([7], 'hangup'),
    );
    const r = parseRtcp(bytes);
    if (!r.ok) throw new Error(r.reason);
    expect(r.packets).toEqual([
      {
        type: 'sr',
        ssrc: 7,
        sender: { ...ntp, rtpTimestamp: 160, packetCount: 3, octetCount: 480 },
        reports: [block],
      },
      { type: 'sdes', cnames: [{ ssrc: 7, cname: 'leg-1@hotline' }] },
      { type: 'bye', ssrcs: [7], reason: 'hangup' },
    ]);
    expect(ntp.ntpFraction).toBe(2 ** 31);
  });

  it('round-trips an RR', () => {
    const r = parseRtcp(serializeRr(9, [block, { ...block, ssrc: 5 }]));
    expect(r).toEqual({
      ok: true,
      packets: [{ type: 'rr', ssrc: 9, reports: [block, { ...block, ssrc: 5 }] }],
    });
  });

  it('rejects broken datagrams with a reason and never throws', () => {
    expect(parseRtcp(Uint8Array.of(0x80))).toEqual({ ok: false, reason: 'too-short' });
    expect(parseRtcp(Uint8Array.of(0x40, 200, 0, 0))).toEqual({ ok: false, reason: 'bad-version' });
    expect(parseRtcp(Uint8Array.of(0x80, 201, 0, 9, 0, 0, 0, 0))).toEqual({
      ok: false,
      reason: 'length-overrun',
    });
    expect(parseRtcp(Uint8Array.of(0x85, 201, 0, 1, 0, 0, 0, 0))).toEqual({
      ok: false,
      reason: 'bad-report-count',
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => void parseRtcp(b)),
      { numRuns: 5000 },
    );
  });

  it('computes the LSR middle bits', () => {
    expect(ntpMiddle32(0x12345678, 0x9abcdef0)).toBe(0x56789abc);
  });
});

describe('ReceiverStats (RFC 3550 A.1/A.3/A.8)', () => {
  it('counts loss across the 16-bit sequence wrap', () => {
    const sut = new ReceiverStats(1, 65530);
    let seq = 65530;
    for (let i = 0; i < 20; i++, seq = (seq + 1) & 0xffff) {
      if (i === 8 || i === 9) continue; // two lost after the wrap
      sut.update(seq, i * 160, i * 20);
    }
    expect(sut.expected).toBe(20);
    expect(sut.received).toBe(18);
    expect(sut.lost).toBe(2);
    expect(sut.extendedMaxSeq).toBe(65536 + 13);
    const rb = sut.reportBlock(400);
    expect(rb.fractionLost).toBe(Math.floor((2 * 256) / 20));
    expect(sut.reportBlock(500).fractionLost).toBe(0);
  });

  it('keeps jitter at zero for perfectly paced packets and converges to the offset for alternating delay', () => {
    const steady = new ReceiverStats(1, 0);
    for (let i = 0; i < 100; i++) steady.update(i, i * 160, 1000 + i * 20);
    expect(steady.jitterMs).toBe(0);
    expect(steady.expected).toBe(100);
    expect(steady.lost).toBe(0);
    const wobbly = new ReceiverStats(1, 0);
    // every other packet 10 ms late: |D| = 10 ms each step → J converges to 10 ms
    for (let i = 0; i < 500; i++) wobbly.update(i, i * 160, i * 20 + (i % 2) * 10);
    expect(wobbly.jitterMs).toBeGreaterThan(9.9);
    expect(wobbly.jitterMs).toBeLessThanOrEqual(10);
  });

  it('survives the 32-bit timestamp wrap without a jitter spike', () => {
    const sut = new ReceiverStats(1, 0);
    const start = 2 ** 32 - 800;
    for (let i = 0; i < 50; i++) sut.update(i, (start + i * 160) % 2 ** 32, i * 20);
    expect(sut.jitterMs).toBeLessThan(0.001);
  });

  it('resyncs after a big sequence jump confirmed by the next packet', () => {
    const sut = new ReceiverStats(1, 100);
    sut.update(100, 0, 0);
    expect(sut.update(30_000, 160, 20)).toBe(false);
    expect(sut.update(30_001, 320, 40)).toBe(true);
    expect(sut.expected).toBe(1);
  });
});
