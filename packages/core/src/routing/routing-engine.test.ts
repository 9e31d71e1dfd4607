import { describe, expect, it } from 'vitest';
import type { Capacity } from '../channels';
import { agentId, interactionId, queueId, skillId } from '../ids';
import { type Millis, millis } from '../ports';
import type { EngineSettings } from './engine-contract';
import { type QueueConfig, queueConfig } from './queue-config';
import { RoutingEngine } from './routing-engine';
import type { RoutingEvent, RoutingOffered } from './routing-events';

const full: Capacity = { voice: 1, chat: 3, email: 5, sms: 3, messenger: 3, task: 1 };
const t = (n: number): Millis => millis(n);
const a = agentId;
const q = queueId;
const ix = interactionId;

function seeded(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function world(queues: QueueConfig[], settings: Partial<EngineSettings> = {}) {
  const sut = new RoutingEngine({ random: seeded(), settings });
  sut.setQueues(queues, t(0));
  const events: RoutingEvent[] = [];
  const rec = (e: RoutingEvent[]) => {
    events.push(...e);
    return e;
  };
  return {
    sut,
    events,
    rec,
    agent(id: string, at: number, skills: Record<string, number> = {}, capacity: Capacity = full) {
      const map = new Map(Object.entries(skills).map(([k, v]) => [skillId(k), v]));
      rec(sut.upsertAgent({ id: a(id), capacity, skills: map }, t(at)));
      rec(sut.login(a(id), t(at)));
      return rec(sut.setReady(a(id), t(at)));
    },
    enqueue(
      id: string,
      queue: string,
      at: number,
      extra: Partial<Parameters<RoutingEngine['enqueue']>[0]> = {},
    ) {
      return rec(sut.enqueue({ id: ix(id), channel: 'voice', queueId: q(queue), ...extra }, t(at)));
    },
  };
}

const offers = (events: readonly RoutingEvent[]): RoutingOffered[] =>
  events.filter((e): e is RoutingOffered => e.type === 'routing.offered');
const offeredTo = (events: readonly RoutingEvent[]) =>
  offers(events).map((e) => [e.interactionId, ...e.agentIds]);

describe('routing engine: interaction trigger and strategies', () => {
  it('offers a new interaction to a free agent and records why', () => {
    const w = world([queueConfig({ id: q('sales'), name: 'Sales' })]);
    w.agent('ann', 1);
    const out = w.enqueue('c1', 'sales', 10);
    expect(out.map((e) => e.type)).toEqual([
      'interaction.state_changed',
      'interaction.queued',
      'interaction.state_changed',
      'routing.offered',
      'agent.state_changed',
    ]);
    const offer = offers(out)[0]!;
    expect(offer).toMatchObject({ agentIds: ['ann'], expiresAt: 20_010, queueId: 'sales' });
    expect(offer.explanation).toMatchObject({
      trigger: 'interaction',
      chosen: ['ann'],
      pools: [{ queueId: 'sales', members: 1, available: 1 }],
    });
    expect(w.sut.agentState(a('ann'))!.status).toBe('reserved');
  });

  it('longest_idle picks the agent free the longest, then the least loaded', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S', strategy: 'longest_idle' })]);
    w.agent('late', 5);
    w.agent('early', 1);
    w.agent('mid', 3);
    expect(offeredTo(w.enqueue('c1', 's', 10))).toEqual([['c1', 'early']]);
    expect(offeredTo(w.enqueue('c2', 's', 11))).toEqual([['c2', 'mid']]);
  });

  it('fewest_handled and least_busy_time pick by the day so far', () => {
    for (const strategy of ['fewest_handled', 'least_busy_time'] as const) {
      const w = world([queueConfig({ id: q('s'), name: 'S', strategy })]);
      w.agent('x', 1);
      w.agent('y', 2);
      // x handles one long interaction, y stays fresh.
      w.enqueue('c1', 's', 10);
      w.rec(w.sut.accept(a('x'), ix('c1'), t(11)));
      w.rec(w.sut.end(ix('c1'), t(100_000)));
      expect(offeredTo(w.enqueue('c2', 's', 100_001))).toEqual([['c2', 'y']]);
    }
  });

  it('round_robin goes to the agent offered least recently', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S', strategy: 'round_robin' })]);
    w.agent('x', 1);
    w.agent('y', 1);
    const first = offers(w.enqueue('c1', 's', 10))[0]!.agentIds[0]!;
    w.rec(w.sut.decline(first, ix('c1'), t(11)));
    // c1 went to the other agent; the next new one goes back to the first.
    const second = offers(w.events).at(-1)!.agentIds[0]!;
    expect(second).not.toBe(first);
    w.rec(w.sut.accept(second, ix('c1'), t(12)));
    expect(offeredTo(w.enqueue('c2', 's', 13))).toEqual([['c2', first]]);
  });

  it('breaks ties by skill match, then by idle time', () => {
    const skills = [{ skillId: skillId('en'), minLevel: 3 }];
    const w = world([
      queueConfig({ id: q('s'), name: 'S', strategy: 'fewest_handled', requiredSkills: skills }),
    ]);
    w.agent('weak', 1, { en: 3 });
    w.agent('strong', 5, { en: 9 });
    const out = w.enqueue('c1', 's', 10);
    expect(offeredTo(out)).toEqual([['c1', 'strong']]);
    expect(offers(out)[0]!.explanation.candidates.map((c) => [c.agentId, c.skillMatch])).toEqual([
      ['strong', 9],
      ['weak', 3],
    ]);
  });

  it('random strategy spreads offers over the eligible agents, reproducibly for a seed', () => {
    const run = () => {
      const w = world([queueConfig({ id: q('s'), name: 'S', strategy: 'random' })]);
      for (let i = 0; i < 5; i++) w.agent(`g${i}`, 1);
      const picks: string[] = [];
      for (let i = 0; i < 40; i++) {
        const o = offers(w.enqueue(`c${i}`, 's', 10 + i))[0]!;
        picks.push(o.agentIds[0]!);
        w.rec(w.sut.decline(o.agentIds[0]!, ix(`c${i}`), t(10 + i)));
        w.rec(w.sut.abandon(ix(`c${i}`), t(10 + i)));
      }
      return picks;
    };
    const picks = run();
    expect(new Set(picks).size).toBe(5);
    expect(run()).toEqual(picks);
  });

  it('ring_all rings every free agent at once; the first answer wins and the rest are withdrawn', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S', strategy: 'ring_all' })]);
    w.agent('x', 1);
    w.agent('y', 2);
    w.agent('z', 3);
    expect(offeredTo(w.enqueue('c1', 's', 10))).toEqual([['c1', 'x', 'y', 'z']]);
    const out = w.rec(w.sut.accept(a('y'), ix('c1'), t(12)));
    expect(out.filter((e) => e.type === 'routing.offer_withdrawn')).toMatchObject([
      { agentId: 'x', reason: 'taken_by_other' },
      { agentId: 'z', reason: 'taken_by_other' },
    ]);
    expect(w.sut.agentState(a('x'))!.status).toBe('ready');
    expect(w.sut.interaction(ix('c1'))).toMatchObject({ state: 'connected', agentId: 'y' });
  });
});

