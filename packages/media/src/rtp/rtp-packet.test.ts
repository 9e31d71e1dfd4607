import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRtcpMuxed, parseRtp, serializeRtp, writeRtpHeader } from './rtp-packet';

const payload = Uint8Array.from({ length: 160 }, (_, i) => i);

describe('RTP packet', () => {
  it('serialises and parses a plain G.711 packet', () => {
    const bytes = serializeRtp({
      payloadType: 0,
      sequenceNumber: 65535,
      timestamp: 0xffffff60,
      ssrc: 0xdeadbeef,
      payload,
      marker: true,
    });
    expect(bytes.length).toBe(172);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x80, 0x80, 0xff, 0xff]);
    const r = parseRtp(bytes);
    if (!r.ok) throw new Error(r.reason);
    expect(r.packet).toMatchObject({
      marker: true,
      payloadType: 0,
      sequenceNumber: 65535,
      timestamp: 0xffffff60,
      ssrc: 0xdeadbeef,
      paddingLength: 0,
    });
    expect(r.packet.payload).toEqual(payload);
  });

  it('carries CSRCs, a header extension and padding', () => {
    const bytes = serializeRtp({
      payloadType: 8,
      sequenceNumber: 7,
      timestamp: 1,
      ssrc: 2,
      csrcs: [10, 20, 0xffffffff],
      extension: { profile: 0xbede, data: Uint8Array.of(0x10, 0xaa, 0, 0) },
      payload: Uint8Array.of(1, 2, 3),
      padTo: 4,
    });
    expect(bytes.length % 4).toBe(0);
    const r = parseRtp(bytes);
    if (!r.ok) throw new Error(r.reason);
    expect(r.packet.csrcs).toEqual([10, 20, 0xffffffff]);
    expect(r.packet.extension?.profile).toBe(0xbede);
    expect(Array.from(r.packet.extension!.data)).toEqual([0x10, 0xaa, 0, 0]);
    expect(Array.from(r.packet.payload)).toEqual([1, 2, 3]);
    expect(r.packet.paddingLength).toBe(1);
  });

  it.each([
    ['too-short', Uint8Array.of(0x80, 0, 0, 1)],
    ['bad-version', Uint8Array.from({ length: 20 }, (_, i) => (i === 0 ? 0x40 : 0))],
    ['csrc-overrun', Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x82 : 0))],
    ['extension-overrun', Uint8Array.from({ length: 14 }, (_, i) => (i === 0 ? 0x90 : 0))],
    ['extension-overrun', Uint8Array.of(0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0, 5, 0, 0)],
    ['bad-padding', Uint8Array.of(0xa0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 0)],
    ['bad-padding', Uint8Array.of(0xa0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 200)],
    ['rtcp-payload-type', Uint8Array.of(0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 1)],
  ])('rejects %s', (reason, bytes) => {
    expect(parseRtp(bytes)).toEqual({ ok: false, reason });
  });

  it('never throws on arbitrary bytes, and every accepted payload lies inside the datagram', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseRtp(bytes);
        if (r.ok) {
          const p = r.packet;
          expect(p.payload.byteOffset + p.payload.length).toBeLessThanOrEqual(
            bytes.byteOffset + bytes.length,
          );
          expect(p.payload.length).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips any well-formed packet', () => {
    fc.assert(
      fc.property(
        fc.record({
          marker: fc.boolean(),
          payloadType: fc.integer({ min: 0, max: 127 }).filter((pt) => pt < 72 || pt > 76),
          sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
          timestamp: fc.integer({ min: 0, max: 0xffffffff }),
          ssrc: fc.integer({ min: 0, max: 0xffffffff }),
          csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
          payload: fc.uint8Array({ maxLength: 200 }),
          padTo: fc.constantFrom(0, 4, 16),
        }),
        ({ padTo, ...init }) => {
          const r = parseRtp(serializeRtp({ ...init, padTo }));
          if (!r.ok) throw new Error(r.reason);
          expect(r.packet).toMatchObject(init);
        },
      ),
    );
  });

  it('writes the same plain header as the serialiser', () => {
    const h = {
      payloadType: 8,
      marker: true,
      sequenceNumber: 0xabcd,
      timestamp: 0xfedcba98,
      ssrc: 0x01020304,
    };
    const buf = new Uint8Array(12);
    writeRtpHeader(buf, h);
    expect(buf).toEqual(serializeRtp({ ...h, payload: new Uint8Array(0) }));
  });

  it('tells muxed RTCP from RTP by the second octet', () => {
    expect(isRtcpMuxed(Uint8Array.of(0x80, 200))).toBe(true);
    expect(isRtcpMuxed(Uint8Array.of(0x80, 0x80))).toBe(false);
  });
});
