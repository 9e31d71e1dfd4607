/**
 * ITU-T G.711 µ-law (PCMU, payload type 0) and A-law (PCMA, payload type 8), table-driven.
 *
 * Internal audio is signed 16-bit PCM at 8 kHz. Decoding is one lookup in a 256-entry table; encoding
 * is one lookup in a table indexed by the sample's top 13 (A-law) or 14 (µ-law) bits, built once at load
 * from the reference algorithm (the CCITT/Sun `g711.c` one), so `encode(decode(c)) === c` for every code
 * (µ-law's "negative zero" 0x7F aside, which decodes to 0 and comes back as 0xFF).
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

function ulawDecodeRef(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function ulawEncodeRef(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function alawDecodeRef(code: number): number {
  const a = code ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = (mantissa << 4) + 8;
  if (exponent !== 0) magnitude = (magnitude + 0x100) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function alawEncodeRef(sample: number): number {
  // Works on the 13-bit magnitude, as G.711 specifies A-law.
  let s = sample >> 3;
  let mask: number;
  if (s >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    s = -s - 1;
  }
  const segEnds = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  let seg = 0;
  while (seg < 8 && s > segEnds[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f;
  return aval ^ mask;
}

const ulawToLinear = new Int16Array(256);
const alawToLinear = new Int16Array(256);
for (let c = 0; c < 256; c++) {
  ulawToLinear[c] = ulawDecodeRef(c);
  alawToLinear[c] = alawDecodeRef(c);
}

// µ-law's decision levels are multiples of 4 in 16-bit scale, A-law's multiples of 8, so the top
// 14 / 13 bits of a sample determine its code.
const linearToUlaw = new Uint8Array(1 << 14);
for (let i = 0; i < 1 << 14; i++) linearToUlaw[i] = ulawEncodeRef(((i << 18) >> 16) | 0);
const linearToAlaw = new Uint8Array(1 << 13);
for (let i = 0; i < 1 << 13; i++) linearToAlaw[i] = alawEncodeRef(((i << 19) >> 16) | 0);

export type G711Law = 'PCMU' | 'PCMA';

/** RTP static payload types (RFC 3551). */
export const payloadTypeOf: Record<G711Law, number> = { PCMU: 0, PCMA: 8 };

export function ulawDecodeSample(code: number): number {
  return ulawToLinear[code & 0xff]!;
}
export function ulawEncodeSample(sample: number): number {
  return linearToUlaw[(sample >> 2) & 0x3fff]!;
}
export function alawDecodeSample(code: number): number {
  return alawToLinear[code & 0xff]!;
}
export function alawEncodeSample(sample: number): number {
  return linearToAlaw[(sample >> 3) & 0x1fff]!;
}

/** Decodes `codes` into `out` (same length or longer); returns `out`. */
export function decodeG711(law: G711Law, codes: Uint8Array, out = new Int16Array(codes.length)): Int16Array {
  const table = law === 'PCMU' ? ulawToLinear : alawToLinear;
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]!]!;
  return out;
}

/** Encodes `pcm` into `out` (same length or longer); returns `out`. */
export function encodeG711(law: G711Law, pcm: Int16Array, out = new Uint8Array(pcm.length)): Uint8Array {
  if (law === 'PCMU') {
    for (let i = 0; i < pcm.length; i++) out[i] = linearToUlaw[(pcm[i]! >> 2) & 0x3fff]!;
  } else {
    for (let i = 0; i < pcm.length; i++) out[i] = linearToAlaw[(pcm[i]! >> 3) & 0x1fff]!;
  }
  return out;
}

/** The code for silence: µ-law 0xFF, A-law 0xD5. */
export const silenceCode: Record<G711Law, number> = { PCMU: 0xff, PCMA: 0xd5 };