describe('routing engine: eligibility', () => {
  it('honours required skills with minimum levels, queue members and declines', () => {
    const w = world([
      queueConfig({ id: q('en'), name: 'EN', requiredSkills: [{ skillId: skillId('en'), minLevel: 5 }] }),
      queueConfig({ id: q('vip'), name: 'VIP', members: new Set([a('m')]) }),
    ]);
    w.agent('low', 1, { en: 4 });
    w.agent('m', 2, { en: 5 });
    expect(offeredTo(w.enqueue('c1', 'en', 10))).toEqual([['c1', 'm']]);
    w.rec(w.sut.decline(a('m'), ix('c1'), t(11)));
    expect(w.sut.interaction(ix('c1'))!.state).toBe('queued');
    expect(w.sut.explainWaiting(ix('c1'), t(12)).agents).toEqual([
      { agentId: 'm', queueId: 'en', reason: { code: 'declined' } },
    ]);
    w.rec(w.sut.abandon(ix('c1'), t(13)));
    w.agent('other', 14, { en: 9 });
    expect(offeredTo(w.enqueue('c2', 'vip', 15))).toEqual([['c2', 'm']]);
  });

  it('checks interaction-level skills on top of the queue', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' })]);
    w.agent('x', 1, { de: 2 });
    w.agent('y', 2, { de: 7 });
    const out = w.enqueue('c1', 's', 10, { skills: [{ skillId: skillId('de'), minLevel: 6 }] });
    expect(offeredTo(out)).toEqual([['c1', 'y']]);
    expect(offers(out)[0]!.explanation.skippedAgents).toEqual([
      { agentId: 'x', reason: { code: 'missing_skill', skillId: 'de', level: 2, required: 6 } },
    ]);
  });

  it('never offers above capacity; a call blocks chats and chats fill up to capacity', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' })]);
    w.agent('x', 1, {}, { ...full, chat: 2 });
    for (const id of ['c1', 'c2', 'c3']) w.enqueue(id, 's', 10, { channel: 'chat' });
    expect(offers(w.events).map((o) => o.interactionId)).toEqual(['c1', 'c2']);
    expect(w.sut.interaction(ix('c3'))!.state).toBe('queued');
    w.rec(w.sut.accept(a('x'), ix('c1'), t(11)));
    w.rec(w.sut.end(ix('c1'), t(12)));
    expect(offers(w.events).at(-1)!.interactionId).toBe('c3');
  });

  it('a voice call blocks chat offers until it ends', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' })]);
    w.agent('x', 1);
    w.enqueue('v1', 's', 10);
    w.enqueue('c1', 's', 11, { channel: 'chat' });
    expect(offers(w.events).map((o) => o.interactionId)).toEqual(['v1']);
    w.rec(w.sut.accept(a('x'), ix('v1'), t(12)));
    expect(w.sut.explainWaiting(ix('c1'), t(13)).agents[0]!.reason).toEqual({
      code: 'blocked_by_exclusive_work',
    });
    w.rec(w.sut.end(ix('v1'), t(20)));
    expect(offers(w.events).at(-1)!.interactionId).toBe('c1');
  });
});

