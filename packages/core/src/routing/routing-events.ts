import type { AgentStateChanged } from '../agent/agent-state';
import type { Channel } from '../channels';
import type { AgentId, InteractionId, QueueId } from '../ids';
import type { InteractionStateChanged } from '../interaction/interaction-lifecycle';
import type { Millis } from '../ports';
import type { RoutingExplanation } from './explanation';
import type { OverflowAction } from './queue-config';

/**
 * Everything the routing engine decides, as domain events in the order they happened. The server
 * stores them with the state in one transaction (outbox), then pushes them to agents and supervisors;
 * channels act on `routing.offered`, `routing.offer_withdrawn` and `routing.overflow`.
 */
export interface InteractionQueued {
  readonly type: 'interaction.queued';
  readonly interactionId: InteractionId;
  readonly queueId: QueueId;
  readonly channel: Channel;
  readonly priority: number;
  /** Effective enqueue time: the order key (a callback or a transfer keeps its original time). */
  readonly enqueuedAt: Millis;
  readonly at: Millis;
}

export interface RoutingOffered {
  readonly type: 'routing.offered';
  readonly interactionId: InteractionId;
  readonly queueId: QueueId;
  readonly channel: Channel;
  readonly agentIds: readonly AgentId[];
  readonly expiresAt: Millis;
  readonly explanation: RoutingExplanation;
  readonly at: Millis;
}

export interface RoutingOfferWithdrawn {
  readonly type: 'routing.offer_withdrawn';
  readonly interactionId: InteractionId;
  readonly agentId: AgentId;
  readonly reason: 'declined' | 'timeout' | 'revoked' | 'taken_by_other';
  readonly at: Millis;
}

export interface RoutingAccepted {
  readonly type: 'routing.accepted';
  readonly interactionId: InteractionId;
  readonly agentId: AgentId;
  readonly queueId: QueueId;
  /** Time from entering the queue to the answer (for ASA and service level). */
  readonly waitedMs: number;
  readonly at: Millis;
}

export interface RoutingExpanded {
  readonly type: 'routing.expanded';
  readonly interactionId: InteractionId;
  readonly queueId: QueueId;
  readonly step: number;
  readonly at: Millis;
}

export interface RoutingOverflow {
  readonly type: 'routing.overflow';
  readonly interactionId: InteractionId;
  readonly queueId: QueueId;
  readonly action: OverflowAction;
  readonly reason: 'timeout' | 'no_agents';
  readonly at: Millis;
}

export interface InteractionEnded {
  readonly type: 'interaction.ended';
  readonly interactionId: InteractionId;
  readonly agentId: AgentId;
  readonly queueId: QueueId;
  readonly handledMs: number;
  readonly at: Millis;
}

export type RoutingEvent =
  | InteractionStateChanged
  | AgentStateChanged
  | InteractionQueued
  | RoutingOffered
  | RoutingOfferWithdrawn
  | RoutingAccepted
  | RoutingExpanded
  | RoutingOverflow
  | InteractionEnded;
