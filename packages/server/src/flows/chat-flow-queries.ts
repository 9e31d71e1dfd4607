import type { FlowAction } from '@hotline/core/flow/flow-types';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * The chat bot's reads (`chat-flow.ts`): the running session of a conversation, what a restart must
 * pick up again, and the queue and skills a flow's `enqueue` names. Every query is scoped by tenant,
 * except the start-up scans, which read every tenant's bot work on purpose.
 */
type Db = Kysely<Database>;

/** The conversation's running chat session, if any (newest first: at most one runs). */
export async function runningSessionOf(
  db: Db,
  tenantId: string,
  interactionId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('flow_sessions')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('interaction_id', '=', interactionId)
    .where('status', '=', 'running')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The seq of the conversation's message with this idempotency key, or null. */
export async function seqOfClientId(
  db: Db,
  tenantId: string,
  interactionId: string,
  clientId: string,
): Promise<number | null> {
  const row = await db
    .selectFrom('chat_messages')
    .select('seq')
    .where('tenant_id', '=', tenantId)
    .where('interaction_id', '=', interactionId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row?.seq ?? null;
}

/** Start-up: the collect timers of running chat sessions, to re-arm. */
export async function dueTimers(
  db: Db,
): Promise<{ tenantId: string; sessionId: string; interactionId: string; dueAt: number }[]> {
  const rows = await db
    .selectFrom('flow_session_timers as t')
    .innerJoin('flow_sessions as s', (j) =>
      j.onRef('s.tenant_id', '=', 't.tenant_id').onRef('s.id', '=', 't.session_id'),
    )
    .select(['t.tenant_id', 't.session_id', 't.due_at', 's.interaction_id'])
    .where('s.status', '=', 'running')
    .where('s.channel', '=', 'chat')
    .where('s.interaction_id', 'is not', null)
    .execute();
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    sessionId: r.session_id,
    interactionId: r.interaction_id!,
    dueAt: r.due_at.getTime(),
  }));
}

/** Start-up: every running chat session of a conversation. */
export async function runningChatSessions(
  db: Db,
): Promise<{ tenantId: string; sessionId: string; interactionId: string }[]> {
  const rows = await db
    .selectFrom('flow_sessions')
    .select(['tenant_id', 'id', 'interaction_id'])
    .where('status', '=', 'running')
    .where('channel', '=', 'chat')
    .where('interaction_id', 'is not', null)
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, sessionId: r.id, interactionId: r.interaction_id! }));
}

/** Start-up: chats left `in_flow` with no running session (a crash before the first step). */
export async function orphanChats(db: Db): Promise<{ tenantId: string; interactionId: string }[]> {
  const rows = await db
    .selectFrom('interactions as i')
    .innerJoin('conversations as c', (j) =>
      j.onRef('c.tenant_id', '=', 'i.tenant_id').onRef('c.interaction_id', '=', 'i.id'),
    )
    .select(['i.tenant_id', 'i.id'])
    .where('i.state', '=', 'in_flow')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('flow_sessions as s')
            .select('s.id')
            .whereRef('s.tenant_id', '=', 'i.tenant_id')
            .whereRef('s.interaction_id', '=', 'i.id')
            .where('s.status', '=', 'running'),
        ),
      ),
    )
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, interactionId: r.id }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The flow names its queue and skills by id or by name (authors write `"support"`); both are looked up
 * in the tenant only. Unknown ones are an error the flow's `error` edge handles.
 */
export async function resolveTarget(
  db: Kysely<Database>,
  tenantId: string,
  action: Extract<FlowAction, { type: 'enqueue' }>,
): Promise<{ queueId: string; skills: { skillId: string; minLevel: number }[] } | { error: string }> {
  const byIdOrName = (table: 'queues' | 'skills', ref: string) =>
    db
      .selectFrom(table)
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        UUID.test(ref) ? eb('id', '=', ref) : eb(eb.fn('lower', ['name']), '=', ref.toLowerCase()),
      )
      .executeTakeFirst();
  const queue = await byIdOrName('queues', action.queue);
  if (!queue) return { error: `unknown queue "${action.queue}"` };
  const skills: { skillId: string; minLevel: number }[] = [];
  for (const s of action.skills) {
    const skill = await byIdOrName('skills', s.skill);
    if (!skill) return { error: `unknown skill "${s.skill}"` };
    skills.push({ skillId: skill.id, minLevel: s.minLevel });
  }
  return { queueId: queue.id, skills };
}