describe('routing engine: the agent trigger and the order guarantee', () => {
  it('serves the best waiting interaction across all of the agent’s queues: priority, then enqueue time', () => {
    const w = world([
      queueConfig({ id: q('a'), name: 'A' }),
      queueConfig({ id: q('b'), name: 'B', priority: 5 }),
      queueConfig({ id: q('c'), name: 'C' }),
    ]);
    w.enqueue('a-old', 'a', 1);
    w.enqueue('c-older', 'c', 0);
    w.enqueue('b-new', 'b', 9); // queue priority 5
    w.enqueue('a-prio', 'a', 10, { priority: 5, channel: 'chat' });
    w.enqueue('cb', 'c', 20, { callback: true, enqueuedAt: t(-100) });
    w.agent('x', 30, {}, { ...full, voice: 1, chat: 0 });
    w.rec(w.sut.accept(a('x'), ix('b-new'), t(31)));
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const last = offers(w.events).at(-1)!;
      order.push(last.interactionId);
      w.rec(w.sut.accept(a('x'), last.interactionId, t(40 + i)));
      w.rec(w.sut.end(last.interactionId, t(41 + i)));
    }
    // b-new first (priority 5); then the callback keeps its original time; then c-older, a-old.
    expect(offers(w.events).map((o) => o.interactionId)).toEqual(['b-new', 'cb', 'c-older', 'a-old']);
    expect(w.sut.interaction(ix('a-prio'))!.state).toBe('queued'); // chat: x has no chat capacity
  });

  it('a queued caller who asks for a callback keeps their place; only a queued one may ask', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' })]);
    w.enqueue('first', 's', 1);
    w.enqueue('second', 's', 2);
    const asked = w.rec(w.sut.requestCallback(ix('first'), t(5)));
    expect(asked).toMatchObject([
      { type: 'interaction.state_changed', interactionId: 'first', from: 'queued', to: 'callback_scheduled' },
    ]);
    w.enqueue('third', 's', 6);
    expect(w.sut.position(ix('first'))).toBe(1);
    w.agent('x', 10);
    expect(offeredTo(w.events)).toEqual([['first', 'x']]);
    // Offered: the agent's phone rings, it is too late to ask.
    expect(() => w.sut.requestCallback(ix('first'), t(11))).toThrow();
    w.rec(w.sut.accept(a('x'), ix('first'), t(12)));
    expect(w.sut.interaction(ix('first'))!.state).toBe('connected');
  });

  it('counts each logged-in agent once after the queues are set again (a configuration reload)', () => {
    const queues = [queueConfig({ id: q('s'), name: 'S' })];
    const w = world(queues);
    w.agent('x', 1);
    expect(w.sut.queueSnapshot(q('s'))).toMatchObject({ members: 1, loggedIn: 1, ready: 1 });
    w.rec(
      w.sut.setQueues([queueConfig({ id: q('s'), name: 'S' }), queueConfig({ id: q('t'), name: 'T' })], t(2)),
    );
    expect(w.sut.queueSnapshot(q('s'))).toMatchObject({ members: 1, loggedIn: 1, ready: 1 });
    expect(w.sut.queueSnapshot(q('t'))).toMatchObject({ members: 1, loggedIn: 1, ready: 1 });
    // And routing still works: one offer, to x.
    w.enqueue('c1', 't', 3);
    expect(offeredTo(w.events)).toEqual([['c1', 'x']]);
  });

  it('reports position in queue and the queue snapshot', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' })]);
    w.enqueue('c1', 's', 1);
    w.enqueue('c2', 's', 2);
    w.enqueue('c3', 's', 3, { priority: 1 });
    expect([w.sut.position(ix('c3')), w.sut.position(ix('c1')), w.sut.position(ix('c2'))]).toEqual([1, 2, 3]);
    expect(w.sut.queueSnapshot(q('s'))).toMatchObject({
      waiting: 3,
      oldestQueuedAt: 1,
      members: 0,
      loggedIn: 0,
    });
  });
});

