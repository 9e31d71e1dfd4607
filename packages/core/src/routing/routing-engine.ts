import * as agentSm from '../agent/agent-state';
import { type AgentState, freeSlots, type WorkItem, workItem } from '../agent/agent-state';
import { type Channel, channels } from '../channels';
import { DomainError } from '../domain-error';
import type { AgentId, InteractionId, QueueId, SkillId } from '../ids';
import {
  advanceInteraction,
  type InteractionState,
  type LifecycleEvent,
  newInteractionLifecycle,
} from '../interaction/interaction-lifecycle';
import { type Millis, millis } from '../ports';
import { emptyArray } from './agent-heap';
import { DeadlineQueue } from './deadline-queue';
import type {
  AgentProfile,
  EngineSettings,
  EnqueueRequest,
  InteractionView,
  PreferredAgent,
  QueueSnapshot,
  RestoredAgent,
  RestoredInteraction,
} from './engine-contract';
import { defaultEngineSettings } from './engine-contract';
import {
  type AgentEntry,
  type AgentMembership,
  explained,
  explainedInteraction,
  explainedMember,
  membershipIn,
  newRouted,
  type Routed,
  type RoutedPool,
  summary,
  view,
} from './engine-records';
import type {
  ExplainedAgent,
  RoutingExplanation,
  SkipReason,
  WaitingExplanation,
  WaitingReason,
} from './explanation';
import {
  channelNo,
  FreeMask,
  freeByChannel,
  hasFreeSlot,
  newFreeByChannel,
  Pool,
  reindexAgent,
  removeWaiting,
  type WaitEntry,
} from './pool';
import type { OverflowAction, OverflowRule, QueueConfig } from './queue-config';
import type { RoutingEvent } from './routing-events';
import { compareWaitKeys, type WaitKey } from './wait-order';

type Deadline =
  | { kind: 'offer_timeout'; id: InteractionId; round: number }
  | { kind: 'wrap_up'; id: InteractionId; agentId: AgentId }
  | { kind: 'waiting_check'; id: InteractionId }
  | { kind: 'preference'; id: InteractionId }
  | { kind: 'not_before'; id: InteractionId };

/**
 * The routing engine of one tenant: agents, queues and the interactions it is routing, with the
 * indexes that make each decision cost a few heap reads (see pool.ts). It is synchronous and does
 * no I/O: every command takes the time it happens at and returns the domain events it caused, in
 * order. The caller stores them and carries out the decisions; timers are the caller's too — it asks
 * `nextDeadline()` and calls `tick(now)` when that time comes.
 *
 * Guarantees (tested in routing-engine.test.ts and the property tests):
 * - an offer never exceeds an agent's capacity and never goes to an ineligible agent;
 * - waiting interactions are offered by priority, then effective enqueue time, across queues and channels;
 * - no starvation: after every command, no free agent is eligible for a waiting interaction;
 * - the same commands at the same times with the same random source give the same events.
 *
 * Not thread-safe and not re-entrant: one command at a time per tenant (the server serialises them).
 */
export class RoutingEngine {
  readonly #settings: EngineSettings;
  readonly #random: () => number;
  readonly #queues = new Map<QueueId, QueueConfig>();
  readonly #pools = new Map<string, RoutedPool>();
  /** Per queue, the pools of each expansion stage (index: stage), built on first use. */
  readonly #stagePoolCache = new Map<QueueId, RoutedPool[][]>();
  /** Pools by the first skill they require (plus those requiring none), to find an agent's pools fast. */
  readonly #poolsBySkill = new Map<SkillId | null, RoutedPool[]>();
  readonly #agents = new Map<AgentId, AgentEntry>();
  readonly #interactions = new Map<InteractionId, Routed>();
  readonly #deadlines = new DeadlineQueue<Deadline>();
  #seq = 0;
  #events: RoutingEvent[] = [];
  /** Agents changed since the last re-index, in order of first change (each once: `AgentEntry.dirty`). */
  readonly #dirty: AgentEntry[] = [];
  /** Per agent, the channels it was free on when last re-indexed (shared by every pool). */
  readonly #freeMask = new FreeMask();
  /** Scratch free-slot counts for re-indexing and for the agent trigger (one each: never nested). */
  readonly #freeForIndex = newFreeByChannel();
  readonly #freeForRouting = newFreeByChannel();
  /** Waiting interactions (queued or callback) per queue they are in, for positions and figures. */
  readonly #waitingByQueue = new Map<QueueId, Routed[]>();

  constructor(options: { random: () => number; settings?: Partial<EngineSettings> }) {
    this.#random = options.random;
    this.#settings = { ...defaultEngineSettings, ...options.settings };
  }

  // ── Configuration ───────────────────────────────────────────────────────────

