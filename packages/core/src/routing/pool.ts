import { type AgentState, freeSlots } from '../agent/agent-state';
import type { Channel } from '../channels';
import type { AgentId, SkillId } from '../ids';
import { AgentHeap, type AgentHeapEntry, IndexedHeap } from './agent-heap';
import { type AgentKey, fillAgentKey, sameAgentKey, skillMatch } from './agent-order';
import type { QueueConfig } from './queue-config';
import { compareWaitKeys, type WaitKey } from './wait-order';

/**
 * The agents who may take a queue's interactions at one relaxation level, and the interactions
 * waiting for them. Both sides are indexed binary heaps (agent-heap.ts), one per channel, created the
 * first time the channel is used, so a decision reads the top of a few heaps instead of scanning agents
 * or interactions. A queue has one pool per distinct relaxation in its expansion steps.
 *
 * Invariant kept by the engine: every member with a free slot on an indexed channel is filed in that
 * channel's heap under the key its queue's strategy gives it now, marked free; a filed agent who is
 * no longer free is marked so and skipped by readers (see `reindex`).
 */
export interface PoolAgent {
  readonly state: AgentState;
  /** Tie-break of last resort in agent order: stable, unique per engine. */
  readonly ordinal: number;
  readonly skills: ReadonlyMap<SkillId, number>;
}

export interface PoolInteraction {
  readonly waitKey: WaitKey;
}

/** Free slots of an agent on each channel, computed once per update and shared by all its pools. */
export type FreeByChannel = Readonly<Record<Channel, number>>;

export function freeByChannel(state: AgentState): FreeByChannel {
  return {
    voice: freeSlots(state, 'voice'),
    chat: freeSlots(state, 'chat'),
    email: freeSlots(state, 'email'),
    sms: freeSlots(state, 'sms'),
    messenger: freeSlots(state, 'messenger'),
    task: freeSlots(state, 'task'),
  };
}

