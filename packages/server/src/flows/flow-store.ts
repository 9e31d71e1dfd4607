import { validateFlow } from '@hotline/core/flow/validate-flow';
import type { Page, PaginationQuery } from '@hotline/protocol/common';
import type {
  Flow,
  FlowCreate,
  FlowDetail,
  FlowPatch,
  FlowVersion,
  FlowVersionSummary,
} from '@hotline/protocol/flows';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, FlowsTable, FlowVersionsTable } from '../db/schema';
import { AppError, notFound } from '../errors';
import { recordAudit } from '../stores/audit-store';
import { translateDbError } from '../stores/db-errors';
import type { Principal } from '../stores/principal';
import type { StoreDeps } from '../stores/resource-store';
import { assertFlowUnused } from './flow-entry-points';

/** The audit log's entity type for every change of a flow (its id is the entity id). */
export const FLOW_ENTITY = 'flow';
const DUPLICATE_NAME = 'a flow with this name already exists';

type FlowRow = Selectable<FlowsTable>;
type VersionRow = Selectable<FlowVersionsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** The core validator's verdict, with a 400 carrying its issues (code, JSON Pointer, message). */
function assertValid(document: unknown): void {
  const issues = validateFlow(document);
  if (issues.length === 0) return;
  const first = issues[0]!;
  throw new AppError(
    'VALIDATION_FAILED',
    `the flow is invalid (${issues.length} issue${issues.length === 1 ? '' : 's'}); first at ${first.path || '/'}: ${first.message}`,
    issues.map(({ code, path, message }) => ({ code, path, message })),
  );
}

/**
 * Flows of the principal's tenant and their versions. Every query is scoped by the tenant; another
 * tenant's flow id behaves exactly like a missing one. Each change writes an audit entry (entity
 * `flow`, before/after without documents) in its own transaction.
 *
 * Concurrency: every write locks the flow's row first (`FOR UPDATE`), so saves and publishes of one
 * flow run one after another; the partial unique indexes (one draft, one published) back that up.
 */
export class FlowStore {
  constructor(private readonly deps: StoreDeps) {}

