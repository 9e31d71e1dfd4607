import type { Channel } from '../channels';
import type { AgentId, QueueId, SkillId } from '../ids';

/**
 * What the router needs to know about a queue. The server builds it from the stored configuration;
 * the simulator and benchmarks build it directly.
 */
export const strategies = [
  'longest_idle',
  'least_busy_time',
  'fewest_handled',
  'round_robin',
  'ring_all',
  'random',
] as const;
export type Strategy = (typeof strategies)[number];

export interface SkillRequirement {
  readonly skillId: SkillId;
  /** 1–10; an agent qualifies with a level at or above it. */
  readonly minLevel: number;
}

/**
 * One ring of the bullseye: after waiting `afterMs` in the queue, required levels drop by `relaxLevelsBy`
 * (never below 1) and the agents of `addQueues` may take the interaction too. Steps are cumulative:
 * each states the whole relaxation from the start, and their `afterMs` must rise.
 */
export interface ExpansionStep {
  readonly afterMs: number;
  readonly relaxLevelsBy: number;
  readonly addQueues: readonly QueueId[];
}

export type OverflowAction =
  | { readonly type: 'queue'; readonly queueId: QueueId }
  | { readonly type: 'callback' }
  | { readonly type: 'voicemail' }
  | { readonly type: 'external'; readonly number: string }
  | { readonly type: 'close'; readonly message: string };

/**
 * Taken once per interaction, the first that applies: after `afterMs` in the queue, or at once when
 * `noAgents` and no agent who could take it is logged in. The router emits the decision; the channel
 * carries it out (plays the message, dials the number, records the voicemail).
 */
export interface OverflowRule {
  readonly afterMs: number | null;
  readonly noAgents: boolean;
  readonly action: OverflowAction;
}

export interface QueueConfig {
  readonly id: QueueId;
  readonly name: string;
  readonly strategy: Strategy;
  /** Default priority of interactions entering this queue (higher is served first). */
  readonly priority: number;
  readonly requiredSkills: readonly SkillRequirement[];
  /** Explicit members; `null`: every agent who has the required skills. */
  readonly members: ReadonlySet<AgentId> | null;
  readonly offerTimeoutMs: number;
  readonly wrapUpMs: number;
  /** Work of these channels from this queue blocks offers on other channels (default: voice). */
  readonly exclusiveChannels: readonly Channel[];
  readonly expansion: readonly ExpansionStep[];
  readonly overflow: readonly OverflowRule[];
}

export function queueConfig(
  fields: Pick<QueueConfig, 'id' | 'name'> & Partial<Omit<QueueConfig, 'id' | 'name'>>,
): QueueConfig {
  return {
    strategy: 'longest_idle',
    priority: 0,
    requiredSkills: [],
    members: null,
    offerTimeoutMs: 20_000,
    wrapUpMs: 0,
    exclusiveChannels: ['voice'],
    expansion: [],
    overflow: [],
    ...fields,
  };
}
