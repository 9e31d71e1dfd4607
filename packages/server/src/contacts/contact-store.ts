import type { Page, PaginationQuery } from '@hotline/protocol/common';
import type {
  ContactDto,
  ContactInteraction,
  contactPatch,
  contactSearchQuery,
} from '@hotline/protocol/contacts';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../db/schema';
import { AppError, notFound } from '../errors';
import { recordAudit } from '../stores/audit-store';
import { translateDbError } from '../stores/db-errors';
import type { Principal } from '../stores/principal';
import type { StoreDeps } from '../stores/resource-store';
import { type IdentityKind, normalizeEmail, normalizePhone } from './contact-identity';

type SearchQuery = z.output<typeof contactSearchQuery>;
type ContactPatch = z.output<typeof contactPatch>;
type Db = Kysely<Database> | Transaction<Database>;

const identityOrder: Record<IdentityKind, number> = { email: 0, phone: 1, visitor: 2 };

/**
 * Contacts as agents see and edit them in the customer panel, always within the principal's tenant.
 * Editing never merges two contacts: an e-mail or phone that identifies another contact is refused
 * (409 DUPLICATE) rather than moved. Changes are recorded in the audit log.
 */
export class ContactStore {
  constructor(private readonly deps: StoreDeps) {}

  /**
   * Contacts whose name, e-mail or phone — current or any earlier identity — contains `q`
   * (case-insensitive; for phones, the digits of `q`), most recently changed first.
   */
  async search(principal: Principal, query: SearchQuery): Promise<Page<ContactDto>> {
    const db = this.deps.db;
    const tenantId = principal.tenantId;
    const text = query.q.toLowerCase();
    const digits = query.q.replace(/[^0-9]/g, '');
    let base = db.selectFrom('contacts as c').where('c.tenant_id', '=', tenantId);
    if (text !== '') {
      const like = `%${escapeLike(text)}%`;
      const digitsLike = `%${digits}%`;
      base = base.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['c.name']), 'like', like),
          eb(eb.fn('lower', ['c.email']), 'like', like),
          ...(digits.length > 0 ? [eb('c.phone', 'like', digitsLike)] : []),
          eb.exists(
            eb
              .selectFrom('contact_identities as i')
              .select('i.contact_id')
              .whereRef('i.tenant_id', '=', 'c.tenant_id')
              .whereRef('i.contact_id', '=', 'c.id')
              .where((ib) =>
                eb.or([
                  ib.and([ib('i.kind', '=', 'email'), ib('i.value', 'like', like)]),
                  ...(digits.length > 0
                    ? [ib.and([ib('i.kind', '=', 'phone'), ib('i.value', 'like', digitsLike)])]
                    : []),
                ]),
              ),
          ),
        ]),
      );
    }
    const rows = await base
      .selectAll('c')
      .select((eb) => eb.fn.countAll().over().as('total_count'))
      .orderBy('c.updated_at', 'desc')
      .orderBy('c.id')
      .limit(query.limit)
      .offset(query.offset)
      .execute();
    const total =
      rows.length > 0
        ? Number(rows[0]!.total_count)
        : Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const identities = await loadIdentities(
      db,
      tenantId,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((r) => toDto(r, identities.get(r.id) ?? [])),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async get(principal: Principal, id: string): Promise<ContactDto> {
    return load(this.deps.db, principal.tenantId, id);
  }

  /**
   * Changes the profile. A new e-mail or phone becomes an identity of this contact too (the old ones
   * stay: they still recognise the same customer); one that already identifies another contact is
   * refused with DUPLICATE, naming that contact in `details.contactId`.
   */
  async update(principal: Principal, id: string, patch: ContactPatch): Promise<ContactDto> {
    const tenantId = principal.tenantId;
    const now = new Date(this.deps.clock.now());
    try {
      return await this.deps.db.transaction().execute(async (tx) => {
        const before = await load(tx, tenantId, id, true);
        const wanted: { kind: IdentityKind; value: string; label: string }[] = [];
        if (patch.email) wanted.push({ kind: 'email', value: normalizeEmail(patch.email), label: 'e-mail' });
        if (patch.phone)
          wanted.push({ kind: 'phone', value: normalizePhone(patch.phone), label: 'phone number' });
        for (const w of wanted) {
          const owner = await tx
            .selectFrom('contact_identities')
            .select('contact_id')
            .where('tenant_id', '=', tenantId)
            .where('kind', '=', w.kind)
            .where('value', '=', w.value)
            .executeTakeFirst();
          if (owner && owner.contact_id !== id) {
            throw new AppError(
              'DUPLICATE',
              `this ${w.label} already belongs to another contact; contacts are not merged by editing`,
              { field: w.kind, contactId: owner.contact_id },
            );
          }
          if (!owner) {
            await tx
              .insertInto('contact_identities')
              .values({ tenant_id: tenantId, contact_id: id, kind: w.kind, value: w.value, created_at: now })
              .execute();
          }
        }
        await tx
          .updateTable('contacts')
          .set({
            ...(patch.name !== undefined && { name: patch.name }),
            ...(patch.email !== undefined && { email: patch.email === null ? null : patch.email.trim() }),
            ...(patch.phone !== undefined && {
              phone: patch.phone === null ? null : normalizePhone(patch.phone),
            }),
            ...(patch.attributes !== undefined && { attributes: JSON.stringify(patch.attributes) }),
            updated_at: now,
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .execute();
        const after = await load(tx, tenantId, id);
        await recordAudit(tx, principal, this.deps.ids.next(), now, {
          action: 'update',
          entityType: 'contact',
          entityId: id,
          before,
          after,
        });
        return after;
      });
    } catch (error) {
      // Two edits claiming the same new identity at once: the identity's primary key decides.
      throw translateDbError(
        error,
        'write',
        'this e-mail or phone number already belongs to another contact',
      );
    }
  }

  /** The contact's interactions on every channel, newest first. */
  async interactions(
    principal: Principal,
    id: string,
    page: PaginationQuery,
  ): Promise<Page<ContactInteraction>> {
    const db = this.deps.db;
    const tenantId = principal.tenantId;
    await load(db, tenantId, id);
    const base = db
      .selectFrom('interactions as i')
      .where('i.tenant_id', '=', tenantId)
      .where('i.contact_id', '=', id);
    const rows = await base
      .leftJoin('queues as q', (j) =>
        j.onRef('q.tenant_id', '=', 'i.tenant_id').onRef('q.id', '=', 'i.queue_id'),
      )
      .leftJoin('users as u', (j) =>
        j.onRef('u.tenant_id', '=', 'i.tenant_id').onRef('u.id', '=', 'i.agent_id'),
      )
      .leftJoin('disposition_codes as d', (j) =>
        j.onRef('d.tenant_id', '=', 'i.tenant_id').onRef('d.id', '=', 'i.disposition_code_id'),
      )
      .select([
        'i.id',
        'i.channel',
        'i.state',
        'i.subject',
        'i.created_at',
        'i.closed_at',
        'i.rating',
        'q.name as queue_name',
        'u.display_name as agent_name',
        'd.name as disposition_name',
      ])
      .select((eb) => eb.fn.countAll().over().as('total_count'))
      .orderBy('i.created_at', 'desc')
      .orderBy('i.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    const total =
      rows.length > 0
        ? Number(rows[0]!.total_count)
        : Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return {
      items: rows.map((r) => ({
        id: r.id,
        channel: r.channel as ContactInteraction['channel'],
        state: r.state as ContactInteraction['state'],
        subject: r.subject,
        queueName: r.queue_name,
        agentName: r.agent_name,
        createdAt: r.created_at.toISOString(),
        closedAt: r.closed_at?.toISOString() ?? null,
        dispositionName: r.disposition_name,
        rating: r.rating,
      })),
      total,
      limit: page.limit,
      offset: page.offset,
    };
  }
}

async function load(db: Db, tenantId: string, id: string, forUpdate = false): Promise<ContactDto> {
  let query = db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('contact');
  const identities = await loadIdentities(db, tenantId, [id]);
  return toDto(row, identities.get(id) ?? []);
}

type Identity = ContactDto['identities'][number];

async function loadIdentities(db: Db, tenantId: string, ids: string[]): Promise<Map<string, Identity[]>> {
  const out = new Map<string, Identity[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('contact_identities')
    .select(['contact_id', 'kind', 'value'])
    .where('tenant_id', '=', tenantId)
    .where('contact_id', 'in', ids)
    .orderBy('created_at')
    .orderBy('value')
    .execute();
  for (const r of rows) {
    const list = out.get(r.contact_id) ?? [];
    list.push({ kind: r.kind, value: r.value });
    out.set(r.contact_id, list);
  }
  for (const list of out.values()) list.sort((a, b) => identityOrder[a.kind] - identityOrder[b.kind]);
  return out;
}

function toDto(row: ContactRow, identities: Identity[]): ContactDto {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    attributes: row.attributes,
    identities,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

interface ContactRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  attributes: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

/** Escapes LIKE's wildcards (and its escape character) so user text matches literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
