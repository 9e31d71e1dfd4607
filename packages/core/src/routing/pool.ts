import type { AgentState } from '../agent/agent-state';
import { type Channel, channels } from '../channels';
import type { AgentId, SkillId } from '../ids';
import { AgentHeap, type AgentHeapEntry, emptyArray } from './agent-heap';
import { type AgentKey, fillAgentKey, type MutableAgentKey, sameAgentKey, skillMatch } from './agent-order';
import type { QueueConfig, Strategy } from './queue-config';
import { WaitHeap } from './wait-heap';
import type { WaitKey } from './wait-order';

/**
 * The agents who may take a queue's interactions at one relaxation level, and the interactions
 * waiting for them. Both sides are indexed binary heaps (agent-heap.ts, wait-heap.ts), one per channel, created the
 * first time the channel is used, so a decision reads the top of a few heaps instead of scanning agents
 * or interactions. A queue has one pool per distinct relaxation in its expansion steps.
 *
 * Invariant kept by the engine: every member whose bit for a channel is set in the shared `FreeMask`
 * (free there when last re-indexed) is filed in each of its pools' heaps of that channel under the key
 * its queue's strategy gave it then, and counted in the index's `free`; a filed agent whose bit is
 * clear is stale: readers skip it and evict it if they meet it (see `reindexAgent`).
 *
 * Each member has a `Membership` here, shared with the agent's record: it holds the agent's heap
 * entry for every index of the pool (filed or not), and the agent's record lists all those entries
 * in one array too (`PoolAgent.slots`), so re-indexing an agent after a change walks its own entries
 * instead of looking itself up in every index of every pool.
 */
export interface PoolAgent<Self> {
  readonly state: AgentState;
  /** Tie-break of last resort in agent order: stable, unique per engine; its place in the `FreeMask`. */
  readonly ordinal: number;
  readonly skills: ReadonlyMap<SkillId, number>;
  /** The agent's memberships in the order of its pools (kept by the engine, see `Membership`). */
  readonly memberships: readonly { readonly entries: readonly AgentSlot<Self>[] }[];
  /** The pools of those memberships, in the same order (an agent leaving free counts walks only these). */
  readonly pools: readonly { loseFree(channelBits: number): void }[];
  /**
   * The entries of all those memberships in one list, in the same order (membership by membership,
   * each in its pool's index order), kept by the pools: re-indexing the agent (`reindexAgent`) walks
   * this list instead of every membership and its own list — a few pointer chases less per pool.
   */
  readonly slots: AgentSlot<Self>[];
}

export interface PoolInteraction {
  readonly waitKey: WaitKey;
}

/**
 * An agent's place in one pool: its skill-match score there and one heap entry per available-agent
 * index of the pool, in the pool's index order (an entry is in its heap only while `pos >= 0`).
 * Created by `Pool.addMember`; the engine keeps the agent's memberships in the order of its pools,
 * which is the order every re-index walks them (the `random` strategy draws tickets in that order).
 */
export interface Membership<A extends PoolAgent<A>, I extends PoolInteraction> {
  readonly pool: Pool<A, I>;
  readonly agent: A;
  readonly match: number;
  readonly entries: AgentSlot<A>[];
}

/**
 * An agent's entry in one available-agent index; it knows its index and the agent's match in the
 * pool, so re-indexing needs no lookup.
 */
export interface AgentSlot<A> extends AgentHeapEntry<A> {
  readonly index: AvailableIndex<A>;
  readonly match: number;
  /**
   * The agent's id, copied: with the key (whose `idleSince` is the agent's while filed free) an
   * explanation can list a runner-up without reading the agent's record.
   */
  readonly agentId: AgentId;
}

/**
 * Free slots of an agent on each channel, by the channel's place in `channels`: what `freeSlots`
 * gives for each, computed in one pass over the agent's work. Computed once per update and shared by
 * all the agent's pools; callers pass a scratch array to fill.
 */
export type FreeByChannel = Int32Array;

/** The channel's place in `channels` (the index into a `FreeByChannel`); six entries: a scan is fastest. */
export function channelNo(channel: Channel): number {
  return channels.indexOf(channel);
}

export function freeByChannel(state: AgentState, out: FreeByChannel = newFreeByChannel()): FreeByChannel {
  out.fill(0);
  if (state.presence !== 'ready') return out;
  // Exclusive work blocks every other channel: note its channel, or -2 once it spans two.
  let exclusiveOn = -1;
  for (const w of state.work) {
    const c = channelNo(w.channel);
    out[c]!++;
    if (w.exclusive) exclusiveOn = exclusiveOn === -1 || exclusiveOn === c ? c : -2;
  }
  for (let c = 0; c < channels.length; c++) {
    const blocked = exclusiveOn !== -1 && exclusiveOn !== c;
    out[c] = blocked ? 0 : Math.max(0, state.capacity[channels[c]!] - out[c]!);
  }
  return out;
}

