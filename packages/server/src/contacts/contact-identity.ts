import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Who a customer is. A contact is recognised by its identities — a normalised e-mail, phone number or
 * widget visitor id — and the same identity always leads to the same contact, so history follows the
 * customer across visits and channels.
 */
export type IdentityKind = 'email' | 'phone' | 'visitor';

export interface ContactFacts {
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly visitorId?: string | undefined;
}

/** E-mails compare case-insensitively (in practice every provider treats the local part so). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Digits only, with the leading `+` kept: `+7 (495) 123-45-67` → `+74951234567`. */
export function normalizePhone(phone: string): string {
  const trimmed = phone.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/[^0-9]/g, '');
}

/** The identities the facts carry, strongest first: a visitor id, then an e-mail, then a phone. */
export function identitiesOf(facts: ContactFacts): { kind: IdentityKind; value: string }[] {
  const out: { kind: IdentityKind; value: string }[] = [];
  if (facts.visitorId) out.push({ kind: 'visitor', value: facts.visitorId });
  if (facts.email) out.push({ kind: 'email', value: normalizeEmail(facts.email) });
  if (facts.phone) out.push({ kind: 'phone', value: normalizePhone(facts.phone) });
  return out;
}

interface Deps {
  readonly clock: { now(): number };
  readonly ids: { next(): string };
}

/**
 * Finds the contact of the strongest known identity among `facts`, or creates one, inside `tx`. The
 * identities it lacks are added to it, except those already owned by another contact (two contacts
 * are never merged silently; merging is an explicit, later operation). An empty profile name, e-mail
 * or phone is filled from the facts; values already there are kept.
 *
 * Concurrency: the identity table's primary key decides. When two requests create a contact for the
 * same new identity at once, one of them owns the identity and the other keeps a contact without it.
 */
export async function resolveContact(
  tx: Transaction<Database> | Kysely<Database>,
  deps: Deps,
  tenantId: string,
  facts: ContactFacts,
): Promise<string> {
  const wanted = identitiesOf(facts);
  const now = new Date(deps.clock.now());
  const known =
    wanted.length === 0
      ? []
      : await tx
          .selectFrom('contact_identities')
          .select(['kind', 'value', 'contact_id'])
          .where('tenant_id', '=', tenantId)
          .where((eb) =>
            eb.or(wanted.map((w) => eb.and([eb('kind', '=', w.kind), eb('value', '=', w.value)]))),
          )
          .execute();
  const owner = (w: { kind: IdentityKind; value: string }) =>
    known.find((k) => k.kind === w.kind && k.value === w.value)?.contact_id;
  const strongest = wanted.map(owner).find((c) => c !== undefined);

  let contactId: string;
  if (strongest) {
    contactId = strongest;
    const row = await tx
      .selectFrom('contacts')
      .select(['name', 'email', 'phone'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    const fill = {
      ...(row.name === '' && facts.name ? { name: facts.name.trim() } : {}),
      ...(row.email === null && facts.email ? { email: facts.email.trim() } : {}),
      ...(row.phone === null && facts.phone ? { phone: normalizePhone(facts.phone) } : {}),
    };
    if (Object.keys(fill).length > 0) {
      await tx
        .updateTable('contacts')
        .set({ ...fill, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', contactId)
        .execute();
    }
  } else {
    contactId = deps.ids.next();
    await tx
      .insertInto('contacts')
      .values({
        id: contactId,
        tenant_id: tenantId,
        name: facts.name?.trim() ?? '',
        email: facts.email?.trim() ?? null,
        phone: facts.phone ? normalizePhone(facts.phone) : null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  const missing = wanted.filter((w) => owner(w) === undefined);
  if (missing.length > 0) {
    await tx
      .insertInto('contact_identities')
      .values(missing.map((w) => ({ tenant_id: tenantId, contact_id: contactId, ...w, created_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return contactId;
}
