import type { Capacity, Channel } from '@hotline/core/channels';
import {
  type AgentId,
  agentId,
  type InteractionId,
  interactionId,
  queueId,
  skillId,
} from '@hotline/core/ids';
import { type Millis, millis } from '@hotline/core/ports';
import type { AgentProfile, RestoredAgent, RestoredInteraction } from '@hotline/core/routing/engine-contract';
import type {
  OverflowRule as CoreOverflowRule,
  QueueConfig,
  Strategy,
} from '@hotline/core/routing/queue-config';
import type { RoutingEngine } from '@hotline/core/routing/routing-engine';
import type { RoutingEvent } from '@hotline/core/routing/routing-events';
import type { ExpansionStep, OverflowRule } from '@hotline/protocol/config';
import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Storage of routing: loads a tenant's queues, agents and open interactions to build its engine,
 * and writes the outcome of each engine command — interaction rows, their events, routing decisions
 * with explanations, agent presence and history, and the outbox — in one transaction.
 */
export interface OutboxEntry {
  readonly seq: string;
  readonly tenantId: string;
  readonly at: Millis;
  readonly type: string;
  /** Agents the event concerns; supervisors see every event. */
  readonly agentIds: readonly string[];
  readonly payload: RoutingEvent | Record<string, unknown>;
}

type Tx = Transaction<Database> | Kysely<Database>;

const date = (ms: number) => new Date(ms);
const ms = (d: Date) => millis(d.getTime());
const openStates = ['queued', 'callback_scheduled', 'offered', 'connected', 'wrap_up'] as const;

export class RoutingStore {
  constructor(private readonly db: Kysely<Database>) {}

