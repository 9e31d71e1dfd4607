import { type InteractionId, interactionId, type QueueId } from '@hotline/core/ids';
import type { InteractionView } from '@hotline/core/routing/engine-contract';
import type { RoutingEngine } from '@hotline/core/routing/routing-engine';
import { estimateWaitMs } from '@hotline/core/routing/wait-estimate';
import { compareWaitKeys, type WaitKey } from '@hotline/core/routing/wait-order';
import type { ConversationStatus } from '@hotline/protocol/chat';
import { defaultCapacity } from '@hotline/protocol/config';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { RoutingService } from '../routing/routing-service';
import type { ConversationLog } from './conversation-log';
import type { Conversation } from './conversations';

/**
 * What the customer sees of their conversation: queued (with place and estimated wait), connected
 * (with the agent's display name) or ended. The engine is the truth for the live part; a chat whose
 * interaction left the engine, went to wrap-up, or that the customer ended, is `ended`.
 *
 * EWT: `core/routing/wait-estimate.ts` with the queue's chat staffing from the engine snapshot and
 * today's average handle time of the queue (cached a minute per tenant); concurrency is the default
 * chat capacity (an agent holds about that many chats at once).
 */
const AHT_TTL_MS = 60_000;
/** Above this many waiting chats of one queue in a pass, positions come from one sort, not a scan each. */
const RANK_BY_SORT_FROM = 8;
const waitingStates = new Set(['queued', 'offered', 'callback_scheduled']);

export class ConversationStatusReader {
  readonly #names = new Map<string, { name: string; at: number }>();
  readonly #aht = new Map<string, { byQueue: Map<string, number>; at: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly routing: RoutingService,
    private readonly log: ConversationLog,
    private readonly clock: { now(): number },
  ) {}

  async one(conv: Conversation): Promise<ConversationStatus> {
    return (await this.many(conv.tenantId, [conv]))[0]!;
  }

  /** Statuses of several conversations of one tenant, with one pass over the engine. */
  async many(tenantId: string, convs: readonly Conversation[]): Promise<ConversationStatus[]> {
    const aht = await this.#ahtByQueue(tenantId);
    const live = await this.routing.read(tenantId, (engine) => {
      const snapshots = new Map<QueueId, ReturnType<typeof engine.queueSnapshot>>();
      const views = convs.map((c) => engine.interaction(interactionId(c.interactionId) as InteractionId));
      const positions = positionsOf(engine, views);
      return views.map((view) => {
        if (!view) return null;
        let position: number | null = null;
        let ewtSeconds: number | null = null;
        if (waitingStates.has(view.state)) {
          position = positions.get(view.id) ?? 1;
          let snap = snapshots.get(view.queueId);
          if (!snap) {
            snap = engine.queueSnapshot(view.queueId);
            snapshots.set(view.queueId, snap);
          }
          const ms = estimateWaitMs({
            position,
            servingAgents: snap.loggedIn,
            freeSlots: snap.freeSlots.chat ?? 0,
            ahtMs: aht.get(view.queueId) ?? null,
            concurrency: defaultCapacity.chat,
          });
          ewtSeconds = ms === null ? null : Math.round(ms / 1000);
        }
        return { state: view.state, agentId: view.agentId, position, ewtSeconds };
      });
    });
    const agentIds = live.flatMap((l) => (l?.state === 'connected' && l.agentId ? [l.agentId] : []));
    const names = await this.#agentNames(tenantId, agentIds);
    const out: ConversationStatus[] = [];
    for (let i = 0; i < convs.length; i++) {
      const c = convs[i]!;
      const l = live[i];
      const lastSeq = await this.log.lastSeq(c.tenantId, c.interactionId);
      // With the bot the router does not have the chat yet.
      const withBot = !l && c.inFlow && c.endedAt === null;
      const ended = !l || c.endedAt !== null || !(waitingStates.has(l.state) || l.state === 'connected');
      const status: ConversationStatus['status'] = withBot
        ? 'bot'
        : ended
          ? 'ended'
          : l.state === 'connected'
            ? 'connected'
            : 'queued';
      out.push({
        conversationId: c.interactionId,
        status,
        position: status === 'queued' ? l!.position : null,
        ewtSeconds: status === 'queued' ? l!.ewtSeconds : null,
        agentName: status === 'connected' && l!.agentId ? (names.get(l!.agentId) ?? null) : null,
        lastSeq,
        readByAgentSeq: c.readByAgentSeq,
        rated: c.rated,
      });
    }
    return out;
  }

  /** Display names of users (cached a minute). */
  async agentName(tenantId: string, userId: string): Promise<string> {
    return (await this.#agentNames(tenantId, [userId])).get(userId) ?? '';
  }

  async #agentNames(tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
    const now = this.clock.now();
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const c = this.#names.get(id);
      if (c && now - c.at < 60_000) out.set(id, c.name);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const rows = await this.db
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', missing)
        .execute();
      for (const r of rows) {
        this.#names.set(r.id, { name: r.display_name, at: now });
        out.set(r.id, r.display_name);
      }
    }
    return out;
  }

  async #ahtByQueue(tenantId: string): Promise<Map<string, number>> {
    const now = this.clock.now();
    const cached = this.#aht.get(tenantId);
    if (cached && now - cached.at < AHT_TTL_MS) return cached.byQueue;
    const dayStart = new Date(Math.floor(now / 86_400_000) * 86_400_000);
    const rows = await this.db
      .selectFrom('interaction_events')
      .select([
        sql<string>`data->>'queueId'`.as('queue_id'),
        sql<string>`avg((data->>'handledMs')::numeric)`.as('aht'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'interaction.ended')
      .where('at', '>=', dayStart)
      .groupBy(sql`data->>'queueId'`)
      .execute();
    const byQueue = new Map(rows.map((r) => [r.queue_id, Number(r.aht)]));
    this.#aht.set(tenantId, { byQueue, at: now });
    return byQueue;
  }
}

