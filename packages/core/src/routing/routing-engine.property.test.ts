import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeSlots } from '../agent/agent-state';
import type { Capacity, Channel } from '../channels';
import { type AgentId, agentId, interactionId, queueId, type SkillId, skillId } from '../ids';
import { type Millis, millis } from '../ports';
import type { InteractionView } from './engine-contract';
import { type QueueConfig, queueConfig, type SkillRequirement } from './queue-config';
import { RoutingEngine } from './routing-engine';
import type { RoutingEvent } from './routing-events';
import { compareWaitKeys } from './wait-order';

/**
 * Invariants of the router over random command sequences. The checks recompute eligibility from the
 * configuration by brute force — independently of the engine's indexes — after every command.
 */

const sk = (n: number): SkillId => skillId(`s${n}`);
const channelsUsed: Channel[] = ['voice', 'chat'];

const queues: QueueConfig[] = [
  queueConfig({
    id: queueId('q0'),
    name: 'q0',
    strategy: 'longest_idle',
    requiredSkills: [{ skillId: sk(0), minLevel: 3 }],
  }),
  queueConfig({
    id: queueId('q1'),
    name: 'q1',
    strategy: 'fewest_handled',
    members: new Set(['a0', 'a1', 'a2', 'a3'].map(agentId)),
    offerTimeoutMs: 5_000,
  }),
  queueConfig({
    id: queueId('q2'),
    name: 'q2',
    strategy: 'round_robin',
    priority: 1,
    requiredSkills: [{ skillId: sk(1), minLevel: 6 }],
    wrapUpMs: 3_000,
    expansion: [
      { afterMs: 8_000, relaxLevelsBy: 3, addQueues: [] },
      { afterMs: 20_000, relaxLevelsBy: 3, addQueues: [queueId('q0')] },
    ],
  }),
  queueConfig({
    id: queueId('q3'),
    name: 'q3',
    strategy: 'ring_all',
    requiredSkills: [{ skillId: sk(2), minLevel: 1 }],
  }),
];
const queueById = new Map(queues.map((q) => [q.id, q]));

interface AgentDef {
  readonly id: AgentId;
  readonly skills: ReadonlyMap<SkillId, number>;
  readonly capacity: Capacity;
}

const agentDefArb = (i: number) =>
  fc
    .record({
      s0: fc.integer({ min: 0, max: 10 }),
      s1: fc.integer({ min: 0, max: 10 }),
      s2: fc.integer({ min: 0, max: 1 }),
      voice: fc.integer({ min: 0, max: 1 }),
      chat: fc.integer({ min: 0, max: 3 }),
    })
    .map(
      (r): AgentDef => ({
        id: agentId(`a${i}`),
        skills: new Map(
          [
            [sk(0), r.s0],
            [sk(1), r.s1],
            [sk(2), r.s2],
          ].filter(([, v]) => (v as number) > 0) as [SkillId, number][],
        ),
        capacity: { voice: r.voice, chat: r.chat, email: 0, sms: 0, messenger: 0, task: 0 },
      }),
    );

type Command =
  | {
      kind: 'enqueue';
      queue: number;
      channel: number;
      priority: number;
      backdate: number;
      extraSkill: number;
      preferred: number;
    }
  | { kind: 'accept' | 'decline' | 'end' | 'wrap' | 'abandon' | 'transfer'; pick: number; queue: number }
  | { kind: 'ready' | 'not_ready' | 'logout' | 'login'; agent: number }
  | { kind: 'advance'; ms: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('enqueue' as const),
      queue: fc.nat(3),
      channel: fc.nat(1),
      priority: fc.nat(2),
      backdate: fc.oneof(fc.constant(0), fc.nat(30_000)),
      extraSkill: fc.nat(4),
      preferred: fc.nat(11),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'accept' as const,
        'decline' as const,
        'end' as const,
        'wrap' as const,
        'abandon' as const,
        'transfer' as const,
      ),
      pick: fc.nat(50),
      queue: fc.nat(3),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('ready' as const, 'not_ready' as const, 'logout' as const, 'login' as const),
      agent: fc.nat(5),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 12_000 }) }),
  },
);

