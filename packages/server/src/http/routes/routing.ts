import { type AgentState, freeSlots } from '@hotline/core/agent/agent-state';
import { type Channel, channels } from '@hotline/core/channels';
import { agentId, interactionId, queueId } from '@hotline/core/ids';
import { type Millis, millis } from '@hotline/core/ports';
import type { RoutingEngine } from '@hotline/core/routing/routing-engine';
import type { RoutingEvent } from '@hotline/core/routing/routing-events';
import { errorBodySchema, idParams } from '@hotline/protocol/common';
import {
  type AgentStateDto,
  agentStateBody,
  agentStateSchema,
  createInteractionBody,
  directoryEntrySchema,
  type InteractionDto,
  interactionSchema,
  queueLiveSchema,
  transferBody,
  wrapUpBody,
} from '@hotline/protocol/routing';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database';
import { AppError, forbidden, notFound } from '../../errors';
import type { LiveFigures } from '../../routing/live-figures';
import type { RoutingService } from '../../routing/routing-service';
import { createTask } from '../../routing/task-interactions';
import type { Principal } from '../../stores/principal';
import { principalOf } from '../authenticate';

/**
 * The routing API: the agent's own work (`/api/agent/*`), the task channel (`POST /api/interactions`),
 * and the supervisor's live view. Thin: validation from the protocol schemas, decisions in the core
 * engine through the routing service, figures from `LiveFigures`.
 */
const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
};
const agentTags = ['agent'];
const work = { access: 'agent.work' } as const;

export interface RoutingRoutesOptions {
  db: Db;
  routing: RoutingService;
  figures: LiveFigures;
  ids: { next(): string };
  clock: { now(): number };
  /**
   * Called after a chat was transferred with a note, so that the conversation log shows it to the
   * next agent (the note is in the interaction's events for every channel either way).
   */
  chatTransferNote?: (note: TransferNote) => Promise<void>;
}

export interface TransferNote {
  readonly tenantId: string;
  readonly interactionId: string;
  readonly from: { readonly userId: string; readonly name: string };
  readonly note: string;
  /** Unique per transfer: an idempotency key for whatever stores the note. */
  readonly noteId: string;
}

/** The interaction event that keeps a transfer note (`interaction_events.type`). */
export const TRANSFER_NOTE_EVENT = 'interaction.transfer_note';
/** Each agent's wrap-up of an interaction: code, notes, and whether it was the final one. */
export const WRAP_UP_EVENT = 'interaction.wrap_up';

const iso = (ms: number) => new Date(ms).toISOString();

export function agentStateDto(s: AgentState): AgentStateDto {
  return {
    agentId: s.id,
    status: s.status,
    presence: s.presence,
    reason: s.notReadyReason,
    since: iso(s.statusSince),
    work: s.work.map((w) => ({
      interactionId: w.interactionId,
      channel: w.channel,
      phase: w.phase,
      since: iso(w.since),
      wrapUpUntil: w.wrapUpUntil === null ? null : iso(w.wrapUpUntil),
    })),
    handledToday: s.handledCount,
    capacity: capacityDto(s),
  };
}

function capacityDto(s: AgentState): AgentStateDto['capacity'] {
  const out = {} as Record<Channel, { max: number; used: number }>;
  for (const c of channels) out[c] = { max: s.capacity[c] ?? 0, used: 0 };
  for (const w of s.work) out[w.channel].used++;
  return out;
}

function me(p: Principal) {
  if (!p.userId) throw forbidden('agent commands need a signed-in user, not an API key');
  return agentId(p.userId);
}

function stateOf(engine: RoutingEngine, id: ReturnType<typeof agentId>): AgentState {
  const s = engine.agentState(id);
  if (!s) throw forbidden('this user cannot take work (inactive)');
  return s;
}

