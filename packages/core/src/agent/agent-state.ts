import type { Capacity, Channel } from '../channels';
import { DomainError } from '../domain-error';
import type { AgentId, InteractionId } from '../ids';
import type { Millis } from '../ports';

/**
 * An agent as the router sees them: a presence the agent chooses (`logged_out`, `ready`,
 * `not_ready` with a reason) and the work they hold. The status shown to supervisors and counted in
 * reports is derived from both:
 *
 *   connected work → busy;  else an open offer → reserved;  else wrap-up → wrap_up;  else presence.
 *
 * A not-ready request during a call takes effect for routing at once (no new offers) and shows once
 * the work is done. Every change of status or reason is an `agent.state_changed` event with its time,
 * so time in each state is exact.
 *
 * Capacity: an agent holds up to `capacity[channel]` interactions per channel (offered, connected or
 * in wrap-up). Work marked `exclusive` (a call, by default) blocks offers on every other channel.
 */
export type AgentPresence = 'logged_out' | 'ready' | 'not_ready';
export const agentStatuses = ['logged_out', 'ready', 'not_ready', 'reserved', 'busy', 'wrap_up'] as const;
export type AgentStatus = (typeof agentStatuses)[number];
export type WorkPhase = 'offered' | 'connected' | 'wrap_up';

export interface WorkItem {
  readonly interactionId: InteractionId;
  readonly channel: Channel;
  readonly phase: WorkPhase;
  /** Blocks offers on other channels while held. */
  readonly exclusive: boolean;
  /** When the current phase began. */
  readonly since: Millis;
  /** In wrap-up: when the slot frees by itself. */
  readonly wrapUpUntil: Millis | null;
}

/** Builds work items field by field, so that they all share one object shape. */
export function workItem(
  interactionId: InteractionId,
  channel: Channel,
  phase: WorkPhase,
  exclusive: boolean,
  since: Millis,
  wrapUpUntil: Millis | null,
): WorkItem {
  return { interactionId, channel, phase, exclusive, since, wrapUpUntil };
}

export interface AgentState {
  readonly id: AgentId;
  readonly presence: AgentPresence;
  readonly notReadyReason: string | null;
  readonly status: AgentStatus;
  readonly statusSince: Millis;
  readonly capacity: Capacity;
  readonly work: readonly WorkItem[];
  /** Offers that timed out in a row; reset by an accepted offer or a return to ready. */
  readonly missedInRow: number;
  /** Figures for the routing strategies (reset by the caller at the start of a day). */
  readonly handledCount: number;
  readonly busyMs: number;
  /** Since when the agent has held no work (or logged in / became ready). */
  readonly idleSince: Millis;
  readonly lastOfferAt: Millis;
}

export interface AgentStateChanged {
  readonly type: 'agent.state_changed';
  readonly agentId: AgentId;
  readonly from: AgentStatus;
  readonly to: AgentStatus;
  readonly presence: AgentPresence;
  readonly reason: string | null;
  readonly at: Millis;
}

export interface AgentChange {
  readonly agent: AgentState;
  readonly events: readonly AgentStateChanged[];
}

const NO_EVENTS: readonly AgentStateChanged[] = Object.freeze([]);

/** Reason set by the router after too many offers in a row were not answered. */
export const MISSED_REASON = 'missed';

export function newAgentState(id: AgentId, capacity: Capacity, at: Millis): AgentState {
  return {
    id,
    presence: 'logged_out',
    notReadyReason: null,
    status: 'logged_out',
    statusSince: at,
    capacity,
    work: [],
    missedInRow: 0,
    handledCount: 0,
    busyMs: 0,
    idleSince: at,
    lastOfferAt: 0 as Millis,
  };
}

export function deriveStatus(presence: AgentPresence, work: readonly WorkItem[]): AgentStatus {
  let offered = false;
  let wrapUp = false;
  for (const w of work) {
    if (w.phase === 'connected') return 'busy';
    if (w.phase === 'offered') offered = true;
    else wrapUp = true;
  }
  if (offered) return 'reserved';
  if (wrapUp) return 'wrap_up';
  return presence;
}

/** Interactions of `channel` this agent could be offered now (0 when not ready or blocked). */
export function freeSlots(agent: AgentState, channel: Channel): number {
  if (agent.presence !== 'ready') return 0;
  let held = 0;
  for (const w of agent.work) {
    if (w.channel === channel) held++;
    else if (w.exclusive) return 0;
  }
  return Math.max(0, agent.capacity[channel] - held);
}

export function workLoad(agent: AgentState): number {
  return agent.work.length;
}

