import { can } from '@hotline/core/roles';
import type { Page } from '@hotline/protocol/common';
import type { Voicemail, VoicemailListQuery, VoicemailStatus } from '@hotline/protocol/voicemails';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, VoicemailsTable } from '../db/schema';
import { forbidden, notFound } from '../errors';
import { recordAudit } from '../stores/audit-store';
import type { Principal } from '../stores/principal';

/** A voicemail whose recording starts: its row exists before its audio, so a crash cannot lose it. */
export interface NewVoicemail {
  readonly id: string;
  readonly tenantId: string;
  readonly callId: string;
  readonly interactionId: string;
  readonly queueId: string;
  readonly caller: string;
  readonly did: string;
  /** Relative to the voicemail directory (`voicemail-rules.ts` `voicemailPath`). */
  readonly filePath: string;
  readonly at: Date;
}

/** A row whose recording never completed (no task yet): its process died, or storing it failed. */
export type UnfinishedVoicemail = Omit<NewVoicemail, 'at'>;

/**
 * The `voicemails` rows: written by the voice side when a recording starts (no task yet: unfinished,
 * invisible to the API) and completed in the transaction that creates the message's task; read and
 * marked by people through the API. Every statement is scoped by tenant.
 *
 * Who may see one: a supervisor and up (`recordings.listen`: every voicemail of the tenant), or the
 * agent who holds its task (`interactions.agent_id`): the agent the router gave it to hears it on their
 * desktop, nobody else below supervisor. Anything else is `NOT_FOUND`, so ids cannot be probed.
 */
