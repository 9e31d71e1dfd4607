import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Which flow answers calls to a phone number: THE one place that decides it.
 *
 * `phone_numbers.flow_id` (migration 0007, set through `/api/phone-numbers`) names it, and the flow
 * must have a published version; otherwise the number is not routed (the caller gets 480) — a draft
 * never answers customers. Scoped by tenant: the number's tenant comes from the trunk match.
 */
export class FlowForNumber {
  constructor(private readonly db: Kysely<Database>) {}

  async lookup(tenantId: string, number: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('phone_numbers')
      .innerJoin('flow_versions', (join) =>
        join
          .onRef('flow_versions.tenant_id', '=', 'phone_numbers.tenant_id')
          .onRef('flow_versions.flow_id', '=', 'phone_numbers.flow_id'),
      )
      .select('phone_numbers.flow_id')
      .where('phone_numbers.tenant_id', '=', tenantId)
      .where('phone_numbers.number', '=', number)
      .where('flow_versions.state', '=', 'published')
      .executeTakeFirst();
    return row?.flow_id ?? null;
  }
}
