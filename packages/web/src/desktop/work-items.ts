import type { AgentStateDto } from '@hotline/protocol/routing';

/**
 * Pure helpers over the agent's work as `GET /api/agent/me` reports it: which items are offers,
 * which are open conversations, the order of the chat list, the next chat for Alt+↓, and when an
 * offer stops ringing.
 */
export type WorkItem = AgentStateDto['work'][number];

const phaseOrder: Record<WorkItem['phase'], number> = { offered: 0, connected: 1, wrap_up: 2 };

/** Offers are shown as cards; everything else is in the chat list, oldest first, wrap-ups last. */
export function splitWork(work: readonly WorkItem[]): { offers: WorkItem[]; open: WorkItem[] } {
  const offers = work.filter((w) => w.phase === 'offered').sort((a, b) => a.since.localeCompare(b.since));
  const open = work
    .filter((w) => w.phase !== 'offered')
    .sort((a, b) => phaseOrder[a.phase] - phaseOrder[b.phase] || a.since.localeCompare(b.since));
  return { offers, open };
}

/** The item after (or before) `current` in the list, wrapping around; the first one when none is open. */
export function stepSelection(
  open: readonly WorkItem[],
  current: string | null,
  direction: 1 | -1,
): string | null {
  if (open.length === 0) return null;
  const i = open.findIndex((w) => w.interactionId === current);
  if (i < 0) return open[0]!.interactionId;
  return open[(i + direction + open.length) % open.length]!.interactionId;
}

/** Keeps a selection that still exists; otherwise the first open item (or none). */
export function keepSelection(open: readonly WorkItem[], current: string | null): string | null {
  if (current && open.some((w) => w.interactionId === current)) return current;
  return open[0]?.interactionId ?? null;
}

/**
 * When an offer stops ringing: the router's `expiresAt` when the offer event was seen, otherwise
 * the offer's start plus the queue's offer timeout; `null` when neither is known.
 */
export function offerDeadline(
  item: WorkItem,
  expiresAt: ReadonlyMap<string, number>,
  offerTimeoutSeconds: number | undefined,
): number | null {
  const known = expiresAt.get(item.interactionId);
  if (known !== undefined) return known;
  if (offerTimeoutSeconds === undefined) return null;
  return Date.parse(item.since) + offerTimeoutSeconds * 1000;
}

/** Milliseconds as a clock: 7 s → "0:07", 754 s → "12:34", 3 723 s → "1:02:03"; negative counts as zero. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Time left, rounded up to the whole second (a countdown shows 0:01 until it is really over). */
export function formatCountdown(ms: number): string {
  return formatDuration(Math.ceil(Math.max(0, ms) / 1000) * 1000);
}
