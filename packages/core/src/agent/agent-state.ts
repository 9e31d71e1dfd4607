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

type AgentPatch = Partial<Omit<AgentState, 'id' | 'status' | 'statusSince' | 'capacity'>>;

/**
 * Applies `patch` and derives the status. Builds the new record field by field (one allocation, one
 * object shape for every agent: the router reads these millions of times).
 */
function settle(before: AgentState, patch: AgentPatch, at: Millis): AgentChange {
  const presence = patch.presence ?? before.presence;
  const work = patch.work ?? before.work;
  const notReadyReason = patch.notReadyReason !== undefined ? patch.notReadyReason : before.notReadyReason;
  const status = deriveStatus(presence, work);
  const changed = status !== before.status || notReadyReason !== before.notReadyReason;
  const agent: AgentState = {
    id: before.id,
    presence,
    notReadyReason,
    status,
    statusSince: changed ? at : before.statusSince,
    capacity: before.capacity,
    work,
    missedInRow: patch.missedInRow ?? before.missedInRow,
    handledCount: patch.handledCount ?? before.handledCount,
    busyMs: patch.busyMs ?? before.busyMs,
    idleSince: patch.idleSince ?? before.idleSince,
    lastOfferAt: patch.lastOfferAt ?? before.lastOfferAt,
  };
  if (!changed) return { agent, events: NO_EVENTS };
  return {
    agent,
    events: [
      {
        type: 'agent.state_changed',
        agentId: agent.id,
        from: before.status,
        to: status,
        presence,
        reason: notReadyReason,
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
  return settle(agent, { presence: 'not_ready', notReadyReason: null, missedInRow: 0 }, at);
}

export function logout(agent: AgentState, at: Millis): AgentChange {
  if (agent.presence === 'logged_out') return { agent, events: NO_EVENTS };
  return settle(agent, { presence: 'logged_out', notReadyReason: null }, at);
}

export function setReady(agent: AgentState, at: Millis): AgentChange {
  if (agent.presence === 'logged_out') throw illegal(agent, 'cannot become ready while logged out');
  if (agent.presence === 'ready') return { agent, events: NO_EVENTS };
  const idleSince = agent.work.length === 0 ? at : agent.idleSince;
  return settle(agent, { presence: 'ready', notReadyReason: null, missedInRow: 0, idleSince }, at);
}

export function setNotReady(agent: AgentState, reason: string | null, at: Millis): AgentChange {
  if (agent.presence === 'logged_out') throw illegal(agent, 'cannot become not ready while logged out');
  if (agent.presence === 'not_ready' && agent.notReadyReason === reason) return { agent, events: NO_EVENTS };
  return settle(agent, { presence: 'not_ready', notReadyReason: reason }, at);
}

export function offer(
  agent: AgentState,
  item: { interactionId: InteractionId; channel: Channel; exclusive: boolean },
  at: Millis,
): AgentChange {
  if (freeSlots(agent, item.channel) < 1)
    throw illegal(agent, `no free ${item.channel} capacity for an offer`);
  const work = workItem(item.interactionId, item.channel, 'offered', item.exclusive, at, null);
  return settle(agent, { work: [...agent.work, work], lastOfferAt: at }, at);
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
  return settle(agent, { work, missedInRow: 0 }, at);
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
  return settle(
    agent,
    {
      work,
      missedInRow: tooMany ? 0 : missedInRow,
      presence: tooMany ? 'not_ready' : agent.presence,
      notReadyReason: tooMany ? MISSED_REASON : agent.notReadyReason,
      idleSince,
    },
    at,
  );
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
  return settle(agent, { work, busyMs, handledCount, idleSince }, at);
}

export function finishWrapUp(agent: AgentState, interactionId: InteractionId, at: Millis): AgentChange {
  const i = findWork(agent, interactionId, 'wrap_up');
  const work = replaceWork(agent.work, i, null);
  const idleSince = work.length === 0 ? at : agent.idleSince;
  return settle(agent, { work, idleSince }, at);
}

/** The interaction left the agent without a normal end (transferred away, customer gone while ringing…). */
export function releaseWork(agent: AgentState, interactionId: InteractionId, at: Millis): AgentChange {
  const i = agent.work.findIndex((w) => w.interactionId === interactionId);
  if (i < 0) return { agent, events: NO_EVENTS };
  const item = agent.work[i]!;
  const busyMs = item.phase === 'connected' ? agent.busyMs + (at - item.since) : agent.busyMs;
  const work = replaceWork(agent.work, i, null);
  const idleSince = work.length === 0 ? at : agent.idleSince;
  return settle(agent, { work, busyMs, idleSince }, at);
}

export function setCapacity(agent: AgentState, capacity: Capacity): AgentState {
  return { ...agent, capacity };
}
