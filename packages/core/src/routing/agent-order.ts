import type { AgentState } from '../agent/agent-state';
import type { Channel } from '../channels';
import type { SkillId } from '../ids';
import type { SkillRequirement, Strategy } from './queue-config';

/**
 * The order in which a queue's free agents are chosen. `primary`/`secondary` come from the queue's
 * strategy; ties go to the better skill match (sum of levels over the queue's required skills), then
 * to the agent idle longest, then to the agent's ordinal (the order the engine first saw the agents —
 * a number, for a cheap comparison; decisions never depend on tree insertion order).
 *
 * - longest_idle:    fewest interactions held on the channel, then idle since earliest
 * - least_busy_time: least connected time in the period, then fewest held on the channel
 * - fewest_handled:  fewest interactions handled in the period, then fewest held on the channel
 * - round_robin:     offered least recently
 * - random:          a random ticket, drawn again each time the agent is offered something
 * - ring_all:        like longest_idle; the router offers to the first `ringAllMax` together
 *
 * "Held on the channel" (not in total) keeps an agent's place in the voice order unchanged while
 * their chats come and go, so a chat offer re-files the agent in chat indexes only.
 */
export interface AgentKey {
  readonly primary: number;
  readonly secondary: number;
  readonly negMatch: number;
  readonly idleSince: number;
  readonly ordinal: number;
}

export type MutableAgentKey = { -readonly [K in keyof AgentKey]: AgentKey[K] };

export function compareAgentKeys(a: AgentKey, b: AgentKey): number {
  return (
    a.primary - b.primary ||
    a.secondary - b.secondary ||
    a.negMatch - b.negMatch ||
    a.idleSince - b.idleSince ||
    a.ordinal - b.ordinal
  );
}

export function skillMatch(
  skills: ReadonlyMap<SkillId, number>,
  required: readonly SkillRequirement[],
): number {
  let sum = 0;
  for (const r of required) sum += skills.get(r.skillId) ?? 0;
  return sum;
}

/** Writes the agent's key into `out` (a reused object: the router computes keys very often). */
export function fillAgentKey<K extends MutableAgentKey>(
  out: K,
  strategy: Strategy,
  agent: AgentState,
  ordinal: number,
  match: number,
  channel: Channel,
  previous: AgentKey | undefined,
  random: () => number,
): K {
  let held = 0;
  for (const w of agent.work) if (w.channel === channel) held++;
  let primary: number;
  let secondary: number;
  switch (strategy) {
    case 'longest_idle':
    case 'ring_all':
      primary = held;
      secondary = agent.idleSince;
      break;
    case 'least_busy_time':
      primary = agent.busyMs;
      secondary = held;
      break;
    case 'fewest_handled':
      primary = agent.handledCount;
      secondary = held;
      break;
    case 'round_robin':
      primary = agent.lastOfferAt;
      secondary = held;
      break;
    case 'random':
      // Keep the ticket until the agent is offered something (lastOfferAt moves), then draw anew.
      secondary = agent.lastOfferAt;
      primary = previous && previous.secondary === secondary ? previous.primary : random();
      break;
  }
  out.primary = primary;
  out.secondary = secondary;
  out.negMatch = -match;
  out.idleSince = agent.idleSince;
  out.ordinal = ordinal;
  return out;
}

export function sameAgentKey(a: AgentKey, b: AgentKey): boolean {
  return compareAgentKeys(a, b) === 0;
}
