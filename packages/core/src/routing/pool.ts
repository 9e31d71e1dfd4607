import { type AgentState, freeSlots } from '../agent/agent-state';
import type { Channel } from '../channels';
import type { AgentId, SkillId } from '../ids';
import { type AgentKey, agentKey, compareAgentKeys, sameAgentKey, skillMatch } from './agent-order';
import { BTree } from './btree';
import type { QueueConfig } from './queue-config';
import { compareWaitKeys, type WaitKey } from './wait-order';

/**
 * The agents who may take a queue's interactions at one relaxation level, and the interactions
 * waiting for them. Both sides are ordered indexes (B+trees), one per channel, created the first time
 * the channel is used, so a decision reads the head of a few trees instead of scanning agents or
 * interactions. A queue has one pool per distinct relaxation in its expansion steps.
 *
 * Invariant kept by the engine: an agent is in `available(channel)` exactly when it is a member and
 * has a free slot on that channel, under the key its queue's strategy gives it now.
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
  readonly #available = new Map<Channel, { tree: BTree<AgentKey, A>; keys: Map<AgentId, AgentKey> }>();
  readonly #waiting = new Map<Channel, BTree<WaitKey, I>>();
  /** Members not logged out (for "no agents" overflow and staffing figures). */
  loggedIn = 0;

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
      const old = index.keys.get(agent.state.id);
      if (old) {
        index.tree.delete(old);
        index.keys.delete(agent.state.id);
      }
    }
    this.#match.delete(agent.state.id);
  }

  /** Brings the agent's entries in line with its current state (call after every change of it). */
  reindex(agent: A, free: FreeByChannel): void {
    const id = agent.state.id;
    for (const [channel, index] of this.#available) {
      const old = index.keys.get(id);
      if (free[channel] < 1) {
        if (old) {
          index.tree.delete(old);
          index.keys.delete(id);
        }
        continue;
      }
      const key = agentKey(
        this.queue.strategy,
        agent.state,
        agent.ordinal,
        this.#match.get(id) ?? 0,
        channel,
        old,
        this.random,
      );
      if (old) {
        if (sameAgentKey(old, key)) continue;
        index.tree.delete(old);
      }
      index.tree.set(key, agent);
      index.keys.set(id, key);
    }
  }

  available(channel: Channel): BTree<AgentKey, A> {
    let index = this.#available.get(channel);
    if (!index) {
      index = { tree: new BTree<AgentKey, A>(undefined, compareAgentKeys), keys: new Map() };
      this.#available.set(channel, index);
      for (const agent of this.members.values()) {
        if (freeSlots(agent.state, channel) < 1) continue;
        const match = this.#match.get(agent.state.id) ?? 0;
        const key = agentKey(
          this.queue.strategy,
          agent.state,
          agent.ordinal,
          match,
          channel,
          undefined,
          this.random,
        );
        index.tree.set(key, agent);
        index.keys.set(agent.state.id, key);
      }
    }
    return index.tree;
  }

  availableCount(channel: Channel): number {
    return this.#available.get(channel)?.tree.size ?? 0;
  }

  matchOf(agentId: AgentId): number {
    return this.#match.get(agentId) ?? 0;
  }

  waiting(channel: Channel): BTree<WaitKey, I> | undefined {
    return this.#waiting.get(channel);
  }

  addWaiting(channel: Channel, item: I): void {
    let tree = this.#waiting.get(channel);
    if (!tree) {
      tree = new BTree<WaitKey, I>(undefined, compareWaitKeys);
      this.#waiting.set(channel, tree);
      // Agents become indexed for this channel now that work of it exists here.
      this.available(channel);
    }
    tree.set(item.waitKey, item);
  }

  removeWaiting(channel: Channel, item: I): void {
    this.#waiting.get(channel)?.delete(item.waitKey);
  }

  waitingChannels(): IterableIterator<[Channel, BTree<WaitKey, I>]> {
    return this.#waiting.entries();
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
