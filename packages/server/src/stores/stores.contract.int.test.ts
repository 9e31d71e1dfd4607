import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import { systemClock, uuidGen } from '../system';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { listAudit } from './audit-store';
import { AuthStore } from './auth-store';
import { configStores } from './config-resources';
import type { Principal } from './principal';
import { UserStore } from './user-store';

/**
 * One contract for the stores, run on every storage engine: what a store promises must not depend
 * on whether PGlite or PostgreSQL is underneath.
 */
describe.each(engines)('store contract on %s', (engine) => {
  let tdb: TestDatabase;
  let db: Db;
  let deps: { db: Db['kysely']; clock: typeof systemClock; ids: typeof uuidGen };
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    db = await tdb.open();
    deps = { db: db.kysely, clock: systemClock, ids: uuidGen };
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  let n = 0;
  async function tenant(): Promise<Principal> {
    const id = `${Date.now().toString(36)}-${++n}`;
    const t = await new AuthStore(deps).createTenantWithOwner({
      tenantName: `T ${id}`,
      slug: `contract-${engine}-${id}`,
      email: `owner-${engine}-${id}@example.com`,
      password: 'password-123',
      displayName: 'Owner',
    });
    return { tenantId: t.tenantId, role: 'owner', kind: 'session', userId: t.userId, apiKeyId: null };
  }

  async function expectCode(p: Promise<unknown>, code: string) {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
  }

  it('scopes every read and write by tenant', async () => {
    const [a, b] = [await tenant(), await tenant()];
    const stores = configStores(deps);
    const skill = await stores.skills.create(a, { name: 'Spanish', description: '' });
    expect((await stores.skills.list(b, { limit: 50, offset: 0 })).items).toEqual([]);
    await expectCode(stores.skills.get(b, skill.id), 'NOT_FOUND');
    await expectCode(stores.skills.update(b, skill.id, { name: 'Hijacked' }), 'NOT_FOUND');
    await expectCode(stores.skills.remove(b, skill.id), 'NOT_FOUND');
    expect((await stores.skills.get(a, skill.id)).name).toBe('Spanish');
  });

  it('refuses a reference to another tenant’s object (composite keys)', async () => {
    const [a, b] = [await tenant(), await tenant()];
    const stores = configStores(deps);
    const foreign = await stores.skills.create(b, { name: 'Foreign', description: '' });
    const queue = stores.queues.create(a, {
      name: 'Q',
      strategy: 'longest_idle',
      priority: 0,
      requiredSkills: [{ skillId: foreign.id, minLevel: 1 }],
      serviceLevelSeconds: 20,
      serviceLevelPercent: 80,
      wrapUpSeconds: 0,
      maxWaitSeconds: 60,
      calendarId: null,
      offerTimeoutSeconds: 20,
      blocksOtherChannels: true,
      expansion: [],
      overflow: [],
    });
    await expectCode(queue, 'INVALID_REFERENCE');
    const users = new UserStore(deps);
    const team = await configStores(deps).teams.create(b, { name: 'B team', description: '' });
    await expectCode(
      users.create(a, {
        email: `x-${Date.now()}@example.com`,
        displayName: 'X',
        role: 'agent',
        password: 'password-123',
        teamId: team.id,
      }),
      'INVALID_REFERENCE',
    );
  });

  it('commits a change and its audit entry together, or neither', async () => {
    const a = await tenant();
    const stores = configStores(deps);
    const alpha = await stores.teams.create(a, { name: 'Alpha', description: '' });
    await expectCode(stores.teams.create(a, { name: 'ALPHA', description: '' }), 'DUPLICATE');
    await stores.teams.create(a, { name: 'Beta', description: '' });
    await expectCode(stores.teams.update(a, alpha.id, { name: 'beta' }), 'DUPLICATE');
    expect((await stores.teams.get(a, alpha.id)).name).toBe('Alpha');
    const log = await listAudit(db.kysely, a.tenantId, { limit: 50, offset: 0, entityType: 'team' });
    // Only the two successful creates are recorded; the refused writes left nothing behind.
    expect(log.items.map((e) => [e.action, (e.after as { name: string }).name])).toEqual([
      ['create', 'Beta'],
      ['create', 'Alpha'],
    ]);
    expect(log.total).toBe(2);
  });

  it('keeps a queue’s required skills in order and replaces them on update', async () => {
    const a = await tenant();
    const stores = configStores(deps);
    const [s1, s2, s3] = await Promise.all(
      ['One', 'Two', 'Three'].map((name) => stores.skills.create(a, { name, description: '' })),
    );
    const q = await stores.queues.create(a, {
      name: 'Ordered',
      strategy: 'round_robin',
      priority: 5,
      requiredSkills: [
        { skillId: s3!.id, minLevel: 3 },
        { skillId: s1!.id, minLevel: 1 },
      ],
      serviceLevelSeconds: 30,
      serviceLevelPercent: 90,
      wrapUpSeconds: 15,
      maxWaitSeconds: 300,
      calendarId: null,
      offerTimeoutSeconds: 20,
      blocksOtherChannels: true,
      expansion: [],
      overflow: [],
    });
    expect(q.requiredSkills).toEqual([
      { skillId: s3!.id, minLevel: 3 },
      { skillId: s1!.id, minLevel: 1 },
    ]);
    const renamed = await stores.queues.update(a, q.id, { name: 'Renamed' });
    expect(renamed.requiredSkills).toEqual(q.requiredSkills);
    const replaced = await stores.queues.update(a, q.id, {
      requiredSkills: [{ skillId: s2!.id, minLevel: 7 }],
    });
    expect(replaced.requiredSkills).toEqual([{ skillId: s2!.id, minLevel: 7 }]);
    await expectCode(stores.skills.remove(a, s2!.id), 'IN_USE');
    await stores.skills.remove(a, s3!.id);
  });

  it('serialises concurrent transactions without losing writes', async () => {
    const a = await tenant();
    const stores = configStores(deps);
    const names = Array.from({ length: 40 }, (_, i) => `Reason ${i}`);
    await Promise.all(names.map((name) => stores['not-ready-reasons'].create(a, { name, paid: false })));
    const page = await stores['not-ready-reasons'].list(a, { limit: 100, offset: 0 });
    expect(page.total).toBe(40);
    expect(new Set(page.items.map((r) => r.name))).toEqual(new Set(names));
  });

  it('resolves sessions and API keys to principals and forgets them when ended', async () => {
    const a = await tenant();
    const auth = new AuthStore(deps);
    expect(await auth.findLoginCandidate('nobody@example.com')).toBeUndefined();
    const users = new UserStore(deps);
    const owner = await users.get(a, a.userId!);
    const login = await auth.findLoginCandidate(owner.email.toUpperCase());
    expect(login?.tenantId).toBe(a.tenantId);
    const session = await auth.createSession(login!, 60_000);
    expect((await auth.authenticate(session.token))?.principal).toMatchObject({
      tenantId: a.tenantId,
      role: 'owner',
    });
    await auth.deleteSession(session.token);
    expect(await auth.authenticate(session.token)).toBeUndefined();
    const expired = await auth.createSession(login!, -1);
    expect(await auth.authenticate(expired.token)).toBeUndefined();

    const key = await auth.createApiKey(a, 'k', 'agent');
    expect((await auth.authenticate(key.secret))?.principal).toMatchObject({
      kind: 'api_key',
      role: 'agent',
    });
    await auth.revokeApiKey(a, key.apiKey.id);
    expect(await auth.authenticate(key.secret)).toBeUndefined();
    await expectCode(auth.revokeApiKey(a, key.apiKey.id), 'NOT_FOUND');
  });
});
