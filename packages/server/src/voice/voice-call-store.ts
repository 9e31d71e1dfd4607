import { type Kysely, sql, type Transaction, type Updateable } from 'kysely';
import type { Database, VoiceCallsTable } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Who ended a call, and a stable code for why (CDR `hangup_side`, `hangup_cause`). */
export type HangupSide = 'caller' | 'system' | 'agent' | 'external';
export type HangupCause =
  | 'BYE'
  | 'CANCEL'
  | 'ACK_TIMEOUT'
  | 'SESSION_EXPIRED'
  | 'TRANSPORT_ERROR'
  | 'FLOW_COMPLETED'
  | 'FLOW_HANGUP'
  | 'FLOW_ERROR'
  | 'OVERFLOW_CLOSE'
  | 'OVERFLOW_VOICEMAIL'
  | 'OVERFLOW_EXTERNAL'
  | 'OVERFLOW_CALLBACK'
  /** The caller pressed the queue's callback key: they hung up keeping their place. */
  | 'CALLBACK_SCHEDULED'
  /** A transfer's external party, or a callback's customer, hung up. */
  | 'EXTERNAL_BYE'
  /** A callback's customer did not answer, was busy, or the dial plan refused the number. */
  | 'CALLBACK_FAILED'
  | 'AGENT_ENDED'
  | 'MISSED'
  | 'MEDIA_ERROR'
  | 'SHUTDOWN'
  | 'LOST'
  | 'INTERNAL';

export interface NewVoiceCall {
  readonly id: string;
  readonly tenantId: string;
  readonly interactionId: string;
  readonly sipCallId: string;
  readonly fromNumber: string;
  readonly toNumber: string;
  readonly did: string;
  readonly trunkId: string;
  readonly codec: string;
  readonly arrivedAt: Date;
  /** Null for an outbound call not answered yet (`answered` sets it). */
  readonly answeredAt: Date | null;
  /** Default `inbound`; a callback is `outbound` (from: our DID, to: the customer). */
  readonly direction?: 'inbound' | 'outbound';
}

/**
 * The `voice_calls` rows (CDR facts), written as the call goes: created when we answer, then one
 * update per milestone. Every statement is scoped by tenant. Milestones are written once: a timestamp
 * already set is never moved, and the end is recorded only for a call not yet ended.
 */
export class VoiceCallStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(tx: Db, c: NewVoiceCall): Promise<void> {
    await tx
      .insertInto('voice_calls')
      .values({
        id: c.id,
        tenant_id: c.tenantId,
        interaction_id: c.interactionId,
        sip_call_id: c.sipCallId,
        from_number: c.fromNumber,
        to_number: c.toNumber,
        did: c.did,
        trunk_id: c.trunkId,
        codec: c.codec,
        arrived_at: c.arrivedAt,
        answered_at: c.answeredAt,
        direction: c.direction ?? 'inbound',
      })
      .execute();
  }

  /** The far end answered an outbound call. */
  async answered(tenantId: string, id: string, at: Date): Promise<void> {
    await this.#set(tenantId, id, { answered_at: at });
  }

  async flowSession(tenantId: string, id: string, sessionId: string): Promise<void> {
    await this.#set(tenantId, id, { flow_session_id: sessionId });
  }

  async queued(tenantId: string, id: string, at: Date, tx?: Db): Promise<void> {
    await this.#set(tenantId, id, { queued_at: at }, 'queued_at', tx);
  }

  /**
   * An agent was connected to the call: the first one is the call's answer (`agent_answered_at`,
   * `agent_id`); each one, the first included, gets the next leg (`voice_call_agents`). A leg still
   * open (its release not written) is closed as transferred first.
   */
  async agentConnected(
    tenantId: string,
    id: string,
    agentId: string,
    queueId: string | null,
    at: Date,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await this.#set(tenantId, id, { agent_answered_at: at, agent_id: agentId }, 'agent_answered_at', tx);
      await this.#closeLegs(tx, tenantId, id, at, 'transferred');
      await tx
        .insertInto('voice_call_agents')
        .columns(['tenant_id', 'call_id', 'seq', 'agent_id', 'queue_id', 'connected_at'])
        .expression((eb) =>
          eb
            .selectFrom('voice_calls as c')
            .select((s) => [
              'c.tenant_id',
              'c.id',
              sql<number>`coalesce((SELECT max(a.seq) FROM voice_call_agents a WHERE a.tenant_id = c.tenant_id AND a.call_id = c.id), 0) + 1`.as(
                'seq',
              ),
              s.val(agentId).as('agent_id'),
              s.val(queueId).as('queue_id'),
              s.val(at).as('connected_at'),
            ])
            .where('c.tenant_id', '=', tenantId)
            .where('c.id', '=', id)
            .where('c.ended_at', 'is', null),
        )
        .execute();
    });
  }

  /** The agent on the call handed it on (a transfer to a queue or an agent): their leg ends. */
  async agentReleased(tenantId: string, id: string, at: Date): Promise<void> {
    await this.#closeLegs(this.db, tenantId, id, at, 'transferred');
  }

  /** The external number of a transfer answered: the call is now connected to it. */
  async transferred(tenantId: string, id: string, number: string, at: Date): Promise<void> {
    await this.#set(tenantId, id, { transferred_to: number, transferred_at: at });
  }

  async recording(tenantId: string, id: string, path: string): Promise<void> {
    await this.#set(tenantId, id, { recording_path: path });
  }

  /** The call ended: its row, and the leg of the agent who had it, if any. */
  async ended(tenantId: string, id: string, side: HangupSide, cause: HangupCause, at: Date): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await this.#set(tenantId, id, { ended_at: at, hangup_side: side, hangup_cause: cause }, 'ended_at', tx);
      await this.#closeLegs(tx, tenantId, id, at, 'call_ended');
    });
  }

  /** Ends the open leg of a call (at most one is open); never before it began. */
  async #closeLegs(
    tx: Db,
    tenantId: string,
    id: string,
    at: Date,
    reason: 'transferred' | 'call_ended',
  ): Promise<void> {
    await tx
      .updateTable('voice_call_agents')
      .set({ ended_at: sql<Date>`greatest(${at}::timestamptz, connected_at)`, end_reason: reason })
      .where('tenant_id', '=', tenantId)
      .where('call_id', '=', id)
      .where('ended_at', 'is', null)
      .execute();
  }

  async #set(
    tenantId: string,
    id: string,
    values: Updateable<VoiceCallsTable>,
    onceColumn?: 'queued_at' | 'agent_answered_at' | 'ended_at',
    tx: Db = this.db,
  ): Promise<void> {
    let q = tx.updateTable('voice_calls').set(values).where('tenant_id', '=', tenantId).where('id', '=', id);
    if (onceColumn !== undefined) q = q.where(onceColumn, 'is', null);
    await q.execute();
  }
}
