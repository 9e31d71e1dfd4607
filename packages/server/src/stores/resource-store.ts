import type { Clock, IdGen } from '@hotline/core/ports';
import type { Page, PaginationQuery } from '@hotline/protocol/common';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { notFound } from '../errors';
import { recordAudit } from './audit-store';
import { translateDbError } from './db-errors';
import type { Principal } from './principal';

// biome-ignore lint/suspicious/noExplicitAny: rows of whichever table the spec names
export type Row = Record<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: the generic store addresses its table by name
type AnyTx = Kysely<any>;

/**
 * Child rows kept with a resource (a queue's required skills). `load` fetches them for a page of
 * parents at once; `save` replaces them inside the parent's transaction.
 */
export interface Relation<TRelated, TInput> {
  load(tx: AnyTx, tenantId: string, ids: string[]): Promise<Map<string, TRelated>>;
  save(tx: AnyTx, tenantId: string, id: string, input: TInput): Promise<void>;
}

/** Describes one tenant-owned configuration table and how it maps to its API representation. */
export interface ResourceSpec<TDto, TCreate, TUpdate, TRelated = never> {
  table: keyof Database;
  /** Name used in the audit log and in messages ("queue"). */
  entityType: string;
  duplicateMessage: string;
  toDto(row: Row, related: TRelated | undefined): TDto;
  /** Columns to insert for a create body (without id, tenant_id, timestamps). */
  toInsert(input: TCreate): Row;
  /** Columns to update for a partial body; absent fields stay as they are. */
  toUpdate(input: TUpdate): Row;
  relation?: Relation<TRelated, TCreate | TUpdate>;
}

export interface StoreDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGen;
}

/**
 * CRUD for a configuration resource, scoped by the principal's tenant, with every change written to
 * the audit log in the same transaction. Another tenant's id behaves exactly like a missing one.
 */
export class ResourceStore<TDto extends { id: string }, TCreate, TUpdate, TRelated = never> {
  constructor(
    private readonly deps: StoreDeps,
    readonly spec: ResourceSpec<TDto, TCreate, TUpdate, TRelated>,
  ) {}

  async list(principal: Principal, page: PaginationQuery): Promise<Page<TDto>> {
    const db = this.deps.db as AnyTx;
    const base = db.selectFrom(this.spec.table).where('tenant_id', '=', principal.tenantId);
    const rows: Row[] = await base
      .selectAll()
      .select((eb) => eb.fn.countAll().over().as('total_count'))
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    // The window count rides on the page; only a page past the end needs its own count.
    const total =
      rows.length > 0
        ? Number(rows[0]!.total_count)
        : Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { items: await this.#toDtos(db, principal.tenantId, rows), total, ...page };
  }

  async get(principal: Principal, id: string): Promise<TDto> {
    return this.#load(this.deps.db, principal.tenantId, id);
  }

  async create(principal: Principal, input: TCreate): Promise<TDto> {
    const id = this.deps.ids.next();
    const now = new Date(this.deps.clock.now());
    return this.#write('write', async (tx) => {
      await tx
        .insertInto(this.spec.table)
        .values({
          ...this.spec.toInsert(input),
          id,
          tenant_id: principal.tenantId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await this.spec.relation?.save(tx, principal.tenantId, id, input);
      const after = await this.#load(tx, principal.tenantId, id);
      await this.#audit(tx, principal, now, { action: 'create', entityId: id, before: null, after });
      return after;
    });
  }

  async update(principal: Principal, id: string, input: TUpdate): Promise<TDto> {
    const now = new Date(this.deps.clock.now());
    return this.#write('write', async (tx) => {
      const before = await this.#load(tx, principal.tenantId, id, true);
      const columns = this.spec.toUpdate(input);
      await tx
        .updateTable(this.spec.table)
        .set({ ...columns, updated_at: now })
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      await this.spec.relation?.save(tx, principal.tenantId, id, input);
      const after = await this.#load(tx, principal.tenantId, id);
      await this.#audit(tx, principal, now, { action: 'update', entityId: id, before, after });
      return after;
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const now = new Date(this.deps.clock.now());
    await this.#write('delete', async (tx) => {
      const before = await this.#load(tx, principal.tenantId, id, true);
      await tx
        .deleteFrom(this.spec.table)
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      await this.#audit(tx, principal, now, { action: 'delete', entityId: id, before, after: null });
    });
  }

  async #load(tx: AnyTx, tenantId: string, id: string, forUpdate = false): Promise<TDto> {
    let query = tx
      .selectFrom(this.spec.table)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id);
    if (forUpdate) query = query.forUpdate();
    const row: Row | undefined = await query.executeTakeFirst();
    if (!row) throw notFound(this.spec.entityType);
    const [dto] = await this.#toDtos(tx, tenantId, [row]);
    return dto!;
  }

  async #toDtos(tx: AnyTx, tenantId: string, rows: Row[]): Promise<TDto[]> {
    const related = this.spec.relation
      ? await this.spec.relation.load(
          tx,
          tenantId,
          rows.map((r) => r.id as string),
        )
      : undefined;
    return rows.map((r) => this.spec.toDto(r, related?.get(r.id)));
  }

  async #audit(
    tx: AnyTx,
    principal: Principal,
    at: Date,
    entry: { action: 'create' | 'update' | 'delete'; entityId: string; before: unknown; after: unknown },
  ): Promise<void> {
    await recordAudit(tx as Transaction<Database>, principal, this.deps.ids.next(), at, {
      ...entry,
      entityType: this.spec.entityType,
    });
  }

  async #write<T>(op: 'write' | 'delete', fn: (tx: AnyTx) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction().execute(fn as (tx: Transaction<Database>) => Promise<T>);
    } catch (error) {
      throw translateDbError(error, op, this.spec.duplicateMessage);
    }
  }
}
