import type { CallAgentLeg, CallListQuery, CallOutcome, CallRecord } from '@hotline/protocol/calls';
import type { Page } from '@hotline/protocol/common';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import { notFound } from '../errors';
import type { Principal } from '../stores/principal';

/**
 * Call detail records as managers read them: `voice_calls` (what only the phone side knows: numbers,
 * trunk, the moments of the call, who hung up and why, the recording) joined with the interaction
 * (state, disposition), its queue and agent, always within the principal's tenant.
 *
 * The outcome is derived from the call's own moments, so it means the same in the list, its filter
 * and every report:
 * - `in_progress`: not ended;
 * - `answered`: an agent took it;
 * - `self_service`: ended before reaching a queue (the IVR served it, or the caller left it);
 * - `abandoned`: the caller hung up while queued;
 * - `overflow`: ended while queued by the system (overflow to voicemail, close, transfer out…);
 * - `voicemail`: not answered, and the caller left a voicemail (a delivered one: `voicemails` row with
 *   its task), in the flow or after the queue overflowed to voicemail.
 */
export class CallRecordStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(principal: Principal, query: CallListQuery): Promise<Page<CallRecord>> {
    let base = this.#base(principal.tenantId);
    if (query.from) base = base.where('c.arrived_at', '>=', new Date(query.from));
    if (query.to) base = base.where('c.arrived_at', '<', new Date(query.to));
    if (query.queueId) base = base.where('i.queue_id', '=', query.queueId);
    if (query.agentId) {
      const agentId = query.agentId;
      // The agent who answered, or any agent the call was transferred to.
      base = base.where((eb) =>
        eb.or([
          eb('c.agent_id', '=', agentId),
          eb.exists(
            eb
              .selectFrom('voice_call_agents as a')
              .select('a.seq')
              .whereRef('a.tenant_id', '=', 'c.tenant_id')
              .whereRef('a.call_id', '=', 'c.id')
              .where('a.agent_id', '=', agentId),
          ),
        ]),
      );
    }
    const digits = (query.number ?? '').replace(/[^0-9]/g, '');
    if (digits !== '') {
      const like = `%${digits}%`;
      base = base.where((eb) =>
        eb.or([
          eb('c.from_number', 'like', like),
          eb('c.to_number', 'like', like),
          eb('c.did', 'like', like),
        ]),
      );
    }
    if (query.outcome) base = base.where(outcomeIs(query.outcome));
    const rows = await base
      .select((eb) => eb.fn.countAll().over().as('total_count'))
      .orderBy('c.arrived_at', 'desc')
      .orderBy('c.id')
      .limit(query.limit)
      .offset(query.offset)
      .execute();
    const total =
      rows.length > 0
        ? Number(rows[0]!.total_count)
        : query.offset === 0
          ? 0
          : Number(
              (
                await base
                  .clearSelect()
                  .select((eb) => eb.fn.countAll().as('n'))
                  .executeTakeFirstOrThrow()
              ).n,
            );
    const legs = await this.#legs(
      principal.tenantId,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((r) => toRecord(r, legs.get(r.id) ?? [])),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async get(principal: Principal, id: string): Promise<CallRecord> {
    const row = await this.#base(principal.tenantId).where('c.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('call');
    const legs = await this.#legs(principal.tenantId, [row.id]);
    return toRecord(row, legs.get(row.id) ?? []);
  }