/**
 * Queue positions of the waiting interactions among `views`, as `engine.position` gives them
 * (1 + those of the same queue and channel ahead in wait order). `engine.position` scans the queue's
 * waiting list, so asking it for each of W waiting chats is O(W²) — 25 million comparisons for 5,000
 * waiting, every refresh. A queue with several chats to place is instead ranked in one pass: its
 * waiting interactions sorted once by the engine's wait order (priority, enqueue time, seq).
 */
export function positionsOf(
  engine: RoutingEngine,
  views: readonly (InteractionView | undefined)[],
): Map<InteractionId, number> {
  const out = new Map<InteractionId, number>();
  const byQueue = new Map<QueueId, InteractionView[]>();
  for (const v of views) {
    if (!v || !waitingStates.has(v.state)) continue;
    const list = byQueue.get(v.queueId);
    if (list) list.push(v);
    else byQueue.set(v.queueId, [v]);
  }
  let all: InteractionView[] | null = null;
  for (const [queueId, wanted] of byQueue) {
    if (wanted.length < RANK_BY_SORT_FROM) {
      for (const v of wanted) {
        const p = engine.position(v.id);
        if (p !== null) out.set(v.id, p);
      }
      continue;
    }
    all ??= engine.interactions();
    const waiting = all
      .filter((v) => v.queueId === queueId && rankedStates.has(v.state))
      .sort((a, b) => compareWaitKeys(waitKeyOf(a), waitKeyOf(b)));
    const ahead = new Map<string, number>();
    for (const v of waiting) {
      const n = (ahead.get(v.channel) ?? 0) + 1;
      ahead.set(v.channel, n);
      out.set(v.id, n);
    }
  }
  return out;
}

/** The states `engine.position` ranks (an offered chat has left the waiting line). */
const rankedStates = new Set(['queued', 'callback_scheduled']);

const waitKeyOf = (v: InteractionView): WaitKey => ({
  negPriority: -v.priority,
  enqueuedAt: v.enqueuedAt,
  seq: v.seq,
});
