import type { AgentState } from '../agent/agent-state';
import type { Channel } from '../channels';
import type { AgentId, InteractionId, QueueId, SkillId } from '../ids';
import type { MutableInteractionLifecycle } from '../interaction/interaction-lifecycle';
import { type Millis, millis } from '../ports';
import type { InteractionView } from './engine-contract';
import type { ExplainedAgent, ExplainedInteraction, PoolSummary } from './explanation';
import type { AgentSlot, Membership, Pool, WaitEntry } from './pool';
import type { QueueConfig, SkillRequirement } from './queue-config';
import type { WaitKey } from './wait-order';

/**
 * The routing engine's own records of agents and interactions (mutable, owned by one engine), and
 * the read-only views and explanation parts made from them.
 */
export interface AgentEntry {
  state: AgentState;
  readonly ordinal: number;
  skills: ReadonlyMap<SkillId, number>;
  /** The pools the agent qualifies for, with its entries in their indexes (see pool.ts). */
  memberships: AgentMembership[];
  /** The pools of `memberships`, in the same order: the agent trigger reads them without touching those. */
  pools: RoutedPool[];
  /** The entries of all its memberships in one list, kept by the pools (see `PoolAgent.slots`). */
  slots: AgentSlot<AgentEntry>[];
  /** Interactions reserved for this agent alone for now (personal / last agent / direct transfer). */
  personal: Map<InteractionId, Routed>;
  /** Changed since the last re-index (listed once in the engine's dirty list). */
  dirty: boolean;
}

export interface Routed {
  readonly id: InteractionId;
  readonly channel: Channel;
  /** Changed in place by the engine (`advanceInteraction`); owned by this record alone. */
  readonly lifecycle: MutableInteractionLifecycle;
  queue: QueueConfig;
  priority: number;
  skills: readonly SkillRequirement[];
  readonly waitKey: WaitKey;
  /** When it entered its current queue (expansion, overflow and wait figures count from here). */
  queuedAt: Millis;
  stage: number;
  pools: RoutedPool[];
  inWaiting: boolean;
  /** Its entries in the waiting heaps of `pools` while `inWaiting`, else empty. */
  readonly waitEntries: WaitEntry<Routed>[];
  preferred: { agentId: AgentId; until: Millis } | null;
  /** Agents who declined or let the offer time out (allocated on the first one). */
  declined: Set<AgentId> | null;
  offeredTo: AgentId[];
  offerRound: number;
  agentId: AgentId | null;
  connectedAt: Millis | null;
  /** Overflow rules already taken in the current queue, as a bit mask (at most 10 rules). */
  overflowFired: number;
  hops: number;
  notBefore: Millis | null;
  nextCheckAt: Millis | null;
  /** Index in `#waitingByQueue` of `waitSlotQueue` while waiting; -1 otherwise. */
  waitSlot: number;
  waitSlotQueue: QueueId | null;
}

export type RoutedPool = Pool<AgentEntry, Routed>;
export type AgentMembership = Membership<AgentEntry, Routed>;

/** A new record with everything not given at its starting value (one place, one object shape). */
export function newRouted(
  fields: Pick<
    Routed,
    'id' | 'channel' | 'lifecycle' | 'queue' | 'priority' | 'skills' | 'waitKey' | 'queuedAt'
  > &
    Partial<Pick<Routed, 'stage' | 'preferred' | 'declined' | 'agentId' | 'connectedAt' | 'notBefore'>>,
): Routed {
  return {
    id: fields.id,
    channel: fields.channel,
    lifecycle: fields.lifecycle,
    queue: fields.queue,
    priority: fields.priority,
    skills: fields.skills,
    waitKey: fields.waitKey,
    queuedAt: fields.queuedAt,
    stage: fields.stage ?? 0,
    pools: [],
    inWaiting: false,
    waitEntries: [],
    preferred: fields.preferred ?? null,
    declined: fields.declined ?? null,
    offeredTo: [],
    offerRound: 0,
    agentId: fields.agentId ?? null,
    connectedAt: fields.connectedAt ?? null,
    overflowFired: 0,
    hops: 0,
    notBefore: fields.notBefore ?? null,
    nextCheckAt: null,
    waitSlot: -1,
    waitSlotQueue: null,
  };
}

export function summary(pool: RoutedPool, channel: Channel): PoolSummary {
  return {
    queueId: pool.queue.id,
    relaxLevelsBy: pool.relax,
    members: pool.members.size,
    available: pool.availableCount(channel),
  };
}

/**
 * An agent read from an available-agent index, from its entry alone: a free filed entry's key is
 * up to date (re-keyed at every change of the agent), so its `idleSince` is the agent's.
 */
export function explained(pool: RoutedPool, entry: AgentSlot<AgentEntry>): ExplainedAgent {
  return {
    agentId: entry.agentId,
    queueId: pool.queue.id,
    strategy: pool.queue.strategy,
    primary: entry.primary,
    secondary: entry.secondary,
    skillMatch: -entry.negMatch,
    idleSince: entry.idleSince,
  };
}

/** An agent chosen by the agent trigger: no key was read, only its match in the pool. */
export function explainedMember(membership: AgentMembership): ExplainedAgent {
  const { pool, agent } = membership;
  return {
    agentId: agent.state.id,
    queueId: pool.queue.id,
    strategy: pool.queue.strategy,
    primary: 0,
    secondary: 0,
    skillMatch: membership.match,
    idleSince: agent.state.idleSince,
  };
}

/**
 * The agent's membership in the first of `pools` it belongs to (a few pools each: a scan of the
 * agent's list of pools, no hashing, and only the membership found is read).
 */
export function membershipIn(agent: AgentEntry, pools: readonly RoutedPool[]): AgentMembership | undefined {
  for (const pool of pools) {
    const at = agent.pools.indexOf(pool);
    if (at >= 0) return agent.memberships[at];
  }
  return undefined;
}

export function explainedInteraction(ix: Routed): ExplainedInteraction {
  return {
    interactionId: ix.id,
    queueId: ix.queue.id,
    priority: ix.priority,
    enqueuedAt: millis(ix.waitKey.enqueuedAt),
  };
}

export function view(ix: Routed): InteractionView {
  return {
    id: ix.id,
    channel: ix.channel,
    state: ix.lifecycle.state,
    queueId: ix.queue.id,
    priority: ix.priority,
    enqueuedAt: millis(ix.waitKey.enqueuedAt),
    queuedAt: ix.queuedAt,
    stage: ix.stage,
    offeredTo: ix.offeredTo,
    agentId: ix.agentId,
    connectedAt: ix.connectedAt,
    declinedBy: ix.declined ? [...ix.declined] : [],
    preferred: ix.preferred,
    notBefore: ix.notBefore,
    requiredSkills: ix.skills,
    seq: ix.waitKey.seq,
  };
}
