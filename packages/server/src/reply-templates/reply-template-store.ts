import { can } from '@hotline/core/roles';
import type {
  ReplyTemplate,
  replyTemplateBody,
  replyTemplatePatch,
  replyTemplatesQuery,
} from '@hotline/protocol/chat';
import type { Locale, Page } from '@hotline/protocol/common';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database, ReplyTemplatesTable } from '../db/schema';
import { AppError, forbidden, notFound } from '../errors';
import { recordAudit } from '../stores/audit-store';
import type { Principal } from '../stores/principal';
import type { StoreDeps } from '../stores/resource-store';

type CreateBody = z.output<typeof replyTemplateBody>;
type PatchBody = z.output<typeof replyTemplatePatch>;
type ListQuery = z.output<typeof replyTemplatesQuery>;
type Row = Selectable<ReplyTemplatesTable>;
type Db = Kysely<Database> | Transaction<Database>;

/**
 * Reply templates: each user's own ones and the tenant's shared ones. A caller sees and touches only
 * their own and the shared; another user's own template behaves exactly like a missing one (404),
 * whatever the caller's role. Shared templates need `reply_templates.shared` to create, change or
 * delete, and only their changes are audited (own templates are private notes: writing them to the
 * admins' audit log would show them to others).
 */
export class ReplyTemplateStore {
  constructor(private readonly deps: StoreDeps) {}

  async list(principal: Principal, query: ListQuery): Promise<Page<ReplyTemplate>> {
    let base = this.deps.db
      .selectFrom('reply_templates')
      .where('tenant_id', '=', principal.tenantId)
      .where((eb) =>
        principal.userId === null
          ? eb('owner_id', 'is', null)
          : eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', principal.userId)]),
      );
    if (query.language) {
      const language: Locale = query.language;
      base = base.where((eb) => eb.or([eb('language', 'is', null), eb('language', '=', language)]));
    }
    const rows = await base
      .selectAll()
      .select((eb) => eb.fn.countAll().over().as('total_count'))
      .orderBy((eb) => eb.fn('lower', ['name']))
      .orderBy('id')
      .limit(query.limit)
      .offset(query.offset)
      .execute();
    const total =
      rows.length > 0
        ? Number(rows[0]!.total_count)
        : Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { items: rows.map(toDto), total, limit: query.limit, offset: query.offset };
  }

  async create(principal: Principal, body: CreateBody): Promise<ReplyTemplate> {
    const ownerId = body.shared ? null : ownerOf(principal);
    if (body.shared) mayShare(principal);
    const now = new Date(this.deps.clock.now());
    const id = this.deps.ids.next();
    return this.deps.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('reply_templates')
        .values({
          id,
          tenant_id: principal.tenantId,
          owner_id: ownerId,
          name: body.name,
          body: body.body,
          language: body.language,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const after = toDto(await load(tx, principal, id));
      if (after.shared) await this.#audit(tx, principal, now, 'create', id, null, after);
      return after;
    });
  }

  /**
   * `shared: true` on an own template hands it to the tenant; `shared: false` on a shared one makes it
   * the caller's own. Either way the caller needs the sharing permission.
   */
  async update(principal: Principal, id: string, patch: PatchBody): Promise<ReplyTemplate> {
    const now = new Date(this.deps.clock.now());
    return this.deps.db.transaction().execute(async (tx) => {
      const before = toDto(await load(tx, principal, id, true));
      const shared = patch.shared ?? before.shared;
      if (before.shared || shared) mayShare(principal);
      await tx
        .updateTable('reply_templates')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.body !== undefined && { body: patch.body }),
          ...(patch.language !== undefined && { language: patch.language }),
          ...(shared !== before.shared && { owner_id: shared ? null : ownerOf(principal) }),
          updated_at: now,
        })
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      const after = toDto(await load(tx, principal, id));
      if (before.shared || after.shared) await this.#audit(tx, principal, now, 'update', id, before, after);
      return after;
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const now = new Date(this.deps.clock.now());
    await this.deps.db.transaction().execute(async (tx) => {
      const before = toDto(await load(tx, principal, id, true));
      if (before.shared) mayShare(principal);
      await tx
        .deleteFrom('reply_templates')
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      if (before.shared) await this.#audit(tx, principal, now, 'delete', id, before, null);
    });
  }

  async #audit(
    tx: Transaction<Database>,
    principal: Principal,
    at: Date,
    action: 'create' | 'update' | 'delete',
    entityId: string,
    before: ReplyTemplate | null,
    after: ReplyTemplate | null,
  ): Promise<void> {
    await recordAudit(tx, principal, this.deps.ids.next(), at, {
      action,
      entityType: 'reply_template',
      entityId,
      before,
      after,
    });
  }
}

/** A template the principal may see: shared, or their own. */
async function load(db: Db, principal: Principal, id: string, forUpdate = false): Promise<Row> {
  let query = db
    .selectFrom('reply_templates')
    .selectAll()
    .where('tenant_id', '=', principal.tenantId)
    .where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row || (row.owner_id !== null && row.owner_id !== principal.userId)) throw notFound('reply template');
  return row;
}

function ownerOf(principal: Principal): string {
  if (principal.userId === null) {
    throw new AppError('FORBIDDEN', 'an API key has no templates of its own; create a shared one');
  }
  return principal.userId;
}

function mayShare(principal: Principal): void {
  if (!can(principal.role, 'reply_templates.shared')) {
    throw forbidden('only supervisors and admins change shared templates');
  }
}

function toDto(r: Row): ReplyTemplate {
  return {
    id: r.id,
    name: r.name,
    body: r.body,
    shared: r.owner_id === null,
    language: r.language as ReplyTemplate['language'],
    ownerId: r.owner_id,
    updatedAt: r.updated_at.toISOString(),
  };
}