  /** The agents' legs of these calls of the tenant, in order, by call. */
  async #legs(tenantId: string, callIds: readonly string[]): Promise<Map<string, LegRow[]>> {
    const byCall = new Map<string, LegRow[]>();
    if (callIds.length === 0) return byCall;
    const rows = await this.db
      .selectFrom('voice_call_agents as a')
      .leftJoin('users as u', (j) =>
        j.onRef('u.tenant_id', '=', 'a.tenant_id').onRef('u.id', '=', 'a.agent_id'),
      )
      .leftJoin('queues as q', (j) =>
        j.onRef('q.tenant_id', '=', 'a.tenant_id').onRef('q.id', '=', 'a.queue_id'),
      )
      .where('a.tenant_id', '=', tenantId)
      .where('a.call_id', 'in', callIds)
      .select([
        'a.call_id',
        'a.agent_id',
        'u.display_name as agent_name',
        'a.queue_id',
        'q.name as queue_name',
        'a.connected_at',
        'a.ended_at',
        'a.end_reason',
      ])
      .orderBy('a.call_id')
      .orderBy('a.seq')
      .execute();
    for (const row of rows) {
      const list = byCall.get(row.call_id);
      if (list) list.push(row);
      else byCall.set(row.call_id, [row]);
    }
    return byCall;
  }

  /** The stored recording path of a call of the tenant (NOT_FOUND for another tenant's call). */
  async recordingPath(principal: Principal, id: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('voice_calls')
      .select('recording_path')
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('call');
    return row.recording_path;
  }

  #base(tenantId: string) {
    return this.db
      .selectFrom('voice_calls as c')
      .innerJoin('interactions as i', (j) =>
        j.onRef('i.tenant_id', '=', 'c.tenant_id').onRef('i.id', '=', 'c.interaction_id'),
      )
      .leftJoin('queues as q', (j) =>
        j.onRef('q.tenant_id', '=', 'i.tenant_id').onRef('q.id', '=', 'i.queue_id'),
      )
      .leftJoin('users as u', (j) =>
        j.onRef('u.tenant_id', '=', 'c.tenant_id').onRef('u.id', '=', 'c.agent_id'),
      )
      .leftJoin('sip_trunks as t', (j) =>
        j.onRef('t.tenant_id', '=', 'c.tenant_id').onRef('t.id', '=', 'c.trunk_id'),
      )
      .leftJoin('disposition_codes as d', (j) =>
        j.onRef('d.tenant_id', '=', 'i.tenant_id').onRef('d.id', '=', 'i.disposition_code_id'),
      )
      .where('c.tenant_id', '=', tenantId)
      .select([
        'c.id',
        'c.interaction_id',
        'c.direction',
        'c.from_number',
        'c.to_number',
        'c.did',
        'c.trunk_id',
        't.name as trunk_name',
        'i.queue_id',
        'q.name as queue_name',
        'c.agent_id',
        'u.display_name as agent_name',
        'c.arrived_at',
        'c.answered_at',
        'c.queued_at',
        'c.agent_answered_at',
        'c.ended_at',
        'i.state as interaction_state',
        'd.code as disposition_code',
        'd.name as disposition_label',
        'c.hangup_side',
        'c.hangup_cause',
        'c.codec',
        'c.recording_path',
        'c.transferred_to',
        'c.transferred_at',
      ])
      .select(leftVoicemail.as('left_voicemail'));
  }
}

interface RowShape {
  id: string;
  interaction_id: string;
  direction: 'inbound' | 'outbound';
  from_number: string;
  to_number: string;
  did: string;
  trunk_id: string | null;
  trunk_name: string | null;
  queue_id: string | null;
  queue_name: string | null;
  agent_id: string | null;
  agent_name: string | null;
  arrived_at: Date;
  answered_at: Date | null;
  queued_at: Date | null;
  agent_answered_at: Date | null;
  ended_at: Date | null;
  interaction_state: string;
  disposition_code: string | null;
  disposition_label: string | null;
  hangup_side: 'caller' | 'system' | 'agent' | 'external' | null;
  hangup_cause: string | null;
  codec: string | null;
  recording_path: string | null;
  transferred_to: string | null;
  transferred_at: Date | null;
  left_voicemail: boolean;
}

interface LegRow {
  agent_id: string;
  agent_name: string | null;
  queue_id: string | null;
  queue_name: string | null;
  connected_at: Date;
  ended_at: Date | null;
  end_reason: 'transferred' | 'call_ended' | null;
}

/** The call (`voice_calls as c`) left a delivered voicemail. */
const leftVoicemail = sql<boolean>`EXISTS (SELECT 1 FROM voicemails v WHERE v.tenant_id = c.tenant_id AND v.call_id = c.id AND v.task_interaction_id IS NOT NULL)`;

/** The outcome as SQL over `voice_calls as c`: the same rule as `outcomeOf`. */
function outcomeIs(outcome: CallOutcome) {
  switch (outcome) {
    case 'in_progress':
      return sql<boolean>`c.ended_at IS NULL`;
    case 'answered':
      return sql<boolean>`c.ended_at IS NOT NULL AND c.agent_answered_at IS NOT NULL`;
    case 'transferred':
      return sql<boolean>`c.ended_at IS NOT NULL AND c.agent_answered_at IS NULL AND c.transferred_at IS NOT NULL`;
    case 'callback_requested':
      return sql<boolean>`c.ended_at IS NOT NULL AND c.agent_answered_at IS NULL AND c.transferred_at IS NULL AND c.hangup_cause = 'CALLBACK_SCHEDULED'`;
    case 'voicemail':
      return sql<boolean>`c.ended_at IS NOT NULL AND c.agent_answered_at IS NULL AND c.transferred_at IS NULL AND c.hangup_cause IS DISTINCT FROM 'CALLBACK_SCHEDULED' AND ${leftVoicemail}`;
    case 'self_service':
      return sql<boolean>`c.ended_at IS NOT NULL AND c.agent_answered_at IS NULL AND c.transferred_at IS NULL AND c.hangup_cause IS DISTINCT FROM 'CALLBACK_SCHEDULED' AND NOT ${leftVoicemail} AND c.queued_at IS NULL`;
    case 'abandoned':
      return sql<boolean>`c.ended_at IS NOT NULL AND c.agent_answered_at IS NULL AND c.transferred_at IS NULL AND c.hangup_cause IS DISTINCT FROM 'CALLBACK_SCHEDULED' AND NOT ${leftVoicemail} AND c.queued_at IS NOT NULL AND c.hangup_side = 'caller'`;
    case 'overflow':
      return sql<boolean>`c.ended_at IS NOT NULL AND c.agent_answered_at IS NULL AND c.transferred_at IS NULL AND c.hangup_cause IS DISTINCT FROM 'CALLBACK_SCHEDULED' AND NOT ${leftVoicemail} AND c.queued_at IS NOT NULL AND c.hangup_side <> 'caller'`;
  }
}

