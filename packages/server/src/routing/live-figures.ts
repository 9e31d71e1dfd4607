import { QueueStats } from '@hotline/core/routing/queue-stats';
import { estimateWaitMs } from '@hotline/core/routing/wait-estimate';
import type { QueueLive } from '@hotline/protocol/routing';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { RoutingService } from './routing-service';

/**
 * Per-queue figures for supervisors: the live part (waiting, longest wait, staffing) from the
 * routing engine, today's counts from the stored events.
 *
 * Definitions (today = since 00:00 UTC; tenant time zones come with reporting):
 * - offered: interactions that entered the queue; answered: accepted by an agent;
 * - abandoned: the customer left while waiting;
 * - service level, ASA, AHT, abandon rate: as defined in `core/routing/queue-stats.ts` (short abandons
 *   under 5 s left out; callers who gave up within the target count neither for nor against);
 * - EWT of a new arrival: `core/routing/wait-estimate.ts` — the queue drains at the staffed rate
 *   (position beyond the free slots × AHT ÷ agents logged in), AHT today; null with nobody logged in.
 */

export class LiveFigures {
  constructor(
    private readonly db: Db,
    private readonly routing: RoutingService,
    private readonly clock: { now(): number },
  ) {}

  async queues(tenantId: string): Promise<QueueLive[]> {
    const kysely = this.db.kysely;
    const now = this.clock.now();
    const dayStart = new Date(Math.floor(now / 86_400_000) * 86_400_000);
    const queues = await kysely
      .selectFrom('queues')
      .select(['id', 'name', 'service_level_seconds'])
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    const events = await kysely
      .selectFrom('interaction_events')
      .select([
        'type',
        sql<string>`data->>'queueId'`.as('queue_id'),
        sql<string | null>`data->>'waitedMs'`.as('waited'),
        sql<string | null>`data->>'handledMs'`.as('handled'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('at', '>=', dayStart)
      .where('type', 'in', ['interaction.queued', 'routing.accepted', 'interaction.ended'])
      .execute();
    const abandoned = await kysely
      .selectFrom('interactions')
      .select(['queue_id', 'queued_at', 'closed_at'])
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'abandoned')
      .where('closed_at', '>=', dayStart)
      .execute();
    const live = await this.routing.read(tenantId, (engine) =>
      queues.map((q) => {
        try {
          return engine.queueSnapshot(q.id as never);
        } catch {
          return null;
        }
      }),
    );
    return queues.map((q, i) => {
      const stats = new QueueStats();
      for (const e of events) {
        if (e.queue_id !== q.id) continue;
        if (e.type === 'interaction.queued') stats.recordOffered();
        else if (e.type === 'routing.accepted') stats.recordAnswered(Number(e.waited ?? 0));
        else stats.recordHandled(Number(e.handled ?? 0));
      }
      const gone = abandoned.filter((a) => a.queue_id === q.id);
      for (const a of gone) {
        if (a.queued_at && a.closed_at) stats.recordAbandoned(a.closed_at.getTime() - a.queued_at.getTime());
      }
      const snap = live[i];
      const free = snap ? Object.values(snap.freeSlots).reduce((sum, x) => sum + (x ?? 0), 0) : 0;
      const ewtMs = snap
        ? estimateWaitMs({
            position: snap.waiting + 1,
            servingAgents: snap.loggedIn,
            freeSlots: free,
            ahtMs: stats.ahtMs,
          })
        : null;
      return {
        queueId: q.id,
        name: q.name,
        waiting: snap?.waiting ?? 0,
        longestWaitSeconds: snap?.oldestQueuedAt
          ? Math.max(0, Math.round((now - snap.oldestQueuedAt) / 1000))
          : 0,
        loggedIn: snap?.loggedIn ?? 0,
        ready: snap?.ready ?? 0,
        offeredToday: stats.offered,
        answeredToday: stats.answered,
        abandonedToday: stats.abandoned,
        serviceLevel: stats.serviceLevel(q.service_level_seconds * 1000),
        ewtSeconds: ewtMs === null ? null : Math.round(ewtMs / 1000),
      };
    });
  }
}
