import { DomainError } from '../domain-error';
import type { InteractionId } from '../ids';
import type { Millis } from '../ports';

/**
 * The life of one interaction (обращение) on any channel:
 *
 *   new → in_flow → queued ⇄ offered → connected → wrap_up → closed
 *
 * with the side exits `abandoned` (the customer left while waiting), `missed` (the system gave up:
 * overflow "close", no agent ever), `transferred` (handed to an external number), `voicemail`, and the
 * waiting state `callback_scheduled` (the customer hung up but keeps their place; routed like `queued`).
 * A transfer to a queue or an agent inside Hotline is `connected → queued` again on the same interaction.
 *
 * The table below is the whole contract: an event not listed for the current state is refused with
 * `ILLEGAL_TRANSITION`, and every accepted one yields a timestamped `interaction.state_changed` event.
 */
export const interactionStates = [
  'new',
  'in_flow',
  'queued',
  'offered',
  'connected',
  'wrap_up',
  'closed',
  'abandoned',
  'missed',
  'transferred',
  'callback_scheduled',
  'voicemail',
] as const;
export type InteractionState = (typeof interactionStates)[number];

export const finalInteractionStates: ReadonlySet<InteractionState> = new Set([
  'closed',
  'abandoned',
  'missed',
  'transferred',
  'voicemail',
]);

/** States in which an interaction waits for the router. */
export const waitingInteractionStates: ReadonlySet<InteractionState> = new Set([
  'queued',
  'callback_scheduled',
]);

export const lifecycleEvents = [
  'flow_started',
  'queued',
  'callback_requested',
  'offered',
  'offer_withdrawn',
  'connected',
  'ended',
  'closed',
  'abandoned',
  'missed',
  'transferred',
  'voicemail',
] as const;
export type LifecycleEvent = (typeof lifecycleEvents)[number];

interface Edge {
  readonly from: readonly InteractionState[];
  /** Where the event leads; `offer_withdrawn` returns to the waiting state the offer was made from. */
  readonly to: InteractionState | 'previous_waiting';
}

export const lifecycleTable: Readonly<Record<LifecycleEvent, Edge>> = {
  flow_started: { from: ['new'], to: 'in_flow' },
  queued: { from: ['new', 'in_flow', 'connected'], to: 'queued' },
  callback_requested: { from: ['in_flow', 'queued'], to: 'callback_scheduled' },
  offered: { from: ['queued', 'callback_scheduled'], to: 'offered' },
  offer_withdrawn: { from: ['offered'], to: 'previous_waiting' },
  connected: { from: ['offered'], to: 'connected' },
  ended: { from: ['connected'], to: 'wrap_up' },
  closed: { from: ['new', 'in_flow', 'wrap_up'], to: 'closed' },
  abandoned: { from: ['new', 'in_flow', 'queued', 'offered', 'callback_scheduled'], to: 'abandoned' },
  missed: { from: ['queued', 'offered', 'callback_scheduled'], to: 'missed' },
  transferred: {
    from: ['in_flow', 'queued', 'offered', 'connected', 'callback_scheduled'],
    to: 'transferred',
  },
  voicemail: { from: ['in_flow', 'queued', 'offered', 'callback_scheduled'], to: 'voicemail' },
};

export interface InteractionLifecycle {
  readonly id: InteractionId;
  readonly state: InteractionState;
  readonly stateSince: Millis;
  /** The waiting state an offer was made from, so a withdrawn offer returns there. */
  readonly waitingState: 'queued' | 'callback_scheduled' | null;
}

export interface InteractionStateChanged {
  readonly type: 'interaction.state_changed';
  readonly interactionId: InteractionId;
  readonly from: InteractionState;
  readonly to: InteractionState;
  readonly cause: LifecycleEvent;
  readonly at: Millis;
}

export function newInteractionLifecycle(id: InteractionId, at: Millis): InteractionLifecycle {
  return { id, state: 'new', stateSince: at, waitingState: null };
}

export function canTransition(state: InteractionState, event: LifecycleEvent): boolean {
  return lifecycleTable[event].from.includes(state);
}

/** Applies `event`; throws `DomainError('ILLEGAL_TRANSITION')` when the table does not allow it. */
export function transitionInteraction(
  current: InteractionLifecycle,
  event: LifecycleEvent,
  at: Millis,
): { lifecycle: InteractionLifecycle; event: InteractionStateChanged } {
  const lifecycle: MutableInteractionLifecycle = {
    id: current.id,
    state: current.state,
    stateSince: current.stateSince,
    waitingState: current.waitingState,
  };
  return { lifecycle, event: advanceInteraction(lifecycle, event, at) };
}

/** A lifecycle changed in place by its only owner (the router's record of the interaction). */
export type MutableInteractionLifecycle = {
  -readonly [K in keyof InteractionLifecycle]: InteractionLifecycle[K];
};

/**
 * `transitionInteraction` in place: the same table, refusal and event, without a new lifecycle
 * object per step (the router makes several steps per decision and keeps the record for long).
 */
export function advanceInteraction(
  lifecycle: MutableInteractionLifecycle,
  event: LifecycleEvent,
  at: Millis,
): InteractionStateChanged {
  const edge = lifecycleTable[event];
  const from = lifecycle.state;
  if (!edge.from.includes(from)) {
    throw new DomainError(
      'ILLEGAL_TRANSITION',
      `interaction ${lifecycle.id}: "${event}" is not allowed in state "${from}"`,
    );
  }
  const to = edge.to === 'previous_waiting' ? (lifecycle.waitingState ?? 'queued') : edge.to;
  lifecycle.waitingState =
    to === 'queued' || to === 'callback_scheduled' ? to : to === 'offered' ? lifecycle.waitingState : null;
  lifecycle.state = to;
  lifecycle.stateSince = at;
  return { type: 'interaction.state_changed', interactionId: lifecycle.id, from, to, cause: event, at };
}
