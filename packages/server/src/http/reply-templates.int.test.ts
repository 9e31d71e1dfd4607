import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * Reply templates on both engines: own templates for every agent and invisible to everyone else,
 * shared ones for supervisors and up, the language filter, validation, the audit trail of shared
 * templates, API keys, and tenant isolation.
 */

type Body = Record<string, unknown>;
const URL_ = '/api/reply-templates';

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('reply templates API on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open());
  });
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  type Caller = (opts: Parameters<TenantClient['request']>[0]) => Promise<LightMyRequestResponse>;
  interface Team {
    t: TenantClient;
    owner: Caller;
    agent: Caller & { id: string };
    colleague: Caller & { id: string };
    supervisor: Caller & { id: string };
  }

  async function team(): Promise<Team> {
    const t = await server.newTenant();
    const as = async (role: 'agent' | 'supervisor') => {
      const u = await t.userToken(role);
      return Object.assign((opts: Parameters<Caller>[0]) => t.request({ ...opts, token: u.token }), {
        id: u.id,
      });
    };
    return {
      t,
      owner: (opts) => t.request(opts),
      agent: await as('agent'),
      colleague: await as('agent'),
      supervisor: await as('supervisor'),
    };
  }

  async function create(as: Caller, payload: Body): Promise<Body> {
    const res = await as({ method: 'POST', url: URL_, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  async function list(as: Caller, query = ''): Promise<Body[]> {
    const res = await as({ method: 'GET', url: `${URL_}${query}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().total).toBe(res.json().items.length);
    return res.json().items;
  }
  const names = (items: Body[]) => items.map((i) => i.name);

  it('keeps an agent’s own templates to that agent, whatever the role of the one asking', async () => {
    const { owner, agent, colleague, supervisor } = await team();
    const mine = await create(agent, { name: 'Greeting', body: 'Hello {{customer.name}}!' });
    expect(mine).toMatchObject({
      name: 'Greeting',
      body: 'Hello {{customer.name}}!',
      shared: false,
      language: null,
      ownerId: agent.id,
    });
    expect(new Date(mine.updatedAt as string).toISOString()).toBe(mine.updatedAt);
    expect(names(await list(agent))).toEqual(['Greeting']);
    for (const other of [colleague, supervisor, owner]) {
      expect(await list(other)).toEqual([]);
      const url = `${URL_}/${mine.id}`;
      expectError(await other({ method: 'PATCH', url, payload: { name: 'Mine now' } }), 404, 'NOT_FOUND');
      expectError(await other({ method: 'DELETE', url }), 404, 'NOT_FOUND');
    }
    expect(await list(agent)).toEqual([mine]);
  });

  it('lets an agent change and delete their own templates, leaving unset fields alone', async () => {
    const { agent } = await team();
    const mine = await create(agent, { name: 'Bye', body: 'Goodbye!', language: 'en' });
    const url = `${URL_}/${mine.id}`;
    const renamed = await agent({ method: 'PATCH', url, payload: { name: 'Farewell' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'Farewell',
      body: 'Goodbye!',
      language: 'en',
      shared: false,
    });
    const neutral = await agent({
      method: 'PATCH',
      url,
      payload: { language: null, body: '  Bye, {{customer.name}}  ' },
    });
    expect(neutral.json()).toMatchObject({
      name: 'Farewell',
      body: 'Bye, {{customer.name}}',
      language: null,
    });
    const deleted = await agent({ method: 'DELETE', url });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(deleted.body).toBe('');
    expect(await list(agent)).toEqual([]);
    expectError(await agent({ method: 'DELETE', url }), 404, 'NOT_FOUND');
  });

  it('lets supervisors share templates that every agent sees but only supervisors change', async () => {
    const { t, agent, colleague, supervisor } = await team();
    const shared = await create(supervisor, { name: 'Hours', body: 'We are open 9–17.', shared: true });
    expect(shared).toMatchObject({ shared: true, ownerId: null });
    const own = await create(agent, { name: 'A note', body: 'My own words' });
    expect(names(await list(agent))).toEqual(['A note', 'Hours']);
    expect(names(await list(colleague))).toEqual(['Hours']);

    const url = `${URL_}/${shared.id}`;
    expectError(await agent({ method: 'PATCH', url, payload: { body: 'Closed forever' } }), 403, 'FORBIDDEN');
    expectError(await agent({ method: 'DELETE', url }), 403, 'FORBIDDEN');
    expectError(
      await agent({ method: 'POST', url: URL_, payload: { name: 'X', body: 'Y', shared: true } }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await agent({ method: 'PATCH', url: `${URL_}/${own.id}`, payload: { shared: true } }),
      403,
      'FORBIDDEN',
    );
    expect(names(await list(colleague))).toEqual(['Hours']);

    // An admin changes it; a supervisor takes it back as their own, and the agents lose it.
    const edited = await t.request({ method: 'PATCH', url, payload: { body: 'We are open 8–18.' } });
    expect(edited.json()).toMatchObject({ body: 'We are open 8–18.', shared: true, ownerId: null });
    const unshared = await supervisor({ method: 'PATCH', url, payload: { shared: false } });
    expect(unshared.statusCode, unshared.body).toBe(200);
    expect(unshared.json()).toMatchObject({ shared: false, ownerId: supervisor.id });
    expect(names(await list(colleague))).toEqual([]);
    expect(names(await list(supervisor))).toEqual(['Hours']);

    // And shares one of their own.
    const tip = await create(supervisor, { name: 'Tip', body: 'Try turning it off and on.' });
    const sharedTip = await supervisor({
      method: 'PATCH',
      url: `${URL_}/${tip.id}`,
      payload: { shared: true },
    });
    expect(sharedTip.json()).toMatchObject({ shared: true, ownerId: null });
    expect(names(await list(colleague))).toEqual(['Tip']);
    expect((await supervisor({ method: 'DELETE', url: `${URL_}/${tip.id}` })).statusCode).toBe(204);
    expect(names(await list(colleague))).toEqual([]);
  });

  it('audits shared templates only', async () => {
    const { t, agent, supervisor } = await team();
    const shared = await create(supervisor, { name: 'Hours', body: 'Open 9–17', shared: true });
    const url = `${URL_}/${shared.id}`;
    const updated = (await supervisor({ method: 'PATCH', url, payload: { name: 'Opening hours' } })).json();
    expect((await supervisor({ method: 'DELETE', url })).statusCode).toBe(204);
    const own = await create(agent, { name: 'Secret', body: 'private words' });
    await agent({ method: 'PATCH', url: `${URL_}/${own.id}`, payload: { body: 'more private words' } });

    const log = (await t.request({ method: 'GET', url: '/api/audit-log?entityType=reply_template' })).json();
    expect(log.items.map((e: Body) => [e.action, e.entityId])).toEqual([
      ['delete', shared.id],
      ['update', shared.id],
      ['create', shared.id],
    ]);
    expect(log.items[1]).toMatchObject({ actorId: supervisor.id, before: shared, after: updated });
    const all = await t.request({ method: 'GET', url: '/api/audit-log?limit=500' });
    expect(all.body).not.toContain('private words');
  });

  it('filters by language, keeping the templates that fit every language, sorted by name', async () => {
    const { agent, supervisor } = await team();
    await create(agent, { name: 'hello', body: 'Hello', language: 'en' });
    await create(agent, { name: 'Привет', body: 'Здравствуйте', language: 'ru' });
    await create(supervisor, { name: 'Emoji', body: '👍', shared: true });
    await create(supervisor, { name: 'Bye', body: 'Bye', language: 'en', shared: true });
    expect(names(await list(agent))).toEqual(['Bye', 'Emoji', 'hello', 'Привет']);
    expect(names(await list(agent, '?language=en'))).toEqual(['Bye', 'Emoji', 'hello']);
    expect(names(await list(agent, '?language=ru'))).toEqual(['Emoji', 'Привет']);
    const page = await agent({ method: 'GET', url: `${URL_}?limit=2&offset=1` });
    expect(page.json()).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(names(page.json().items)).toEqual(['Emoji', 'hello']);
  });

  it.each([['?language=de'], ['?limit=0'], ['?limit=501'], ['?offset=-1']])(
    'refuses the list query %s',
    async (query) => {
      const { agent } = await team();
      expectError(await agent({ method: 'GET', url: `${URL_}${query}` }), 400, 'VALIDATION_FAILED');
    },
  );

  it.each<[string, Body]>([
    ['no name', { body: 'x' }],
    ['a blank name', { name: '  ', body: 'x' }],
    ['a name of 121 characters', { name: 'n'.repeat(121), body: 'x' }],
    ['no body', { name: 'x' }],
    ['a body over the message limit', { name: 'x', body: 'b'.repeat(4_001) }],
    ['an unknown language', { name: 'x', body: 'y', language: 'de' }],
    ['shared of the wrong type', { name: 'x', body: 'y', shared: 'yes' }],
    ['an owner chosen by the caller', { name: 'x', body: 'y', ownerId: randomUUID() }],
  ])('refuses a template with %s', async (_label, payload) => {
    const { agent } = await team();
    expectError(await agent({ method: 'POST', url: URL_, payload }), 400, 'VALIDATION_FAILED');
    expect(await list(agent)).toEqual([]);
  });

  it('refuses a bad patch, a malformed id and an unknown id', async () => {
    const { agent } = await team();
    const mine = await create(agent, { name: 'Keep', body: 'me' });
    const url = `${URL_}/${mine.id}`;
    for (const payload of [{ name: '' }, { ownerId: randomUUID() }, { body: 'b'.repeat(4_001) }]) {
      expectError(await agent({ method: 'PATCH', url, payload }), 400, 'VALIDATION_FAILED');
    }
    expectError(
      await agent({ method: 'PATCH', url: `${URL_}/nope`, payload: { name: 'x' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await agent({ method: 'DELETE', url: `${URL_}/nope` }), 400, 'VALIDATION_FAILED');
    expectError(
      await agent({ method: 'PATCH', url: `${URL_}/${randomUUID()}`, payload: { name: 'x' } }),
      404,
      'NOT_FOUND',
    );
    expect(await list(agent)).toEqual([mine]);
  });

  it('lets an API key use shared templates only', async () => {
    const { t, agent, supervisor } = await team();
    await create(agent, { name: 'Own', body: 'mine' });
    await create(supervisor, { name: 'Shared', body: 'ours', shared: true });
    const keyFor = async (role: string) => {
      const res = await t.request({ method: 'POST', url: '/api/api-keys', payload: { name: role, role } });
      expect(res.statusCode, res.body).toBe(201);
      const secret = res.json().secret as string;
      return (opts: Parameters<Caller>[0]) => t.request({ ...opts, token: secret });
    };
    const agentKey = await keyFor('agent');
    expect(names(await list(agentKey))).toEqual(['Shared']);
    expectError(
      await agentKey({ method: 'POST', url: URL_, payload: { name: 'K', body: 'k' } }),
      403,
      'FORBIDDEN',
    );
    const adminKey = await keyFor('admin');
    const made = await create(adminKey, { name: 'From CRM', body: 'synced', shared: true });
    expect(made).toMatchObject({ shared: true, ownerId: null });
    expect(names(await list(agent))).toEqual(['From CRM', 'Own', 'Shared']);
  });

  it('turns away callers without credentials', async () => {
    for (const [method, url] of [
      ['GET', URL_],
      ['POST', URL_],
      ['PATCH', `${URL_}/${randomUUID()}`],
      ['DELETE', `${URL_}/${randomUUID()}`],
    ] as const) {
      const res = await server.app.inject({
        method,
        url,
        ...((method === 'POST' || method === 'PATCH') && { payload: { name: 'x', body: 'y' } }),
      });
      expectError(res, 401, 'UNAUTHENTICATED');
    }
  });

  it("shows another tenant none of A's templates, shared or own", async () => {
    const a = await team();
    const b = await team();
    const shared = await create(a.supervisor, { name: 'A shared', body: 'A words', shared: true });
    const own = await create(a.agent, { name: 'A own', body: 'A private' });
    const mineInB = await create(b.agent, { name: 'B own', body: 'B words' });
    for (const asB of [b.owner, b.supervisor, b.agent]) {
      const res = await asB({ method: 'GET', url: URL_ });
      expect(res.body).not.toContain('A words');
      expect(res.body).not.toContain('A private');
      for (const template of [shared, own]) {
        const url = `${URL_}/${template.id}`;
        expectError(await asB({ method: 'PATCH', url, payload: { body: 'hijacked' } }), 404, 'NOT_FOUND');
        expectError(await asB({ method: 'DELETE', url }), 404, 'NOT_FOUND');
      }
    }
    expect(await list(a.agent)).toEqual([own, shared]);
    expect(await list(b.agent)).toEqual([mineInB]);
  });
});
