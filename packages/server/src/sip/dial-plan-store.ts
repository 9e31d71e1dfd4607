import { type DialPlan, defaultDialPlan, type putDialPlanBody } from '@hotline/protocol/trunks';
import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import type { Database, DialPlansTable } from '../db/schema';
import { recordAudit } from '../stores/audit-store';
import type { Principal } from '../stores/principal';
import type { StoreDeps } from '../stores/resource-store';

/** The audit log's entity type; the entity id is the tenant's id (one dial plan per tenant). */
export const DIAL_PLAN_ENTITY = 'dial_plan';

function toDialPlan(row: Selectable<DialPlansTable> | undefined): DialPlan {
  if (!row) return defaultDialPlan;
  return {
    allowedPrefixes: row.allowed_prefixes,
    deniedPrefixes: row.denied_prefixes,
    maxConcurrentCalls: row.max_concurrent_calls,
    maxCallsPerMinute: row.max_calls_per_minute,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Reads every tenant's dial plan that differs from the defaults (for the SIP side's guard). */
export async function readDialPlans(db: Kysely<Database>): Promise<Map<string, DialPlan>> {
  const rows = await db.selectFrom('dial_plans').selectAll().execute();
  return new Map(rows.map((r) => [r.tenant_id, toDialPlan(r)]));
}

/** One outbound dial plan per tenant; the defaults (no outbound calls) until an admin saves one. */
export class DialPlanStore {
  constructor(private readonly deps: StoreDeps) {}

  async get(principal: Principal): Promise<DialPlan> {
    const row = await this.deps.db
      .selectFrom('dial_plans')
      .selectAll()
      .where('tenant_id', '=', principal.tenantId)
      .executeTakeFirst();
    return toDialPlan(row);
  }

  async put(principal: Principal, body: z.output<typeof putDialPlanBody>): Promise<DialPlan> {
    const now = new Date(this.deps.clock.now());
    const columns = {
      allowed_prefixes: JSON.stringify([...new Set(body.allowedPrefixes)]),
      denied_prefixes: JSON.stringify([...new Set(body.deniedPrefixes)]),
      max_concurrent_calls: body.maxConcurrentCalls,
      max_calls_per_minute: body.maxCallsPerMinute,
      updated_at: now,
    };
    return this.deps.db.transaction().execute(async (tx) => {
      const before = toDialPlan(
        await tx
          .selectFrom('dial_plans')
          .selectAll()
          .where('tenant_id', '=', principal.tenantId)
          .forUpdate()
          .executeTakeFirst(),
      );
      await tx
        .insertInto('dial_plans')
        .values({ tenant_id: principal.tenantId, ...columns })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(columns))
        .execute();
      const after = toDialPlan(
        await tx
          .selectFrom('dial_plans')
          .selectAll()
          .where('tenant_id', '=', principal.tenantId)
          .executeTakeFirstOrThrow(),
      );
      await recordAudit(tx, principal, this.deps.ids.next(), now, {
        action: 'update',
        entityType: DIAL_PLAN_ENTITY,
        entityId: principal.tenantId,
        before,
        after,
      });
      return after;
    });
  }
}