describe('routing engine: offers that go unanswered', () => {
  it('a timed-out offer goes to the next agent; N misses in a row set the agent not ready ("missed")', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S', offerTimeoutMs: 1_000 })], {
      missedOffersLimit: 2,
    });
    w.agent('sleepy', 1);
    w.enqueue('c1', 's', 10);
    expect(w.sut.nextDeadline()).toBe(1_010);
    w.rec(w.sut.tick(t(1_010)));
    expect(w.sut.interaction(ix('c1'))!.state).toBe('queued');
    w.enqueue('c2', 's', 1_020);
    w.rec(w.sut.tick(t(2_020)));
    expect(w.sut.agentState(a('sleepy'))).toMatchObject({ presence: 'not_ready', notReadyReason: 'missed' });
    w.agent('awake', 2_030);
    // c1 (older) first, then c2 — both waited while the only agent slept.
    expect(
      offers(w.events)
        .slice(-1)
        .map((o) => o.interactionId),
    ).toEqual(['c1']);
  });

  it('accepting twice is idempotent; accepting someone else’s offer is refused', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' })]);
    w.agent('x', 1);
    w.agent('y', 2);
    w.enqueue('c1', 's', 10);
    expect(() => w.sut.accept(a('y'), ix('c1'), t(11))).toThrow(
      expect.objectContaining({ code: 'NOT_YOUR_OFFER' }),
    );
    expect(w.sut.accept(a('x'), ix('c1'), t(12)).length).toBeGreaterThan(0);
    expect(w.sut.accept(a('x'), ix('c1'), t(13))).toEqual([]);
    expect(() => w.sut.enqueue({ id: ix('c9'), channel: 'voice', queueId: q('nope') }, t(14))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_QUEUE' }),
    );
  });

  it('going not ready while ringing withdraws the offer and routes it elsewhere', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' })]);
    w.agent('x', 1);
    w.agent('y', 2);
    w.enqueue('c1', 's', 10);
    const out = w.rec(w.sut.setNotReady(a('x'), 'break', t(11)));
    expect(out.find((e) => e.type === 'routing.offer_withdrawn')).toMatchObject({
      agentId: 'x',
      reason: 'revoked',
    });
    expect(offeredTo(out)).toEqual([['c1', 'y']]);
  });
});