function relaxOf(queue: QueueConfig, stage: number): number {
  return stage === 0 ? 0 : queue.expansion[stage - 1]!.relaxLevelsBy;
}

function stagePools(queue: QueueConfig, stage: number): { queue: QueueConfig; relax: number }[] {
  if (stage === 0) return [{ queue, relax: 0 }];
  const step = queue.expansion[stage - 1]!;
  return [
    { queue, relax: step.relaxLevelsBy },
    ...step.addQueues.map((id) => ({ queue: queueById.get(id)!, relax: 0 })),
  ];
}

function meets(
  skills: ReadonlyMap<SkillId, number>,
  reqs: readonly SkillRequirement[],
  relax: number,
): boolean {
  return reqs.every((r) => (skills.get(r.skillId) ?? 0) >= Math.max(1, r.minLevel - relax));
}

/** Brute-force eligibility of an agent for an interaction, ignoring presence and capacity. */
function eligible(def: AgentDef, view: InteractionView): boolean {
  const queue = queueById.get(view.queueId)!;
  if (view.declinedBy.includes(def.id)) return false;
  const relax = relaxOf(queue, view.stage);
  if (!meets(def.skills, view.requiredSkills, relax)) return false;
  return stagePools(queue, view.stage).some(
    (p) =>
      (!p.queue.members || p.queue.members.has(def.id)) && meets(def.skills, p.queue.requiredSkills, p.relax),
  );
}

function run(defs: AgentDef[], commands: Command[], check: boolean): RoutingEvent[] {
  let seed = 7;
  const sut = new RoutingEngine({
    random: () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    },
  });
  let now = 0;
  const at = (): Millis => millis(now);
  const log: RoutingEvent[] = [];
  const apply = (events: RoutingEvent[]) => {
    log.push(...events);
    return events;
  };
  apply(sut.setQueues(queues, at()));
  for (const d of defs) {
    apply(sut.upsertAgent(d, at()));
    apply(sut.login(d.id, at()));
    apply(sut.setReady(d.id, at()));
  }
  let n = 0;
  for (const c of commands) {
    const views = sut.interactions();
    const pick = <T>(list: T[], i: number): T | undefined => list[i % Math.max(1, list.length)];
    let events: RoutingEvent[] = [];
    try {
      switch (c.kind) {
        case 'enqueue':
          events = sut.enqueue(
            {
              id: interactionId(`i${n++}`),
              queueId: queues[c.queue]!.id,
              channel: channelsUsed[c.channel]!,
              priority: c.priority,
              enqueuedAt: millis(now - c.backdate),
              skills: c.extraSkill < 2 ? [{ skillId: sk(c.extraSkill), minLevel: 4 }] : [],
              preferredAgent:
                c.preferred < defs.length
                  ? { agentId: defs[c.preferred]!.id, kind: 'personal', exclusiveMs: 10_000 }
                  : null,
            },
            at(),
          );
          break;
        case 'accept':
        case 'decline': {
          const offered = views.flatMap((v) => v.offeredTo.map((agent) => [v.id, agent] as const));
          const o = pick(offered, c.pick);
          if (o) events = c.kind === 'accept' ? sut.accept(o[1], o[0], at()) : sut.decline(o[1], o[0], at());
          break;
        }
        case 'end':
        case 'transfer': {
          const v = pick(
            views.filter((x) => x.state === 'connected'),
            c.pick,
          );
          if (v && c.kind === 'end') events = sut.end(v.id, at());
          if (v && c.kind === 'transfer') {
            const target = c.pick % 3 === 0 ? { agentId: defs[c.pick % defs.length]!.id } : {};
            events = sut.transfer(v.id, { queueId: queues[c.queue]!.id, ...target }, at());
          }
          break;
        }
        case 'wrap': {
          const v = pick(
            views.filter((x) => x.state === 'wrap_up'),
            c.pick,
          );
          if (v?.agentId) events = sut.finishWrapUp(v.agentId, v.id, at());
          break;
        }
        case 'abandon': {
          const v = pick(
            views.filter(
              (x) => x.state === 'queued' || x.state === 'offered' || x.state === 'callback_scheduled',
            ),
            c.pick,
          );
          if (v) events = sut.abandon(v.id, at());
          break;
        }
        case 'ready':
        case 'not_ready':
        case 'login':
        case 'logout': {
          const id = defs[c.agent % defs.length]!.id;
          const state = sut.agentState(id)!;
          if (c.kind === 'login') events = sut.login(id, at());
          if (c.kind === 'logout') events = sut.logout(id, at());
          if (c.kind === 'ready' && state.presence !== 'logged_out') events = sut.setReady(id, at());
          if (c.kind === 'not_ready' && state.presence !== 'logged_out')
            events = sut.setNotReady(id, 'break', at());
          break;
        }
        case 'advance':
          now += c.ms;
          events = sut.tick(at());
          break;
      }
    } catch (e) {
      throw new Error(`command ${JSON.stringify(c)} failed: ${(e as Error).message}`);
    }
    apply(events);
    if (check) checkInvariants(sut, defs, events, now);
  }
  return log;
}

