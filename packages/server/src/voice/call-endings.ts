import { type InteractionId, interactionId } from '@hotline/core/ids';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { RoutingService } from '../routing/routing-service';

/**
 * What the end of a phone call means for its interaction, in one place for both a call that ends
 * normally (`inbound-call.ts`) and one found dead after a restart (`VoiceService.recover`).
 */

/**
 * The call ended in the flow (self-service done, the caller left, or the call was lost): the
 * interaction, never seen by the router, is closed with its event — or ends `transferred` (the flow
 * connected it to an external number). No-op when it left `in_flow`.
 */
export async function closeInFlow(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  at: Date,
  to: 'closed' | 'transferred' = 'closed',
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('interactions')
      .set({ state: to, closed_at: at, updated_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('state', '=', 'in_flow')
      .returning('id')
      .executeTakeFirst();
    if (!row) return;
    await tx
      .insertInto('interaction_events')
      .values({
        tenant_id: tenantId,
        interaction_id: id,
        type: 'interaction.state_changed',
        at,
        data: JSON.stringify({ from: 'in_flow', to, cause: to }),
      })
      .execute();
  });
}

/**
 * The caller is gone while the router holds the call: waiting (queued, offered, callback) →
 * `abandoned`; with an agent → the conversation ends (wrap-up). Nothing when the router already
 * finished it.
 */
export async function leaveRouting(routing: RoutingService, tenantId: string, id: string): Promise<void> {
  const ix = interactionId(id) as InteractionId;
  await routing.execute(tenantId, (engine, at) => {
    const view = engine.interaction(ix);
    if (!view) return { events: [], result: undefined };
    if (view.state === 'connected') return { events: engine.end(ix, at), result: undefined };
    if (view.state === 'queued' || view.state === 'offered' || view.state === 'callback_scheduled') {
      return { events: engine.abandon(ix, at), result: undefined };
    }
    return { events: [], result: undefined };
  });
}