describe('routing engine: wrap-up, transfer and preference', () => {
  it('holds the slot for the queue’s wrap-up time, then frees it; finishing early frees it at once', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S', wrapUpMs: 30_000 })]);
    w.agent('x', 1);
    w.enqueue('c1', 's', 10);
    w.rec(w.sut.accept(a('x'), ix('c1'), t(11)));
    w.rec(w.sut.end(ix('c1'), t(100)));
    w.enqueue('c2', 's', 101);
    expect(w.sut.agentState(a('x'))!.status).toBe('wrap_up');
    expect(w.sut.interaction(ix('c2'))!.state).toBe('queued');
    const out = w.rec(w.sut.tick(t(30_100)));
    expect(out.find((e) => e.type === 'interaction.state_changed' && e.interactionId === 'c1')).toMatchObject(
      {
        to: 'closed',
      },
    );
    expect(offeredTo(out)).toEqual([['c2', 'x']]);
    w.rec(w.sut.accept(a('x'), ix('c2'), t(30_101)));
    w.rec(w.sut.end(ix('c2'), t(30_200)));
    w.rec(w.sut.finishWrapUp(a('x'), ix('c2'), t(30_300)));
    expect(w.sut.agentState(a('x'))!.status).toBe('ready');
    expect(w.sut.interaction(ix('c2'))).toBeUndefined();
  });

  it('transfers to another agent first (exclusive for a while), then to the queue', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' }), queueConfig({ id: q('t'), name: 'T' })]);
    w.agent('x', 1);
    w.agent('y', 2);
    w.agent('z', 3);
    w.enqueue('c1', 's', 10);
    w.rec(w.sut.accept(a('x'), ix('c1'), t(11)));
    w.rec(w.sut.setNotReady(a('z'), null, t(12)));
    const out = w.rec(
      w.sut.transfer(ix('c1'), { queueId: q('t'), agentId: a('z'), exclusiveMs: 5_000 }, t(20)),
    );
    expect(offers(out)).toEqual([]);
    expect(w.sut.interaction(ix('c1'))).toMatchObject({
      state: 'queued',
      queueId: 't',
      preferred: { agentId: 'z' },
    });
    const expired = w.rec(w.sut.tick(t(5_020)));
    expect(offeredTo(expired)).toEqual([['c1', 'y']]);
  });

  it('a personal agent gets the interaction when free; others only after the wait limit', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S' })]);
    w.agent('own', 1);
    w.agent('other', 2);
    w.enqueue('busy', 's', 3);
    w.rec(w.sut.accept(a('own'), ix('busy'), t(4)));
    w.enqueue('c1', 's', 10, {
      preferredAgent: { agentId: a('own'), kind: 'personal', exclusiveMs: 60_000 },
    });
    expect(w.sut.interaction(ix('c1'))!.state).toBe('queued');
    expect(w.sut.explainWaiting(ix('c1'), t(11)).agents.find((x) => x.agentId === 'other')!.reason).toEqual({
      code: 'reserved_for_other_agent',
      agentId: 'own',
    });
    const out = w.rec(w.sut.end(ix('busy'), t(20)));
    expect(offers(out)[0]).toMatchObject({
      interactionId: 'c1',
      agentIds: ['own'],
      explanation: { trigger: 'preferred' },
    });
  });
});