  async list(principal: Principal, page: PaginationQuery): Promise<Page<Flow>> {
    const base = this.deps.db.selectFrom('flows').where('tenant_id', '=', principal.tenantId);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const versions = await this.#current(
      this.deps.db,
      principal.tenantId,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((r) => toFlow(r, versions.get(r.id) ?? [])),
      total: Number(count.n),
      ...page,
    };
  }

  async get(principal: Principal, id: string): Promise<FlowDetail> {
    const row = await this.#flow(this.deps.db, principal.tenantId, id);
    const versions = (await this.#current(this.deps.db, principal.tenantId, [id])).get(id) ?? [];
    const flow = toFlow(row, versions);
    const full = (state: VersionRow['state']) => {
      const v = versions.find((x) => x.state === state);
      return v ? toVersion(v) : null;
    };
    return { ...flow, draft: full('draft'), published: full('published') };
  }

  async create(principal: Principal, input: FlowCreate): Promise<Flow> {
    const id = this.deps.ids.next();
    const now = new Date(this.deps.clock.now());
    return this.#write(async (tx) => {
      await tx
        .insertInto('flows')
        .values({
          id,
          tenant_id: principal.tenantId,
          name: input.name,
          description: input.description,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const after = await this.#summary(tx, principal.tenantId, id);
      await this.#audit(tx, principal, now, 'create', id, null, after);
      return after;
    });
  }

  async update(principal: Principal, id: string, input: FlowPatch): Promise<Flow> {
    const now = new Date(this.deps.clock.now());
    return this.#write(async (tx) => {
      await this.#flow(tx, principal.tenantId, id, true);
      const before = await this.#summary(tx, principal.tenantId, id);
      await tx
        .updateTable('flows')
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.description !== undefined && { description: input.description }),
          updated_at: now,
        })
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      const after = await this.#summary(tx, principal.tenantId, id);
      await this.#audit(tx, principal, now, 'update', id, before, after);
      return after;
    });
  }

  /** Deletes the flow with all its versions. */
  async remove(principal: Principal, id: string): Promise<void> {
    const now = new Date(this.deps.clock.now());
    await this.#write(async (tx) => {
      await this.#flow(tx, principal.tenantId, id, true);
      await assertFlowUnused(tx, principal.tenantId, id);
      const before = await this.#summary(tx, principal.tenantId, id);
      await tx.deleteFrom('flows').where('tenant_id', '=', principal.tenantId).where('id', '=', id).execute();
      await this.#audit(tx, principal, now, 'delete', id, before, null);
    });
  }

  /**
   * Saves `document` as the flow's draft: replaces the open draft, or opens one with the next version
   * number. The document is stored exactly as sent once the core validator accepts it.
   */
  async saveDraft(principal: Principal, id: string, document: unknown): Promise<FlowVersion> {
    const now = new Date(this.deps.clock.now());
    const tenantId = principal.tenantId;
    return this.#write(async (tx) => {
      await this.#flow(tx, tenantId, id, true);
      assertValid(document);
      const before = await this.#summary(tx, tenantId, id);
      const json = JSON.stringify(document);
      const draft = before.draft;
      if (draft) {
        await tx
          .updateTable('flow_versions')
          .set({ document: json, updated_at: now, created_by: authorOf(principal) })
          .where('tenant_id', '=', tenantId)
          .where('flow_id', '=', id)
          .where('version', '=', draft.version)
          .execute();
      } else {
        await tx
          .insertInto('flow_versions')
          .values({
            tenant_id: tenantId,
            flow_id: id,
            version: (await this.#lastNumber(tx, tenantId, id)) + 1,
            document: json,
            state: 'draft',
            created_by: authorOf(principal),
            created_at: now,
            updated_at: now,
            published_at: null,
          })
          .execute();
      }
      await tx
        .updateTable('flows')
        .set({ updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
      const after = await this.#summary(tx, tenantId, id);
      await this.#audit(tx, principal, now, 'update', id, before, after);
      const saved = await tx
        .selectFrom('flow_versions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('flow_id', '=', id)
        .where('state', '=', 'draft')
        .executeTakeFirstOrThrow();
      return toVersion(saved);
    });
  }

  /** Checks `document` against the flow language without saving anything (the flow must exist). */
  async validate(principal: Principal, id: string, document: unknown) {
    await this.#flow(this.deps.db, principal.tenantId, id);
    const issues = validateFlow(document).map(({ code, path, message }) => ({ code, path, message }));
    return { valid: issues.length === 0, issues };
  }

  /**
   * Publishes the draft, atomically: the draft becomes the published version (its number kept, its
   * document's `version` field set to that number), and the previously published version becomes
   * archived. New sessions take it at once; sessions already running keep the version they started
   * on. Without a draft: ILLEGAL_TRANSITION. The draft is validated again (the language may have
   * become stricter since it was saved).
   */
  async publish(principal: Principal, id: string): Promise<FlowVersion> {
    const now = new Date(this.deps.clock.now());
    const tenantId = principal.tenantId;
    return this.#write(async (tx) => {
      await this.#flow(tx, tenantId, id, true);
      const before = await this.#summary(tx, tenantId, id);
      const draft = await tx
        .selectFrom('flow_versions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('flow_id', '=', id)
        .where('state', '=', 'draft')
        .executeTakeFirst();
      if (!draft) {
        throw new AppError('ILLEGAL_TRANSITION', 'the flow has no draft to publish; save a draft first');
      }
      assertValid(draft.document);
      // Archive first: the one-published index is checked statement by statement.
      await tx
        .updateTable('flow_versions')
        .set({ state: 'archived', updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('flow_id', '=', id)
        .where('state', '=', 'published')
        .execute();
      const document = { ...(draft.document as Record<string, unknown>), version: draft.version };
      await tx
        .updateTable('flow_versions')
        .set({ state: 'published', published_at: now, updated_at: now, document: JSON.stringify(document) })
        .where('tenant_id', '=', tenantId)
        .where('flow_id', '=', id)
        .where('version', '=', draft.version)
        .execute();
      await tx
        .updateTable('flows')
        .set({ updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
      const after = await this.#summary(tx, tenantId, id);
      await this.#audit(tx, principal, now, 'update', id, before, after);
      return toVersion({ ...draft, state: 'published', published_at: now, updated_at: now, document });
    });
  }

  /** Every version of the flow with its document, newest first. */
  async versions(principal: Principal, id: string, page: PaginationQuery): Promise<Page<FlowVersion>> {
    const tenantId = principal.tenantId;
    await this.#flow(this.deps.db, tenantId, id);
    const base = this.deps.db
      .selectFrom('flow_versions')
      .where('tenant_id', '=', tenantId)
      .where('flow_id', '=', id);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('version', 'desc').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toVersion), total: Number(count.n), ...page };
  }

  async #flow(db: Db, tenantId: string, id: string, forUpdate = false): Promise<FlowRow> {
    let query = db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
    if (forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw notFound('flow');
    return row;
  }

  async #summary(db: Db, tenantId: string, id: string): Promise<Flow> {
    const row = await this.#flow(db, tenantId, id);
    return toFlow(row, (await this.#current(db, tenantId, [id])).get(id) ?? []);
  }

  /** The draft and published versions of the given flows, by flow id. */
  async #current(db: Db, tenantId: string, ids: string[]): Promise<Map<string, VersionRow[]>> {
    const out = new Map<string, VersionRow[]>();
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom('flow_versions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('flow_id', 'in', ids)
      .where('state', 'in', ['draft', 'published'])
      .execute();
    for (const r of rows) out.set(r.flow_id, [...(out.get(r.flow_id) ?? []), r]);
    return out;
  }

  async #lastNumber(tx: Transaction<Database>, tenantId: string, id: string): Promise<number> {
    const row = await tx
      .selectFrom('flow_versions')
      .select((eb) => eb.fn.max('version').as('n'))
      .where('tenant_id', '=', tenantId)
      .where('flow_id', '=', id)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async #audit(
    tx: Transaction<Database>,
    principal: Principal,
    at: Date,
    action: 'create' | 'update' | 'delete',
    entityId: string,
    before: Flow | null,
    after: Flow | null,
  ): Promise<void> {
    await recordAudit(tx, principal, this.deps.ids.next(), at, {
      action,
      entityType: FLOW_ENTITY,
      entityId,
      before,
      after,
    });
  }

  async #write<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction().execute(fn);
    } catch (error) {
      throw translateDbError(error, 'write', DUPLICATE_NAME);
    }
  }
}

const authorOf = (principal: Principal) => principal.userId ?? principal.apiKeyId;

function toSummary(r: VersionRow): FlowVersionSummary {
  return {
    version: r.version,
    state: r.state,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    publishedAt: r.published_at?.toISOString() ?? null,
  };
}

function toVersion(r: VersionRow): FlowVersion {
  return { ...toSummary(r), document: r.document as Record<string, unknown> };
}

function toFlow(r: FlowRow, versions: VersionRow[]): Flow {
  const find = (state: VersionRow['state']) => {
    const v = versions.find((x) => x.state === state);
    return v ? toSummary(v) : null;
  };
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    draft: find('draft'),
    published: find('published'),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
