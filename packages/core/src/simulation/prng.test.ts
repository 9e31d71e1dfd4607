import { describe, expect, it } from 'vitest';
import { exponential, lognormal, sample, uniform } from './distributions';
import { stream, xoshiro128ss, xoshiro128ssWords } from './prng';

const draws = (random: () => number, n: number): number[] => Array.from({ length: n }, random);
const min = (xs: readonly number[]): number => xs.reduce((m, x) => Math.min(m, x), Number.POSITIVE_INFINITY);
const max = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY);

function meanAndCv(xs: readonly number[]): { mean: number; cv: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, cv: Math.sqrt(variance) / mean };
}

describe('xoshiro128**', () => {
  it('matches the reference implementation from state (1, 2, 3, 4)', () => {
    // Output of the authors' C code (prng.di.unimi.it/xoshiro128starstar.c) seeded with s = {1, 2, 3, 4}.
    const next = xoshiro128ssWords([1, 2, 3, 4]);
    expect(draws(next, 5)).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
  });

  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(draws(xoshiro128ss(42), 100)).toEqual(draws(xoshiro128ss(42), 100));
    expect(draws(xoshiro128ss(42), 100)).not.toEqual(draws(xoshiro128ss(43), 100));
    expect(draws(xoshiro128ss(0), 3).every((x) => x > 0)).toBe(true);
  });

  it('is uniform on [0, 1)', () => {
    const xs = draws(xoshiro128ss(7), 100_000);
    expect(min(xs)).toBeGreaterThanOrEqual(0);
    expect(max(xs)).toBeLessThan(1);
    const buckets = new Array<number>(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]!++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(400); // ≈ 4 standard deviations
  });

  it('derives distinct, reproducible stream seeds', () => {
    const seeds = [0, 1, 2, 3, 4].map((n) => stream(99, n));
    expect(new Set(seeds).size).toBe(5);
    expect(seeds).toEqual([0, 1, 2, 3, 4].map((n) => stream(99, n)));
    expect(stream(1, 0)).not.toBe(stream(2, 0));
  });
});

describe('samplers', () => {
  const n = 200_000;

  it('exponential has the requested mean and a coefficient of variation of 1', () => {
    const r = xoshiro128ss(1);
    const { mean, cv } = meanAndCv(draws(() => exponential(r, 240), n));
    expect(mean).toBeCloseTo(240, -1); // ± 5
    expect(cv).toBeCloseTo(1, 1);
  });

  it('lognormal has the requested mean and coefficient of variation', () => {
    const r = xoshiro128ss(2);
    const { mean, cv } = meanAndCv(draws(() => lognormal(r, 300, 0.6), n));
    expect(Math.abs(mean / 300 - 1)).toBeLessThan(0.01);
    expect(Math.abs(cv - 0.6)).toBeLessThan(0.02);
  });

  it('uniform stays in its range with the middle as mean; constant is constant', () => {
    const r = xoshiro128ss(3);
    const xs = draws(() => uniform(r, 10, 20), n);
    expect(min(xs)).toBeGreaterThanOrEqual(10);
    expect(max(xs)).toBeLessThan(20);
    expect(meanAndCv(xs).mean).toBeCloseTo(15, 1);
    expect(sample(r, { dist: 'constant', meanSec: 42 })).toBe(42);
  });
});