describe('routing engine: expansion and overflow', () => {
  const en = (minLevel: number) => [{ skillId: skillId('en'), minLevel }];

  it('relaxes skill levels, then adds queues, as the wait grows (bullseye)', () => {
    const w = world([
      queueConfig({
        id: q('s'),
        name: 'S',
        requiredSkills: en(8),
        expansion: [
          { afterMs: 10_000, relaxLevelsBy: 3, addQueues: [] },
          { afterMs: 20_000, relaxLevelsBy: 3, addQueues: [q('backup')] },
        ],
      }),
      queueConfig({
        id: q('backup'),
        name: 'Backup',
        requiredSkills: [{ skillId: skillId('de'), minLevel: 1 }],
      }),
    ]);
    w.agent('mid', 1, { en: 5 });
    w.agent('de', 1, { de: 3 });
    w.rec(w.sut.setNotReady(a('mid'), null, t(2)));
    w.enqueue('c1', 's', 100);
    expect(w.sut.nextDeadline()).toBe(10_100);
    const step1 = w.rec(w.sut.tick(t(10_100)));
    expect(step1.map((e) => e.type)).toContain('routing.expanded');
    expect(offers(step1)).toEqual([]);
    const step2 = w.rec(w.sut.tick(t(20_100)));
    expect(offeredTo(step2)).toEqual([['c1', 'de']]);
    expect(offers(step2)[0]!.explanation.pools.map((p) => [p.queueId, p.relaxLevelsBy])).toEqual([
      ['s', 3],
      ['backup', 0],
    ]);
  });

  it('overflows after a wait: to another queue keeping the enqueue time, or out with a decision', () => {
    const mk = (action: QueueConfig['overflow'][number]['action']) =>
      world([
        queueConfig({
          id: q('s'),
          name: 'S',
          members: new Set([a('s1')]),
          overflow: [{ afterMs: 60_000, noAgents: false, action }],
        }),
        queueConfig({ id: q('o'), name: 'O', members: new Set([a('o1')]) }),
      ]);
    const toQueue = mk({ type: 'queue', queueId: q('o') });
    toQueue.enqueue('c1', 's', 0);
    toQueue.agent('o1', 10);
    expect(offers(toQueue.events)).toEqual([]);
    const moved = toQueue.rec(toQueue.sut.tick(t(60_000)));
    expect(moved.find((e) => e.type === 'routing.overflow')).toMatchObject({
      reason: 'timeout',
      action: { type: 'queue' },
    });
    expect(moved.find((e) => e.type === 'interaction.queued')).toMatchObject({ queueId: 'o', enqueuedAt: 0 });
    expect(offeredTo(moved)).toEqual([['c1', 'o1']]);

    const cases = [
      [{ type: 'voicemail' }, 'voicemail'],
      [{ type: 'external', number: '+74950000000' }, 'transferred'],
      [{ type: 'close', message: 'sorry' }, 'missed'],
    ] as const;
    for (const [action, final] of cases) {
      const w = mk(action);
      w.enqueue('c1', 's', 0);
      const out = w.rec(w.sut.tick(t(60_000)));
      expect(
        out.filter((e) => e.type === 'routing.overflow' || e.type === 'interaction.state_changed'),
      ).toMatchObject([
        { type: 'routing.overflow', action },
        { type: 'interaction.state_changed', to: final },
      ]);
      expect(w.sut.interaction(ix('c1'))).toBeUndefined();
    }

    const cb = mk({ type: 'callback' });
    cb.enqueue('c1', 's', 0);
    cb.rec(cb.sut.tick(t(60_000)));
    expect(cb.sut.interaction(ix('c1'))!.state).toBe('callback_scheduled');
  });

  it('applies overflow to voicemail to calls only: a task in the same queue (the voicemail itself) waits', () => {
    const rule = { afterMs: null, noAgents: true, action: { type: 'voicemail' } } as const;
    const w = world([queueConfig({ id: q('s'), name: 'S', overflow: [rule] })]);
    const call = w.enqueue('call', 's', 0);
    expect(call.find((e) => e.type === 'routing.overflow')).toMatchObject({ action: { type: 'voicemail' } });
    expect(w.sut.interaction(ix('call'))).toBeUndefined();
    const task = w.enqueue('vm', 's', 1, { channel: 'task' });
    expect(task.find((e) => e.type === 'routing.overflow')).toBeUndefined();
    expect(w.sut.interaction(ix('vm'))!.state).toBe('queued');
    expect(w.rec(w.sut.tick(t(600_000))).find((e) => e.type === 'routing.overflow')).toBeUndefined();
    w.agent('x', 600_001);
    expect(offeredTo(w.events)).toEqual([['vm', 'x']]);
  });

  it('overflows at once when nobody who could take it is logged in, and when the last agent logs out', () => {
    const rule = { afterMs: null, noAgents: true, action: { type: 'close', message: 'closed' } } as const;
    const w = world([queueConfig({ id: q('s'), name: 'S', overflow: [rule] })]);
    const out = w.enqueue('c1', 's', 0);
    expect(out.find((e) => e.type === 'routing.overflow')).toMatchObject({ reason: 'no_agents' });
    expect(w.sut.interaction(ix('c1'))).toBeUndefined();
    w.agent('x', 1);
    w.enqueue('busy', 's', 2);
    w.enqueue('c2', 's', 3);
    expect(w.sut.interaction(ix('c2'))!.state).toBe('queued');
    w.rec(w.sut.accept(a('x'), ix('busy'), t(4)));
    const gone = w.rec(w.sut.logout(a('x'), t(5)));
    expect(gone.find((e) => e.type === 'routing.overflow')).toMatchObject({
      interactionId: 'c2',
      reason: 'no_agents',
    });
  });

  it('stops overflow loops between queues after the hop limit', () => {
    const loop = (from: string, to: string) =>
      queueConfig({
        id: q(from),
        name: from,
        overflow: [{ afterMs: null, noAgents: true, action: { type: 'queue', queueId: q(to) } }],
      });
    const w = world([loop('a', 'b'), loop('b', 'a')], { maxQueueHops: 3 });
    const out = w.enqueue('c1', 'a', 0);
    expect(out.filter((e) => e.type === 'routing.overflow')).toHaveLength(4);
    expect(out.at(-1)).toMatchObject({ type: 'interaction.state_changed', to: 'missed' });
  });
});

