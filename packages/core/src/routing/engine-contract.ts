import type { AgentPresence } from '../agent/agent-state';
import type { Capacity, Channel } from '../channels';
import type { AgentId, InteractionId, QueueId, SkillId } from '../ids';
import type { InteractionState } from '../interaction/interaction-lifecycle';
import type { Millis } from '../ports';
import type { SkillRequirement } from './queue-config';

/**
 * What goes into the routing engine and what it lets callers read: agent profiles, settings,
 * enqueue requests, stored state to restore from, and read-only views. The engine itself is in
 * routing-engine.ts.
 */
export interface AgentProfile {
  readonly id: AgentId;
  readonly capacity: Capacity;
  readonly skills: ReadonlyMap<SkillId, number>;
}

export interface EngineSettings {
  /** Offers in a row that time out before the agent is set not ready ("missed"); 0 disables. */
  readonly missedOffersLimit: number;
  /** Most agents rung at once by `ring_all`. */
  readonly ringAllMax: number;
  /** Overflow moves to another queue before the interaction is given up as missed (breaks loops). */
  readonly maxQueueHops: number;
  /** Runners-up recorded in a decision's explanation. */
  readonly explainCandidates: number;
}

export const defaultEngineSettings: EngineSettings = {
  missedOffersLimit: 3,
  ringAllMax: 50,
  maxQueueHops: 5,
  explainCandidates: 3,
};

export interface PreferredAgent {
  readonly agentId: AgentId;
  readonly kind: 'personal' | 'last' | 'transfer';
  /** How long only this agent may take it; after that anyone eligible may. */
  readonly exclusiveMs: number;
}

export interface EnqueueRequest {
  readonly id: InteractionId;
  readonly channel: Channel;
  readonly queueId: QueueId;
  /** Defaults to the queue's priority. */
  readonly priority?: number;
  /** Required on top of the queue's own skills. */
  readonly skills?: readonly SkillRequirement[];
  /** Effective enqueue time for ordering; defaults to now. A callback passes its original time. */
  readonly enqueuedAt?: Millis;
  readonly preferredAgent?: PreferredAgent | null;
  /** The customer is not on the line and waits to be called back (state `callback_scheduled`). */
  readonly callback?: boolean;
  /** Not routable before this time (a callback scheduled for later). */
  readonly notBefore?: Millis | null;
  /** Where the interaction is coming from when the router first sees it. */
  readonly from?: 'new' | 'in_flow';
}

export interface QueueSnapshot {
  readonly queueId: QueueId;
  readonly waiting: number;
  readonly oldestQueuedAt: Millis | null;
  readonly members: number;
  readonly loggedIn: number;
  readonly ready: number;
  readonly freeSlots: Readonly<Partial<Record<Channel, number>>>;
}

export interface InteractionView {
  readonly id: InteractionId;
  readonly channel: Channel;
  readonly state: InteractionState;
  readonly queueId: QueueId;
  readonly priority: number;
  readonly enqueuedAt: Millis;
  readonly queuedAt: Millis;
  readonly stage: number;
  readonly offeredTo: readonly AgentId[];
  readonly agentId: AgentId | null;
  /** When its current agent accepted it; null while not connected. */
  readonly connectedAt: Millis | null;
  readonly declinedBy: readonly AgentId[];
  /** Only this agent may take it until `until`. */
  readonly preferred: { readonly agentId: AgentId; readonly until: Millis } | null;
  readonly notBefore: Millis | null;
  readonly requiredSkills: readonly SkillRequirement[];
  /** Arrival order among equal priority and time; keep it across restarts. */
  readonly seq: number;
}

/** An agent as stored, to rebuild the engine after a restart. */
export interface RestoredAgent {
  readonly profile: AgentProfile;
  readonly presence: AgentPresence;
  readonly notReadyReason: string | null;
  readonly since: Millis;
  /** Interactions handled since the start of the day (0 when omitted), so the count survives a restart. */
  readonly handledCount?: number;
}

/** An open interaction as stored. `offered` ones come back waiting (the offer died with the process). */
export interface RestoredInteraction {
  readonly id: InteractionId;
  readonly channel: Channel;
  readonly state: 'queued' | 'callback_scheduled' | 'offered' | 'connected' | 'wrap_up';
  readonly queueId: QueueId;
  readonly priority: number;
  readonly skills: readonly SkillRequirement[];
  readonly enqueuedAt: Millis;
  readonly queuedAt: Millis;
  readonly seq: number;
  readonly stage: number;
  readonly declinedBy: readonly AgentId[];
  readonly preferred: { readonly agentId: AgentId; readonly until: Millis } | null;
  readonly notBefore: Millis | null;
  readonly agentId: AgentId | null;
  readonly connectedAt: Millis | null;
  /** Since when the current state holds (wrap-up ends at this + the queue's wrap-up time). */
  readonly stateSince: Millis;
  readonly callback: boolean;
}
