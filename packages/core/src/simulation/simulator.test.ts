import { describe, expect, it } from 'vitest';
import { erlangA } from '../routing/erlang';
import { parseScenario } from './scenario';
import { simulate } from './simulator';

/**
 * The Erlang C reference of the issue: 360 calls per 30 minutes, exponential AHT 240 s (48 Erlangs),
 * 55 agents, 15 s target, nobody abandons → SL 84.59 %, ASA 8.18 s, occupancy 48/55.
 */
const ERLANG_SL = 0.8459;
const ERLANG_ASA_SEC = 8.18;
const ERLANG_P_WAIT = 0.2387;

function reference(fields: { hours: number; seed?: number; agents?: number; patienceSec?: number | null }) {
  return parseScenario({
    seed: fields.seed ?? 1,
    durationSec: 3600 + fields.hours * 3600,
    warmupSec: 3600,
    queues: [
      {
        name: 'reference',
        serviceLevelSec: 15,
        callsPerInterval: 360,
        intervalSec: 1800,
        handleTime: { dist: 'exponential', meanSec: 240 },
        patience: fields.patienceSec ? { dist: 'exponential', meanSec: fields.patienceSec } : null,
      },
    ],
    agents: [{ name: 'agent', count: fields.agents ?? 55, capacity: { voice: 1 } }],
  });
}

