import type { Random } from './prng';

/**
 * Distributions of durations (handle time, patience) in seconds, as scenario files state them.
 * `meanSec` is always the mean, so scenarios with different shapes stay comparable.
 */
export type Distribution =
  | { readonly dist: 'exponential'; readonly meanSec: number }
  /** `cv`: coefficient of variation (standard deviation ÷ mean); handle times are often ≈ 0.5–1. */
  | { readonly dist: 'lognormal'; readonly meanSec: number; readonly cv: number }
  | { readonly dist: 'constant'; readonly meanSec: number }
  | { readonly dist: 'uniform'; readonly minSec: number; readonly maxSec: number };

export const distributionKinds = ['exponential', 'lognormal', 'constant', 'uniform'] as const;

/** Exponential with the given mean (inverse transform; `1 − u` keeps the logarithm finite). */
export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

export function uniform(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}

/** Standard normal by Box–Muller (one of the pair; simpler than caching the second). */
export function standardNormal(random: Random): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Lognormal with the given mean and coefficient of variation (not the parameters of the log). */
export function lognormal(random: Random, mean: number, cv: number): number {
  const sigma2 = Math.log(1 + cv * cv);
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * standardNormal(random));
}

/** One draw in seconds. */
export function sample(random: Random, d: Distribution): number {
  switch (d.dist) {
    case 'exponential':
      return exponential(random, d.meanSec);
    case 'lognormal':
      return lognormal(random, d.meanSec, d.cv);
    case 'constant':
      return d.meanSec;
    case 'uniform':
      return uniform(random, d.minSec, d.maxSec);
  }
}

export function meanOf(d: Distribution): number {
  return d.dist === 'uniform' ? (d.minSec + d.maxSec) / 2 : d.meanSec;
}