export class VoicemailStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: { now(): number },
    private readonly ids: { next(): string },
  ) {}

  /** The row of a recording that starts (duration 0, no task). */
  static async begin(db: Kysely<Database>, v: NewVoicemail): Promise<void> {
    await db
      .insertInto('voicemails')
      .values({
        tenant_id: v.tenantId,
        id: v.id,
        call_id: v.callId,
        interaction_id: v.interactionId,
        task_interaction_id: null,
        queue_id: v.queueId,
        caller: v.caller,
        did: v.did,
        duration_ms: 0,
        file_path: v.filePath,
        created_at: v.at,
        updated_at: v.at,
      })
      .execute();
  }

  /** The message is complete: its length and the task that delivers it (in the task's transaction). */
  static async complete(
    tx: Transaction<Database>,
    tenantId: string,
    id: string,
    taskInteractionId: string,
    durationMs: number,
    at: Date,
  ): Promise<void> {
    await tx
      .updateTable('voicemails')
      .set({
        task_interaction_id: taskInteractionId,
        duration_ms: Math.max(0, Math.round(durationMs)),
        updated_at: at,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** Drops an unfinished row (the recording was no message). */
  static async discard(db: Kysely<Database>, tenantId: string, id: string): Promise<void> {
    await db
      .deleteFrom('voicemails')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('task_interaction_id', 'is', null)
      .execute();
  }

  /** Every unfinished row of every tenant (read at start, when no call of this process is recording). */
  static async unfinished(db: Kysely<Database>): Promise<UnfinishedVoicemail[]> {
    const rows = await db
      .selectFrom('voicemails')
      .selectAll()
      .where('task_interaction_id', 'is', null)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      callId: r.call_id,
      interactionId: r.interaction_id,
      queueId: r.queue_id,
      caller: r.caller,
      did: r.did,
      filePath: r.file_path,
    }));
  }

  /**
   * The call's interaction, still in the flow, ends as `voicemail` (with its event); no-op when it left
   * `in_flow` (a queue's overflow: the router already finished it as `voicemail`).
   */
  static async endInFlowAsVoicemail(
    tx: Transaction<Database>,
    tenantId: string,
    interactionId: string,
    at: Date,
  ): Promise<void> {
    const row = await tx
      .updateTable('interactions')
      .set({ state: 'voicemail', closed_at: at, updated_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', interactionId)
      .where('state', '=', 'in_flow')
      .returning('id')
      .executeTakeFirst();
    if (!row) return;
    await tx
      .insertInto('interaction_events')
      .values({
        tenant_id: tenantId,
        interaction_id: interactionId,
        type: 'interaction.state_changed',
        at,
        data: JSON.stringify({ from: 'in_flow', to: 'voicemail', cause: 'voicemail' }),
      })
      .execute();
  }

  async list(principal: Principal, query: VoicemailListQuery): Promise<Page<Voicemail>> {
    if (!can(principal.role, 'recordings.listen')) throw forbidden();
    let base = this.#base(principal.tenantId);
    if (query.status) base = base.where('v.status', '=', query.status);
    if (query.queueId) base = base.where('v.queue_id', '=', query.queueId);
    const [rows, count] = await Promise.all([
      base
        .selectAll('v')
        .select('q.name as queue_name')
        .orderBy('v.created_at', 'desc')
        .orderBy('v.id')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toDto), total: Number(count.n), limit: query.limit, offset: query.offset };
  }

  async get(principal: Principal, id: string): Promise<Voicemail> {
    return toDto(await this.#visible(principal, id));
  }

  /** The stored file path of a voicemail the principal may hear. */
  async filePath(principal: Principal, id: string): Promise<string> {
    return (await this.#visible(principal, id)).file_path;
  }

  /** Marks it `new`, `heard` or `handled` (any order: a supervisor may reopen one), audited. */
  async setStatus(principal: Principal, id: string, status: VoicemailStatus): Promise<Voicemail> {
    const before = await this.#visible(principal, id);
    if (before.status === status) return toDto(before);
    const at = new Date(this.clock.now());
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('voicemails')
        .set({ status, updated_at: at })
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      await recordAudit(tx, principal, this.ids.next(), at, {
        action: 'update',
        entityType: 'voicemail',
        entityId: id,
        before: { status: before.status },
        after: { status },
      });
    });
    return toDto({ ...before, status, updated_at: at });
  }

  /** A `new` voicemail becomes `heard` (its first playback, in the transaction of the audit entry). */
  async markHeard(tx: Transaction<Database>, tenantId: string, id: string, at: Date): Promise<void> {
    await tx
      .updateTable('voicemails')
      .set({ status: 'heard', updated_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'new')
      .execute();
  }

  async #visible(principal: Principal, id: string): Promise<Row> {
    const row = await this.#base(principal.tenantId)
      .selectAll('v')
      .select(['q.name as queue_name', 't.agent_id as task_agent_id'])
      .where('v.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('voicemail');
    const mine = principal.userId !== null && row.task_agent_id === principal.userId;
    if (!can(principal.role, 'recordings.listen') && !mine) throw notFound('voicemail');
    return row;
  }

  #base(tenantId: string) {
    return (
      this.db
        .selectFrom('voicemails as v')
        .leftJoin('queues as q', (j) =>
          j.onRef('q.tenant_id', '=', 'v.tenant_id').onRef('q.id', '=', 'v.queue_id'),
        )
        .leftJoin('interactions as t', (j) =>
          j.onRef('t.tenant_id', '=', 'v.tenant_id').onRef('t.id', '=', 'v.task_interaction_id'),
        )
        .where('v.tenant_id', '=', tenantId)
        // Unfinished rows (still recording, or waiting for recovery) are not messages yet.
        .where('v.task_interaction_id', 'is not', null)
    );
  }
}

type Row = Selectable<VoicemailsTable> & { queue_name: string | null };

function toDto(r: Row): Voicemail {
  return {
    id: r.id,
    status: r.status,
    caller: r.caller,
    did: r.did,
    queueId: r.queue_id,
    queueName: r.queue_name,
    durationSec: Math.round(r.duration_ms / 1000),
    callId: r.call_id,
    interactionId: r.interaction_id,
    taskInteractionId: r.task_interaction_id,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
