import type {
  FlowAction,
  FlowContext,
  FlowEnv,
  FlowEvent,
  FlowState,
  FlowStep,
} from '@hotline/core/flow/flow-types';
import { resume, start } from '@hotline/core/flow/interpreter';
import { type CompiledFlow, compileFlow } from '@hotline/core/flow/validate-flow';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, FlowSessionsTable } from '../db/schema';
import { AppError, notFound } from '../errors';
import { translateDbError } from '../stores/db-errors';
import type { StoreDeps } from '../stores/resource-store';

type Db = Kysely<Database> | Transaction<Database>;
type SessionRow = Selectable<FlowSessionsTable>;

/** A flow session as the channel sees it after a step. */
export interface FlowSession {
  readonly id: string;
  readonly tenantId: string;
  readonly flowId: string;
  /** The flow version the session started on; it keeps it to the end. */
  readonly version: number;
  readonly channel: FlowContext['channel'];
  readonly interactionId: string | null;
  readonly status: FlowSessionsTable['status'];
  /** The interpreter's state (`pending`, `transcript`, `trail`, variables) after the last step. */
  readonly state: FlowState;
  /** What the channel must do now (for a running session: the action waited on). */
  readonly lastAction: FlowAction;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly endedAt: string | null;
}

/** One step's answer: the session after it, and the interpreter's step. */
export interface FlowSessionStep {
  readonly session: FlowSession;
  readonly action: FlowAction;
  /** Nodes entered during this step, in order. */
  readonly visited: readonly string[];
  /** Set when the interpreter refused the event; nothing was written then (repeat `action`). */
  readonly refused?: FlowStep['refused'];
}

/**
 * What the channel writes for a step (a chat message, an enqueue, outbox events), called inside the
 * transaction that stores the session's new state, so both commit or neither does. Not called for
 * refused events. Must use `tx` only: on PGlite the transaction holds the one connection.
 */
export type StepOutcome = (tx: Transaction<Database>, step: FlowSessionStep) => Promise<void>;

export interface FlowSessionDeps extends StoreDeps {
  /** The tenant's data the verbs read (calendars, knowledge base). None by default. */
  tenantEnv?: (tenantId: string) => Promise<Omit<FlowEnv, 'now'>>;
  /** Compiled flow versions kept in memory (least recently used dropped first). Default 256. */
  compiledCacheSize?: number;
}

export interface StartFlowSession {
  readonly flowId: string;
  readonly context: FlowContext;
  readonly interactionId?: string | null;
}

/**
 * Runs flow sessions: the interpreter (`core/flow/interpreter.ts`) with its state in `flow_sessions`.
 *
 * A session starts on the flow's published version and keeps that version to its end, whatever is
 * published meanwhile. After every step the state, status and action are written in one transaction
 * (with the channel's `StepOutcome`), so a new instance of this service on the same database (after a
 * restart) continues a session exactly where it stopped.
 *
 * Concurrency: `resume` and `fail` lock the session's row (`FOR UPDATE`), so events of one session
 * are applied one after another; a second event the node no longer waits for comes back `refused`.
 * Compiled versions are cached by tenant, flow and version number: a published or archived version's
 * document never changes (only drafts are edited), so the cache needs no invalidation.
 */
export class FlowSessionService {
  readonly #compiled = new Map<string, CompiledFlow>();
  readonly #cacheSize: number;

  constructor(private readonly deps: FlowSessionDeps) {
    this.#cacheSize = deps.compiledCacheSize ?? 256;
  }