export const routingRoutes: FastifyPluginAsyncZod<RoutingRoutesOptions> = async (app, opts) => {
  const { routing, db, figures } = opts;
  const kysely = db.kysely;

  const agentCommand = (p: Principal, fn: (engine: RoutingEngine, at: Millis) => RoutingEvent[]) =>
    routing.execute(p.tenantId, (engine, at) => {
      const id = me(p);
      stateOf(engine, id);
      const events = fn(engine, at);
      return { events, result: agentStateDto(stateOf(engine, id)) };
    });

  app.get(
    '/api/agent/me',
    { schema: { tags: agentTags, response: { 200: agentStateSchema, ...errors } }, config: work },
    (request) => {
      const p = principalOf(request);
      return routing.read(p.tenantId, (engine) => agentStateDto(stateOf(engine, me(p))));
    },
  );
  app.post(
    '/api/agent/login',
    { schema: { tags: agentTags, response: { 200: agentStateSchema, ...errors } }, config: work },
    (request) => {
      const p = principalOf(request);
      return agentCommand(p, (engine, at) => engine.login(me(p), at));
    },
  );
  app.post(
    '/api/agent/logout',
    { schema: { tags: agentTags, response: { 200: agentStateSchema, ...errors } }, config: work },
    (request) => {
      const p = principalOf(request);
      return agentCommand(p, (engine, at) => engine.logout(me(p), at));
    },
  );
  app.put(
    '/api/agent/state',
    {
      schema: { tags: agentTags, body: agentStateBody, response: { 200: agentStateSchema, ...errors } },
      config: work,
    },
    async (request) => {
      const p = principalOf(request);
      const body = request.body;
      const reason =
        body.state === 'not_ready' && body.reasonId ? await reasonName(p.tenantId, body.reasonId) : null;
      return agentCommand(p, (engine, at) =>
        body.state === 'ready' ? engine.setReady(me(p), at) : engine.setNotReady(me(p), reason, at),
      );
    },
  );
  app.post(
    '/api/agent/offers/:id/accept',
    {
      schema: { tags: agentTags, params: idParams, response: { 200: agentStateSchema, ...errors } },
      config: work,
    },
    (request) => {
      const p = principalOf(request);
      return agentCommand(p, (engine, at) => engine.accept(me(p), interactionId(request.params.id), at));
    },
  );
  app.post(
    '/api/agent/offers/:id/decline',
    {
      schema: { tags: agentTags, params: idParams, response: { 200: agentStateSchema, ...errors } },
      config: work,
    },
    (request) => {
      const p = principalOf(request);
      return agentCommand(p, (engine, at) => engine.decline(me(p), interactionId(request.params.id), at));
    },
  );
  app.post(
    '/api/agent/interactions/:id/end',
    {
      schema: { tags: agentTags, params: idParams, response: { 200: agentStateSchema, ...errors } },
      config: work,
    },
    (request) => {
      const p = principalOf(request);
      const ix = interactionId(request.params.id);
      return agentCommand(p, (engine, at) => {
        holdsOrThrow(engine, me(p), ix);
        return engine.end(ix, at);
      });
    },
  );
  app.post(
    '/api/agent/interactions/:id/wrap-up',
    {
      schema: {
        tags: agentTags,
        params: idParams,
        body: wrapUpBody,
        response: { 200: agentStateSchema, ...errors },
      },
      config: work,
    },
    async (request) => {
      const p = principalOf(request);
      const ix = interactionId(request.params.id);
      const { dispositionCodeId, notes } = request.body;
      if (dispositionCodeId) await dispositionOrThrow(p.tenantId, dispositionCodeId);
      // Only the agent who holds the interaction last decides its disposition. An agent wrapping up
      // their part after a transfer keeps their code and notes in the interaction's events instead, so
      // a late wrap-up never overwrites the final one.
      let holdsIt = false;
      return routing.execute(
        p.tenantId,
        (engine, at) => {
          const id = me(p);
          const item = stateOf(engine, id).work.find((w) => w.interactionId === ix);
          if (!item || item.phase === 'offered') throw forbidden('this interaction is not yours to wrap up');
          holdsIt = engine.interaction(ix)?.agentId === id;
          const events = item.phase === 'connected' ? engine.end(ix, at) : [];
          events.push(...engine.finishWrapUp(id, ix, at));
          return { events, result: agentStateDto(stateOf(engine, id)) };
        },
        async (tx) => {
          await tx
            .insertInto('interaction_events')
            .values({
              tenant_id: p.tenantId,
              interaction_id: ix,
              type: WRAP_UP_EVENT,
              at: new Date(opts.clock.now()),
              data: JSON.stringify({
                agentId: p.userId,
                dispositionCodeId: dispositionCodeId ?? null,
                notes,
                final: holdsIt,
              }),
            })
            .execute();
          if (!holdsIt) return;
          await tx
            .updateTable('interactions')
            .set({ disposition_code_id: dispositionCodeId ?? null, notes })
            .where('tenant_id', '=', p.tenantId)
            .where('id', '=', ix)
            .execute();
        },
      );
    },
  );
  app.post(
    '/api/agent/interactions/:id/transfer',
    {
      schema: {
        tags: agentTags,
        params: idParams,
        body: transferBody,
        response: { 200: agentStateSchema, ...errors },
      },
      config: work,
    },
    async (request) => {
      const p = principalOf(request);
      const ix = interactionId(request.params.id);
      const body = request.body;
      const note = body.note.trim();
      const noteId = opts.ids.next();
      const from = { userId: me(p), name: note ? await displayName(p.tenantId, me(p)) : '' };
      const { state, channel } = await routing.execute(
        p.tenantId,
        (engine, at) => {
          const id = me(p);
          stateOf(engine, id);
          const view = holdsOrThrow(engine, id, ix);
          if (body.agentId && !engine.agentState(agentId(body.agentId))) {
            throw new AppError('INVALID_REFERENCE', 'unknown agent');
          }
          const events = engine.transfer(
            ix,
            {
              queueId: queueId(body.queueId),
              ...(body.agentId
                ? { agentId: agentId(body.agentId), exclusiveMs: body.exclusiveSeconds * 1000 }
                : {}),
            },
            at,
          );
          return { events, result: { state: agentStateDto(stateOf(engine, id)), channel: view.channel } };
        },
        // The note goes into the interaction's events in the transfer's own transaction.
        note
          ? async (tx) => {
              await tx
                .insertInto('interaction_events')
                .values({
                  tenant_id: p.tenantId,
                  interaction_id: ix,
                  type: TRANSFER_NOTE_EVENT,
                  at: new Date(opts.clock.now()),
                  data: JSON.stringify({
                    noteId,
                    fromAgentId: from.userId,
                    fromName: from.name,
                    note,
                    toQueueId: body.queueId,
                    toAgentId: body.agentId ?? null,
                  }),
                })
                .execute();
            }
          : undefined,
      );
      if (note && channel === 'chat' && opts.chatTransferNote) {
        await opts.chatTransferNote({ tenantId: p.tenantId, interactionId: ix, from, note, noteId });
      }
      return state;
    },
  );

  // ── Colleagues ────────────────────────────────────────────────────────────
  app.get(
    '/api/agent/directory',
    {
      schema: {
        tags: agentTags,
        description:
          'Active users of the tenant as a colleague may see them (to pick a transfer target): name, ' +
          'routing status and free chat slots. No e-mail, role or skills.',
        response: { 200: z.object({ items: z.array(directoryEntrySchema) }), ...errors },
      },
      config: work,
    },
    async (request) => {
      const p = principalOf(request);
      const users = await kysely
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where('tenant_id', '=', p.tenantId)
        .where('active', '=', true)
        .orderBy('display_name')
        .orderBy('id')
        .execute();
      const items = await routing.read(p.tenantId, (engine) =>
        users.flatMap((u) => {
          const s = engine.agentState(agentId(u.id));
          return s
            ? [
                {
                  agentId: u.id,
                  displayName: u.display_name,
                  status: s.status,
                  freeChats: freeSlots(s, 'chat'),
                },
              ]
            : [];
        }),
      );
      return { items };
    },
  );

  // ── Task channel ──────────────────────────────────────────────────────────
  app.post(
    '/api/interactions',
    {
      schema: {
        tags: ['interactions'],
        body: createInteractionBody,
        response: { 201: interactionSchema, ...errors },
      },
      config: { access: 'interactions.create' },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      if (body.skills.length)
        await skillsOrThrow(
          p.tenantId,
          body.skills.map((s) => s.skillId),
        );
      const id = interactionId(opts.ids.next());
      await createTask(
        routing,
        p.tenantId,
        {
          id,
          channel: body.channel,
          queueId: body.queueId,
          ...(body.priority === undefined ? {} : { priority: body.priority }),
          skills: body.skills,
          subject: body.subject,
          contact: body.contact,
          data: body.data,
          ...(body.preferredAgentId
            ? {
                preferredAgent: {
                  agentId: body.preferredAgentId,
                  exclusiveMs: body.preferredWaitSeconds * 1000,
                },
              }
            : {}),
          ...(body.notBefore ? { notBefore: millis(Date.parse(body.notBefore)) } : {}),
          createdBy: p.userId ?? `api_key:${p.apiKeyId}`,
        },
        () => opts.clock.now(),
      );
      return reply.status(201).send(await interactionDto(p, id));
    },
  );
  app.get(
    '/api/interactions/:id',
    {
      schema: { tags: ['interactions'], params: idParams, response: { 200: interactionSchema, ...errors } },
      config: { access: 'agent.work' },
    },
    (request) => interactionDto(principalOf(request), interactionId(request.params.id)),
  );
  app.get(
    '/api/interactions/:id/routing',
    {
      schema: {
        tags: ['interactions'],
        params: idParams,
        response: {
          200: z.object({
            decisions: z.array(
              z.object({
                at: z.string(),
                trigger: z.string(),
                chosen: z.array(z.string()),
                explanation: z.unknown(),
              }),
            ),
            waiting: z.unknown().nullable(),
          }),
          ...errors,
        },
      },
      config: { access: 'supervisor.monitor' },
    },
    async (request) => {
      const p = principalOf(request);
      const ix = interactionId(request.params.id);
      const exists = await kysely
        .selectFrom('interactions')
        .select('id')
        .where('tenant_id', '=', p.tenantId)
        .where('id', '=', ix)
        .executeTakeFirst();
      if (!exists) throw notFound('interaction');
      const decisions = await kysely
        .selectFrom('routing_decisions')
        .select(['at', 'trigger', 'chosen', 'explanation'])
        .where('tenant_id', '=', p.tenantId)
        .where('interaction_id', '=', ix)
        .orderBy('seq')
        .execute();
      const waiting = await routing.read(p.tenantId, (engine, at) => {
        const v = engine.interaction(ix);
        return v && (v.state === 'queued' || v.state === 'callback_scheduled')
          ? engine.explainWaiting(ix, at)
          : null;
      });
      return {
        decisions: decisions.map((d) => ({
          at: d.at.toISOString(),
          trigger: d.trigger,
          chosen: d.chosen as unknown as string[],
          explanation: d.explanation,
        })),
        waiting,
      };
    },
  );

  // ── Supervisor ────────────────────────────────────────────────────────────
  app.get(
    '/api/supervisor/queues',
    {
      schema: {
        tags: ['supervisor'],
        response: { 200: z.object({ items: z.array(queueLiveSchema) }), ...errors },
      },
      config: { access: 'supervisor.monitor' },
    },
    async (request) => ({ items: await figures.queues(principalOf(request).tenantId) }),
  );
  app.get(
    '/api/supervisor/agents',
    {
      schema: {
        tags: ['supervisor'],
        response: { 200: z.object({ items: z.array(agentStateSchema) }), ...errors },
      },
      config: { access: 'supervisor.monitor' },
    },
    async (request) => {
      const p = principalOf(request);
      return { items: await routing.read(p.tenantId, (engine) => [...engine.agents()].map(agentStateDto)) };
    },
  );
  app.put(
    '/api/supervisor/agents/:id/state',
    {
      schema: {
        tags: ['supervisor'],
        params: idParams,
        body: z.strictObject({ state: z.enum(['not_ready', 'logged_out']) }),
        response: { 200: agentStateSchema, ...errors },
      },
      config: { access: 'supervisor.control' },
    },
    (request) => {
      const p = principalOf(request);
      const target = agentId(request.params.id);
      return routing.execute(p.tenantId, (engine, at) => {
        const s = engine.agentState(target);
        if (!s) throw notFound('agent');
        const events =
          request.body.state === 'logged_out'
            ? engine.logout(target, at)
            : s.presence === 'logged_out'
              ? []
              : engine.setNotReady(target, 'supervisor', at);
        return { events, result: agentStateDto(engine.agentState(target)!) };
      });
    },
  );

  async function displayName(tenantId: string, userId: string): Promise<string> {
    const row = await kysely
      .selectFrom('users')
      .select('display_name')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
    return row?.display_name ?? '';
  }

  async function reasonName(tenantId: string, id: string): Promise<string> {
    const row = await kysely
      .selectFrom('not_ready_reasons')
      .select('name')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('INVALID_REFERENCE', 'unknown not-ready reason');
    return row.name;
  }

  async function dispositionOrThrow(tenantId: string, id: string): Promise<void> {
    const row = await kysely
      .selectFrom('disposition_codes')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('INVALID_REFERENCE', 'unknown disposition code');
  }

  async function skillsOrThrow(tenantId: string, ids: string[]): Promise<void> {
    const rows = await kysely
      .selectFrom('skills')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .execute();
    if (rows.length !== ids.length) throw new AppError('INVALID_REFERENCE', 'unknown skill');
  }

  /** Agents see interactions they hold or were offered; supervisors see all of their tenant's. */
  async function interactionDto(p: Principal, id: ReturnType<typeof interactionId>): Promise<InteractionDto> {
    const row = await kysely
      .selectFrom('interactions')
      .selectAll()
      .where('tenant_id', '=', p.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('interaction');
    const live = await routing.read(p.tenantId, (engine) => ({
      view: engine.interaction(id),
      position: engine.position(id),
    }));
    const mayRead =
      p.role !== 'agent' ||
      (p.userId !== null &&
        (row.agent_id === p.userId ||
          row.created_by === p.userId ||
          (live.view?.offeredTo ?? []).includes(agentId(p.userId))));
    if (!mayRead) throw notFound('interaction');
    return {
      id: row.id,
      channel: row.channel as InteractionDto['channel'],
      state: (live.view?.state ?? row.state) as InteractionDto['state'],
      queueId: live.view?.queueId ?? row.queue_id,
      priority: live.view?.priority ?? row.priority,
      subject: row.subject,
      contact: row.contact,
      data: row.data,
      agentId: live.view?.agentId ?? row.agent_id,
      enqueuedAt: row.enqueued_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
      closedAt: row.closed_at?.toISOString() ?? null,
      dispositionCodeId: row.disposition_code_id,
      notes: row.notes,
      position: live.position,
      contactId: row.contact_id,
      transferNotes: await transferNotes(p.tenantId, id),
    };
  }

  async function transferNotes(tenantId: string, id: string): Promise<InteractionDto['transferNotes']> {
    const rows = await kysely
      .selectFrom('interaction_events')
      .select(['at', 'data'])
      .where('tenant_id', '=', tenantId)
      .where('interaction_id', '=', id)
      .where('type', '=', TRANSFER_NOTE_EVENT)
      .orderBy('seq')
      .execute();
    return rows.map((r) => {
      const d = r.data as { fromAgentId?: string; fromName?: string; note?: string };
      return {
        at: r.at.toISOString(),
        fromAgentId: d.fromAgentId ?? null,
        fromName: d.fromName ?? '',
        note: d.note ?? '',
      };
    });
  }
};

function holdsOrThrow(
  engine: RoutingEngine,
  agent: ReturnType<typeof agentId>,
  ix: ReturnType<typeof interactionId>,
) {
  const v = engine.interaction(ix);
  if (!v) throw notFound('interaction');
  if (v.agentId !== agent) throw forbidden('this interaction is not yours');
  return v;
}
