import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentsForAsa,
  agentsForServiceLevel,
  type ErlangAInput,
  erlangA,
  erlangB,
  erlangC,
  erlangCAsa,
  erlangCServiceLevel,
  occupancy,
  trafficErlangs,
} from './erlang';

/** The reference case: 360 calls per 30 minutes, AHT 240 s (48 Erlangs), 55 agents, 15 s target. */
const reference = { callsPerInterval: 360, intervalSec: 1800, ahtSec: 240, agents: 55, targetSec: 15 };

/** Workloads from light to heavy; traffic = calls × aht / 1800 Erlangs. */
const workload = fc.record({
  callsPerInterval: fc.integer({ min: 1, max: 3_000 }),
  intervalSec: fc.constant(1800),
  ahtSec: fc.integer({ min: 10, max: 900 }),
});

describe('Erlang C reference case (issue 3)', () => {
  it('is 48 Erlangs', () => {
    expect(trafficErlangs(reference)).toBe(48);
  });

  it('gives P(wait) ≈ 0.2387, ASA ≈ 8.18 s, SL ≈ 84.59 %', () => {
    expect(erlangC(48, 55)).toBeCloseTo(0.2387, 4);
    expect(erlangCAsa(reference)).toBeCloseTo(8.18, 2);
    expect(erlangCServiceLevel(reference) * 100).toBeCloseTo(84.59, 2);
  });

  it('gives occupancy A/N', () => {
    expect(occupancy(reference)).toBeCloseTo(48 / 55, 12);
  });
});

describe('erlangB and erlangC', () => {
  it('match hand-computed small cases', () => {
    expect(erlangB(1, 1)).toBeCloseTo(1 / 2, 15); // A/(1+A)
    expect(erlangB(2, 2)).toBeCloseTo(2 / 5, 15); // (4/2) / (1 + 2 + 4/2)
    expect(erlangB(2, 3)).toBeCloseTo(4 / 19, 15); // (8/6) / (1 + 2 + 2 + 8/6)
    expect(erlangC(2, 3)).toBeCloseTo(4 / 9, 15); // 3·B / (3 − 2·(1 − B))
    expect(erlangC(0, 3)).toBe(0);
  });

  it('stay accurate at thousands of agents (values from 40-digit mpmath)', () => {
    expect(erlangB(950, 1000)).toBeCloseTo(0.00364929368894241, 14);
    expect(erlangC(950, 1000)).toBeCloseTo(0.0682534153771414, 12);
    expect(erlangC(4900, 5000)).toBeCloseTo(0.0999378772344877, 12);
    const c = erlangC(99_000, 100_000);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
  });

  it('return 1 (everyone waits) when traffic ≥ agents, with SL 0 and ASA ∞', () => {
    expect(erlangC(55, 55)).toBe(1);
    expect(erlangC(2_000, 1_500)).toBe(1);
    expect(erlangC(3, 0)).toBe(1);
    const overloaded = { ...reference, agents: 48 };
    expect(erlangCServiceLevel(overloaded)).toBe(0);
    expect(erlangCAsa(overloaded)).toBe(Number.POSITIVE_INFINITY);
    expect(occupancy({ ...reference, agents: 40 })).toBe(1);
  });

  it('reject agents that are not whole numbers and negative traffic', () => {
    expect(() => erlangC(10, 10.5)).toThrow(RangeError);
    expect(() => erlangB(-1, 3)).toThrow(RangeError);
    expect(() => erlangCServiceLevel({ ...reference, ahtSec: 0 })).toThrow(RangeError);
  });

  it('service level rises and ASA falls with every added agent', () => {
    fc.assert(
      fc.property(workload, fc.integer({ min: 0, max: 50 }), (w, extra) => {
        const agents = Math.floor(trafficErlangs(w)) + 1 + extra;
        const now = { ...w, agents, targetSec: 20 };
        const more = { ...now, agents: agents + 1 };
        expect(erlangCServiceLevel(more)).toBeGreaterThanOrEqual(erlangCServiceLevel(now));
        expect(erlangCAsa(more)).toBeLessThanOrEqual(erlangCAsa(now));
      }),
    );
  });
});