describe('routing engine: restore after a restart', () => {
  it('brings back waiting work in order, re-routes lost offers and returns held work to agents', () => {
    const queue = queueConfig({ id: q('s'), name: 'S', wrapUpMs: 10_000 });
    const sut = new RoutingEngine({ random: seeded() });
    sut.setQueues([queue], t(0));
    const profile = (id: string) => ({ id: a(id), capacity: full, skills: new Map() });
    const base = {
      channel: 'voice' as const,
      queueId: q('s'),
      priority: 0,
      skills: [],
      stage: 0,
      declinedBy: [],
      preferred: null,
      notBefore: null,
      connectedAt: null,
      callback: false,
    };
    const events = sut.restore(
      [
        { profile: profile('busy'), presence: 'ready', notReadyReason: null, since: t(0) },
        { profile: profile('free'), presence: 'ready', notReadyReason: null, since: t(0), handledCount: 4 },
        { profile: profile('away'), presence: 'not_ready', notReadyReason: 'lunch', since: t(0) },
      ],
      [
        {
          ...base,
          id: ix('later'),
          state: 'queued',
          enqueuedAt: t(50),
          queuedAt: t(50),
          seq: 7,
          agentId: null,
          stateSince: t(50),
        },
        {
          ...base,
          id: ix('first'),
          state: 'offered',
          enqueuedAt: t(10),
          queuedAt: t(10),
          seq: 3,
          agentId: null,
          stateSince: t(60),
        },
        {
          ...base,
          id: ix('talk'),
          state: 'connected',
          enqueuedAt: t(1),
          queuedAt: t(1),
          seq: 1,
          agentId: a('busy'),
          connectedAt: t(5),
          stateSince: t(5),
        },
      ],
      t(100),
    );
    expect(events.find((e) => e.type === 'interaction.state_changed')).toMatchObject({
      interactionId: 'first',
      from: 'offered',
      to: 'queued',
    });
    expect(offeredTo(events)).toEqual([['first', 'free']]);
    expect(sut.interaction(ix('later'))!.state).toBe('queued');
    expect(sut.agentState(a('busy'))).toMatchObject({ status: 'busy' });
    expect(sut.agentState(a('away'))).toMatchObject({ status: 'not_ready', notReadyReason: 'lunch' });
    // The day's handled counts come back as stored (0 when not given).
    expect(sut.agentState(a('free'))!.handledCount).toBe(4);
    expect(sut.agentState(a('busy'))!.handledCount).toBe(0);
    const next = sut.end(ix('talk'), t(200));
    expect(next.find((e) => e.type === 'interaction.ended')).toMatchObject({ handledMs: 195 });
    sut.enqueue({ id: ix('new'), channel: 'voice', queueId: q('s') }, t(201));
    expect(sut.interaction(ix('new'))!.seq).toBeGreaterThan(7);
  });
});

