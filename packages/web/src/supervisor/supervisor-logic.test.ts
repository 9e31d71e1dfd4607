import { channels } from '@hotline/protocol/common';
import type { AgentStateDto, QueueLive } from '@hotline/protocol/routing';
import { describe, expect, it } from 'vitest';
import { readDecision, readReason, readWaiting, reasonSummary } from './explanation';
import { addSample, agentCounts, applyAgentEvent, bucketOf, totals } from './wallboard-model';

const queue = (over: Partial<QueueLive>): QueueLive => ({
  queueId: 'q1',
  name: 'Support',
  waiting: 0,
  longestWaitSeconds: 0,
  loggedIn: 0,
  ready: 0,
  offeredToday: 0,
  answeredToday: 0,
  abandonedToday: 0,
  serviceLevel: null,
  ewtSeconds: null,
  ...over,
});

const agent = (id: string, status: AgentStateDto['status']): AgentStateDto => ({
  agentId: id,
  status,
  presence: status === 'logged_out' ? 'logged_out' : status === 'not_ready' ? 'not_ready' : 'ready',
  reason: null,
  since: '2030-01-01T00:00:00.000Z',
  work: [],
  handledToday: 0,
  capacity: Object.fromEntries(
    channels.map((c) => [c, { max: c === 'chat' ? 3 : 1, used: 0 }]),
  ) as AgentStateDto['capacity'],
});

describe('wallboard totals', () => {
  it('sums the queues and weights service level by handled volume', () => {
    const t = totals([
      queue({
        queueId: 'a',
        waiting: 2,
        longestWaitSeconds: 40,
        offeredToday: 10,
        answeredToday: 9,
        abandonedToday: 1,
        serviceLevel: 1,
      }),
      queue({
        queueId: 'b',
        waiting: 1,
        longestWaitSeconds: 90,
        offeredToday: 30,
        answeredToday: 20,
        abandonedToday: 10,
        serviceLevel: 0.5,
      }),
      queue({ queueId: 'c', serviceLevel: null }),
    ]);
    expect(t).toEqual({
      waiting: 3,
      longestWaitSeconds: 90,
      offered: 40,
      answered: 29,
      abandoned: 11,
      serviceLevel: (1 * 10 + 0.5 * 30) / 40,
    });
  });

  it('has no service level before anything was handled', () => {
    expect(totals([queue({})]).serviceLevel).toBeNull();
    expect(totals([]).serviceLevel).toBeNull();
  });
});

describe('agent buckets', () => {
  it.each([
    ['reserved', 'busy'],
    ['busy', 'busy'],
    ['ready', 'ready'],
    ['wrap_up', 'wrap_up'],
    ['not_ready', 'not_ready'],
    ['logged_out', 'logged_out'],
  ] as const)('%s counts as %s', (status, bucket) => {
    expect(bucketOf(status)).toBe(bucket);
  });

  it('counts agents per bucket', () => {
    expect(
      agentCounts([agent('a', 'ready'), agent('b', 'reserved'), agent('c', 'busy'), agent('d', 'not_ready')]),
    ).toEqual({
      ready: 1,
      busy: 2,
      not_ready: 1,
      wrap_up: 0,
      logged_out: 0,
    });
  });

  it('applies a state event to the right agent, ignoring unknown ones', () => {
    const list = [agent('a', 'ready'), agent('b', 'ready')];
    const at = Date.parse('2030-01-01T00:05:00.000Z');
    const next = applyAgentEvent(list, {
      agentId: 'b',
      to: 'not_ready',
      presence: 'not_ready',
      reason: 'Lunch',
      at,
    });
    expect(next?.[1]).toMatchObject({
      status: 'not_ready',
      presence: 'not_ready',
      reason: 'Lunch',
      since: '2030-01-01T00:05:00.000Z',
    });
    expect(next?.[0]).toBe(list[0]);
    expect(applyAgentEvent(list, { agentId: 'zzz', to: 'ready', at })).toBeNull();
    expect(applyAgentEvent(list, { agentId: 'a', to: 5, at })).toBeNull();
  });
});

describe('waiting history', () => {
  it('samples at most once per gap, keeps the newest figures, and forgets old points', () => {
    let h = addSample([], [queue({ waiting: 1 })], 0);
    h = addSample(h, [queue({ waiting: 2 })], 1_000);
    expect(h).toEqual([{ at: 0, waiting: { q1: 2 } }]);
    h = addSample(h, [queue({ waiting: 3 })], 2_500);
    expect(h.map((p) => p.waiting.q1)).toEqual([2, 3]);
    h = addSample(h, [queue({ waiting: 4 })], 20_000, { keepMs: 10_000 });
    expect(h).toEqual([{ at: 20_000, waiting: { q1: 4 } }]);
  });
});

describe('routing explanation reader', () => {
  it('reads a decision with candidates, skips and pools', () => {
    const d = readDecision({
      at: '2030-01-01T00:00:00.000Z',
      trigger: 'interaction',
      chosen: ['a1'],
      explanation: {
        trigger: 'interaction',
        pools: [{ queueId: 'q1', relaxLevelsBy: 0, members: 5, available: 2 }],
        chosen: ['a1'],
        candidates: [
          {
            agentId: 'a1',
            queueId: 'q1',
            strategy: 'longest_idle',
            primary: 3,
            secondary: 0,
            skillMatch: 1,
            idleSince: 0,
          },
        ],
        skippedAgents: [
          { agentId: 'a2', reason: { code: 'declined' } },
          { agentId: 'a3', reason: { code: 'missing_skill', skillId: 's', level: 2, required: 5 } },
        ],
        consideredInteractions: [],
      },
    });
    expect(d.chosen).toEqual(['a1']);
    expect(d.pools).toEqual([{ queueId: 'q1', relaxLevelsBy: 0, members: 5, available: 2 }]);
    expect(d.candidates[0]).toEqual({
      agentId: 'a1',
      queueId: 'q1',
      strategy: 'longest_idle',
      primary: 3,
      skillMatch: 1,
    });
    expect(d.skipped.map((s) => s.reason.code)).toEqual(['declined', 'missing_skill']);
  });

  it('survives a record of an unexpected shape', () => {
    const d = readDecision({ at: 'x', trigger: 'agent', chosen: [], explanation: 'garbage' });
    expect(d).toEqual({
      at: 'x',
      trigger: 'agent',
      chosen: [],
      pools: [],
      candidates: [],
      skipped: [],
      consideredInteractions: 0,
    });
    expect(readReason({ code: 'new_reason' })).toEqual({ code: 'other', raw: 'new_reason' });
    expect(readReason(null)).toEqual({ code: 'other', raw: 'null' });
    expect(readWaiting(null)).toBeNull();
  });

  it('summarises why an interaction waits, most common reason first', () => {
    const w = readWaiting({
      queueId: 'q1',
      stage: 1,
      pools: [],
      agents: [
        { agentId: 'a', queueId: 'q1', reason: { code: 'not_ready', reason: 'Lunch' } },
        { agentId: 'b', queueId: 'q1', reason: { code: 'no_capacity' } },
        { agentId: 'c', queueId: 'q1', reason: { code: 'no_capacity' } },
      ],
    });
    expect(w?.agents[0]?.reason).toEqual({ code: 'not_ready', reason: 'Lunch' });
    expect(reasonSummary(w!.agents)).toEqual([
      { code: 'no_capacity', count: 2 },
      { code: 'not_ready', count: 1 },
    ]);
  });
});
