import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alawDecodeSample,
  alawEncodeSample,
  decodeG711,
  encodeG711,
  ulawDecodeSample,
  ulawEncodeSample,
} from './g711';

// Reference values: ITU-T G.711 Tables 1a/2a as reproduced by the CCITT reference code (Sun g711.c
// `ulaw2linear` / `alaw2linear` tables, 16-bit scale).
const ULAW_FIRST_16 = [
  -32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932, -22908, -21884, -20860, -19836,
  -18812, -17788, -16764,
];
const ULAW_0x70_0x7F = [-120, -112, -104, -96, -88, -80, -72, -64, -56, -48, -40, -32, -24, -16, -8, 0];
const ALAW_FIRST_16 = [
  -5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736, -7552, -7296, -8064, -7808, -6528, -6272, -7040,
  -6784,
];

describe('µ-law', () => {
  it('decodes to the reference values', () => {
    expect(Array.from({ length: 16 }, (_, i) => ulawDecodeSample(i))).toEqual(ULAW_FIRST_16);
    expect(Array.from({ length: 16 }, (_, i) => ulawDecodeSample(0x70 + i))).toEqual(ULAW_0x70_0x7F);
    expect(ulawDecodeSample(0x80)).toBe(32124);
    expect(ulawDecodeSample(0xff)).toBe(0);
    expect(ulawDecodeSample(0xfe)).toBe(8);
  });

  it('encodes silence as 0xFF and clips full scale to the end codes', () => {
    expect(ulawEncodeSample(0)).toBe(0xff);
    expect(ulawEncodeSample(32767)).toBe(0x80);
    expect(ulawEncodeSample(-32768)).toBe(0x00);
  });

  it('round-trips every code (negative zero 0x7F comes back as 0xFF)', () => {
    for (let c = 0; c < 256; c++) {
      expect(ulawEncodeSample(ulawDecodeSample(c))).toBe(c === 0x7f ? 0xff : c);
    }
  });

  it('is monotonic and its error stays within half a quantisation step', () => {
    expect(firstNonMonotonic((s) => ulawDecodeSample(ulawEncodeSample(s)))).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: -32000, max: 32000 }), (s) => {
        const err = Math.abs(ulawDecodeSample(ulawEncodeSample(s)) - s);
        // step is 8 in the first segment and doubles each segment: err ≤ |s|/16 + 8 bounds it
        return err <= Math.abs(s) / 16 + 8;
      }),
    );
  });
});

describe('A-law', () => {
  it('decodes to the reference values', () => {
    expect(Array.from({ length: 16 }, (_, i) => alawDecodeSample(i))).toEqual(ALAW_FIRST_16);
    expect(alawDecodeSample(0x55)).toBe(-8);
    expect(alawDecodeSample(0xd5)).toBe(8);
    expect(alawDecodeSample(0xaa)).toBe(32256);
    expect(alawDecodeSample(0x2a)).toBe(-32256);
  });

  it('encodes zero as 0xD5 and round-trips every code', () => {
    expect(alawEncodeSample(0)).toBe(0xd5);
    for (let c = 0; c < 256; c++) expect(alawEncodeSample(alawDecodeSample(c))).toBe(c);
  });

  it('is monotonic and its error stays within half a quantisation step', () => {
    expect(firstNonMonotonic((s) => alawDecodeSample(alawEncodeSample(s)))).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: -32000, max: 32000 }), (s) => {
        const err = Math.abs(alawDecodeSample(alawEncodeSample(s)) - s);
        return err <= Math.abs(s) / 16 + 16;
      }),
    );
  });
});

describe('buffer codecs', () => {
  it('match the per-sample functions', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 400 }), (samples) => {
        const pcm = Int16Array.from(samples);
        const u = encodeG711('PCMU', pcm);
        const a = encodeG711('PCMA', pcm);
        samples.forEach((s, i) => {
          expect(u[i]).toBe(ulawEncodeSample(s));
          expect(a[i]).toBe(alawEncodeSample(s));
        });
        expect(Array.from(decodeG711('PCMU', u))).toEqual(Array.from(u, ulawDecodeSample));
        expect(Array.from(decodeG711('PCMA', a))).toEqual(Array.from(a, alawDecodeSample));
      }),
    );
  });
});

/** The first 16-bit input where `f` decreases, or undefined when it never does. */
function firstNonMonotonic(f: (s: number) => number): number | undefined {
  let previous = -Infinity;
  for (let s = -32768; s <= 32767; s++) {
    const value = f(s);
    if (value < previous) return s;
    previous = value;
  }
  return undefined;
}