function checkInvariants(sut: RoutingEngine, defs: AgentDef[], events: RoutingEvent[], now: number): void {
  const byId = new Map(defs.map((d) => [d.id, d]));
  // Capacity: never above it, per channel.
  for (const d of defs) {
    const s = sut.agentState(d.id)!;
    for (const ch of channelsUsed) {
      expect(s.work.filter((w) => w.channel === ch).length).toBeLessThanOrEqual(d.capacity[ch]);
    }
  }
  // Offers only to eligible agents (a preferred/transfer target is the one allowed exception).
  for (const e of events) {
    if (e.type !== 'routing.offered' || e.explanation.trigger === 'preferred') continue;
    const view = sut.interaction(e.interactionId);
    if (view?.state !== 'offered') continue;
    for (const agent of e.agentIds) {
      if (!view.offeredTo.includes(agent)) continue;
      expect(eligible(byId.get(agent)!, view), `offer of ${e.interactionId} to ineligible ${agent}`).toBe(
        true,
      );
    }
  }
  // Queue figures and positions agree with a count over all interactions.
  const waitingViews = sut
    .interactions()
    .filter((v) => v.state === 'queued' || v.state === 'callback_scheduled');
  for (const q of queues) {
    expect(sut.queueSnapshot(q.id).waiting).toBe(waitingViews.filter((v) => v.queueId === q.id).length);
  }
  for (const v of waitingViews) {
    const ahead = waitingViews.filter(
      (o) =>
        o.queueId === v.queueId &&
        o.channel === v.channel &&
        compareWaitKeys(
          { negPriority: -o.priority, enqueuedAt: o.enqueuedAt, seq: o.seq },
          { negPriority: -v.priority, enqueuedAt: v.enqueuedAt, seq: v.seq },
        ) < 0,
    ).length;
    expect(sut.position(v.id)).toBe(ahead + 1);
  }
  // No starvation: no free, ready, eligible agent while an interaction waits.
  for (const view of sut.interactions()) {
    if (view.state !== 'queued' && view.state !== 'callback_scheduled') continue;
    if (view.notBefore !== null && view.notBefore > now) continue;
    if (view.preferred && view.preferred.until > now) {
      // Reserved for one agent: that agent alone must not be left free.
      const s = sut.agentState(view.preferred.agentId)!;
      if (freeSlots(s, view.channel) > 0) throw new Error(`${view.id} waits for ${s.id}, who is free`);
      continue;
    }
    for (const d of defs) {
      const s = sut.agentState(d.id)!;
      if (freeSlots(s, view.channel) > 0 && eligible(d, view)) {
        throw new Error(
          `${view.id} waits in ${view.queueId} (stage ${view.stage}) while ${d.id} is free and eligible`,
        );
      }
    }
  }
}

