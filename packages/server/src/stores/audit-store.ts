import type { Page } from '@hotline/protocol/common';
import type { AuditEntry } from '@hotline/protocol/config';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { Principal } from './principal';

export interface AuditRecord {
  /** `access`: a protected thing was read (a call recording played or downloaded). */
  action: 'create' | 'update' | 'delete' | 'access';
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

/**
 * Writes one audit entry inside the caller's transaction, so a change and its record commit or
 * roll back together. `before`/`after` are the public representations (never secrets).
 */
export async function recordAudit(
  tx: Transaction<Database>,
  principal: Principal,
  id: string,
  at: Date,
  record: AuditRecord,
): Promise<void> {
  await tx
    .insertInto('audit_log')
    .values({
      id,
      tenant_id: principal.tenantId,
      at,
      actor_type: principal.kind === 'session' ? 'user' : 'api_key',
      actor_id: principal.userId ?? principal.apiKeyId,
      action: record.action,
      entity_type: record.entityType,
      entity_id: record.entityId,
      before: record.before == null ? null : JSON.stringify(record.before),
      after: record.after == null ? null : JSON.stringify(record.after),
    })
    .execute();
}

export async function listAudit(
  db: Kysely<Database>,
  tenantId: string,
  q: { limit: number; offset: number; entityType?: string | undefined; entityId?: string | undefined },
): Promise<Page<AuditEntry>> {
  let base = db.selectFrom('audit_log').where('tenant_id', '=', tenantId);
  if (q.entityType) base = base.where('entity_type', '=', q.entityType);
  if (q.entityId) base = base.where('entity_id', '=', q.entityId);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('seq', 'desc').limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorType: r.actor_type as AuditEntry['actorType'],
      actorId: r.actor_id,
      action: r.action as AuditEntry['action'],
      entityType: r.entity_type,
      entityId: r.entity_id,
      before: r.before ?? null,
      after: r.after ?? null,
    })),
    total: Number(count.n),
    limit: q.limit,
    offset: q.offset,
  };
}
