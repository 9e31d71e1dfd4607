import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultBackoff } from './backoff';

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 30_000, factor: 2 };

  it('grows exponentially, between half the step and the step', () => {
    const steps = [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];
    steps.forEach((step, attempt) => {
      expect(backoffDelay(attempt, () => 0, options)).toBe(step / 2);
      expect(backoffDelay(attempt, () => 0.999_999, options)).toBe(step);
    });
  });

  it('never exceeds the cap, even for absurd attempt numbers', () => {
    for (const attempt of [7, 50, 1000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt, () => 0.999, options);
      expect(delay).toBeLessThanOrEqual(30_000);
      expect(delay).toBeGreaterThanOrEqual(15_000);
    }
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(-3, () => 0, options)).toBe(250);
  });

  it('spreads clients out: different random draws give different delays in the same attempt', () => {
    const draws = [0.1, 0.3, 0.5, 0.7, 0.9].map((r) => backoffDelay(4, () => r, options));
    expect(new Set(draws).size).toBe(5);
    expect(draws).toEqual([...draws].sort((a, b) => a - b));
  });

  it('uses the default options when none are given', () => {
    expect(defaultBackoff).toEqual(options);
    expect(backoffDelay(0, () => 0)).toBe(250);
  });
});
