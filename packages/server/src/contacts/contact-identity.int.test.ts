import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database';
import { AuthStore } from '../stores/auth-store';
import { systemClock, uuidGen } from '../system';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { normalizePhone, resolveContact } from './contact-identity';

describe('normalizePhone', () => {
  it('keeps digits and a leading plus', () => {
    expect(normalizePhone(' +7 (495) 123-45-67 ')).toBe('+74951234567');
    expect(normalizePhone('8 800 555-35-35')).toBe('88005553535');
  });
});

describe.each(engines)('resolveContact on %s', (engine) => {
  let tdb: TestDatabase;
  let db: Db;
  const deps = { clock: systemClock, ids: uuidGen };
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    db = await tdb.open();
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  let n = 0;
  async function tenant(): Promise<string> {
    const id = `${Date.now().toString(36)}-${++n}`;
    const t = await new AuthStore({ db: db.kysely, ...deps }).createTenantWithOwner({
      tenantName: `T ${id}`,
      slug: `contacts-${engine}-${id}`,
      email: `owner-${id}@example.com`,
      password: 'password-123',
      displayName: 'Owner',
    });
    return t.tenantId;
  }

  it('gives the same contact for the same e-mail in any case, and fills an empty profile', async () => {
    const t = await tenant();
    const a = await resolveContact(db.kysely, deps, t, { email: 'Anna@Example.com' });
    const b = await resolveContact(db.kysely, deps, t, {
      name: 'Anna',
      email: ' anna@example.COM ',
      phone: '+7 900 1',
    });
    expect(b).toBe(a);
    const row = await db.kysely
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', a)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Anna', email: 'Anna@Example.com', phone: '+79001' });
    // The phone became an identity of the same contact.
    expect(await resolveContact(db.kysely, deps, t, { phone: '+7 (900) 1' })).toBe(a);
  });

  it('keeps tenants apart and never merges two contacts silently', async () => {
    const t1 = await tenant();
    const t2 = await tenant();
    const x1 = await resolveContact(db.kysely, deps, t1, { email: 'same@example.com' });
    const x2 = await resolveContact(db.kysely, deps, t2, { email: 'same@example.com' });
    expect(x2).not.toBe(x1);
    const byPhone = await resolveContact(db.kysely, deps, t1, { phone: '+100200300' });
    // The e-mail (stronger) wins; the phone stays with the contact that owns it.
    const both = await resolveContact(db.kysely, deps, t1, {
      email: 'same@example.com',
      phone: '+100200300',
    });
    expect(both).toBe(x1);
    expect(await resolveContact(db.kysely, deps, t1, { phone: '+100200300' })).toBe(byPhone);
  });

  it('creates a new contact for no identity at all', async () => {
    const t = await tenant();
    const a = await resolveContact(db.kysely, deps, t, { name: 'Anon' });
    const b = await resolveContact(db.kysely, deps, t, { name: 'Anon' });
    expect(a).not.toBe(b);
  });
});