describe('routing engine properties', () => {
  const defsArb = fc.tuple(...[0, 1, 2, 3, 4, 5].map(agentDefArb));

  it('never exceeds capacity, never offers to an ineligible agent, never starves', () => {
    fc.assert(
      fc.property(defsArb, fc.array(commandArb, { minLength: 1, maxLength: 80 }), (defs, commands) => {
        run(defs, commands, true);
      }),
      { numRuns: Number(process.env.ROUTING_PROPERTY_RUNS ?? 1000) },
    );
  });

  it('gives the same events for the same commands (deterministic)', () => {
    fc.assert(
      fc.property(defsArb, fc.array(commandArb, { minLength: 1, maxLength: 60 }), (defs, commands) => {
        expect(JSON.stringify(run(defs, commands, false))).toBe(JSON.stringify(run(defs, commands, false)));
      }),
      { numRuns: 100 },
    );
  });

  it('offers waiting interactions in order of priority, then effective enqueue time, across queues', () => {
    // Every agent may take every interaction here, so the order is global and directly checkable.
    const open = [0, 1, 2].map((i) =>
      queueConfig({ id: queueId(`o${i}`), name: `o${i}`, priority: i === 2 ? 1 : 0 }),
    );
    const opArb = fc.oneof(
      fc.record({
        kind: fc.constant('enqueue' as const),
        queue: fc.nat(2),
        priority: fc.nat(2),
        backdate: fc.nat(5_000),
      }),
      fc.record({ kind: fc.constant('serve' as const), pick: fc.nat(10) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 3_000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { maxLength: 120 }), (agentCount, ops) => {
        const sut = new RoutingEngine({ random: () => 0.5 });
        let now = 0;
        sut.setQueues(open, millis(now));
        const caps: Capacity = { voice: 1, chat: 0, email: 0, sms: 0, messenger: 0, task: 0 };
        for (let i = 0; i < agentCount; i++) {
          sut.upsertAgent({ id: agentId(`g${i}`), capacity: caps, skills: new Map() }, millis(0));
          sut.login(agentId(`g${i}`), millis(0));
          sut.setReady(agentId(`g${i}`), millis(0));
        }
        const waiting = new Map<string, { negPriority: number; enqueuedAt: number; seq: number }>();
        let seq = 0;
        const observe = (events: RoutingEvent[]) => {
          for (const e of events) {
            if (e.type === 'interaction.queued') {
              waiting.set(e.interactionId, {
                negPriority: -e.priority,
                enqueuedAt: e.enqueuedAt,
                seq: seq++,
              });
            }
            if (e.type === 'routing.offered') {
              const mine = waiting.get(e.interactionId)!;
              for (const [id, key] of waiting) {
                if (id !== e.interactionId && compareWaitKeys(key, mine) < 0) {
                  throw new Error(`${e.interactionId} offered while better ${id} waited`);
                }
              }
              waiting.delete(e.interactionId);
            }
          }
        };
        let n = 0;
        for (const op of ops) {
          if (op.kind === 'enqueue') {
            observe(
              sut.enqueue(
                {
                  id: interactionId(`x${n++}`),
                  channel: 'voice',
                  queueId: open[op.queue]!.id,
                  priority: op.priority,
                  enqueuedAt: millis(now - op.backdate),
                },
                millis(now),
              ),
            );
          } else if (op.kind === 'serve') {
            const connected = sut.interactions().filter((v) => v.state === 'connected');
            const offered = sut.interactions().filter((v) => v.state === 'offered');
            const o = offered[op.pick % Math.max(1, offered.length)];
            if (o) observe(sut.accept(o.offeredTo[0]!, o.id, millis(now)));
            const c = connected[op.pick % Math.max(1, connected.length)];
            if (c) observe(sut.end(c.id, millis(now)));
          } else {
            now += op.ms;
            observe(sut.tick(millis(now)));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