/** The next record being built: a copy of the agent with every field, changed in place before `settle`. */
type Draft = { -readonly [K in keyof AgentState]: AgentState[K] };

/**
 * A copy of the record to change (one allocation, one object shape for every agent: the router reads
 * these millions of times, and a patch object of a different shape per command made every read of it
 * megamorphic).
 */
function draft(before: AgentState): Draft {
  return {
    id: before.id,
    presence: before.presence,
    notReadyReason: before.notReadyReason,
    status: before.status,
    statusSince: before.statusSince,
    capacity: before.capacity,
    work: before.work,
    missedInRow: before.missedInRow,
    handledCount: before.handledCount,
    busyMs: before.busyMs,
    idleSince: before.idleSince,
    lastOfferAt: before.lastOfferAt,
  };
}

/**
 * An agent's state as stored before a restart: presence, the work it still holds, and its count of
 * handled interactions (same object shape as every other state).
 */
export function restoredAgentState(
  base: AgentState,
  restored: {
    presence: AgentPresence;
    notReadyReason: string | null;
    work: readonly WorkItem[];
    handledCount: number;
  },
  since: Millis,
): AgentState {
  const next = draft(base);
  next.presence = restored.presence;
  next.notReadyReason = restored.presence === 'not_ready' ? restored.notReadyReason : null;
  next.work = restored.work;
  next.status = deriveStatus(restored.presence, restored.work);
  next.statusSince = since;
  next.idleSince = since;
  next.handledCount = restored.handledCount;
  return next;
}

/** Derives the draft's status (and since when) from its presence and work, with the event of a change. */
function settle(before: AgentState, next: Draft, at: Millis): AgentChange {
  const status = deriveStatus(next.presence, next.work);
  const changed = status !== before.status || next.notReadyReason !== before.notReadyReason;
  next.status = status;
  next.statusSince = changed ? at : before.statusSince;
  if (!changed) return { agent: next, events: NO_EVENTS };
  return {
    agent: next,
    events: [
      {
        type: 'agent.state_changed',
        agentId: next.id,
        from: before.status,
        to: status,
        presence: next.presence,
        reason: next.notReadyReason,
        at,
      },
    ],
  };
}

const illegal = (agent: AgentState, what: string): DomainError =>
  new DomainError('ILLEGAL_TRANSITION', `agent ${agent.id}: ${what} (status "${agent.status}")`);

/** Logging in starts not ready, so nothing is offered before the agent says so. */
export function login(agent: AgentState, at: Millis): AgentChange {
  if (agent.presence !== 'logged_out') return { agent, events: NO_EVENTS };
  const next = draft(agent);
  next.presence = 'not_ready';
  next.notReadyReason = null;
  next.missedInRow = 0;
  return settle(agent, next, at);
}

export function logout(agent: AgentState, at: Millis): AgentChange {
  if (agent.presence === 'logged_out') return { agent, events: NO_EVENTS };
  const next = draft(agent);
  next.presence = 'logged_out';
  next.notReadyReason = null;
  return settle(agent, next, at);
}

export function setReady(agent: AgentState, at: Millis): AgentChange {
  if (agent.presence === 'logged_out') throw illegal(agent, 'cannot become ready while logged out');
  if (agent.presence === 'ready') return { agent, events: NO_EVENTS };
  const idleSince = agent.work.length === 0 ? at : agent.idleSince;
  const next = draft(agent);
  next.presence = 'ready';
  next.notReadyReason = null;
  next.missedInRow = 0;
  next.idleSince = idleSince;
  return settle(agent, next, at);
}

export function setNotReady(agent: AgentState, reason: string | null, at: Millis): AgentChange {
  if (agent.presence === 'logged_out') throw illegal(agent, 'cannot become not ready while logged out');
  if (agent.presence === 'not_ready' && agent.notReadyReason === reason) return { agent, events: NO_EVENTS };
  const next = draft(agent);
  next.presence = 'not_ready';
  next.notReadyReason = reason;
  return settle(agent, next, at);
}

export function offer(
  agent: AgentState,
  item: { interactionId: InteractionId; channel: Channel; exclusive: boolean },
  at: Millis,
): AgentChange {
  if (freeSlots(agent, item.channel) < 1)
    throw illegal(agent, `no free ${item.channel} capacity for an offer`);
  const work = workItem(item.interactionId, item.channel, 'offered', item.exclusive, at, null);
  const next = draft(agent);
  next.work = [...agent.work, work];
  next.lastOfferAt = at;
  return settle(agent, next, at);
}