  /** Replaces the queue set and rebuilds the indexes; interactions keep their place. */
  setQueues(queues: readonly QueueConfig[], at: Millis): RoutingEvent[] {
    return this.#run(() => {
      this.#queues.clear();
      for (const q of queues) this.#queues.set(q.id, q);
      for (const ix of this.#interactions.values()) {
        const fresh = this.#queues.get(ix.queue.id);
        if (fresh) ix.queue = fresh;
        else this.#queues.set(ix.queue.id, ix.queue); // deleted while in use: keep routing it as it was
        if (ix.inWaiting) this.#removeWaiting(ix);
      }
      this.#pools.clear();
      this.#stagePoolCache.clear();
      this.#poolsBySkill.clear();
      // Every agent leaves the old pools; creating each new pool enrols the agents who qualify (once).
      // (Agents are not re-indexed: the new pools file them as their free-mask bits say, which
      // match their states, as nothing changed them yet in this command.)
      for (const agent of this.#agents.values()) {
        agent.memberships = [];
        agent.pools = [];
        agent.slots = [];
      }
      for (const q of this.#queues.values()) {
        for (const relax of new Set([0, ...q.expansion.map((s) => s.relaxLevelsBy)])) this.#pool(q, relax);
      }
      for (const ix of this.#interactions.values()) {
        ix.stage = Math.min(ix.stage, ix.queue.expansion.length);
        ix.pools = this.#stagePools(ix.queue, ix.stage);
      }
      for (const ix of [...this.#interactions.values()]) {
        if (this.#isWaiting(ix) && !ix.inWaiting) this.#route(ix, at);
      }
      for (const agent of this.#agents.values()) this.#routeAgent(agent, at);
    });
  }

  /** Adds an agent (logged out) or updates capacity and skills; routing follows the new profile at once. */
  upsertAgent(profile: AgentProfile, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      let agent = this.#agents.get(profile.id);
      if (!agent) {
        agent = {
          state: agentSm.newAgentState(profile.id, profile.capacity, at),
          ordinal: this.#agents.size,
          skills: profile.skills,
          memberships: [],
          pools: [],
          slots: [],
          personal: new Map(),
          dirty: false,
        };
        this.#freeMask.ensure(agent.ordinal);
        this.#agents.set(profile.id, agent);
        this.#joinPools(agent); // logged out: free nowhere, as its mask says
        return;
      }
      for (const m of agent.memberships) m.pool.removeMember(agent);
      agent.memberships = [];
      agent.pools = [];
      agent.state = agentSm.setCapacity(agent.state, profile.capacity);
      agent.skills = profile.skills;
      this.#joinPools(agent);
      this.#markDirty(agent); // its free slots follow the new capacity
      this.#routeAgent(agent, at);
    });
  }

  // ── Agent commands ──────────────────────────────────────────────────────────

  login(agentId: AgentId, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      const agent = this.#agent(agentId);
      this.#changeAgent(agent, agentSm.login(agent.state, at), at);
    });
  }

  /** Open offers are withdrawn; connected work stays with the agent until it ends. */
  logout(agentId: AgentId, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      const agent = this.#agent(agentId);
      // Presence first, so the interactions whose offers are revoked do not come straight back here.
      this.#changeAgent(agent, agentSm.logout(agent.state, at), at, false);
      this.#revokeOffers(agent, at);
    });
  }

  setReady(agentId: AgentId, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      const agent = this.#agent(agentId);
      this.#changeAgent(agent, agentSm.setReady(agent.state, at), at);
    });
  }

  setNotReady(agentId: AgentId, reason: string | null, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      const agent = this.#agent(agentId);
      if (agent.state.presence === 'logged_out')
        throw new DomainError('AGENT_LOGGED_OUT', `agent ${agentId} is logged out`);
      this.#changeAgent(agent, agentSm.setNotReady(agent.state, reason, at), at, false);
      this.#revokeOffers(agent, at);
    });
  }

  /** Accepting an offer already accepted by the same agent changes nothing (idempotent). */
  accept(agentId: AgentId, interactionId: InteractionId, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      const agent = this.#agent(agentId);
      const ix = this.#interactions.get(interactionId);
      if (ix && ix.agentId === agentId && ix.lifecycle.state === 'connected') return;
      if (!ix)
        throw new DomainError('UNKNOWN_INTERACTION', `interaction ${interactionId} is not being routed`);
      if (ix.lifecycle.state !== 'offered' || !ix.offeredTo.includes(agentId)) {
        throw new DomainError('NOT_YOUR_OFFER', `no open offer of ${interactionId} to agent ${agentId}`);
      }
      this.#changeAgent(agent, agentSm.accept(agent.state, ix.id, at), at, false);
      this.#transition(ix, 'connected', at);
      ix.agentId = agentId;
      ix.connectedAt = at;
      const others = ix.offeredTo.filter((a) => a !== agentId);
      ix.offeredTo = [];
      this.#emit({
        type: 'routing.accepted',
        interactionId: ix.id,
        agentId,
        queueId: ix.queue.id,
        waitedMs: at - ix.queuedAt,
        at,
      });
      for (const otherId of others) {
        const other = this.#agents.get(otherId)!;
        this.#emit({
          type: 'routing.offer_withdrawn',
          interactionId: ix.id,
          agentId: otherId,
          reason: 'taken_by_other',
          at,
        });
        this.#changeAgent(other, agentSm.withdrawOffer(other.state, ix.id, 'revoked', at, 0), at);
      }
      this.#routeAgent(agent, at);
    });
  }

  decline(agentId: AgentId, interactionId: InteractionId, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      const agent = this.#agent(agentId);
      const ix = this.#interaction(interactionId);
      if (ix.lifecycle.state !== 'offered' || !ix.offeredTo.includes(agentId)) {
        throw new DomainError('NOT_YOUR_OFFER', `no open offer of ${interactionId} to agent ${agentId}`);
      }
      this.#withdraw(ix, agent, 'declined', at);
    });
  }

  /** The conversation ended (either side): the agent goes to wrap-up for the queue's wrap-up time. */
  end(interactionId: InteractionId, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      const ix = this.#interaction(interactionId);
      if (ix.lifecycle.state !== 'connected' || !ix.agentId) {
        throw new DomainError('ILLEGAL_TRANSITION', `interaction ${interactionId} is not connected`);
      }
      const agent = this.#agents.get(ix.agentId)!;
      const wrapUpMs = ix.queue.wrapUpMs;
      this.#emit({
        type: 'interaction.ended',
        interactionId: ix.id,
        agentId: agent.state.id,
        queueId: ix.queue.id,
        handledMs: at - (ix.connectedAt ?? at),
        at,
      });
      this.#transition(ix, 'ended', at);
      this.#changeAgent(agent, agentSm.endWork(agent.state, ix.id, at, wrapUpMs), at, false);
      if (wrapUpMs > 0)
        this.#deadlines.push(at + wrapUpMs, { kind: 'wrap_up', id: ix.id, agentId: agent.state.id });
      else this.#close(ix, at);
      this.#routeAgent(agent, at);
    });
  }

  finishWrapUp(agentId: AgentId, interactionId: InteractionId, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      const agent = this.#agent(agentId);
      this.#changeAgent(agent, agentSm.finishWrapUp(agent.state, interactionId, at), at, false);
      const ix = this.#interactions.get(interactionId);
      if (ix && ix.lifecycle.state === 'wrap_up' && ix.agentId === agentId) this.#close(ix, at);
      this.#routeAgent(agent, at);
    });
  }

  // ── Interaction commands ────────────────────────────────────────────────────

  enqueue(request: EnqueueRequest, at: Millis): RoutingEvent[] {
    return this.#run(() => {
      if (this.#interactions.has(request.id)) {
        throw new DomainError('DUPLICATE_INTERACTION', `interaction ${request.id} is already routed`);
      }
      const queue = this.#queue(request.queueId);
      let lifecycle = newInteractionLifecycle(request.id, at);
      if (request.from === 'in_flow') lifecycle = { ...lifecycle, state: 'in_flow' };
      const priority = request.priority ?? queue.priority;
      const ix = newRouted({
        id: request.id,
        channel: request.channel,
        lifecycle,
        queue,
        priority,
        skills: request.skills ?? [],
        waitKey: { negPriority: -priority, enqueuedAt: request.enqueuedAt ?? at, seq: this.#seq++ },
        queuedAt: at,
        notBefore: request.notBefore ?? null,
      });
      ix.pools = this.#stagePools(queue, 0);
      this.#interactions.set(ix.id, ix);
      this.#setPreferred(ix, request.preferredAgent ?? null, at);
      this.#transition(ix, 'queued', at);
      if (request.callback) this.#transition(ix, 'callback_requested', at);
      this.#emitQueued(ix, at);
      this.#route(ix, at);
    });
  }

  /**
   * Transfer of a connected interaction to a queue, or to one agent (exclusive for `exclusiveMs`, then
   * the queue). The transferring agent's slot goes to wrap-up; the interaction keeps its enqueue time.
   */
  transfer(
    interactionId: InteractionId,
    target: { queueId: QueueId; agentId?: AgentId; exclusiveMs?: number },
    at: Millis,
  ): RoutingEvent[] {
    return this.#run(() => {
      const ix = this.#interaction(interactionId);
      if (ix.lifecycle.state !== 'connected' || !ix.agentId) {
        throw new DomainError('ILLEGAL_TRANSITION', `interaction ${interactionId} is not connected`);
      }
      const queue = this.#queue(target.queueId);
      if (target.agentId) this.#agent(target.agentId);
      const from = this.#agents.get(ix.agentId)!;
      const wrapUpMs = ix.queue.wrapUpMs;
      this.#changeAgent(from, agentSm.endWork(from.state, ix.id, at, wrapUpMs), at, false);
      if (wrapUpMs > 0)
        this.#deadlines.push(at + wrapUpMs, { kind: 'wrap_up', id: ix.id, agentId: from.state.id });
      ix.agentId = null;
      ix.connectedAt = null;
      ix.declined = new Set([from.state.id]);
      this.#moveToQueue(ix, queue, at);
      this.#setPreferred(
        ix,
        target.agentId
          ? {
              agentId: target.agentId,
              kind: 'transfer',
              exclusiveMs: target.exclusiveMs ?? queue.offerTimeoutMs * 3,
            }
          : null,
        at,
      );
      this.#transition(ix, 'queued', at);
      this.#emitQueued(ix, at);
      this.#route(ix, at);
      this.#routeAgent(from, at);
    });
  }

  /**
   * The waiting customer asked to be called back (a caller pressed the queue's callback key) and will
   * hang up: the interaction keeps its place — its effective enqueue time and sequence — and is routed
   * as before (`callback_scheduled` waits like `queued`); the channel calls the customer once an agent
   * accepts. Only a `queued` interaction may ask (an offered one is already ringing an agent): anything
   * else is an illegal transition.
   */
  requestCallback(interactionId: InteractionId, at: Millis): RoutingEvent[] {
    return this.#run(() => this.#transition(this.#interaction(interactionId), 'callback_requested', at));
  }

  /** The customer left before being connected. */
  abandon(interactionId: InteractionId, at: Millis): RoutingEvent[] {
    return this.#run(() => this.#finish(this.#interaction(interactionId), 'abandoned', at));
  }

  /** The channel ended a not-yet-connected interaction another way (its own voicemail, transfer out, close). */
  finish(
    interactionId: InteractionId,
    how: 'missed' | 'voicemail' | 'transferred',
    at: Millis,
  ): RoutingEvent[] {
    return this.#run(() => this.#finish(this.#interaction(interactionId), how, at));
  }

  /** Runs everything due at `now`: offer timeouts, wrap-up ends, expansion, overflow, preference expiry. */
  tick(now: Millis): RoutingEvent[] {
    return this.#run(() => {
      for (let d = this.#deadlines.popDue(now); d; d = this.#deadlines.popDue(now)) this.#onDeadline(d, now);
    });
  }

  nextDeadline(): Millis | null {
    const at = this.#deadlines.peekAt();
    return at === null ? null : millis(at);
  }

  /**
   * Rebuilds the engine from stored state after a restart: agents with their presence, open
   * interactions in their original order. Waiting ones (and those whose offer died with the process)
   * are routed again; connected and wrap-up work returns to its agent. Call after `setQueues`, on an
   * empty engine.
   */
  restore(
    agents: readonly RestoredAgent[],
    interactions: readonly RestoredInteraction[],
    at: Millis,
  ): RoutingEvent[] {
    return this.#run(() => {
      const work = new Map<AgentId, WorkItem[]>();
      const ordered = [...interactions].sort((x, y) => x.seq - y.seq);
      const wrapUps: { at: number; id: InteractionId; agentId: AgentId }[] = [];
      for (const r of ordered) {
        const queue = this.#queues.get(r.queueId);
        if (!queue) continue;
        if ((r.state === 'connected' || r.state === 'wrap_up') && r.agentId) {
          const list = work.get(r.agentId) ?? [];
          const wrapUpUntil = r.state === 'wrap_up' ? millis(r.stateSince + queue.wrapUpMs) : null;
          list.push(
            workItem(
              r.id,
              r.channel,
              r.state === 'connected' ? 'connected' : 'wrap_up',
              queue.exclusiveChannels.includes(r.channel),
              r.stateSince,
              wrapUpUntil,
            ),
          );
          work.set(r.agentId, list);
          if (wrapUpUntil !== null) wrapUps.push({ at: wrapUpUntil, id: r.id, agentId: r.agentId });
        }
      }
      for (const a of agents) {
        const state = agentSm.restoredAgentState(
          agentSm.newAgentState(a.profile.id, a.profile.capacity, a.since),
          {
            presence: a.presence,
            notReadyReason: a.notReadyReason,
            work: work.get(a.profile.id) ?? [],
            handledCount: a.handledCount ?? 0,
          },
          a.since,
        );
        const entry: AgentEntry = {
          state,
          ordinal: this.#agents.size,
          skills: a.profile.skills,
          memberships: [],
          pools: [],
          slots: [],
          personal: new Map(),
          dirty: false,
        };
        this.#freeMask.ensure(entry.ordinal);
        this.#agents.set(a.profile.id, entry);
        this.#joinPools(entry);
        this.#markDirty(entry); // filed once its restored state is re-indexed
      }
      for (const w of wrapUps) this.#deadlines.push(w.at, { kind: 'wrap_up', id: w.id, agentId: w.agentId });
      for (const r of ordered) {
        const queue = this.#queues.get(r.queueId);
        if (!queue) continue;
        const waitingState = r.callback ? 'callback_scheduled' : 'queued';
        const lifecycleState: InteractionState = r.state === 'offered' ? 'offered' : r.state;
        const ix = newRouted({
          id: r.id,
          channel: r.channel,
          lifecycle: { id: r.id, state: lifecycleState, stateSince: r.stateSince, waitingState },
          queue,
          priority: r.priority,
          skills: r.skills,
          waitKey: { negPriority: -r.priority, enqueuedAt: r.enqueuedAt, seq: r.seq },
          queuedAt: r.queuedAt,
          stage: Math.min(r.stage, queue.expansion.length),
          preferred: r.preferred && this.#agents.has(r.preferred.agentId) ? { ...r.preferred } : null,
          declined: r.declinedBy.length ? new Set(r.declinedBy) : null,
          agentId: r.state === 'connected' || r.state === 'wrap_up' ? r.agentId : null,
          connectedAt: r.connectedAt,
          notBefore: r.notBefore,
        });
        ix.pools = this.#stagePools(queue, ix.stage);
        this.#interactions.set(ix.id, ix);
        this.#trackWaiting(ix);
        this.#seq = Math.max(this.#seq, r.seq + 1);
        if (ix.preferred) this.#deadlines.push(ix.preferred.until, { kind: 'preference', id: ix.id });
      }
      const restored = [...this.#interactions.values()].sort((x, y) => compareWaitKeys(x.waitKey, y.waitKey));
      for (const ix of restored) {
        if (ix.lifecycle.state === 'offered') this.#transition(ix, 'offer_withdrawn', at);
        if (this.#isWaiting(ix)) this.#route(ix, at);
      }
      for (const agent of this.#agents.values()) this.#routeAgent(agent, at);
    });
  }

  // ── Queries ─────────────────────────────────────────────────────────────────

  agentState(agentId: AgentId): AgentState | undefined {
    return this.#agents.get(agentId)?.state;
  }

  agents(): IterableIterator<AgentState> {
    const it = this.#agents.values();
    return (function* () {
      for (const a of it) yield a.state;
    })();
  }

  interaction(interactionId: InteractionId): InteractionView | undefined {
    const ix = this.#interactions.get(interactionId);
    return ix ? view(ix) : undefined;
  }

  interactions(): InteractionView[] {
    return [...this.#interactions.values()].map(view);
  }

  /** 1-based place among the interactions waiting in the same queue on the same channel. O(waiting). */
  position(interactionId: InteractionId): number | null {
    const ix = this.#interactions.get(interactionId);
    if (!ix || !this.#isWaiting(ix)) return null;
    let ahead = 0;
    for (const other of this.#waitingByQueue.get(ix.queue.id) ?? []) {
      if (other.channel === ix.channel && compareWaitKeys(other.waitKey, ix.waitKey) < 0) ahead++;
    }
    return ahead + 1;
  }

  queueSnapshot(queueId: QueueId): QueueSnapshot {
    const queue = this.#queue(queueId);
    const waitingHere = this.#waitingByQueue.get(queueId) ?? [];
    const waiting = waitingHere.length;
    let oldest: number | null = null;
    for (const ix of waitingHere) if (oldest === null || ix.queuedAt < oldest) oldest = ix.queuedAt;
    const pool = this.#pool(queue, 0);
    let ready = 0;
    const free: Partial<Record<Channel, number>> = {};
    for (const agent of pool.members.values()) {
      if (agent.state.presence === 'ready') ready++;
      for (const ch of channels) {
        const n = freeSlots(agent.state, ch);
        if (n > 0) free[ch] = (free[ch] ?? 0) + n;
      }
    }
    return {
      queueId,
      waiting,
      oldestQueuedAt: oldest === null ? null : millis(oldest),
      members: pool.members.size,
      loggedIn: pool.loggedIn,
      ready,
      freeSlots: free,
    };
  }

  /** Why an interaction is still waiting: every member of its pools with the reason it was not offered. */
  explainWaiting(interactionId: InteractionId, at: Millis): WaitingExplanation {
    const ix = this.#interaction(interactionId);
    const agents: { agentId: AgentId; queueId: QueueId; reason: WaitingReason }[] = [];
    for (const pool of ix.pools) {
      for (const agent of pool.members.values()) {
        agents.push({ agentId: agent.state.id, queueId: pool.queue.id, reason: this.#whyNot(agent, ix, at) });
      }
    }
    return {
      interactionId: ix.id,
      queueId: ix.queue.id,
      state: ix.lifecycle.state,
      stage: ix.stage,
      pools: ix.pools.map((p) => summary(p, ix.channel)),
      agents,
    };
  }

  // ── Internals ───────────────────────────────────────────────────────────────

  #run(body: () => void): RoutingEvent[] {
    this.#events = [];
    try {
      body();
    } finally {
      this.#flushDirtyAgents();
    }
    const events = this.#events;
    this.#events = [];
    return events;
  }

  #emit(event: RoutingEvent): void {
    this.#events.push(event);
  }

  #agent(id: AgentId): AgentEntry {
    const agent = this.#agents.get(id);
    if (!agent) throw new DomainError('UNKNOWN_AGENT', `unknown agent ${id}`);
    return agent;
  }

  #interaction(id: InteractionId): Routed {
    const ix = this.#interactions.get(id);
    if (!ix) throw new DomainError('UNKNOWN_INTERACTION', `interaction ${id} is not being routed`);
    return ix;
  }

  #queue(id: QueueId): QueueConfig {
    const queue = this.#queues.get(id);
    if (!queue) throw new DomainError('UNKNOWN_QUEUE', `unknown queue ${id}`);
    return queue;
  }

  #pool(queue: QueueConfig, relax: number): RoutedPool {
    const key = `${queue.id}/${relax}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Pool<AgentEntry, Routed>(queue, relax, this.#random, this.#freeMask);
      this.#pools.set(key, pool);
      const first = queue.requiredSkills[0]?.skillId ?? null;
      const list = this.#poolsBySkill.get(first) ?? [];
      list.push(pool);
      this.#poolsBySkill.set(first, list);
      for (const agent of this.#agents.values()) {
        if (pool.qualifies(agent.state.id, agent.skills)) this.#join(agent, pool);
      }
    }
    return pool;
  }

  #joinPools(agent: AgentEntry): void {
    const candidates = [...(this.#poolsBySkill.get(null) ?? [])];
    for (const skill of agent.skills.keys()) candidates.push(...(this.#poolsBySkill.get(skill) ?? []));
    for (const pool of candidates) {
      if (pool.qualifies(agent.state.id, agent.skills)) this.#join(agent, pool);
    }
  }

  #join(agent: AgentEntry, pool: RoutedPool): void {
    agent.memberships.push(pool.addMember(agent));
    agent.pools.push(pool);
  }

  /** The pools of a queue's expansion stage; shared (never mutated) by every interaction at that stage. */
  #stagePools(queue: QueueConfig, stage: number): RoutedPool[] {
    let stages = this.#stagePoolCache.get(queue.id);
    if (!stages) {
      stages = [];
      this.#stagePoolCache.set(queue.id, stages);
    }
    const cached = stages[stage];
    if (cached) return cached;
    const pools: RoutedPool[] = [];
    if (stage === 0) pools.push(this.#pool(queue, 0));
    else {
      const step = queue.expansion[stage - 1]!;
      pools.push(this.#pool(queue, step.relaxLevelsBy));
      for (const qid of step.addQueues) {
        const other = this.#queues.get(qid);
        if (other && other !== queue) pools.push(this.#pool(other, 0));
      }
    }
    stages[stage] = pools;
    return pools;
  }

  #stageRelax(ix: Routed): number {
    return ix.stage === 0 ? 0 : ix.queue.expansion[ix.stage - 1]!.relaxLevelsBy;
  }

  /** Applies a change made from the agent's current state and keeps every index in line with it. */
  #changeAgent(agent: AgentEntry, result: agentSm.AgentChange, at: Millis, routeAfter = true): void {
    const before = agent.state;
    agent.state = result.agent;
    for (const e of result.events) this.#emit(e);
    const wasIn = before.presence !== 'logged_out';
    const isIn = result.agent.presence !== 'logged_out';
    if (wasIn !== isIn) for (const m of agent.memberships) m.pool.loggedIn += isIn ? 1 : -1;
    this.#markDirty(agent);
    if (wasIn && !isIn) this.#checkNoAgents(agent.memberships, at);
    if (routeAfter) this.#routeAgent(agent, at);
  }

  #markDirty(agent: AgentEntry): void {
    if (agent.dirty) return;
    agent.dirty = true;
    this.#dirty.push(agent);
  }

  /**
   * Agents' entries in the available-agent heaps are brought up to date lazily: before the next
   * interaction-trigger decision reads those heaps, and at the end of every command. An agent freed
   * and offered new work within one command (the agent trigger) thus costs no heap update at all,
   * and one who became busy costs a few counts (see `reindexAgent`).
   */
  #flushDirtyAgents(): void {
    if (this.#dirty.length === 0) return;
    for (const agent of this.#dirty) {
      agent.dirty = false;
      reindexAgent(agent, freeByChannel(agent.state, this.#freeForIndex), this.#freeMask);
    }
    emptyArray(this.#dirty);
  }

  #transition(ix: Routed, event: LifecycleEvent, at: Millis): void {
    const wasWaiting = this.#isWaiting(ix);
    const changed = advanceInteraction(ix.lifecycle, event, at);
    if (wasWaiting !== this.#isWaiting(ix)) this.#trackWaiting(ix);
    this.#emit(changed);
  }

  /**
   * Keeps `#waitingByQueue` in line with the interaction's state and queue: an array per queue with
   * each member's index kept on it, so adding and removing are O(1) without hashing.
   */
  #trackWaiting(ix: Routed): void {
    if (this.#isWaiting(ix)) {
      if (ix.waitSlot >= 0) return;
      let list = this.#waitingByQueue.get(ix.queue.id);
      if (!list) {
        list = [];
        this.#waitingByQueue.set(ix.queue.id, list);
      }
      ix.waitSlot = list.length;
      ix.waitSlotQueue = ix.queue.id;
      list.push(ix);
    } else {
      this.#untrackWaiting(ix);
    }
  }

  #untrackWaiting(ix: Routed): void {
    if (ix.waitSlot < 0) return;
    const list = this.#waitingByQueue.get(ix.waitSlotQueue!)!;
    const last = list.pop()!;
    if (last !== ix) {
      list[ix.waitSlot] = last;
      last.waitSlot = ix.waitSlot;
    }
    ix.waitSlot = -1;
    ix.waitSlotQueue = null;
  }

  #emitQueued(ix: Routed, at: Millis): void {
    this.#emit({
      type: 'interaction.queued',
      interactionId: ix.id,
      queueId: ix.queue.id,
      channel: ix.channel,
      priority: ix.priority,
      enqueuedAt: millis(ix.waitKey.enqueuedAt),
      at,
    });
  }

  #isWaiting(ix: Routed): boolean {
    const s = ix.lifecycle.state;
    return s === 'queued' || s === 'callback_scheduled';
  }

  #setPreferred(ix: Routed, preferred: PreferredAgent | null, at: Millis): void {
    if (ix.preferred) this.#agents.get(ix.preferred.agentId)?.personal.delete(ix.id);
    ix.preferred =
      preferred && preferred.exclusiveMs > 0 && this.#agents.has(preferred.agentId)
        ? { agentId: preferred.agentId, until: millis(at + preferred.exclusiveMs) }
        : null;
    if (ix.preferred) this.#deadlines.push(ix.preferred.until, { kind: 'preference', id: ix.id });
  }

  #moveToQueue(ix: Routed, queue: QueueConfig, at: Millis): void {
    if (ix.inWaiting) this.#removeWaiting(ix);
    this.#untrackWaiting(ix);
    ix.queue = queue;
    this.#trackWaiting(ix);
    ix.queuedAt = at;
    ix.stage = 0;
    ix.pools = this.#stagePools(queue, 0);
    ix.overflowFired = 0;
    ix.nextCheckAt = null;
  }

  #removeWaiting(ix: Routed): void {
    for (const entry of ix.waitEntries) removeWaiting(entry);
    emptyArray(ix.waitEntries);
    ix.inWaiting = false;
  }

  /** Trigger 1: a routable interaction looks for the best eligible agent, else waits in its pools. */
  #route(ix: Routed, at: Millis): void {
    if (!this.#isWaiting(ix)) return;
    this.#flushDirtyAgents();
    if (ix.inWaiting) this.#removeWaiting(ix);
    if (ix.preferred) this.#agents.get(ix.preferred.agentId)?.personal.delete(ix.id);
    if (ix.notBefore !== null && ix.notBefore > at) {
      this.#deadlines.push(ix.notBefore, { kind: 'not_before', id: ix.id });
      return;
    }
    if (!this.#applyWaitingRules(ix, at)) return;

    if (ix.preferred && ix.preferred.until > at) {
      const agent = this.#agents.get(ix.preferred.agentId)!;
      if (freeSlots(agent.state, ix.channel) > 0) {
        this.#offer(ix, [agent], this.#explainPreferred(ix, agent), at);
      } else {
        agent.personal.set(ix.id, ix);
      }
      return;
    }

    const chosen: AgentEntry[] = [];
    const candidates: ExplainedAgent[] = [];
    const skipped: { agentId: AgentId; reason: SkipReason }[] = [];
    const ringAll = ix.queue.strategy === 'ring_all' && ix.channel === 'voice';
    const want = ringAll ? this.#settings.ringAllMax : 1;
    const relax = this.#stageRelax(ix);
    for (const pool of ix.pools) {
      let listed = 0;
      pool.visitFree(ix.channel, (key) => {
        const agent = key.agent;
        if (chosen.length >= want && listed >= this.#settings.explainCandidates) return false;
        if (chosen.includes(agent)) return true;
        const skip = this.#skipReason(agent, ix, relax);
        if (skip) {
          if (skipped.length < 10) skipped.push({ agentId: agent.state.id, reason: skip });
          return true;
        }
        if (listed < this.#settings.explainCandidates || chosen.length < want) {
          candidates.push(explained(pool, key));
          listed++;
        }
        if (chosen.length < want) chosen.push(agent);
        return true;
      });
      if (chosen.length >= want) break;
    }
    if (chosen.length > 0) {
      this.#offer(
        ix,
        chosen,
        {
          trigger: 'interaction',
          pools: ix.pools.map((p) => summary(p, ix.channel)),
          chosen: chosen.map((a) => a.state.id),
          candidates,
          skippedAgents: skipped,
          consideredInteractions: [],
        },
        at,
      );
      return;
    }
    for (const pool of ix.pools) ix.waitEntries.push(pool.addWaiting(ix.channel, ix));
    ix.inWaiting = true;
    this.#scheduleWaitingCheck(ix);
  }

  /** Trigger 2: an agent with free capacity takes the best waiting interaction of all its queues. */
  #routeAgent(agent: AgentEntry, at: Millis): void {
    for (;;) {
      if (agent.state.presence !== 'ready') return;
      // The best so far and its key (a waiting-heap entry carries a copy of the interaction's key).
      let best: Routed | null = null;
      let bestKey: WaitKey | null = null;
      const free = freeByChannel(agent.state, this.#freeForRouting);
      if (!hasFreeSlot(free)) return; // (after an offer that filled the agent, say)
      const heads: Routed[] = [];
      for (let c = 0; c < channels.length; c++) {
        if (free[c]! < 1) continue;
        for (const pool of agent.pools) {
          const head = this.#firstEligible(pool, c, agent, bestKey);
          if (!head) continue; // else it comes before the best so far
          heads.push(head.item);
          best = head.item;
          bestKey = head;
        }
      }
      // (Most agents have no reservations: skip making an iterator.)
      if (agent.personal.size > 0) {
        for (const ix of agent.personal.values()) {
          // An expired reservation is routed to everyone by its own deadline in this same tick.
          if (free[channelNo(ix.channel)]! < 1 || !ix.preferred || ix.preferred.until <= at) continue;
          heads.push(ix);
          if (!bestKey || compareWaitKeys(ix.waitKey, bestKey) < 0) {
            best = ix;
            bestKey = ix.waitKey;
          }
        }
      }
      if (!best) return;
      const ix = best;
      const membership = membershipIn(agent, ix.pools);
      this.#offer(
        ix,
        [agent],
        {
          trigger: ix.preferred && ix.preferred.until > at ? 'preferred' : 'agent',
          pools: ix.pools.map((p) => summary(p, ix.channel)),
          chosen: [agent.state.id],
          candidates: membership ? [explainedMember(membership)] : [],
          skippedAgents: [],
          // The heads that were the best so far when read, best last; at most a few.
          consideredInteractions: heads.slice(-5).map(explainedInteraction),
        },
        at,
      );
    }
  }

  /**
   * The entry of the first interaction waiting in `pool` on a channel (by number) that this agent may
   * take, if it comes before `best`; null otherwise.
   */
  #firstEligible(
    pool: RoutedPool,
    channelNumber: number,
    agent: AgentEntry,
    best: WaitKey | null,
  ): WaitEntry<Routed> | null {
    // Fast path: the head is usually the answer; iterate only past ineligible heads.
    const head = pool.waitingTop(channelNumber);
    if (!head || (best && compareWaitKeys(head, best) >= 0)) return null;
    if (!this.#skipReason(agent, head.item, this.#stageRelax(head.item))) return head;
    for (const entry of pool.waitingInOrder(channelNumber)) {
      if (best && compareWaitKeys(entry, best) >= 0) return null;
      if (!this.#skipReason(agent, entry.item, this.#stageRelax(entry.item))) return entry;
    }
    return null;
  }

  #skipReason(agent: AgentEntry, ix: Routed, relax: number): SkipReason | null {
    if (ix.declined?.has(agent.state.id)) return { code: 'declined' };
    for (const r of ix.skills) {
      const level = agent.skills.get(r.skillId) ?? 0;
      const required = Math.max(1, r.minLevel - relax);
      if (level < required) return { code: 'missing_skill', skillId: r.skillId, level, required };
    }
    return null;
  }

  #whyNot(agent: AgentEntry, ix: Routed, at: Millis): WaitingReason {
    const s = agent.state;
    if (s.presence === 'logged_out') return { code: 'logged_out' };
    if (s.presence === 'not_ready') return { code: 'not_ready', reason: s.notReadyReason };
    if (ix.preferred && ix.preferred.until > at && ix.preferred.agentId !== s.id) {
      return { code: 'reserved_for_other_agent', agentId: ix.preferred.agentId };
    }
    const skip = this.#skipReason(agent, ix, this.#stageRelax(ix));
    if (skip) return skip;
    if (s.work.some((w) => w.exclusive && w.channel !== ix.channel))
      return { code: 'blocked_by_exclusive_work' };
    return { code: 'no_capacity' };
  }

  #offer(ix: Routed, agents: AgentEntry[], explanation: RoutingExplanation, at: Millis): void {
    if (ix.inWaiting) this.#removeWaiting(ix);
    if (ix.preferred) this.#agents.get(ix.preferred.agentId)?.personal.delete(ix.id);
    this.#transition(ix, 'offered', at);
    ix.offeredTo = agents.map((a) => a.state.id);
    ix.offerRound++;
    const exclusive = ix.queue.exclusiveChannels.includes(ix.channel);
    const expiresAt = millis(at + ix.queue.offerTimeoutMs);
    this.#emit({
      type: 'routing.offered',
      interactionId: ix.id,
      queueId: ix.queue.id,
      channel: ix.channel,
      agentIds: ix.offeredTo,
      expiresAt,
      explanation,
      at,
    });
    for (const agent of agents) {
      const item = { interactionId: ix.id, channel: ix.channel, exclusive };
      this.#changeAgent(agent, agentSm.offer(agent.state, item, at), at, false);
    }
    this.#deadlines.push(expiresAt, { kind: 'offer_timeout', id: ix.id, round: ix.offerRound });
  }

  /** One agent's offer ends unanswered; when no offer remains the interaction is routed again. */
  #withdraw(ix: Routed, agent: AgentEntry, reason: 'declined' | 'timeout' | 'revoked', at: Millis): void {
    ix.offeredTo = ix.offeredTo.filter((a) => a !== agent.state.id);
    if (reason !== 'revoked') {
      ix.declined ??= new Set();
      ix.declined.add(agent.state.id);
    }
    this.#emit({
      type: 'routing.offer_withdrawn',
      interactionId: ix.id,
      agentId: agent.state.id,
      reason,
      at,
    });
    const missedLimit = this.#settings.missedOffersLimit;
    this.#changeAgent(agent, agentSm.withdrawOffer(agent.state, ix.id, reason, at, missedLimit), at, false);
    if (ix.offeredTo.length === 0) {
      this.#transition(ix, 'offer_withdrawn', at);
      this.#route(ix, at);
    }
    this.#routeAgent(agent, at);
  }

  #revokeOffers(agent: AgentEntry, at: Millis): void {
    for (const w of agent.state.work) {
      if (w.phase !== 'offered') continue;
      const ix = this.#interactions.get(w.interactionId);
      if (ix) this.#withdraw(ix, agent, 'revoked', at);
    }
  }

  #finish(ix: Routed, how: 'abandoned' | 'missed' | 'voicemail' | 'transferred', at: Millis): void {
    const offered = ix.offeredTo;
    ix.offeredTo = [];
    if (ix.inWaiting) this.#removeWaiting(ix);
    if (ix.preferred) this.#agents.get(ix.preferred.agentId)?.personal.delete(ix.id);
    this.#transition(ix, how, at);
    this.#interactions.delete(ix.id);
    for (const agentId of offered) {
      const agent = this.#agents.get(agentId)!;
      this.#emit({ type: 'routing.offer_withdrawn', interactionId: ix.id, agentId, reason: 'revoked', at });
      this.#changeAgent(agent, agentSm.withdrawOffer(agent.state, ix.id, 'revoked', at, 0), at);
    }
  }

  #close(ix: Routed, at: Millis): void {
    this.#transition(ix, 'closed', at);
    this.#interactions.delete(ix.id);
  }

  /**
   * Brings expansion and overflow up to date for the time waited in the current queue. Returns false
   * when overflow took the interaction out of routing (or routed it elsewhere already).
   */
  #applyWaitingRules(ix: Routed, at: Millis): boolean {
    const waited = at - ix.queuedAt;
    let stage = ix.stage;
    while (stage < ix.queue.expansion.length && ix.queue.expansion[stage]!.afterMs <= waited) stage++;
    if (stage !== ix.stage) {
      ix.stage = stage;
      ix.pools = this.#stagePools(ix.queue, stage);
      this.#emit({ type: 'routing.expanded', interactionId: ix.id, queueId: ix.queue.id, step: stage, at });
    }
    const rules = ix.queue.overflow;
    if (rules.length === 0) return true;
    const noAgents = ix.pools.every((p) => p.loggedIn === 0);
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (ix.overflowFired & (1 << i)) continue;
      const due = rule.afterMs !== null && rule.afterMs <= waited;
      if (!due && !(rule.noAgents && noAgents)) continue;
      if (rule.action.type === 'callback' && ix.lifecycle.state === 'callback_scheduled') continue;
      // Only a caller can leave a voicemail: on other channels (a voicemail's own task in this very
      // queue, a chat) the rule does not apply; the queue's other rules still do.
      if (rule.action.type === 'voicemail' && ix.channel !== 'voice') continue;
      ix.overflowFired |= 1 << i;
      return this.#overflow(ix, rule, due ? 'timeout' : 'no_agents', at);
    }
    return true;
  }

  #overflow(ix: Routed, rule: OverflowRule, reason: 'timeout' | 'no_agents', at: Millis): boolean {
    const action: OverflowAction = rule.action;
    this.#emit({ type: 'routing.overflow', interactionId: ix.id, queueId: ix.queue.id, action, reason, at });
    switch (action.type) {
      case 'queue': {
        const target = this.#queues.get(action.queueId);
        if (!target || ix.hops >= this.#settings.maxQueueHops) {
          this.#finish(ix, 'missed', at);
          return false;
        }
        ix.hops++;
        this.#moveToQueue(ix, target, at);
        this.#emitQueued(ix, at);
        this.#route(ix, at);
        return false;
      }
      case 'callback':
        if (ix.lifecycle.state === 'queued') this.#transition(ix, 'callback_requested', at);
        return true;
      case 'voicemail':
        this.#finish(ix, 'voicemail', at);
        return false;
      case 'external':
        this.#finish(ix, 'transferred', at);
        return false;
      case 'close':
        this.#finish(ix, 'missed', at);
        return false;
    }
  }

  #scheduleWaitingCheck(ix: Routed): void {
    let next = Number.POSITIVE_INFINITY;
    const step = ix.queue.expansion[ix.stage];
    if (step) next = ix.queuedAt + step.afterMs;
    for (const [i, rule] of ix.queue.overflow.entries()) {
      if (!(ix.overflowFired & (1 << i)) && rule.afterMs !== null)
        next = Math.min(next, ix.queuedAt + rule.afterMs);
    }
    if (next === Number.POSITIVE_INFINITY || ix.nextCheckAt === next) return;
    ix.nextCheckAt = millis(next);
    this.#deadlines.push(next, { kind: 'waiting_check', id: ix.id });
  }

  /** After the last agent of some pools logged out: waiting interactions with nobody left overflow. */
  #checkNoAgents(memberships: readonly AgentMembership[], at: Millis): void {
    const affected = new Set<Routed>();
    for (const { pool } of memberships) {
      if (pool.loggedIn !== 0) continue;
      for (const ix of pool.allWaiting()) affected.add(ix);
    }
    for (const ix of affected) {
      if (ix.inWaiting && ix.queue.overflow.some((r) => r.noAgents)) this.#route(ix, at);
    }
  }

  #onDeadline(d: Deadline, now: Millis): void {
    if (d.kind === 'wrap_up') {
      // The agent's wrap-up ends even if the interaction has since moved on (transferred) or closed.
      const agent = this.#agents.get(d.agentId);
      const held = agent?.state.work.find((w) => w.interactionId === d.id && w.phase === 'wrap_up');
      if (!agent || !held) return;
      this.#changeAgent(agent, agentSm.finishWrapUp(agent.state, d.id, now), now, false);
      const ix = this.#interactions.get(d.id);
      if (ix && ix.lifecycle.state === 'wrap_up' && ix.agentId === d.agentId) this.#close(ix, now);
      this.#routeAgent(agent, now);
      return;
    }
    const ix = this.#interactions.get(d.id);
    if (!ix) return;
    switch (d.kind) {
      case 'offer_timeout': {
        if (ix.lifecycle.state !== 'offered' || ix.offerRound !== d.round) return;
        for (const agentId of [...ix.offeredTo]) {
          if (ix.lifecycle.state !== 'offered') break;
          this.#withdraw(ix, this.#agents.get(agentId)!, 'timeout', now);
        }
        return;
      }
      case 'waiting_check':
        if (ix.nextCheckAt !== null && ix.nextCheckAt <= now) ix.nextCheckAt = null;
        if (ix.inWaiting) this.#route(ix, now);
        return;
      case 'preference':
        if (ix.preferred && ix.preferred.until <= now) {
          this.#agents.get(ix.preferred.agentId)?.personal.delete(ix.id);
          ix.preferred = null;
          if (this.#isWaiting(ix)) this.#route(ix, now);
        }
        return;
      case 'not_before':
        if (ix.notBefore !== null && ix.notBefore <= now) {
          ix.notBefore = null;
          if (this.#isWaiting(ix)) this.#route(ix, now);
        }
        return;
    }
  }

  #explainPreferred(ix: Routed, agent: AgentEntry): RoutingExplanation {
    return {
      trigger: 'preferred',
      pools: ix.pools.map((p) => summary(p, ix.channel)),
      chosen: [agent.state.id],
      candidates: [],
      skippedAgents: [],
      consideredInteractions: [],
    };
  }
}