describe('simulator', () => {
  it('gives the same figures for the same seed and others for another seed', () => {
    const a = simulate(reference({ hours: 5, seed: 3 }));
    const b = simulate(reference({ hours: 5, seed: 3 }));
    const c = simulate(reference({ hours: 5, seed: 4 }));
    expect(a).toEqual(b);
    expect(c.queues.reference!.offered).not.toBe(a.queues.reference!.offered);
  });

  it('lands on Erlang C for the reference case', () => {
    // 600 simulated hours take a few seconds. Across seeds the service level of a run this long has a
    // standard deviation of about 0.8 points (measured over runs of 250 and 2,000 hours: 1.3 and 0.45),
    // so 2.5 points is ±3σ here; `npm run simulate -- examples/simulation/erlang-reference.json`
    // runs 2,000 hours and lands within 1.5 points.
    const r = simulate(reference({ hours: 600 })).queues.reference!;
    expect(r.offered).toBeGreaterThan(0.98 * 720 * 600);
    expect(r.abandoned).toBe(0);
    expect(r.unresolved).toBe(0);
    expect(Math.abs(r.serviceLevel - ERLANG_SL)).toBeLessThan(0.025);
    expect(Math.abs(r.waitedRate - ERLANG_P_WAIT)).toBeLessThan(0.025);
    expect(Math.abs(r.asaSec - ERLANG_ASA_SEC)).toBeLessThan(2);
    expect(Math.abs(r.occupancy - 48 / 55)).toBeLessThan(0.01);
  }, 30_000);

  it('lands on Erlang A when customers hang up (48 Erlangs, 48 agents, patience 60 s on average)', () => {
    // With abandonment the queue steadies itself: across 8 seeds, runs of 200 hours differed from
    // Erlang A by at most 0.65 points of service level, 0.36 of abandon rate, 0.13 s of ASA and 0.16
    // of occupancy (standard deviations 0.35, 0.2, 0.07 s, 0.09): the bounds are ≥ 3σ.
    const r = simulate(reference({ hours: 200, agents: 48, patienceSec: 60 })).queues.reference!;
    const e = erlangA({
      callsPerInterval: 360,
      intervalSec: 1800,
      ahtSec: 240,
      agents: 48,
      patienceSec: 60,
      targetSec: 15,
    });
    expect(Math.abs(r.serviceLevel - e.serviceLevel)).toBeLessThan(0.015);
    expect(Math.abs(r.abandonRate - e.probAbandon)).toBeLessThan(0.006);
    expect(Math.abs(r.waitedRate - e.probWait)).toBeLessThan(0.02);
    expect(Math.abs(r.asaSec - e.asaSec)).toBeLessThan(0.3);
    expect(Math.abs(r.occupancy - e.occupancy)).toBeLessThan(0.005);
  }, 30_000);

  it('counts only arrivals after the warm-up', () => {
    const r = simulate(reference({ hours: 20 })).queues.reference!;
    expect(Math.abs(r.offered - 720 * 20)).toBeLessThan(4 * Math.sqrt(720 * 20));
  });

  it('loses customers to abandonment when their patience is short', () => {
    const patient = simulate(reference({ hours: 20, agents: 50 })).queues.reference!;
    const impatient = simulate(reference({ hours: 20, agents: 50, patienceSec: 30 })).queues.reference!;
    expect(patient.abandonRate).toBe(0);
    expect(impatient.abandonRate).toBeGreaterThan(0.05);
    expect(impatient.abandoned + impatient.answered).toBe(impatient.offered);
    // Those who leave shorten the queue for the others.
    expect(impatient.asaSec).toBeLessThan(patient.asaSec);
  });

  it('raises the service level with every agent added (same customers, common random numbers)', () => {
    const levels = [50, 52, 55, 58].map(
      (agents) => simulate(reference({ hours: 20, agents })).queues.reference!.serviceLevel,
    );
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeGreaterThan(levels[i - 1]!);
    expect(levels[3]! - levels[0]!).toBeGreaterThan(0.3);
  });

  it('serves several queues by skill, chat agents up to their capacity, and reports who could not be served', () => {
    const scenario = parseScenario({
      seed: 5,
      durationSec: 11 * 3600,
      warmupSec: 3600,
      queues: [
        {
          name: 'sales',
          serviceLevelSec: 20,
          arrivalsPerHour: 60,
          handleTime: { dist: 'lognormal', meanSec: 180, cv: 0.5 },
          requiredSkills: [{ skill: 'sales', minLevel: 5 }],
          wrapUpSec: 10,
        },
        {
          name: 'chat',
          channel: 'chat',
          serviceLevelSec: 60,
          arrivalsPerHour: 60,
          handleTime: { dist: 'constant', meanSec: 300 },
          requiredSkills: [{ skill: 'chat', minLevel: 1 }],
        },
        {
          name: 'orphan',
          serviceLevelSec: 20,
          arrivalsPerHour: 5,
          handleTime: { dist: 'constant', meanSec: 60 },
        },
      ],
      agents: [
        { name: 'seller', count: 5, skills: { sales: 6 }, capacity: { voice: 1 }, queues: ['sales'] },
        { name: 'junior', count: 5, skills: { sales: 4 }, capacity: { voice: 1 }, queues: ['sales'] },
        { name: 'chatter', count: 3, skills: { chat: 3 }, capacity: { chat: 3 }, queues: ['chat'] },
      ],
    });
    const { queues } = simulate(scenario);
    expect(queues.sales!.agents).toBe(5); // the juniors lack the level
    expect(queues.sales!.answered + queues.sales!.unresolved).toBe(queues.sales!.offered);
    // 5 chats at a time on average with 3 agents: only possible with capacity above 1.
    expect(queues.chat!.answered).toBeGreaterThan(500);
    expect(queues.chat!.serviceLevel).toBeGreaterThan(0.9);
    // No group may serve "orphan": all its customers are still waiting when the run ends.
    expect(queues.orphan).toMatchObject({ agents: 0, answered: 0, abandoned: 0, occupancy: 0 });
    expect(queues.orphan!.unresolved).toBe(queues.orphan!.offered);
  });

  it('rings every agent of a ring_all queue and lets the first to answer take the call', () => {
    const scenario = parseScenario({
      seed: 9,
      durationSec: 4 * 3600,
      queues: [
        {
          name: 'hotline',
          strategy: 'ring_all',
          serviceLevelSec: 10,
          arrivalsPerHour: 30,
          handleTime: { dist: 'uniform', minSec: 60, maxSec: 120 },
        },
      ],
      agents: [{ count: 4, answerDelaySec: 4, capacity: { voice: 1 } }],
    });
    const r = simulate(scenario).queues.hotline!;
    expect(r.answered).toBe(r.offered);
    expect(r.asaSec).toBeGreaterThanOrEqual(4);
    expect(r.serviceLevel).toBeGreaterThan(0.9);
  });
});