/**
 * The same interaction can be held twice by one agent: in wrap-up after transferring it, and offered
 * again when it comes back to them. Work is therefore found by interaction and phase.
 */
function findWork(agent: AgentState, interactionId: InteractionId, phase: WorkPhase): number {
  const i = agent.work.findIndex((w) => w.interactionId === interactionId && w.phase === phase);
  if (i < 0) {
    throw new DomainError('NOT_YOUR_OFFER', `agent ${agent.id} holds no ${phase} work for ${interactionId}`);
  }
  return i;
}

function replaceWork(work: readonly WorkItem[], i: number, item: WorkItem | null): WorkItem[] {
  const next = work.slice();
  if (item) next[i] = item;
  else next.splice(i, 1);
  return next;
}

export function accept(agent: AgentState, interactionId: InteractionId, at: Millis): AgentChange {
  const i = findWork(agent, interactionId, 'offered');
  const held = agent.work[i]!;
  const work = replaceWork(
    agent.work,
    i,
    workItem(held.interactionId, held.channel, 'connected', held.exclusive, at, null),
  );
  const next = draft(agent);
  next.work = work;
  next.missedInRow = 0;
  return settle(agent, next, at);
}

/**
 * An offer ends without an answer. `timeout` counts toward `missedLimit`: reaching it sets the agent
 * not ready with reason "missed" so callers stop ringing an absent agent.
 */
export function withdrawOffer(
  agent: AgentState,
  interactionId: InteractionId,
  reason: 'declined' | 'timeout' | 'revoked',
  at: Millis,
  missedLimit: number,
): AgentChange {
  const i = findWork(agent, interactionId, 'offered');
  const work = replaceWork(agent.work, i, null);
  const missedInRow = reason === 'timeout' ? agent.missedInRow + 1 : agent.missedInRow;
  const tooMany =
    reason === 'timeout' && missedLimit > 0 && missedInRow >= missedLimit && agent.presence === 'ready';
  const idleSince = work.length === 0 ? at : agent.idleSince;
  const next = draft(agent);
  next.work = work;
  next.missedInRow = tooMany ? 0 : missedInRow;
  if (tooMany) {
    next.presence = 'not_ready';
    next.notReadyReason = MISSED_REASON;
  }
  next.idleSince = idleSince;
  return settle(agent, next, at);
}

/** The conversation ended; the slot stays held for wrap-up until `at + wrapUpMs` (0: freed now). */
export function endWork(
  agent: AgentState,
  interactionId: InteractionId,
  at: Millis,
  wrapUpMs: number,
): AgentChange {
  const i = findWork(agent, interactionId, 'connected');
  const item = agent.work[i]!;
  const busyMs = agent.busyMs + (at - item.since);
  const handledCount = agent.handledCount + 1;
  const work = replaceWork(
    agent.work,
    i,
    wrapUpMs > 0
      ? workItem(item.interactionId, item.channel, 'wrap_up', item.exclusive, at, (at + wrapUpMs) as Millis)
      : null,
  );
  const idleSince = work.length === 0 ? at : agent.idleSince;
  const next = draft(agent);
  next.work = work;
  next.busyMs = busyMs;
  next.handledCount = handledCount;
  next.idleSince = idleSince;
  return settle(agent, next, at);
}

export function finishWrapUp(agent: AgentState, interactionId: InteractionId, at: Millis): AgentChange {
  const i = findWork(agent, interactionId, 'wrap_up');
  const work = replaceWork(agent.work, i, null);
  const idleSince = work.length === 0 ? at : agent.idleSince;
  const next = draft(agent);
  next.work = work;
  next.idleSince = idleSince;
  return settle(agent, next, at);
}

/** The interaction left the agent without a normal end (transferred away, customer gone while ringing…). */
export function releaseWork(agent: AgentState, interactionId: InteractionId, at: Millis): AgentChange {
  const i = agent.work.findIndex((w) => w.interactionId === interactionId);
  if (i < 0) return { agent, events: NO_EVENTS };
  const item = agent.work[i]!;
  const busyMs = item.phase === 'connected' ? agent.busyMs + (at - item.since) : agent.busyMs;
  const work = replaceWork(agent.work, i, null);
  const idleSince = work.length === 0 ? at : agent.idleSince;
  const next = draft(agent);
  next.work = work;
  next.busyMs = busyMs;
  next.idleSince = idleSince;
  return settle(agent, next, at);
}

export function setCapacity(agent: AgentState, capacity: Capacity): AgentState {
  const next = draft(agent);
  next.capacity = capacity;
  return next;
}