export function outcomeOf(
  r: Pick<
    RowShape,
    | 'ended_at'
    | 'agent_answered_at'
    | 'queued_at'
    | 'hangup_side'
    | 'hangup_cause'
    | 'transferred_at'
    | 'left_voicemail'
  >,
): CallOutcome {
  if (r.ended_at === null) return 'in_progress';
  if (r.agent_answered_at !== null) return 'answered';
  if (r.transferred_at !== null) return 'transferred';
  if (r.hangup_cause === 'CALLBACK_SCHEDULED') return 'callback_requested';
  if (r.left_voicemail) return 'voicemail';
  if (r.queued_at === null) return 'self_service';
  return r.hangup_side === 'caller' ? 'abandoned' : 'overflow';
}

const seconds = (from: Date | null, to: Date | null): number | null =>
  from === null || to === null ? null : Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

/**
 * One agent's leg. Its talk starts when both ends were there: a callback's agent is connected while the
 * customer's phone still rings (`answered_at` is the customer's answer), so ringing is not talk, and a
 * customer who never answered gives 0.
 */
function toLeg(l: LegRow, answeredAt: Date | null): CallAgentLeg {
  const talkFrom =
    answeredAt === null ? l.ended_at : answeredAt > l.connected_at ? answeredAt : l.connected_at;
  return {
    agentId: l.agent_id,
    agentName: l.agent_name,
    queueId: l.queue_id,
    queueName: l.queue_name,
    connectedAt: l.connected_at.toISOString(),
    endedAt: l.ended_at?.toISOString() ?? null,
    endReason: l.end_reason,
    talkSec: seconds(l.ended_at === null ? null : talkFrom, l.ended_at),
  };
}

/**
 * Talk time: the agents' legs added up (the caller's hold between two agents is not talk), null while
 * an agent still has the call. A call without legs (none were written for it) counts from the answer.
 */
function talkSeconds(r: RowShape, legs: readonly CallAgentLeg[]): number | null {
  if (legs.length === 0) return seconds(r.agent_answered_at, r.ended_at);
  let total = 0;
  for (const leg of legs) {
    if (leg.talkSec === null) return null;
    total += leg.talkSec;
  }
  return total;
}

function toRecord(r: RowShape, legRows: readonly LegRow[]): CallRecord {
  const agents = legRows.map((l) => toLeg(l, r.answered_at));
  return {
    id: r.id,
    interactionId: r.interaction_id,
    direction: r.direction,
    fromNumber: r.from_number,
    toNumber: r.to_number,
    did: r.did,
    trunkId: r.trunk_id,
    trunkName: r.trunk_name,
    queueId: r.queue_id,
    queueName: r.queue_name,
    agentId: r.agent_id,
    agentName: r.agent_name,
    agents,
    arrivedAt: r.arrived_at.toISOString(),
    answeredAt: r.answered_at?.toISOString() ?? null,
    queuedAt: r.queued_at?.toISOString() ?? null,
    agentAnsweredAt: r.agent_answered_at?.toISOString() ?? null,
    endedAt: r.ended_at?.toISOString() ?? null,
    durations: {
      totalSec: seconds(r.arrived_at, r.ended_at),
      // An outbound call (a callback) has no flow: the agent is on it from the start.
      flowSec: r.direction === 'outbound' ? null : seconds(r.answered_at, r.queued_at ?? r.ended_at),
      waitSec: seconds(r.queued_at, r.agent_answered_at ?? r.ended_at),
      talkSec: talkSeconds(r, agents),
    },
    outcome: outcomeOf(r),
    interactionState: r.interaction_state,
    disposition:
      r.disposition_code === null ? null : { code: r.disposition_code, label: r.disposition_label ?? '' },
    hangupSide: r.hangup_side,
    hangupCause: r.hangup_cause,
    codec: r.codec,
    hasRecording: r.recording_path !== null,
    transferredTo: r.transferred_to,
    transferredAt: r.transferred_at?.toISOString() ?? null,
  };
}
