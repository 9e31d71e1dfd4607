/**
 * In-band DTMF detection (fallback when the peer sends tones inside the audio instead of RFC 4733):
 * Goertzel filters at the eight DTMF frequencies over 20 ms windows of 8 kHz PCM, hopping 10 ms (two
 * windows per frame: the one straddling the previous frame and the frame itself), so a 40 ms tone fills
 * at least two windows whatever its alignment while a 20 ms one fills at most one.
 *
 * A block counts as a digit when the strongest row and column tones are each loud enough, stand well
 * above the other tones of their group, keep the twist (level difference between the groups) within
 * limits, and together carry most of the block's energy — which is what tells a tone pair from speech
 * or noise, whose energy is spread. A digit is reported once, after `minWindows` consecutive windows
 * agree (30 ms of tone by default), and the detector re-arms only after a window without it.
 */

export const DTMF_ROWS = [697, 770, 852, 941] as const;
export const DTMF_COLS = [1209, 1336, 1477, 1633] as const;
const KEYS = ['123A', '456B', '789C', '*0#D'];

export interface InbandDtmfOptions {
  readonly sampleRate: number;
  /** Smallest amplitude of each tone (16-bit scale); 300 ≈ −40 dBFS. */
  readonly minToneAmplitude: number;
  /** Column tone weaker than the row tone by at most this (dB). */
  readonly normalTwistDb: number;
  /** Row tone weaker than the column tone by at most this (dB). */
  readonly reverseTwistDb: number;
  /** The strongest tone of a group over the next one of the same group, at least (dB). */
  readonly groupDominanceDb: number;
  /** Share of the block's energy in the two tones, at least. */
  readonly minEnergyShare: number;
  /** Consecutive windows (10 ms hop) before a digit is reported. */
  readonly minWindows: number;
}

export const defaultInbandOptions: InbandDtmfOptions = {
  sampleRate: 8000,
  minToneAmplitude: 300,
  normalTwistDb: 8,
  reverseTwistDb: 8,
  groupDominanceDb: 8,
  minEnergyShare: 0.8,
  minWindows: 2,
};

/** Power at `freq` of `block` (Goertzel); a sine of amplitude A at freq gives about (A·N/2)². */
export function goertzelPower(block: Int16Array, freq: number, sampleRate: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < block.length; i++) {
    const s = block[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

const coefficients = new Map<number, { rows: Float64Array; cols: Float64Array }>();

function coefficientsFor(sampleRate: number) {
  let c = coefficients.get(sampleRate);
  if (!c) {
    const coeff = (f: number) => 2 * Math.cos((2 * Math.PI * f) / sampleRate);
    c = { rows: Float64Array.from(DTMF_ROWS, coeff), cols: Float64Array.from(DTMF_COLS, coeff) };
    coefficients.set(sampleRate, c);
  }
  return c;
}

/** Goertzel powers of four frequencies in one pass over the block. */
function fourPowers(block: Int16Array, k: Float64Array, out: Float64Array): void {
  const k0 = k[0]!;
  const k1 = k[1]!;
  const k2 = k[2]!;
  const k3 = k[3]!;
  let a1 = 0;
  let a2 = 0;
  let b1 = 0;
  let b2 = 0;
  let c1 = 0;
  let c2 = 0;
  let d1 = 0;
  let d2 = 0;
  for (let i = 0; i < block.length; i++) {
    const x = block[i]!;
    const a = x + k0 * a1 - a2;
    a2 = a1;
    a1 = a;
    const b = x + k1 * b1 - b2;
    b2 = b1;
    b1 = b;
    const c = x + k2 * c1 - c2;
    c2 = c1;
    c1 = c;
    const d = x + k3 * d1 - d2;
    d2 = d1;
    d1 = d;
  }
  out[0] = a1 * a1 + a2 * a2 - k0 * a1 * a2;
  out[1] = b1 * b1 + b2 * b2 - k1 * b1 * b2;
  out[2] = c1 * c1 + c2 * c2 - k2 * c1 * c2;
  out[3] = d1 * d1 + d2 * d2 - k3 * d1 * d2;
}

const rowPowers = new Float64Array(4);
const colPowers = new Float64Array(4);

/**
 * The digit a single block carries, or undefined. Cheap on the common case: silence stops at the energy
 * check, speech and music mostly after the row filters.
 */
export function classifyBlock(
  block: Int16Array,
  o: InbandDtmfOptions = defaultInbandOptions,
): string | undefined {
  const n = block.length;
  let energy = 0;
  for (let i = 0; i < n; i++) energy += block[i]! * block[i]!;
  const minPower = (o.minToneAmplitude * n) ** 2 / 4;
  if (energy < (2 * minPower * 2) / n) return undefined; // cannot hold two tones that loud
  const k = coefficientsFor(o.sampleRate);
  const rows = rowPowers;
  fourPowers(block, k.rows, rows);
  const r = strongest(rows);
  const rowP = rows[r]!;
  // with the reverse-twist limit, the column tone can add at most rowP·10^(twist/10): stop early when even
  // that cannot reach the energy share
  const maxPair = rowP * (1 + 10 ** (o.reverseTwistDb / 10));
  if (rowP < minPower || (2 / n) * maxPair < o.minEnergyShare * energy) return undefined;
  const cols = colPowers;
  fourPowers(block, k.cols, cols);
  const c = strongest(cols);
  const colP = cols[c]!;
  if (colP < minPower) return undefined;
  const dominance = 10 ** (o.groupDominanceDb / 10);
  for (let i = 0; i < 4; i++) {
    if (i !== r && rows[i]! * dominance > rowP) return undefined;
    if (i !== c && cols[i]! * dominance > colP) return undefined;
  }
  if (colP * 10 ** (o.normalTwistDb / 10) < rowP) return undefined;
  if (rowP * 10 ** (o.reverseTwistDb / 10) < colP) return undefined;
  const share = ((2 / n) * (rowP + colP)) / energy;
  if (share < o.minEnergyShare) return undefined;
  return KEYS[r]![c];
}

function strongest(powers: Float64Array): number {
  let best = 0;
  for (let i = 1; i < powers.length; i++) if (powers[i]! > powers[best]!) best = i;
  return best;
}

export class InbandDtmfDetector {
  readonly #o: InbandDtmfOptions;
  #candidate: string | undefined;
  #run = 0;
  #reported = false;
  readonly #straddle = new Int16Array(160);

  constructor(options: Partial<InbandDtmfOptions> = {}) {
    this.#o = { ...defaultInbandOptions, ...options };
  }

  /** Feeds one 20 ms frame (160 samples); returns a digit the first time it has lasted long enough. */
  process(frame: Int16Array): string | undefined {
    const half = frame.length >> 1;
    this.#straddle.set(frame.subarray(0, half), half);
    const first = this.#window(this.#straddle);
    this.#straddle.set(frame.subarray(half), 0);
    const second = this.#window(frame);
    return first ?? second;
  }

  #window(block: Int16Array): string | undefined {
    const digit = classifyBlock(block, this.#o);
    if (digit === undefined || digit !== this.#candidate) {
      this.#candidate = digit;
      this.#run = digit === undefined ? 0 : 1;
      this.#reported = false;
    } else {
      this.#run++;
    }
    if (digit !== undefined && !this.#reported && this.#run >= this.#o.minWindows) {
      this.#reported = true;
      return digit;
    }
    return undefined;
  }
}