describe('agentsForServiceLevel and agentsForAsa', () => {
  it('staff the reference workload', () => {
    // SL(55) = 84.59 % ≥ 80 %; SL(54) is below it.
    expect(agentsForServiceLevel({ ...reference, serviceLevel: 0.8 })).toBe(55);
    expect(erlangCServiceLevel({ ...reference, agents: 54 })).toBeLessThan(0.8);
    expect(agentsForAsa({ ...reference, targetAsaSec: 8.2 })).toBe(55);
    expect(erlangCAsa({ ...reference, agents: 54 })).toBeGreaterThan(8.2);
  });

  it('need no agents without calls', () => {
    expect(agentsForServiceLevel({ ...reference, callsPerInterval: 0, serviceLevel: 0.8 })).toBe(0);
  });

  it('return the smallest number of agents that reaches the target', () => {
    fc.assert(
      fc.property(
        workload,
        fc.double({ min: 0.05, max: 0.99, noNaN: true }),
        fc.integer({ min: 0, max: 120 }),
        (w, sl, t) => {
          const n = agentsForServiceLevel({ ...w, targetSec: t, serviceLevel: sl });
          expect(erlangCServiceLevel({ ...w, agents: n, targetSec: t })).toBeGreaterThanOrEqual(sl);
          expect(erlangCServiceLevel({ ...w, agents: n - 1, targetSec: t })).toBeLessThan(sl);
        },
      ),
    );
    fc.assert(
      fc.property(workload, fc.double({ min: 0.5, max: 120, noNaN: true }), (w, asa) => {
        const n = agentsForAsa({ ...w, targetAsaSec: asa });
        expect(erlangCAsa({ ...w, agents: n })).toBeLessThanOrEqual(asa);
        expect(erlangCAsa({ ...w, agents: n - 1 })).toBeGreaterThan(asa);
      }),
    );
  });

  it('scale to large centres', () => {
    const n = agentsForServiceLevel({
      callsPerInterval: 36_000,
      intervalSec: 1800,
      ahtSec: 240,
      targetSec: 20,
      serviceLevel: 0.8,
    });
    expect(n).toBeGreaterThan(4_800);
    expect(n).toBeLessThan(4_900);
  });

  it('refuse targets that can never be met', () => {
    expect(() => agentsForServiceLevel({ ...reference, serviceLevel: 1 })).toThrow(RangeError);
    expect(() => agentsForAsa({ ...reference, targetAsaSec: 0 })).toThrow(RangeError);
  });
});

