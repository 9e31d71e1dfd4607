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
 * - abandoned: the customer left while waiting; those who left within 5 s are not counted against
 *   the service level (a misdial is not a failure to answer);
 * - service level: answered within the queue's target ÷ (answered + abandoned after 5 s);
 * - EWT (estimated wait of a new arrival): the queue drains at the staffed rate, so
 *   max(0, waiting + 1 − free slots) × AHT ÷ agents logged in, with AHT the average handle time
 *   today (180 s before the first one); null when nobody who could answer is logged in.
 */
const SHORT_ABANDON_MS = 5_000;
const DEFAULT_AHT_MS = 180_000;

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
      const mine = events.filter((e) => e.queue_id === q.id);
      const offered = mine.filter((e) => e.type === 'interaction.queued').length;
      const accepted = mine.filter((e) => e.type === 'routing.accepted');
      const handled = mine.filter((e) => e.type === 'interaction.ended').map((e) => Number(e.handled ?? 0));
      const within = accepted.filter((e) => Number(e.waited ?? 0) <= q.service_level_seconds * 1000).length;
      const gone = abandoned.filter((a) => a.queue_id === q.id);
      const counted = gone.filter(
        (a) =>
          a.queued_at && a.closed_at && a.closed_at.getTime() - a.queued_at.getTime() >= SHORT_ABANDON_MS,
      ).length;
      const denominator = accepted.length + counted;
      const snap = live[i];
      const aht = handled.length ? handled.reduce((s, x) => s + x, 0) / handled.length : DEFAULT_AHT_MS;
      const free = snap ? Object.values(snap.freeSlots).reduce((s, x) => s + (x ?? 0), 0) : 0;
      const ewtMs =
        !snap || snap.loggedIn === 0 ? null : (Math.max(0, snap.waiting + 1 - free) * aht) / snap.loggedIn;
      return {
        queueId: q.id,
        name: q.name,
        waiting: snap?.waiting ?? 0,
        longestWaitSeconds: snap?.oldestQueuedAt
          ? Math.max(0, Math.round((now - snap.oldestQueuedAt) / 1000))
          : 0,
        loggedIn: snap?.loggedIn ?? 0,
        ready: snap?.ready ?? 0,
        offeredToday: offered,
        answeredToday: accepted.length,
        abandonedToday: gone.length,
        serviceLevel: denominator === 0 ? null : within / denominator,
        ewtSeconds: ewtMs === null ? null : Math.round(ewtMs / 1000),
      };
    });
  }
}
