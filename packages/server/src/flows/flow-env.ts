import type { BusinessCalendar } from '@hotline/core/calendar/business-hours';
import type { FlowEnv } from '@hotline/core/flow/flow-types';
import { buildFaqIndex } from '@hotline/core/flow/text-match';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { readKnowledgeBase } from './knowledge-base-store';

/**
 * The tenant's data the flow verbs read (`FlowSessionDeps.tenantEnv`): business-hours calendars for
 * `business_hours` and the knowledge base for `faq`.
 *
 * Both are read whole per tenant and kept `ttlMs` (default 5 s): a bot conversation steps on every
 * customer message, and building the FAQ index for each would be wasted work. An edit in the admin
 * area therefore reaches running bots within `ttlMs`. Concurrent readers of one tenant share one load.
 */
export function tenantFlowEnv(
  db: Kysely<Database>,
  clock: { now(): number },
  ttlMs = 5_000,
): (tenantId: string) => Promise<Omit<FlowEnv, 'now'>> {
  const cache = new Map<string, { at: number; env: Promise<Omit<FlowEnv, 'now'>> }>();
  return (tenantId) => {
    const now = clock.now();
    const hit = cache.get(tenantId);
    if (hit && now - hit.at < ttlMs) return hit.env;
    const env = load(db, tenantId);
    cache.set(tenantId, { at: now, env });
    // A failed load is not cached: the next step tries again.
    env.catch(() => cache.delete(tenantId));
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    return env;
  };
}

async function load(db: Kysely<Database>, tenantId: string): Promise<Omit<FlowEnv, 'now'>> {
  const rows = await db
    .selectFrom('calendars')
    .select(['id', 'time_zone', 'weekly', 'holidays'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const calendars = new Map<string, BusinessCalendar>(
    rows.map((r) => [
      r.id,
      { timeZone: r.time_zone, weekly: r.weekly, holidays: r.holidays } as BusinessCalendar,
    ]),
  );
  // Knowledge base (issue 6, migration 0008): every enabled article, any language; the matcher
  // scores by the customer's words, and articles answer in the language they were written in.
  const articles = await readKnowledgeBase(db, tenantId);
  return {
    calendars: (id) => calendars.get(id),
    knowledgeBase: articles.length > 0 ? buildFaqIndex(articles) : undefined,
  };
}