describe('erlangA (M/M/N+M)', () => {
  const withPatience = (patienceSec: number, over: Partial<ErlangAInput> = {}): ErlangAInput => ({
    ...reference,
    patienceSec,
    ...over,
  });

  it('converges to Erlang C as patience grows', () => {
    const a = erlangA(withPatience(1e9));
    expect(Math.abs(a.probWait - erlangC(48, 55))).toBeLessThan(1e-3);
    expect(Math.abs(a.asaSec - erlangCAsa(reference))).toBeLessThan(1e-3);
    expect(Math.abs(a.serviceLevel - erlangCServiceLevel(reference))).toBeLessThan(1e-3);
    expect(a.probAbandon).toBeLessThan(1e-6);
    expect(erlangA(withPatience(Number.POSITIVE_INFINITY))).toMatchObject({
      probWait: erlangC(48, 55),
      probAbandon: 0,
      serviceLevel: erlangCServiceLevel(reference),
    });
  });

  it('converges to Erlang B as patience shrinks: whoever finds all agents busy leaves', () => {
    const a = erlangA(withPatience(1e-6));
    expect(a.probAbandon).toBeCloseTo(erlangB(48, 55), 6);
    expect(a.probWait).toBeCloseTo(erlangB(48, 55), 6);
    expect(a.serviceLevel).toBeCloseTo(1 - erlangB(48, 55), 6);
  });

  it('abandons more, and waits less, as patience falls', () => {
    const patiences = [3600, 600, 180, 60, 20, 5];
    const results = patiences.map((p) => erlangA(withPatience(p)));
    for (let i = 1; i < results.length; i++) {
      expect(results[i]!.probAbandon).toBeGreaterThan(results[i - 1]!.probAbandon);
      expect(results[i]!.asaSec).toBeLessThan(results[i - 1]!.asaSec);
    }
    // Stable staffing (N > A = 48): in heavy overload P(abandon) saturates at 1 − N/A whatever the
    // patience, and the differences fall below floating-point resolution.
    fc.assert(
      fc.property(
        fc.integer({ min: 49, max: 80 }),
        fc.double({ min: 5, max: 3000, noNaN: true }),
        fc.double({ min: 1.05, max: 4, noNaN: true }),
        (agents, patience, factor) => {
          const longer = erlangA(withPatience(patience * factor, { agents }));
          const shorter = erlangA(withPatience(patience, { agents }));
          expect(shorter.probAbandon).toBeGreaterThan(longer.probAbandon);
        },
      ),
    );
  });

  it('rises in service level with agents', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 10, max: 1000, noNaN: true }),
        (agents, patience) => {
          const now = erlangA(withPatience(patience, { agents }));
          const more = erlangA(withPatience(patience, { agents: agents + 1 }));
          expect(more.serviceLevel).toBeGreaterThanOrEqual(now.serviceLevel - 1e-12);
          expect(more.probAbandon).toBeLessThanOrEqual(now.probAbandon + 1e-12);
        },
      ),
    );
  });

  it('solves N = 1 with patience = AHT in closed form (the chain is then M/M/∞, π Poisson)', () => {
    // λ = μ = θ = 1/240 s, A = 1. π_n = e^−1/n!. An arrival waits iff n ≥ 1: 1 − 1/e. From position j
    // (state j) it is answered with probability 1/(1+j): P(abandon) = Σ_j π_j·j/(1+j) = 1/e.
    // ∫ f_V(x)e^{−θx}dx over [0,t] with u = e^{−μx}: SL(t) = (1 + s)e^{−s} − 1/e, s = e^{−t/240}.
    const input = { callsPerInterval: 1, intervalSec: 240, ahtSec: 240, agents: 1, patienceSec: 240 };
    const at = (targetSec: number) => erlangA({ ...input, targetSec });
    expect(at(0).probWait).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(at(0).probAbandon).toBeCloseTo(Math.exp(-1), 12);
    for (const t of [0, 15, 60, 240, 1200]) {
      const s = Math.exp(-t / 240);
      expect(at(t).serviceLevel).toBeCloseTo((1 + s) * Math.exp(-s) - Math.exp(-1), 10);
    }
    // ASA: Σ_j π_j · 1/(1+j) · Σ_{i=1..j} 240/(1+i), over the answered fraction 1 − 1/e.
    let sum = 0;
    let factorial = 1;
    let stages = 0;
    for (let j = 1; j < 40; j++) {
      factorial *= j;
      stages += 240 / (1 + j);
      sum += ((Math.exp(-1) / factorial) * stages) / (1 + j);
    }
    expect(at(15).asaSec).toBeCloseTo(sum / (1 - Math.exp(-1)), 10);
  });

  it('matches the Poisson closed form for any N when patience = AHT', () => {
    // A = 2.5 Erlangs, N = 3: P(wait) = P(X ≥ 3), P(abandon) = E[(X − 3)⁺]/A for X ~ Poisson(2.5).
    const a = 2.5;
    const poisson = (k: number) => (Math.exp(-a) * a ** k) / [1, 1, 2][k]!;
    const below = poisson(0) + poisson(1) + poisson(2);
    const excess = a - 3 + (3 * poisson(0) + 2 * poisson(1) + poisson(2)); // E[X] − 3 + E[(3 − X)⁺]
    const r = erlangA({
      callsPerInterval: 2.5,
      intervalSec: 100,
      ahtSec: 100,
      agents: 3,
      patienceSec: 100,
      targetSec: 0,
    });
    expect(r.probWait).toBeCloseTo(1 - below, 12);
    expect(r.probAbandon).toBeCloseTo(excess / a, 12);
  });

  it('agrees with itself: P(abandon) = θ·mean wait, and a long target leaves only the abandoned out', () => {
    for (const p of [30, 180, 900]) {
      const r = erlangA(withPatience(p));
      expect(r.probAbandon).toBeCloseTo(r.meanWaitSec / p, 12);
      expect(erlangA(withPatience(p, { targetSec: 100_000 })).serviceLevel).toBeCloseTo(1 - r.probAbandon, 9);
    }
  });

  it('matches a 40-digit reference in overload (the SL checked against the tagged caller’s chain)', () => {
    const r = erlangA({
      callsPerInterval: 400,
      intervalSec: 1800,
      ahtSec: 240,
      agents: 40,
      patienceSec: 120,
      targetSec: 20,
    });
    expect(r.probWait).toBeCloseTo(0.913475654679314, 10);
    expect(r.probAbandon).toBeCloseTo(0.254836913071258, 10);
    expect(r.asaSec).toBeCloseTo(32.7136896906096, 8);
    expect(r.meanWaitSec).toBeCloseTo(30.580429568551, 8);
    expect(r.serviceLevel).toBeCloseTo(0.25653893618439, 10);
    const ref180 = erlangA(withPatience(180));
    expect(ref180.probWait).toBeCloseTo(0.163806446200707, 10);
    expect(ref180.serviceLevel).toBeCloseTo(0.922525247362497, 10);
  });

  it('stays accurate over most of a million queue states (heavy overload, long patience)', () => {
    // 11,100 calls/h × 1,062 s on 2,686 agents: the chain peaks ~790,000 callers deep. mpmath, 30 digits.
    const r = erlangA({
      callsPerInterval: 19_992,
      intervalSec: 1800,
      ahtSec: 1062,
      agents: 2686,
      patienceSec: 91_943.22243194492,
      targetSec: 1e7,
    });
    expect(r.probAbandon).toBeCloseTo(0.772281794073562, 9);
    expect(r.serviceLevel).toBeCloseTo(0.227718205926438, 9);
  });

  it('stays finite and fast at thousands of agents', () => {
    const r = erlangA({
      callsPerInterval: 36_000,
      intervalSec: 1800,
      ahtSec: 240,
      agents: 4_900,
      patienceSec: 300,
      targetSec: 20,
    });
    for (const v of Object.values(r)) expect(Number.isFinite(v)).toBe(true);
    expect(r.probWait).toBeGreaterThan(0);
    expect(r.serviceLevel).toBeGreaterThan(0.99);
    expect(r.occupancy).toBeGreaterThan(0.97);
  });

  it('handles no calls and no agents', () => {
    expect(erlangA(withPatience(60, { callsPerInterval: 0 }))).toMatchObject({
      probWait: 0,
      serviceLevel: 1,
    });
    const empty = erlangA(withPatience(60, { agents: 0 }));
    expect(empty).toMatchObject({ probWait: 1, probAbandon: 1, serviceLevel: 0, occupancy: 0 });
    expect(empty.asaSec).toBeNaN();
    expect(() => erlangA(withPatience(0))).toThrow(RangeError);
  });
});
