import type { AgentId, InteractionId, QueueId, SkillId } from '../ids';
import type { Millis } from '../ports';
import type { Strategy } from './queue-config';

/**
 * Why a decision went the way it did, kept with the decision and shown to supervisors. The router
 * reads only the head of its ordered indexes, so a record lists the agents (or interactions) it
 * actually looked at — the chosen one, the runners-up with their ordering keys, and those passed over
 * with the reason — plus the size of each pool. `explainWaiting` answers the other question ("why is
 * this one still waiting?") by walking every member of its pools, on demand.
 */
export type SkipReason =
  | { readonly code: 'declined' }
  | {
      readonly code: 'missing_skill';
      readonly skillId: SkillId;
      readonly level: number;
      readonly required: number;
    }
  | { readonly code: 'reserved_for_other_agent'; readonly agentId: AgentId };

export interface ExplainedAgent {
  readonly agentId: AgentId;
  readonly queueId: QueueId;
  readonly strategy: Strategy;
  readonly primary: number;
  readonly secondary: number;
  readonly skillMatch: number;
  readonly idleSince: number;
}

export interface ExplainedInteraction {
  readonly interactionId: InteractionId;
  readonly queueId: QueueId;
  readonly priority: number;
  readonly enqueuedAt: Millis;
}

export interface PoolSummary {
  readonly queueId: QueueId;
  readonly relaxLevelsBy: number;
  /** Agents who qualify for this pool. */
  readonly members: number;
  /**
   * Of those, how many had free capacity on the channel when the indexes were last brought up to date:
   * before each interaction-trigger decision and at the end of each command (an agent trigger's own
   * agent, freed within the command, is not counted yet).
   */
  readonly available: number;
}

export interface RoutingExplanation {
  /** `interaction`: a routable interaction looked for an agent; `agent`: an agent with free capacity looked for work; `preferred`: the personal or last agent. */
  readonly trigger: 'interaction' | 'agent' | 'preferred';
  readonly pools: readonly PoolSummary[];
  readonly chosen: readonly AgentId[];
  readonly candidates: readonly ExplainedAgent[];
  readonly skippedAgents: readonly { readonly agentId: AgentId; readonly reason: SkipReason }[];
  /** For the agent trigger: the head of each queue the agent serves. */
  readonly consideredInteractions: readonly ExplainedInteraction[];
}

export type WaitingReason =
  | { readonly code: 'logged_out' }
  | { readonly code: 'not_ready'; readonly reason: string | null }
  | { readonly code: 'no_capacity' }
  | { readonly code: 'blocked_by_exclusive_work' }
  | SkipReason;

export interface WaitingExplanation {
  readonly interactionId: InteractionId;
  readonly queueId: QueueId;
  readonly state: string;
  readonly stage: number;
  readonly pools: readonly PoolSummary[];
  readonly agents: readonly {
    readonly agentId: AgentId;
    readonly queueId: QueueId;
    readonly reason: WaitingReason;
  }[];
}