export class Pool<A extends PoolAgent, I extends PoolInteraction> {
  /** Qualified agents (any presence) and their skill-match score for this queue. */
  readonly members = new Map<AgentId, A>();
  readonly #match = new Map<AgentId, number>();
  /** Per channel in use here: the agents with a free slot on it, by strategy key, and each one's key. */
  readonly #available = new Map<Channel, AvailableIndex<A>>();
  /** The same indexes as a list (walked on every agent change). */
  readonly #availableList: AvailableIndex<A>[] = [];
  /** Per channel: the interactions waiting here, best first (an indexed heap), and each one's entry. */
  readonly #waiting = new Map<Channel, { heap: IndexedHeap<WaitEntry<I>>; entries: Map<I, WaitEntry<I>> }>();
  /** Members not logged out (for "no agents" overflow and staffing figures). */
  loggedIn = 0;
  readonly #scratch = heapEntry<A>(
    { primary: 0, secondary: 0, negMatch: 0, idleSince: 0, ordinal: 0 },
    null as unknown as A,
  );

  constructor(
    readonly queue: QueueConfig,
    readonly relax: number,
    readonly random: () => number,
  ) {}

  qualifies(agentId: AgentId, skills: ReadonlyMap<SkillId, number>): boolean {
    if (this.queue.members && !this.queue.members.has(agentId)) return false;
    for (const r of this.queue.requiredSkills) {
      if ((skills.get(r.skillId) ?? 0) < Math.max(1, r.minLevel - this.relax)) return false;
    }
    return true;
  }

  addMember(agent: A): void {
    this.members.set(agent.state.id, agent);
    this.#match.set(agent.state.id, skillMatch(agent.skills, this.queue.requiredSkills));
    if (agent.state.presence !== 'logged_out') this.loggedIn++;
    this.reindex(agent, freeByChannel(agent.state));
  }

  removeMember(agent: A): void {
    if (!this.members.delete(agent.state.id)) return;
    if (agent.state.presence !== 'logged_out') this.loggedIn--;
    for (const index of this.#available.values()) {
      const entry = index.entries.get(agent.state.id);
      if (entry) this.#evict(index, entry);
    }
    this.#match.delete(agent.state.id);
  }

  /**
   * Brings the agent's entries in line with its current state (call after every change of it).
   * An agent who stops being free stays filed, marked not free: readers skip it and evict it only if
   * they meet it, and when it is free again it is re-keyed in place — one heap sift per cycle instead
   * of a removal and an insertion in every pool.
   */
  reindex(agent: A, free: FreeByChannel): void {
    const id = agent.state.id;
    for (const index of this.#availableList) {
      const channel = index.channel;
      const entry = index.entries.get(id);
      if (free[channel] < 1) {
        if (entry?.free) {
          entry.free = false;
          index.free--;
        }
        continue;
      }
      const key = this.#keyOf(agent, channel, entry);
      if (!entry) {
        const fresh = heapEntry(key, agent);
        index.heap.insert(fresh);
        index.entries.set(id, fresh);
        index.free++;
        continue;
      }
      if (!entry.free) {
        entry.free = true;
        index.free++;
      }
      if (!sameAgentKey(entry, key)) {
        entry.primary = key.primary;
        entry.secondary = key.secondary;
        entry.negMatch = key.negMatch;
        entry.idleSince = key.idleSince;
        index.heap.update(entry);
      }
    }
  }

  /**
   * Visits the free agents on `channel` best first until `visit` returns false. Entries of agents
   * no longer free met on the way are evicted afterwards.
   */
  visitFree(channel: Channel, visit: (entry: AgentHeapEntry<A>) => boolean): void {
    const index = this.#index(channel);
    const stale: AgentHeapEntry<A>[] = [];
    for (const entry of index.heap.ordered()) {
      if (!entry.free) {
        stale.push(entry);
        continue;
      }
      if (!visit(entry)) break;
    }
    for (const entry of stale) this.#evict(index, entry);
  }

  /** Makes sure agents are indexed for `channel` (from the first time work of it comes here). */
  #index(channel: Channel): AvailableIndex<A> {
    let index = this.#available.get(channel);
    if (!index) {
      index = { channel, heap: new AgentHeap<A>(), entries: new Map(), free: 0 };
      this.#available.set(channel, index);
      this.#availableList.push(index);
      for (const agent of this.members.values()) {
        if (freeSlots(agent.state, channel) < 1) continue;
        const entry = heapEntry(this.#keyOf(agent, channel, undefined), agent);
        index.heap.insert(entry);
        index.entries.set(agent.state.id, entry);
        index.free++;
      }
    }
    return index;
  }

  #evict(index: AvailableIndex<A>, entry: AgentHeapEntry<A>): void {
    index.heap.remove(entry);
    index.entries.delete(entry.agent.state.id);
    if (entry.free) index.free--;
  }

  /** The agent's key now, in a scratch entry of the same shape as the heap's (valid until the next call). */
  #keyOf(agent: A, channel: Channel, previous: AgentKey | undefined): AgentHeapEntry<A> {
    // The match score changes only with membership, so a filed entry already carries it.
    const match = previous ? -previous.negMatch : (this.#match.get(agent.state.id) ?? 0);
    const { strategy } = this.queue;
    return fillAgentKey(
      this.#scratch,
      strategy,
      agent.state,
      agent.ordinal,
      match,
      channel,
      previous,
      this.random,
    );
  }

  availableCount(channel: Channel): number {
    return this.#available.get(channel)?.free ?? 0;
  }

  matchOf(agentId: AgentId): number {
    return this.#match.get(agentId) ?? 0;
  }

  /** The best waiting interaction on `channel` (the top of its heap). */
  waitingHead(channel: Channel): I | undefined {
    return this.#waiting.get(channel)?.heap.peek()?.item;
  }

  /** Waiting interactions on `channel`, best first, lazily; nothing may change while iterating. */
  *waitingInOrder(channel: Channel): Generator<I> {
    const index = this.#waiting.get(channel);
    if (!index) return;
    for (const entry of index.heap.ordered()) yield entry.item;
  }

  /** Every interaction waiting here, on any channel, in no particular order. */
  *allWaiting(): Generator<I> {
    for (const index of this.#waiting.values()) yield* index.entries.keys();
  }

  addWaiting(channel: Channel, item: I): void {
    let index = this.#waiting.get(channel);
    if (!index) {
      index = { heap: new IndexedHeap<WaitEntry<I>>(compareWaitKeys), entries: new Map() };
      this.#waiting.set(channel, index);
      // Agents become indexed for this channel now that work of it exists here.
      this.#index(channel);
    }
    const key = item.waitKey;
    const entry: WaitEntry<I> = {
      negPriority: key.negPriority,
      enqueuedAt: key.enqueuedAt,
      seq: key.seq,
      item,
      pos: -1,
    };
    index.heap.insert(entry);
    index.entries.set(item, entry);
  }

  removeWaiting(channel: Channel, item: I): void {
    const index = this.#waiting.get(channel);
    const entry = index?.entries.get(item);
    if (!index || !entry) return;
    index.heap.remove(entry);
    index.entries.delete(item);
  }

  qualificationGap(
    skills: ReadonlyMap<SkillId, number>,
  ): { skillId: SkillId; level: number; required: number } | null {
    for (const r of this.queue.requiredSkills) {
      const level = skills.get(r.skillId) ?? 0;
      const required = Math.max(1, r.minLevel - this.relax);
      if (level < required) return { skillId: r.skillId, level, required };
    }
    return null;
  }
}

/** One shape for every heap entry (the comparator stays monomorphic). */
function heapEntry<A extends PoolAgent>(key: AgentKey, agent: A): AgentHeapEntry<A> {
  return {
    primary: key.primary,
    secondary: key.secondary,
    negMatch: key.negMatch,
    idleSince: key.idleSince,
    ordinal: key.ordinal,
    agent,
    pos: -1,
    free: true,
  };
}

/** An interaction's place in one pool's waiting heap (its order key copied, for one object shape). */
interface WaitEntry<I> extends WaitKey {
  readonly item: I;
  pos: number;
}

interface AvailableIndex<A extends PoolAgent> {
  readonly channel: Channel;
  readonly heap: AgentHeap<A>;
  readonly entries: Map<AgentId, AgentHeapEntry<A>>;
  /** Entries whose agent is free on the channel now (the rest wait to be re-keyed or evicted). */
  free: number;
}
