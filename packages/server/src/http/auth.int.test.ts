import type { ThrottlePolicy } from '@hotline/core/login-throttle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TestServer } from '../testing/test-server';

const throttlePolicy: ThrottlePolicy = {
  accountFailures: 3,
  accountLockMs: 60_000,
  maxLockMs: 600_000,
  addressFailures: 8,
  windowMs: 600_000,
  maxKeys: 10_000,
};

describe.each(engines)('authentication and roles on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open(), { throttlePolicy });
  });
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  const login = (email: string, password: string, ip = '127.0.0.1') =>
    server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });

  it('signs in with a session cookie and a bearer token, then signs out', async () => {
    const a = await server.newTenant();
    const res = await login(a.email.toUpperCase(), a.password);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^hls_/);
    expect(body.user).toMatchObject({ email: a.email, role: 'owner' });
    expect(body.tenant.id).toBe(a.tenantId);
    const cookie = res.cookies.find((c) => c.name === 'hotline_session');
    expect(cookie).toMatchObject({ value: body.token, httpOnly: true, sameSite: 'Strict', path: '/' });

    const viaCookie = await server.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      cookies: { hotline_session: body.token },
    });
    expect(viaCookie.json()).toMatchObject({ kind: 'session', role: 'owner', tenant: { id: a.tenantId } });
    const viaBearer = await a.request({ method: 'GET', url: '/api/auth/me', token: body.token });
    expect(viaBearer.statusCode).toBe(200);

    const out = await server.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: { hotline_session: body.token },
    });
    expect(out.statusCode).toBe(204);
    const after = await a.request({ method: 'GET', url: '/api/auth/me', token: body.token });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('stores sessions hashed, never the token itself', async () => {
    const a = await server.newTenant();
    const rows = await server.db.kysely
      .selectFrom('sessions')
      .select('token_hash')
      .where('user_id', '=', a.ownerId)
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.token_hash).not.toContain(a.token);
    }
    const user = await server.db.kysely
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', a.ownerId)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('rejects wrong passwords and unknown accounts with the same error', async () => {
    const a = await server.newTenant();
    const wrong = await login(a.email, 'not the password', '10.1.0.1');
    const unknown = await login('nobody@example.com', 'whatever-123', '10.1.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('rejects malformed and garbage credentials', async () => {
    for (const header of ['Bearer', 'Bearer hls_forged', 'Bearer hlk_forged', 'Basic abc', 'Bearer a b']) {
      const res = await server.app.inject({
        method: 'GET',
        url: '/api/queues',
        headers: { authorization: header },
      });
      expect(res.statusCode, header).toBe(401);
    }
    const badBody = await server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'x' },
    });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('throttles guessing per account, even with the right password, from any address', async () => {
    const a = await server.newTenant();
    for (let i = 0; i < 3; i++)
      expect((await login(a.email, 'wrong-guess', `10.2.0.${i}`)).statusCode).toBe(401);
    const locked = await login(a.email, a.password, '10.2.0.99');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is unaffected.
    const b = await server.newTenant();
    expect((await login(b.email, b.password, '10.2.0.99')).statusCode).toBe(200);
  });

  it('throttles guessing per address across accounts', async () => {
    const ip = '10.3.0.1';
    for (let i = 0; i < 8; i++) await login(`victim${i}@example.com`, 'guess-guess', ip);
    const a = await server.newTenant();
    expect((await login(a.email, a.password, ip)).statusCode).toBe(429);
    expect((await login(a.email, a.password, '10.3.0.2')).statusCode).toBe(200);
  });

  it('lets an agent read configuration but not change it', async () => {
    const a = await server.newTenant();
    const agent = await a.userToken('agent');
    expect((await a.request({ method: 'GET', url: '/api/queues', token: agent.token })).statusCode).toBe(200);
    const create = await a.request({
      method: 'POST',
      url: '/api/queues',
      token: agent.token,
      payload: { name: 'Q' },
    });
    expect(create.statusCode).toBe(403);
    expect(create.json().error.code).toBe('FORBIDDEN');
    expect((await a.request({ method: 'GET', url: '/api/users', token: agent.token })).statusCode).toBe(403);
    expect((await a.request({ method: 'GET', url: '/api/audit-log', token: agent.token })).statusCode).toBe(
      403,
    );
  });

  it('lets a supervisor read users but not change configuration', async () => {
    const a = await server.newTenant();
    const sup = await a.userToken('supervisor');
    expect((await a.request({ method: 'GET', url: '/api/users', token: sup.token })).statusCode).toBe(200);
    const res = await a.request({
      method: 'POST',
      url: '/api/skills',
      token: sup.token,
      payload: { name: 'S' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('stops an admin from creating or managing owners and keeps the last owner', async () => {
    const a = await server.newTenant();
    const admin = await a.userToken('admin');
    const mkOwner = await a.request({
      method: 'POST',
      url: '/api/users',
      token: admin.token,
      payload: {
        email: `o-${Date.now()}@example.com`,
        displayName: 'O',
        role: 'owner',
        password: 'password-123',
      },
    });
    expect(mkOwner.statusCode).toBe(403);
    expect(
      (await a.request({ method: 'DELETE', url: `/api/users/${a.ownerId}`, token: admin.token })).statusCode,
    ).toBe(403);
    const demote = await a.request({
      method: 'PATCH',
      url: `/api/users/${a.ownerId}`,
      payload: { role: 'admin' },
    });
    expect(demote.statusCode).toBe(403);
    expect((await a.request({ method: 'DELETE', url: `/api/users/${a.ownerId}` })).statusCode).toBe(403);
  });

  it('ends a user session when the password changes or the user is deactivated', async () => {
    const a = await server.newTenant();
    const agent = await a.userToken('agent');
    expect((await a.request({ method: 'GET', url: '/api/auth/me', token: agent.token })).statusCode).toBe(
      200,
    );
    await a.request({
      method: 'PATCH',
      url: `/api/users/${agent.id}`,
      payload: { password: 'a-brand-new-password' },
    });
    expect((await a.request({ method: 'GET', url: '/api/auth/me', token: agent.token })).statusCode).toBe(
      401,
    );
    const again = await login(agent.email, 'a-brand-new-password');
    expect(again.statusCode).toBe(200);
    await a.request({ method: 'PATCH', url: `/api/users/${agent.id}`, payload: { active: false } });
    expect(
      (await a.request({ method: 'GET', url: '/api/auth/me', token: again.json().token })).statusCode,
    ).toBe(401);
    expect((await login(agent.email, 'a-brand-new-password', '10.9.9.9')).statusCode).toBe(401);
  });

  it('issues API keys shown once, stored hashed, scoped to tenant and role, revocable', async () => {
    const a = await server.newTenant();
    const created = await a.request({
      method: 'POST',
      url: '/api/api-keys',
      payload: { name: 'CRM', role: 'supervisor' },
    });
    expect(created.statusCode).toBe(201);
    const { apiKey, secret } = created.json();
    expect(secret).toMatch(/^hlk_/);
    expect(apiKey.prefix).toBe(secret.slice(0, 12));

    const listed = await a.request({ method: 'GET', url: '/api/api-keys' });
    expect(JSON.stringify(listed.json())).not.toContain(secret);
    const stored = await server.db.kysely
      .selectFrom('api_keys')
      .select('secret_hash')
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(secret.slice(4));

    const me = await a.request({ method: 'GET', url: '/api/auth/me', token: secret });
    expect(me.json()).toMatchObject({
      kind: 'api_key',
      role: 'supervisor',
      user: null,
      tenant: { id: a.tenantId },
    });
    expect((await a.request({ method: 'GET', url: '/api/users', token: secret })).statusCode).toBe(200);
    expect(
      (await a.request({ method: 'POST', url: '/api/skills', token: secret, payload: { name: 'x' } }))
        .statusCode,
    ).toBe(403);

    expect((await a.request({ method: 'DELETE', url: `/api/api-keys/${apiKey.id}` })).statusCode).toBe(204);
    expect((await a.request({ method: 'GET', url: '/api/auth/me', token: secret })).statusCode).toBe(401);
  });

  it('writes configuration changes made with an API key to the audit log under the key', async () => {
    const a = await server.newTenant();
    const { secret, apiKey } = (
      await a.request({ method: 'POST', url: '/api/api-keys', payload: { name: 'Sync', role: 'admin' } })
    ).json();
    const skill = await a.request({
      method: 'POST',
      url: '/api/skills',
      token: secret,
      payload: { name: 'German' },
    });
    expect(skill.statusCode).toBe(201);
    const log = await a.request({
      method: 'GET',
      url: `/api/audit-log?entityType=skill&entityId=${skill.json().id}`,
    });
    expect(log.json().items).toEqual([
      expect.objectContaining({ actorType: 'api_key', actorId: apiKey.id, action: 'create', before: null }),
    ]);
  });

  it('does not let an admin issue an owner key', async () => {
    const a = await server.newTenant();
    const admin = await a.userToken('admin');
    const res = await a.request({
      method: 'POST',
      url: '/api/api-keys',
      token: admin.token,
      payload: { name: 'k', role: 'owner' },
    });
    expect(res.statusCode).toBe(403);
  });
});