describe('routing engine: regressions found by the property tests', () => {
  it('an interaction transferred back to its own agent in wrap-up can be accepted again', () => {
    const w = world([queueConfig({ id: q('s'), name: 'S', wrapUpMs: 3_000 })]);
    w.agent('x', 1, {}, { ...full, voice: 0, chat: 2 });
    w.enqueue('c1', 's', 10, { channel: 'chat' });
    w.rec(w.sut.accept(a('x'), ix('c1'), t(11)));
    w.rec(w.sut.transfer(ix('c1'), { queueId: q('s'), agentId: a('x') }, t(12)));
    expect(w.sut.agentState(a('x'))!.work.map((x) => x.phase)).toEqual(['wrap_up', 'offered']);
    w.rec(w.sut.accept(a('x'), ix('c1'), t(13)));
    expect(w.sut.interaction(ix('c1'))).toMatchObject({ state: 'connected', agentId: 'x' });
  });

  it('does not hand an expired reservation to its agent when they are not eligible for the queue', () => {
    const w = world([
      queueConfig({ id: q('own'), name: 'Own', offerTimeoutMs: 5_000 }),
      queueConfig({
        id: q('skilled'),
        name: 'Skilled',
        requiredSkills: [{ skillId: skillId('s0'), minLevel: 3 }],
      }),
    ]);
    w.agent('x', 0);
    const pref = { agentId: a('x'), kind: 'personal' as const, exclusiveMs: 10_000 };
    w.enqueue('first', 'own', 0, { preferredAgent: pref });
    w.enqueue('second', 'skilled', 0, { preferredAgent: pref });
    // At 10 s: the first offer timed out (at 5 s) and the second's reservation ended; x may not take it.
    const out = w.rec(w.sut.tick(t(10_000)));
    expect(offers(out).filter((o) => o.interactionId === 'second')).toEqual([]);
    expect(w.sut.interaction(ix('second'))).toMatchObject({ state: 'queued', preferred: null });
  });
});
