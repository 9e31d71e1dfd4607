import type { AgentStateDto, QueueLive } from '@hotline/protocol/routing';

/**
 * Pure figures for the wallboard: totals over the queues, agents by state, and a short rolling
 * history of waiting counts for the live chart (sampled from the `queues` frames, at most one point
 * per `minGapMs`, the oldest dropped beyond `keepMs`).
 */
export interface Totals {
  waiting: number;
  longestWaitSeconds: number;
  offered: number;
  answered: number;
  abandoned: number;
  /** Weighted by answered + abandoned per queue; null before anything was handled. */
  serviceLevel: number | null;
}

export function totals(queues: readonly QueueLive[]): Totals {
  let waiting = 0;
  let longest = 0;
  let offered = 0;
  let answered = 0;
  let abandoned = 0;
  let slWeighted = 0;
  let slWeight = 0;
  for (const q of queues) {
    waiting += q.waiting;
    longest = Math.max(longest, q.longestWaitSeconds);
    offered += q.offeredToday;
    answered += q.answeredToday;
    abandoned += q.abandonedToday;
    if (q.serviceLevel !== null) {
      const w = Math.max(1, q.answeredToday + q.abandonedToday);
      slWeighted += q.serviceLevel * w;
      slWeight += w;
    }
  }
  return {
    waiting,
    longestWaitSeconds: longest,
    offered,
    answered,
    abandoned,
    serviceLevel: slWeight === 0 ? null : slWeighted / slWeight,
  };
}

export type AgentBucket = 'ready' | 'busy' | 'not_ready' | 'wrap_up' | 'logged_out';

/** `reserved` (an offer ringing) counts as busy: the agent is not free for another offer. */
export function bucketOf(status: AgentStateDto['status']): AgentBucket {
  switch (status) {
    case 'reserved':
    case 'busy':
      return 'busy';
    default:
      return status;
  }
}

export function agentCounts(agents: readonly AgentStateDto[]): Record<AgentBucket, number> {
  const counts: Record<AgentBucket, number> = { ready: 0, busy: 0, not_ready: 0, wrap_up: 0, logged_out: 0 };
  for (const a of agents) counts[bucketOf(a.status)]++;
  return counts;
}

export interface HistoryPoint {
  at: number;
  /** Waiting per queue id. */
  waiting: Record<string, number>;
}

export function addSample(
  history: readonly HistoryPoint[],
  queues: readonly QueueLive[],
  at: number,
  { minGapMs = 2_000, keepMs = 15 * 60_000 } = {},
): HistoryPoint[] {
  const last = history.at(-1);
  const point = { at, waiting: Object.fromEntries(queues.map((q) => [q.queueId, q.waiting])) };
  const kept = history.filter((p) => p.at > at - keepMs);
  if (last && at - last.at < minGapMs) {
    // Too soon for a new point: the newest one takes the latest figures instead.
    return [...kept.slice(0, -1), { at: last.at, waiting: point.waiting }];
  }
  return [...kept, point];
}

/** Merges an agent state event into the grid's list without waiting for the next fetch. */
export function applyAgentEvent(
  agents: readonly AgentStateDto[],
  event: { agentId?: unknown; to?: unknown; presence?: unknown; reason?: unknown; at?: unknown },
): AgentStateDto[] | null {
  const i = agents.findIndex((a) => a.agentId === event.agentId);
  if (i < 0 || typeof event.to !== 'string' || typeof event.at !== 'number') return null;
  const next = [...agents];
  const a = agents[i]!;
  next[i] = {
    ...a,
    status: event.to as AgentStateDto['status'],
    presence: (typeof event.presence === 'string' ? event.presence : a.presence) as AgentStateDto['presence'],
    reason: typeof event.reason === 'string' ? event.reason : null,
    since: new Date(event.at).toISOString(),
  };
  return next;
}
