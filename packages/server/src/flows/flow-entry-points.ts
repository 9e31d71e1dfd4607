import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { AppError } from '../errors';

/**
 * Entry points (migration 0007): where conversations start in a flow — a phone number (DID), the web
 * chat widget, a messenger account (`flow_entry_points`). The foreign keys keep a bound flow from
 * being deleted; this names the bindings so the refusal says what to unbind.
 */
export interface FlowUsage {
  readonly kind: 'phone_number' | 'widget' | 'messenger';
  /** The number, `widget`, or the messenger account's address. */
  readonly address: string;
}

export async function flowUsage(
  db: Kysely<Database> | Transaction<Database>,
  tenantId: string,
  flowId: string,
): Promise<FlowUsage[]> {
  const numbers = await db
    .selectFrom('phone_numbers')
    .select('number')
    .where('tenant_id', '=', tenantId)
    .where('flow_id', '=', flowId)
    .execute();
  const widget = await db
    .selectFrom('widget_settings')
    .select('tenant_id')
    .where('tenant_id', '=', tenantId)
    .where('flow_id', '=', flowId)
    .executeTakeFirst();
  const messengers = await db
    .selectFrom('flow_entry_points')
    .select('address')
    .where('tenant_id', '=', tenantId)
    .where('flow_id', '=', flowId)
    .execute();
  return [
    ...numbers.map((n) => ({ kind: 'phone_number' as const, address: n.number })),
    ...(widget ? [{ kind: 'widget' as const, address: 'widget' }] : []),
    ...messengers.map((m) => ({ kind: 'messenger' as const, address: m.address })),
  ];
}

/** Refuses (IN_USE, with `usedBy`) to delete a flow an entry point still starts conversations in. */
export async function assertFlowUnused(
  db: Kysely<Database> | Transaction<Database>,
  tenantId: string,
  flowId: string,
): Promise<void> {
  const usedBy = await flowUsage(db, tenantId, flowId);
  if (usedBy.length === 0) return;
  const names = usedBy.map((u) => (u.kind === 'widget' ? 'the chat widget' : `${u.kind} ${u.address}`));
  throw new AppError('IN_USE', `the flow is used by ${names.join(', ')}; unbind it first`, { usedBy });
}