/** Whether the agent may be offered anything at all (a free slot on some channel). */
export function hasFreeSlot(free: FreeByChannel): boolean {
  for (let c = 0; c < free.length; c++) if (free[c]! > 0) return true;
  return false;
}

export function newFreeByChannel(): FreeByChannel {
  return new Int32Array(channels.length);
}

/** The channels with a free slot as bits (bit `channelNo`). */
export function freeBits(free: FreeByChannel): number {
  let bits = 0;
  for (let c = 0; c < free.length; c++) if (free[c]! > 0) bits |= 1 << c;
  return bits;
}

/**
 * Per agent (by `ordinal`), the channels on which it was free when last re-indexed, as bits: one byte
 * per agent in one dense array shared by an engine's pools. Whether a filed entry is free is read here,
 * and an agent who stops being free is taken off its indexes' counts without reading its entries,
 * which lie scattered over a large heap (see `reindexAgent`).
 */
export class FreeMask {
  #bits = new Uint8Array(1024);

  get bits(): Uint8Array {
    return this.#bits;
  }

  /** Makes room for an agent's ordinal (new agents start with no bit set). */
  ensure(ordinal: number): void {
    if (ordinal < this.#bits.length) return;
    let length = this.#bits.length;
    while (length <= ordinal) length *= 2;
    const bigger = new Uint8Array(length);
    bigger.set(this.#bits);
    this.#bits = bigger;
  }

  isFree(ordinal: number, channelNumber: number): boolean {
    return (this.#bits[ordinal]! & (1 << channelNumber)) !== 0;
  }
}

export class Pool<A extends PoolAgent<A>, I extends PoolInteraction> {
  /** Qualified agents (any presence). */
  readonly members = new Map<AgentId, A>();
  readonly #memberships = new Map<AgentId, Membership<A, I>>();
  /** By channel number (see `channelNo`), for channels in use here: the agents free on it, by strategy key. */
  readonly #available: (AvailableIndex<A> | undefined)[] = [];
  /** The same indexes in creation order: a membership's `entries` follow this order. */
  readonly #availableList: AvailableIndex<A>[] = [];
  /** Per channel in order of first use: the interactions waiting here, best first (an indexed heap). */
  readonly #waiting: WaitIndex<I>[] = [];
  /** The same indexes by channel number (see `channelNo`), for the agent trigger's reads. */
  readonly #waitingOn: (WaitIndex<I> | undefined)[] = [];
  /** Members not logged out (for "no agents" overflow and staffing figures). */
  loggedIn = 0;
  /** Scratch for the entries `visitFree` evicts (emptied before returning). */
  readonly #stale: AgentSlot<A>[] = [];

  constructor(
    readonly queue: QueueConfig,
    readonly relax: number,
    readonly random: () => number,
    /** The engine's, shared by all its pools. */
    readonly freeMask: FreeMask,
  ) {}

  qualifies(agentId: AgentId, skills: ReadonlyMap<SkillId, number>): boolean {
    if (this.queue.members && !this.queue.members.has(agentId)) return false;
    for (const r of this.queue.requiredSkills) {
      if ((skills.get(r.skillId) ?? 0) < Math.max(1, r.minLevel - this.relax)) return false;
    }
    return true;
  }

  /**
   * Adds a qualified agent; the caller appends the membership to the agent's (see `Membership`),
   * and its entries go to the end of the agent's `slots`. They are filed as the agent's `FreeMask`
   * bits say; an agent whose state changed since its last re-index must be re-indexed after.
   */
  addMember(agent: A): Membership<A, I> {
    const match = skillMatch(agent.skills, this.queue.requiredSkills);
    const membership: Membership<A, I> = {
      pool: this,
      agent,
      match,
      entries: this.#availableList.map((index) => unfiledSlot(agent, agent.state.id, index, match)),
    };
    this.members.set(agent.state.id, agent);
    this.#memberships.set(agent.state.id, membership);
    if (agent.state.presence !== 'logged_out') this.loggedIn++;
    for (const entry of membership.entries) {
      agent.slots.push(entry);
      if (this.freeMask.isFree(agent.ordinal, entry.index.channelNo)) fileFree(entry);
    }
    return membership;
  }

  removeMember(agent: A): void {
    const membership = this.#memberships.get(agent.state.id);
    if (!membership) return;
    this.members.delete(agent.state.id);
    this.#memberships.delete(agent.state.id);
    if (agent.state.presence !== 'logged_out') this.loggedIn--;
    for (const entry of membership.entries) {
      if (entry.handle >= 0) this.#evict(entry);
      const at = agent.slots.indexOf(entry);
      if (at >= 0) agent.slots.splice(at, 1);
    }
  }

  /**
   * Visits the free agents on `channel` best first until `visit` returns false. Entries of agents
   * no longer free met on the way are evicted afterwards.
   */
  visitFree(channel: Channel, visit: (entry: AgentSlot<A>) => boolean): void {
    const stale = this.#stale;
    const index = this.#index(channel);
    const bit = 1 << index.channelNo;
    const bits = this.freeMask.bits;
    index.heap.visitInOrder((entry) => {
      if ((bits[entry.ordinal]! & bit) !== 0) return visit(entry);
      stale.push(entry);
      return true;
    });
    for (const entry of stale) this.#evict(entry);
    emptyArray(stale);
  }

  /** Takes an entry out of its heap, and off its index's count if its agent is free there. */
  #evict(entry: AgentSlot<A>): void {
    const index = entry.index;
    index.heap.remove(entry);
    if (this.freeMask.isFree(entry.agent.ordinal, index.channelNo)) index.free--;
  }

  /** Its agent is no longer free on these channels (bits): off the counts of this pool's indexes of them. */
  loseFree(channelBits: number): void {
    for (const index of this.#availableList) if ((channelBits & (1 << index.channelNo)) !== 0) index.free--;
  }

  /** Makes sure agents are indexed for `channel` (from the first time work of it comes here). */
  #index(channel: Channel): AvailableIndex<A> {
    let index = this.#available[channelNo(channel)];
    if (!index) {
      index = {
        channel,
        channelNo: channelNo(channel),
        heap: new AgentHeap<AgentSlot<A>>(),
        free: 0,
        strategy: this.queue.strategy,
        random: this.random,
      };
      this.#available[index.channelNo] = index;
      this.#availableList.push(index);
      for (const membership of this.#memberships.values()) {
        const agent = membership.agent;
        const entry = unfiledSlot(agent, agent.state.id, index, membership.match);
        membership.entries.push(entry);
        agent.slots.splice(slotsThrough(agent, membership), 0, entry);
        if (this.freeMask.isFree(agent.ordinal, index.channelNo)) fileFree(entry);
      }
    }
    return index;
  }

  availableCount(channel: Channel): number {
    return this.#available[channelNo(channel)]?.free ?? 0;
  }

  /** The entry of the best interaction waiting on a channel (by number, see `channelNo`): its heap's top. */
  waitingTop(channelNumber: number): WaitEntry<I> | undefined {
    return this.#waitingOn[channelNumber]?.heap.peek();
  }

  /** Entries of the interactions waiting on a channel (by number), best first, lazily; nothing may change meanwhile. */
  *waitingInOrder(channelNumber: number): Generator<WaitEntry<I>> {
    const index = this.#waitingOn[channelNumber];
    if (index) yield* index.heap.ordered();
  }

  /**
   * Every interaction waiting here: channel by channel (in the order they were first used here), each
   * in the order filed. The engine routes them in this order when the pool's last agent leaves, so it
   * is part of the deterministic behaviour.
   */
  *allWaiting(): Generator<I> {
    for (const index of this.#waiting) {
      const filed = [...index.heap.entries()].sort((a, b) => a.filed - b.filed);
      for (const entry of filed) yield entry.item;
    }
  }

  /** Files the interaction as waiting on `channel`; the caller keeps the entry to take it out again. */
  addWaiting(channel: Channel, item: I): WaitEntry<I> {
    let index = this.#waitingOn[channelNo(channel)];
    if (!index) {
      index = { heap: new WaitHeap<WaitEntry<I>>(), filings: 0 };
      this.#waiting.push(index);
      this.#waitingOn[channelNo(channel)] = index;
      // Agents become indexed for this channel now that work of it exists here.
      this.#index(channel);
    }
    const key = item.waitKey;
    const entry: WaitEntry<I> = {
      negPriority: key.negPriority,
      enqueuedAt: key.enqueuedAt,
      seq: key.seq,
      item,
      heap: index.heap,
      filed: index.filings++,
      handle: -1,
    };
    index.heap.insert(entry);
    return entry;
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

/**
 * Brings the agent's entries in every index of its pools in line with its free slots (call after
 * every change of it) and records them in the `FreeMask`.
 * - An agent who stops being free on a channel stays filed there, stale: it only leaves the indexes'
 *   counts, through its pools (a few, shared by many agents) — none of its entries is read. Readers
 *   skip it, and evict it only if they meet it.
 * - On a channel where it is free, its entries are walked in the order of `slots` (the order the
 *   `random` strategy draws tickets in): each re-keyed in place, or filed again if it was evicted —
 *   one heap sift per busy/free cycle instead of a removal and an insertion in every pool.
 */
export function reindexAgent<A extends PoolAgent<A>>(agent: A, free: FreeByChannel, mask: FreeMask): void {
  const was = mask.bits[agent.ordinal]!;
  const now = freeBits(free);
  if (now === 0 && was === 0) return; // busy before and after: nothing is or becomes free
  mask.bits[agent.ordinal] = now;
  const lost = was & ~now;
  if (lost !== 0) for (const pool of agent.pools) pool.loseFree(lost);
  if (now === 0) return;
  for (const entry of agent.slots) {
    const bit = 1 << entry.index.channelNo;
    if ((now & bit) !== 0) rekeySlot(entry, (was & bit) !== 0);
  }
}

/** Files or re-keys an entry of an agent free on its channel; `wasFree`: it was counted already. */
function rekeySlot<A extends PoolAgent<A>>(entry: AgentSlot<A>, wasFree: boolean): void {
  const index = entry.index;
  if (entry.handle < 0) {
    // Not filed, so not counted either (an evicted stale entry, or one never filed).
    fileFree(entry);
    return;
  }
  if (!wasFree) index.free++;
  const key = keyOf(entry, entry);
  if (!sameAgentKey(entry, key)) {
    copyKey(entry, key);
    index.heap.update(entry);
  }
}

/** Files an unfiled entry of an agent free on its channel, under its key now, and counts it. */
function fileFree<A extends PoolAgent<A>>(entry: AgentSlot<A>): void {
  copyKey(entry, keyOf(entry, undefined));
  entry.index.heap.insert(entry);
  entry.index.free++;
}

/** Where a new entry of `membership` goes in the agent's `slots`: after that membership's others. */
function slotsThrough<A extends PoolAgent<A>>(
  agent: A,
  membership: { readonly entries: readonly AgentSlot<A>[] },
): number {
  let through = 0;
  for (const m of agent.memberships) {
    through += m.entries.length;
    if (m === membership) return through - 1;
  }
  return agent.slots.length;
}

/** Scratch for `keyOf` (the engine is single-threaded and the key is copied at once). */
const scratchKey: MutableAgentKey = { primary: 0, secondary: 0, negMatch: 0, idleSince: 0, ordinal: 0 };

/** The entry's agent's key now in its index, in a scratch object (valid until the next call). */
function keyOf<A extends PoolAgent<A>>(entry: AgentSlot<A>, previous: AgentKey | undefined): AgentKey {
  const index = entry.index;
  const agent = entry.agent;
  return fillAgentKey(
    scratchKey,
    index.strategy,
    agent.state,
    agent.ordinal,
    entry.match,
    index.channel,
    previous,
    index.random,
  );
}

/** One shape for every heap entry (the comparator stays monomorphic); filed by `reindexSlot` when free. */
function unfiledSlot<A>(agent: A, agentId: AgentId, index: AvailableIndex<A>, match: number): AgentSlot<A> {
  return {
    primary: 0,
    secondary: 0,
    negMatch: 0,
    idleSince: 0,
    ordinal: 0,
    agent,
    handle: -1,
    index,
    match,
    agentId,
  };
}

function copyKey(entry: MutableAgentKey, key: AgentKey): void {
  entry.primary = key.primary;
  entry.secondary = key.secondary;
  entry.negMatch = key.negMatch;
  entry.idleSince = key.idleSince;
  entry.ordinal = key.ordinal;
}

/**
 * An interaction's place in one pool's waiting heap (its order key copied, for one object shape).
 * The interaction's record holds its entries, so taking it out costs no lookup (`removeWaiting`).
 */
export interface WaitEntry<I> extends WaitKey {
  readonly item: I;
  readonly heap: WaitHeap<WaitEntry<I>>;
  /** Filing order within the heap (see `allWaiting`). */
  readonly filed: number;
  /** Its handle in the heap while in it (see `WaitHeap`); -1 once taken out. */
  handle: number;
}

/** Takes an interaction's entry out of the pool it was filed in (no-op when already out). */
export function removeWaiting<I>(entry: WaitEntry<I>): void {
  entry.heap.remove(entry);
}

interface WaitIndex<I> {
  readonly heap: WaitHeap<WaitEntry<I>>;
  /** Entries filed so far (stamps `WaitEntry.filed`). */
  filings: number;
}

interface AvailableIndex<A> {
  readonly channel: Channel;
  readonly channelNo: number;
  readonly heap: AgentHeap<AgentSlot<A>>;
  /** Entries whose agent's `FreeMask` bit for the channel is set (the rest are stale: see `reindexAgent`). */
  free: number;
  /** The pool's strategy and random source, for re-keying an entry from the entry alone. */
  readonly strategy: Strategy;
  readonly random: () => number;
}
