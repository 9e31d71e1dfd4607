/**
 * Seeded pseudo-random numbers for the simulator (core takes no randomness from the platform).
 *
 * xoshiro128** (Blackman & Vigna): 128 bits of state, period 2^128 − 1, fast on 32-bit integer maths
 * and good enough for Monte Carlo work. The state is filled by splitmix32 from one 32-bit seed, so any
 * seed (even 0) gives a usable generator. `stream(seed, n)` derives the seed of an independent stream:
 * the simulator gives arrivals of each queue and the router their own streams, so changing the
 * staffing does not shift the customers' random draws (common random numbers across what-if runs).
 */
export type Random = () => number;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Uniform numbers in [0, 1) with 32 bits of resolution; the same seed gives the same sequence. */
export function xoshiro128ss(seed: number): Random {
  const next = xoshiro128ssWords(seed);
  return () => next() / 4294967296;
}

/**
 * The raw generator: unsigned 32-bit words. A seed is expanded by splitmix32; a state of four words
 * is taken as is (for the reference test vectors).
 */
export function xoshiro128ssWords(seed: number | readonly [number, number, number, number]): () => number {
  let a: number;
  let b: number;
  let c: number;
  let d: number;
  if (typeof seed === 'number') {
    const init = splitmix32(seed);
    a = init();
    b = init();
    c = init();
    d = init();
  } else {
    [a, b, c, d] = seed;
  }
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is the one fixed point
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Seed of the `n`-th independent stream of `seed` (a hash, so neighbouring seeds do not correlate). */
export function stream(seed: number, n: number): number {
  const mix = splitmix32((seed ^ Math.imul(n + 1, 0x27d4eb2f)) >>> 0);
  mix();
  return mix();
}