  async loadQueues(tenantId: string): Promise<QueueConfig[]> {
    const rows = await this.db.selectFrom('queues').selectAll().where('tenant_id', '=', tenantId).execute();
    const skills = await this.db
      .selectFrom('queue_skills')
      .select(['queue_id', 'skill_id', 'min_level'])
      .where('tenant_id', '=', tenantId)
      .orderBy('queue_id')
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      id: queueId(r.id),
      name: r.name,
      strategy: r.strategy as Strategy,
      priority: r.priority,
      requiredSkills: skills
        .filter((s) => s.queue_id === r.id)
        .map((s) => ({ skillId: skillId(s.skill_id), minLevel: s.min_level })),
      members: null,
      offerTimeoutMs: r.offer_timeout_seconds * 1000,
      wrapUpMs: r.wrap_up_seconds * 1000,
      exclusiveChannels: r.blocks_other_channels ? ['voice'] : [],
      expansion: (r.expansion as ExpansionStep[]).map((s) => ({
        afterMs: s.afterSeconds * 1000,
        relaxLevelsBy: s.relaxLevelsBy,
        addQueues: s.addQueueIds.map(queueId),
      })),
      overflow: (r.overflow as OverflowRule[]).map(
        (o): CoreOverflowRule => ({
          afterMs: o.afterSeconds === null ? null : o.afterSeconds * 1000,
          noAgents: o.whenNoAgents,
          action:
            o.action.type === 'queue' ? { type: 'queue', queueId: queueId(o.action.queueId) } : o.action,
        }),
      ),
    }));
  }

  /**
   * Every active user can take work; their capacity and skills as configured. With `handledSince`,
   * also how many interactions each handled since then: those they accepted (stored
   * `routing.accepted` events) less those still connected to them, since the engine counts one as
   * handled when the agent's part of it ends (end or transfer).
   */
  async loadAgents(tenantId: string, handledSince?: Date): Promise<RestoredAgent[]> {
    const users = await this.db
      .selectFrom('users')
      .leftJoin('agent_presence', 'agent_presence.user_id', 'users.id')
      .select([
        'users.id',
        'users.capacity',
        'users.created_at',
        'agent_presence.presence',
        'agent_presence.reason',
        'agent_presence.since',
      ])
      .where('users.tenant_id', '=', tenantId)
      .where('users.active', '=', true)
      .orderBy('users.created_at')
      .orderBy('users.id')
      .execute();
    const skills = await this.db
      .selectFrom('agent_skills')
      .select(['user_id', 'skill_id', 'level'])
      .where('tenant_id', '=', tenantId)
      .execute();
    const byUser = new Map<string, Map<ReturnType<typeof skillId>, number>>();
    for (const s of skills) {
      const m = byUser.get(s.user_id) ?? new Map();
      m.set(skillId(s.skill_id), s.level);
      byUser.set(s.user_id, m);
    }
    const handled = handledSince
      ? await this.#handledSince(tenantId, handledSince)
      : new Map<string, number>();
    return users.map((u) => ({
      handledCount: handled.get(u.id) ?? 0,
      profile: {
        id: agentId(u.id),
        capacity: u.capacity as unknown as Capacity,
        skills: byUser.get(u.id) ?? new Map(),
      } satisfies AgentProfile,
      presence: (u.presence ?? 'logged_out') as RestoredAgent['presence'],
      notReadyReason: u.reason ?? null,
      since: ms(u.since ?? u.created_at),
    }));
  }

  async #handledSince(tenantId: string, since: Date): Promise<Map<string, number>> {
    const agentOf = sql<string>`data->>'agentId'`;
    const accepted = await this.db
      .selectFrom('interaction_events')
      .select([agentOf.as('agent_id'), (eb) => eb.fn.countAll<string>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'routing.accepted')
      .where('at', '>=', since)
      .groupBy(agentOf)
      .execute();
    const connected = await this.db
      .selectFrom('interactions')
      .select(['agent_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'connected')
      .where('closed_at', 'is', null)
      .groupBy('agent_id')
      .execute();
    const out = new Map<string, number>();
    for (const r of accepted) out.set(r.agent_id, Number(r.n));
    for (const r of connected) {
      if (r.agent_id) out.set(r.agent_id, Math.max(0, (out.get(r.agent_id) ?? 0) - Number(r.n)));
    }
    return out;
  }

  async loadOpenInteractions(tenantId: string): Promise<RestoredInteraction[]> {
    const rows = await this.db
      .selectFrom('interactions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('closed_at', 'is', null)
      .where('state', 'in', [...openStates])
      .orderBy('route_seq')
      .execute();
    return rows
      .filter((r) => r.queue_id !== null && r.enqueued_at !== null && r.queued_at !== null)
      .map((r) => ({
        id: interactionId(r.id),
        channel: r.channel as Channel,
        state: r.state as RestoredInteraction['state'],
        queueId: queueId(r.queue_id!),
        priority: r.priority,
        skills: r.required_skills.map((s) => ({ skillId: skillId(s.skillId), minLevel: s.minLevel })),
        enqueuedAt: ms(r.enqueued_at!),
        queuedAt: ms(r.queued_at!),
        seq: Number(r.route_seq ?? 0),
        stage: r.stage,
        declinedBy: r.declined_by.map(agentId),
        preferred:
          r.preferred_agent_id && r.preferred_until
            ? { agentId: agentId(r.preferred_agent_id), until: ms(r.preferred_until) }
            : null,
        notBefore: r.not_before ? ms(r.not_before) : null,
        agentId: r.agent_id ? agentId(r.agent_id) : null,
        connectedAt: r.connected_at ? ms(r.connected_at) : null,
        stateSince: ms(r.updated_at),
        callback: r.state === 'callback_scheduled',
      }));
  }

  /**
   * Writes what one engine command did. `prepare` runs first in the same transaction (e.g. inserting
   * the new interaction's row) so that either all of it is stored or none.
   */
  async persist(
    tenantId: string,
    engine: RoutingEngine,
    events: readonly RoutingEvent[],
    at: Millis,
    prepare?: (tx: Transaction<Database>) => Promise<void>,
  ): Promise<OutboxEntry[]> {
    return this.db.transaction().execute(async (tx) => {
      if (prepare) await prepare(tx);
      const touched = new Set<InteractionId>();
      const finalState = new Map<InteractionId, string>();
      const lastQueue = new Map<InteractionId, string>();
      const agents = new Set<AgentId>();
      const ixEvents: { tenant_id: string; interaction_id: string; type: string; at: Date; data: string }[] =
        [];
      const decisions: Insertable<Database['routing_decisions']>[] = [];
      const agentEvents: {
        tenant_id: string;
        user_id: string;
        from_status: string;
        to_status: string;
        presence: string;
        reason: string | null;
        at: Date;
      }[] = [];
      for (const e of events) {
        if (e.type === 'agent.state_changed') {
          agents.add(e.agentId);
          agentEvents.push({
            tenant_id: tenantId,
            user_id: e.agentId,
            from_status: e.from,
            to_status: e.to,
            presence: e.presence,
            reason: e.reason,
            at: date(e.at),
          });
          continue;
        }
        touched.add(e.interactionId);
        if (e.type === 'interaction.state_changed') finalState.set(e.interactionId, e.to);
        // A finished interaction is gone from the engine: its queue comes from the events (enqueued
        // and overflowed in one command, it was never written otherwise).
        if (e.type === 'interaction.queued') lastQueue.set(e.interactionId, e.queueId);
        const { type, interactionId: _id, at: eventAt, ...data } = e;
        ixEvents.push({
          tenant_id: tenantId,
          interaction_id: e.interactionId,
          type,
          at: date(eventAt),
          data: JSON.stringify(type === 'routing.offered' ? { ...data, explanation: undefined } : data),
        });
        if (e.type === 'routing.offered') {
          decisions.push({
            tenant_id: tenantId,
            interaction_id: e.interactionId,
            at: date(e.at),
            queue_id: e.queueId,
            trigger: e.explanation.trigger,
            chosen: JSON.stringify(e.agentIds),
            explanation: JSON.stringify(e.explanation),
          });
        }
      }
      const lastAgent = new Map<InteractionId, string | null>();
      for (const id of touched)
        lastAgent.set(
          id,
          await this.#writeInteraction(tx, tenantId, engine, id, finalState, lastQueue.get(id) ?? null, at),
        );
      if (ixEvents.length) await tx.insertInto('interaction_events').values(ixEvents).execute();
      if (decisions.length) await tx.insertInto('routing_decisions').values(decisions).execute();
      if (agentEvents.length) await tx.insertInto('agent_state_events').values(agentEvents).execute();
      for (const id of agents) {
        const s = engine.agentState(id);
        if (!s) continue;
        await tx
          .insertInto('agent_presence')
          .values({
            tenant_id: tenantId,
            user_id: id,
            presence: s.presence,
            reason: s.notReadyReason,
            status: s.status,
            since: date(s.statusSince),
          })
          .onConflict((oc) =>
            oc.column('user_id').doUpdateSet({
              presence: s.presence,
              reason: s.notReadyReason,
              status: s.status,
              since: date(s.statusSince),
            }),
          )
          .execute();
      }
      if (events.length === 0) return [];
      const outbox = events.map((e) => ({
        tenant_id: tenantId,
        at: date(e.at),
        type: e.type,
        agent_ids: JSON.stringify(audience(e, engine, lastAgent)),
        payload: JSON.stringify(e),
      }));
      const seqs = await tx.insertInto('outbox').values(outbox).returning('seq').execute();
      return events.map((e, i) => ({
        seq: String(seqs[i]!.seq),
        tenantId,
        at: e.at,
        type: e.type,
        agentIds: audience(e, engine, lastAgent),
        payload: e,
      }));
    });
  }

  /** Outbox entries after `after` (exclusive), oldest first. */
  async readOutbox(tenantId: string, after: string, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: String(r.seq),
      tenantId,
      at: ms(r.at),
      type: r.type,
      agentIds: r.agent_ids as unknown as string[],
      payload: r.payload as RoutingEvent,
    }));
  }

  async lastOutboxSeq(tenantId: string): Promise<string> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row?.seq ? String(row.seq) : '0';
  }

  /** Updates the row from the engine's view; returns the agent who held it (for the audience). */
  async #writeInteraction(
    tx: Tx,
    tenantId: string,
    engine: RoutingEngine,
    id: InteractionId,
    finalState: Map<InteractionId, string>,
    queue: string | null,
    at: Millis,
  ): Promise<string | null> {
    const v = engine.interaction(id);
    if (v) {
      await tx
        .updateTable('interactions')
        .set({
          state: v.state,
          queue_id: v.queueId,
          priority: v.priority,
          required_skills: JSON.stringify(v.requiredSkills),
          enqueued_at: date(v.enqueuedAt),
          queued_at: date(v.queuedAt),
          route_seq: v.seq,
          stage: v.stage,
          declined_by: JSON.stringify(v.declinedBy),
          preferred_agent_id: v.preferred?.agentId ?? null,
          preferred_until: v.preferred ? date(v.preferred.until) : null,
          not_before: v.notBefore === null ? null : date(v.notBefore),
          ...(v.agentId ? { agent_id: v.agentId } : {}),
          connected_at: v.connectedAt === null ? null : date(v.connectedAt),
          updated_at: date(at),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
      return v.agentId;
    }
    const state = finalState.get(id);
    const row = await tx
      .updateTable('interactions')
      .set({
        ...(state ? { state } : {}),
        ...(queue ? { queue_id: queue } : {}),
        closed_at: date(at),
        updated_at: date(at),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returning('agent_id')
      .executeTakeFirst();
    return row?.agent_id ?? null;
  }
}

function audience(
  e: RoutingEvent,
  engine: RoutingEngine,
  lastAgent: ReadonlyMap<InteractionId, string | null>,
): string[] {
  switch (e.type) {
    case 'routing.offered':
      return [...e.agentIds];
    case 'routing.offer_withdrawn':
    case 'routing.accepted':
    case 'interaction.ended':
    case 'agent.state_changed':
      return [e.agentId];
    default: {
      const v = engine.interaction(e.interactionId);
      const ids = new Set<string>(v?.offeredTo ?? []);
      const holder = v?.agentId ?? lastAgent.get(e.interactionId) ?? null;
      if (holder) ids.add(holder);
      return [...ids];
    }
  }
}