  /**
   * Starts a session on the flow's published version and runs it to its first action. A flow of
   * another tenant is NOT_FOUND; a flow never published is ILLEGAL_TRANSITION.
   */
  async start(tenantId: string, input: StartFlowSession, outcome?: StepOutcome): Promise<FlowSessionStep> {
    if (!UUID.test(input.flowId)) throw notFound('flow');
    const env = await this.#env(tenantId);
    return this.#write(async (tx) => {
      const published = await tx
        .selectFrom('flow_versions')
        .select(['version', 'document'])
        .where('tenant_id', '=', tenantId)
        .where('flow_id', '=', input.flowId)
        .where('state', '=', 'published')
        .executeTakeFirst();
      if (!published) {
        const flow = await tx
          .selectFrom('flows')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', input.flowId)
          .executeTakeFirst();
        if (!flow) throw notFound('flow');
        throw new AppError(
          'ILLEGAL_TRANSITION',
          'the flow has no published version; publish a draft before starting sessions on it',
        );
      }
      const flow = this.#compile(tenantId, input.flowId, published.version, published.document);
      const step = start(flow, input.context, env);
      const now = new Date(this.deps.clock.now());
      const row: SessionRow = {
        id: this.deps.ids.next(),
        tenant_id: tenantId,
        flow_id: input.flowId,
        version: published.version,
        channel: input.context.channel,
        interaction_id: input.interactionId ?? null,
        state: step.state,
        status: statusOf(step),
        last_action: step.action,
        created_at: now,
        updated_at: now,
        ended_at: statusOf(step) === 'running' ? null : now,
      };
      await tx
        .insertInto('flow_sessions')
        .values({ ...row, state: JSON.stringify(row.state), last_action: JSON.stringify(row.last_action) })
        .execute();
      const answer = { session: toSession(row), action: step.action, visited: step.visited };
      await outcome?.(tx, answer);
      return answer;
    });
  }

  /**
   * Continues a running session with the channel's event, on the version it started on. A refused
   * event writes nothing. A session that is no longer running is ILLEGAL_TRANSITION; another tenant's
   * session id is NOT_FOUND.
   */
  async resume(
    tenantId: string,
    sessionId: string,
    event: FlowEvent,
    outcome?: StepOutcome,
  ): Promise<FlowSessionStep> {
    const env = await this.#env(tenantId);
    return this.deps.db.transaction().execute(async (tx) => {
      const row = await this.#row(tx, tenantId, sessionId, true);
      if (row.status !== 'running') {
        throw new AppError('ILLEGAL_TRANSITION', `the flow session has ${row.status}`);
      }
      const flow = await this.#load(tx, row);
      const step = resume(flow, row.state as FlowState, event, env);
      if (step.refused) {
        return { session: toSession(row), action: step.action, visited: [], refused: step.refused };
      }
      const answer = await this.#save(tx, row, step.state, step.action, statusOf(step));
      const out = { ...answer, visited: step.visited };
      await outcome?.(tx, out);
      return out;
    });
  }

  /**
   * Ends a running session as failed because the channel cannot carry it on (the call dropped
   * mid-action, a media error). The state is kept for the agent and reports. A session that already
   * ended is returned unchanged.
   */
  async fail(tenantId: string, sessionId: string, reason: string): Promise<FlowSession> {
    return this.deps.db.transaction().execute(async (tx) => {
      const row = await this.#row(tx, tenantId, sessionId, true);
      if (row.status !== 'running') return toSession(row);
      const action: FlowAction = {
        type: 'end',
        reason: 'error',
        outcome: null,
        error: { code: 'INTERNAL', message: reason.slice(0, 500) },
      };
      return (await this.#save(tx, row, row.state as FlowState, action, 'failed')).session;
    });
  }

  async get(tenantId: string, sessionId: string): Promise<FlowSession> {
    return toSession(await this.#row(this.deps.db, tenantId, sessionId, false));
  }

  async #write<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction().execute(fn);
    } catch (error) {
      throw translateDbError(error, 'write', 'the flow session already exists');
    }
  }

  async #save(
    tx: Transaction<Database>,
    row: SessionRow,
    state: FlowState,
    action: FlowAction,
    status: SessionRow['status'],
  ): Promise<Omit<FlowSessionStep, 'visited'>> {
    const now = new Date(this.deps.clock.now());
    const next: SessionRow = {
      ...row,
      state,
      status,
      last_action: action,
      updated_at: now,
      ended_at: status === 'running' ? null : now,
    };
    await tx
      .updateTable('flow_sessions')
      .set({
        state: JSON.stringify(state),
        status,
        last_action: JSON.stringify(action),
        updated_at: now,
        ended_at: next.ended_at,
      })
      .where('tenant_id', '=', row.tenant_id)
      .where('id', '=', row.id)
      .execute();
    return { session: toSession(next), action };
  }

  async #row(db: Db, tenantId: string, id: string, forUpdate: boolean): Promise<SessionRow> {
    if (!UUID.test(id)) throw notFound('flow session');
    let query = db
      .selectFrom('flow_sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id);
    if (forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw notFound('flow session');
    return row;
  }

  /** The compiled version a session runs on: from the cache, else from its stored document. */
  async #load(tx: Transaction<Database>, row: SessionRow): Promise<CompiledFlow> {
    const cached = this.#cached(cacheKey(row.tenant_id, row.flow_id, row.version));
    if (cached) return cached;
    // The foreign key keeps the version while the session exists.
    const version = await tx
      .selectFrom('flow_versions')
      .select('document')
      .where('tenant_id', '=', row.tenant_id)
      .where('flow_id', '=', row.flow_id)
      .where('version', '=', row.version)
      .executeTakeFirstOrThrow();
    return this.#compile(row.tenant_id, row.flow_id, row.version, version.document);
  }

  #compile(tenantId: string, flowId: string, version: number, document: unknown): CompiledFlow {
    const key = cacheKey(tenantId, flowId, version);
    const cached = this.#cached(key);
    if (cached) return cached;
    // Publishing writes the number into the document; the stored number is the one sessions carry.
    const result = compileFlow({ ...(document as Record<string, unknown>), version });
    if (!result.ok) {
      // Only when the language became stricter than it was when this version was published.
      throw new AppError(
        'VALIDATION_FAILED',
        `version ${version} of the flow no longer validates; publish a corrected version`,
        result.issues.map(({ code, path, message }) => ({ code, path, message })),
      );
    }
    this.#compiled.set(key, result.flow);
    if (this.#compiled.size > this.#cacheSize) {
      this.#compiled.delete(this.#compiled.keys().next().value!);
    }
    return result.flow;
  }

  #cached(key: string): CompiledFlow | undefined {
    const flow = this.#compiled.get(key);
    if (flow) {
      // Map keeps insertion order: re-inserting marks the entry as the most recently used.
      this.#compiled.delete(key);
      this.#compiled.set(key, flow);
    }
    return flow;
  }

  async #env(tenantId: string): Promise<FlowEnv> {
    const data = (await this.deps.tenantEnv?.(tenantId)) ?? {};
    return { ...data, now: this.deps.clock.now() };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const cacheKey = (tenantId: string, flowId: string, version: number) => `${tenantId}/${flowId}@${version}`;

/** running while the flow waits; failed when it ended on a runtime error; ended otherwise. */
function statusOf(step: FlowStep): SessionRow['status'] {
  if (step.state.status === 'waiting') return 'running';
  return step.action.type === 'end' && step.action.reason === 'error' ? 'failed' : 'ended';
}

function toSession(r: SessionRow): FlowSession {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    flowId: r.flow_id,
    version: r.version,
    channel: r.channel as FlowSession['channel'],
    interactionId: r.interaction_id,
    status: r.status,
    state: r.state as FlowState,
    lastAction: r.last_action as FlowAction,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null,
  };
}
