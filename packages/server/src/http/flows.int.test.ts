import { validateFlow } from '@hotline/core/flow/validate-flow';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * `/api/flows`: flows and their versions (draft → published → archived), the core validator's issues
 * at the edge, atomic publishing under concurrency, permissions and tenant isolation, on both engines.
 */

type Body = Record<string, unknown>;

const say = (text: string, to: string) => ({ verb: 'say', text, next: { done: to } });
const bye = { verb: 'hangup' };
/** A valid flow: `text` is said, then the call ends. */
const flowDoc = (text = 'Hello', extra: Body = {}): Body => ({
  id: 'greeting',
  version: 1,
  entry: 'a',
  nodes: { a: say(text, 'b'), b: bye },
  ui: { a: { x: 10, y: 20 } },
  ...extra,
});
const withNodes = (nodes: Body, extra: Body = {}): Body => ({
  id: 'f',
  version: 1,
  entry: 'a',
  nodes,
  ...extra,
});

/** One invalid document per error class of the core validator, with the issue it must produce. */
const invalid: [code: string, path: string, document: Body][] = [
  ['UNKNOWN_VERB', '/nodes/a/verb', withNodes({ a: { verb: 'dance', next: { done: 'b' } }, b: bye })],
  ['DANGLING_EDGE', '/nodes/a/next/done', withNodes({ a: say('hi', 'nowhere') })],
  ['UNREACHABLE_NODE', '/nodes/lost', withNodes({ a: bye, lost: say('x', 'a') })],
  ['MISSING_FIELD', '/nodes/a/text', withNodes({ a: { verb: 'say', next: { done: 'b' } }, b: bye })],
  [
    'LOOP_WITHOUT_EXIT',
    '/nodes/a',
    withNodes({ a: say('again', 'c'), c: say('and again', 'a') }, { entry: 'a' }),
  ],
  [
    'BAD_EXPRESSION',
    '/nodes/a/when',
    withNodes({ a: { verb: 'condition', when: 'n >', next: { true: 'b', false: 'b' } }, b: bye }),
  ],
  [
    'WRONG_TYPE',
    '/nodes/a/text',
    withNodes({ a: { verb: 'say', text: ['x'], next: { done: 'b' } }, b: bye }),
  ],
  [
    'BAD_VALUE',
    '/nodes/a/retries',
    withNodes({
      a: {
        verb: 'menu',
        prompt: 'p',
        options: [{ key: '1', label: 'a' }],
        retries: 9,
        next: { 1: 'b', failed: 'b' },
      },
      b: bye,
    }),
  ],
  ['UNKNOWN_FIELD', '/nodes/a/colour', withNodes({ a: { ...say('x', 'b'), colour: 'red' }, b: bye })],
  [
    'MISSING_EDGE',
    '/nodes/a/next/error',
    withNodes({ a: { verb: 'http', url: 'https://x.example/a', next: { ok: 'b' } }, b: bye }),
  ],
  [
    'UNKNOWN_OUTCOME',
    '/nodes/a/next/maybe',
    withNodes({ a: { verb: 'say', text: 'x', next: { done: 'b', maybe: 'b' } }, b: bye }),
  ],
  ['UNKNOWN_VARIABLE', '/nodes/a/text', withNodes({ a: say('Hi {{custmer_name}}', 'b'), b: bye })],
  [
    'READ_ONLY_VARIABLE',
    '/nodes/a/values/caller.number',
    withNodes({ a: { verb: 'set', values: { 'caller.number': "'x'" }, next: { done: 'b' } }, b: bye }),
  ],
  [
    'DUPLICATE',
    '/nodes/a/options/1/key',
    withNodes({
      a: {
        verb: 'menu',
        prompt: 'p',
        options: [
          { key: '1', label: 'a' },
          { key: '1', label: 'b' },
        ],
        next: { 1: 'b', failed: 'b' },
      },
      b: bye,
    }),
  ],
  [
    'TOO_LARGE',
    '/nodes',
    withNodes(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [i === 0 ? 'a' : `n${i}`, bye]))),
  ],
  ['MISSING_FIELD', '/version', { id: 'f', entry: 'a', nodes: { a: bye } }],
];

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('flows API on %s', (engine) => {
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

  const call = (t: TenantClient, method: string, url: string, payload?: unknown, token?: string) =>
    t.request({
      method: method as 'GET',
      url,
      ...(payload !== undefined && { payload: payload as Body }),
      ...(token && { token }),
    });
  async function ok(t: TenantClient, method: string, url: string, payload?: unknown, status = 200) {
    const res = await call(t, method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.statusCode === 204 ? null : res.json();
  }
  const newFlow = async (t: TenantClient, name = `Flow ${Math.random()}`) =>
    (await ok(t, 'POST', '/api/flows', { name }, 201)).id as string;
  const versionsOf = async (t: TenantClient, id: string) =>
    (await ok(t, 'GET', `/api/flows/${id}/versions?limit=500`)).items as {
      version: number;
      state: string;
      document: Body;
    }[];

  it('creates, lists, renames and deletes flows, auditing each change', async () => {
    const t = await server.newTenant();
    const created = await ok(t, 'POST', '/api/flows', { name: 'Order status' }, 201);
    expect(created).toMatchObject({ name: 'Order status', description: '', draft: null, published: null });
    expectError(await call(t, 'POST', '/api/flows', { name: 'order STATUS' }), 409, 'DUPLICATE');
    expectError(await call(t, 'POST', '/api/flows', { name: '' }), 400, 'VALIDATION_FAILED');
    expectError(await call(t, 'POST', '/api/flows', { name: 'x', nodes: {} }), 400, 'VALIDATION_FAILED');
    const other = await newFlow(t, 'After hours');

    const list = await ok(t, 'GET', '/api/flows');
    expect(list.total).toBe(2);
    expect(list.items.map((f: { id: string }) => f.id)).toEqual([created.id, other]);

    const renamed = await ok(t, 'PATCH', `/api/flows/${created.id}`, { description: 'Self-service' });
    expect(renamed).toMatchObject({ name: 'Order status', description: 'Self-service' });
    expectError(await call(t, 'PATCH', `/api/flows/${other}`, { name: 'Order Status' }), 409, 'DUPLICATE');
    expect(await ok(t, 'GET', `/api/flows/${created.id}`)).toMatchObject({
      description: 'Self-service',
      draft: null,
      published: null,
    });

    await ok(t, 'PUT', `/api/flows/${other}/draft`, flowDoc());
    await ok(t, 'POST', `/api/flows/${other}/publish`);
    await ok(t, 'DELETE', `/api/flows/${other}`, undefined, 204);
    for (const url of [`/api/flows/${other}`, `/api/flows/${other}/versions`]) {
      expectError(await call(t, 'GET', url), 404, 'NOT_FOUND');
    }
    expectError(await call(t, 'DELETE', `/api/flows/${other}`), 404, 'NOT_FOUND');
    const versionRows = await server.db.kysely
      .selectFrom('flow_versions')
      .select('version')
      .where('flow_id', '=', other)
      .execute();
    expect(versionRows).toEqual([]);

    const log = await ok(t, 'GET', `/api/audit-log?entityType=flow&entityId=${other}`);
    expect(log.items.map((e: { action: string }) => e.action)).toEqual([
      'delete',
      'update',
      'update',
      'create',
    ]);
    expect(log.items[0]).toMatchObject({ actorId: t.ownerId, before: { id: other }, after: null });
    expect(log.items[1]).toMatchObject({
      before: { draft: { version: 1 }, published: null },
      after: { draft: null, published: { version: 1, state: 'published' } },
    });
  });

  it('saves drafts, publishes them with growing numbers and archives what was published', async () => {
    const t = await server.newTenant();
    const id = await newFlow(t);
    expectError(await call(t, 'POST', `/api/flows/${id}/publish`), 409, 'ILLEGAL_TRANSITION');

    const draft = await ok(t, 'PUT', `/api/flows/${id}/draft`, flowDoc('one'));
    expect(draft).toMatchObject({ version: 1, state: 'draft', createdBy: t.ownerId, publishedAt: null });
    expect(draft.document).toEqual(flowDoc('one'));
    // Saving again replaces the open draft (same number), exactly as sent.
    const again = await ok(t, 'PUT', `/api/flows/${id}/draft`, flowDoc('one, edited'));
    expect(again).toMatchObject({ version: 1, state: 'draft', document: flowDoc('one, edited') });

    const v1 = await ok(t, 'POST', `/api/flows/${id}/publish`);
    expect(v1).toMatchObject({ version: 1, state: 'published', publishedAt: expect.any(String) });
    expectError(await call(t, 'POST', `/api/flows/${id}/publish`), 409, 'ILLEGAL_TRANSITION');

    // The next draft takes number 2; the published version stays what new sessions run meanwhile.
    const admin = await t.userToken('admin');
    const draft2 = await call(
      t,
      'PUT',
      `/api/flows/${id}/draft`,
      flowDoc('two', { version: 7 }),
      admin.token,
    );
    expect(draft2.statusCode, draft2.body).toBe(200);
    expect(draft2.json()).toMatchObject({ version: 2, state: 'draft', createdBy: admin.id });
    const detail = await ok(t, 'GET', `/api/flows/${id}`);
    expect(detail).toMatchObject({
      draft: { version: 2, state: 'draft', document: flowDoc('two', { version: 7 }) },
      published: { version: 1, state: 'published', document: flowDoc('one, edited') },
    });
    const listed = (await ok(t, 'GET', '/api/flows')).items[0];
    expect(listed.draft).toMatchObject({ version: 2 });
    expect(listed.draft.document).toBeUndefined();

    // Publishing stamps the document's `version` with the version number (state ↔ version on resume).
    const v2 = await ok(t, 'POST', `/api/flows/${id}/publish`);
    expect(v2).toMatchObject({ version: 2, state: 'published', document: flowDoc('two', { version: 2 }) });
    const versions = await versionsOf(t, id);
    expect(versions.map((v) => [v.version, v.state])).toEqual([
      [2, 'published'],
      [1, 'archived'],
    ]);
    expect(versions[1]!.document).toEqual(flowDoc('one, edited'));
    expect(await ok(t, 'GET', `/api/flows/${id}`)).toMatchObject({ draft: null, published: { version: 2 } });
    const page = await ok(t, 'GET', `/api/flows/${id}/versions?limit=1&offset=1`);
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 1, items: [{ version: 1 }] });
  });

  it.each(invalid)(
    'refuses a %s draft with the core issue at %s, saving nothing',
    async (code, path, doc) => {
      const t = await server.newTenant();
      const id = await newFlow(t);
      await ok(t, 'PUT', `/api/flows/${id}/draft`, flowDoc('kept'));

      const res = await call(t, 'PUT', `/api/flows/${id}/draft`, doc);
      expectError(res, 400, 'VALIDATION_FAILED');
      const details = res.json().error.details as { code: string; path: string; message: string }[];
      expect(details).toContainEqual({ code, path, message: expect.any(String) });
      // Exactly the core's verdict, nothing added or lost at the edge.
      expect(details).toEqual(validateFlow(doc).map(({ code, path, message }) => ({ code, path, message })));
      expect(res.json().error.message).toContain(details[0]!.path);

      // The validate route reports the same issues with 200 and saves nothing either.
      const checked = await ok(t, 'POST', `/api/flows/${id}/validate`, doc);
      expect(checked).toEqual({ valid: false, issues: details });
      expect((await ok(t, 'GET', `/api/flows/${id}`)).draft.document).toEqual(flowDoc('kept'));
    },
  );

  it('gives a document back exactly as saved, key order included (the JSON is the source of truth)', async () => {
    const t = await server.newTenant();
    const id = await newFlow(t);
    // Keys in an order jsonb would change (it sorts shorter keys first): nodes, ui and fields.
    const text =
      '{"version":1,"id":"order","nodes":{"zeta_long_name":{"verb":"hangup"},"a":{"text":"Hi","verb":"say",' +
      '"next":{"done":"zeta_long_name"}}},"entry":"a","ui":{"positions":{"zeta_long_name":{"y":2,"x":1}}}}';
    const saved = await call(t, 'PUT', `/api/flows/${id}/draft`, JSON.parse(text));
    expect(saved.statusCode, saved.body).toBe(200);
    await ok(t, 'POST', `/api/flows/${id}/publish`);
    const detail = await ok(t, 'GET', `/api/flows/${id}`);
    expect(JSON.stringify(detail.published.document)).toBe(text);
    const [version] = await versionsOf(t, id);
    expect(JSON.stringify(version!.document)).toBe(text);
  });

  it('validates without saving, and refuses a body that is not a JSON object', async () => {
    const t = await server.newTenant();
    const id = await newFlow(t);
    expect(await ok(t, 'POST', `/api/flows/${id}/validate`, flowDoc())).toEqual({ valid: true, issues: [] });
    expect(await ok(t, 'GET', `/api/flows/${id}`)).toMatchObject({ draft: null, published: null });
    expect(await versionsOf(t, id)).toEqual([]);
    const raw = (method: 'PUT' | 'POST', url: string, payload: string) =>
      t.request({ method, url, payload, headers: { 'content-type': 'application/json' } });
    for (const body of ['["not", "a", "flow"]', '"flow"', 'null']) {
      expectError(await raw('PUT', `/api/flows/${id}/draft`, body), 400, 'VALIDATION_FAILED');
      expectError(await raw('POST', `/api/flows/${id}/validate`, body), 400, 'VALIDATION_FAILED');
    }
    expectError(await raw('PUT', `/api/flows/${id}/draft`, '{bad'), 400, 'INVALID_JSON');
    expect(await versionsOf(t, id)).toEqual([]);
  });

  it('publishes atomically: of concurrent publishes one wins and version numbers stay unique', async () => {
    const t = await server.newTenant();
    const id = await newFlow(t);
    for (let round = 1; round <= 4; round++) {
      await ok(t, 'PUT', `/api/flows/${id}/draft`, flowDoc(`round ${round}`));
      const results = await Promise.all([1, 2, 3].map(() => call(t, 'POST', `/api/flows/${id}/publish`)));
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses, results.map((r) => r.body).join('\n')).toEqual([200, 409, 409]);
      for (const r of results.filter((x) => x.statusCode === 409)) expectError(r, 409, 'ILLEGAL_TRANSITION');
      expect(results.find((r) => r.statusCode === 200)!.json()).toMatchObject({ version: round });
    }
    // Drafts saved while publishing race too: every number once, at most one draft and one published.
    const mixed = await Promise.all([
      call(t, 'PUT', `/api/flows/${id}/draft`, flowDoc('mixed a')),
      call(t, 'POST', `/api/flows/${id}/publish`),
      call(t, 'PUT', `/api/flows/${id}/draft`, flowDoc('mixed b')),
      call(t, 'POST', `/api/flows/${id}/publish`),
      call(t, 'PUT', `/api/flows/${id}/draft`, flowDoc('mixed c')),
    ]);
    for (const r of mixed) expect([200, 409], r.body).toContain(r.statusCode);
    const versions = await versionsOf(t, id);
    const numbers = versions.map((v) => v.version);
    expect(numbers).toEqual([...numbers].sort((x, y) => y - x));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.at(-1)).toBe(1);
    expect(numbers[0]).toBe(numbers.length);
    expect(versions.filter((v) => v.state === 'published')).toHaveLength(1);
    expect(versions.filter((v) => v.state === 'draft').length).toBeLessThanOrEqual(1);
    for (const v of versions.filter((x) => x.state !== 'draft')) expect(v.document.version).toBe(v.version);
  });

  it('lets agents and supervisors read flows but change nothing', async () => {
    const t = await server.newTenant();
    const id = await newFlow(t);
    await ok(t, 'PUT', `/api/flows/${id}/draft`, flowDoc());
    for (const role of ['agent', 'supervisor'] as const) {
      const { token } = await t.userToken(role);
      for (const url of ['/api/flows', `/api/flows/${id}`, `/api/flows/${id}/versions`]) {
        expect((await call(t, 'GET', url, undefined, token)).statusCode).toBe(200);
      }
      const writes: [string, string, unknown][] = [
        ['POST', '/api/flows', { name: 'Mine' }],
        ['PATCH', `/api/flows/${id}`, { name: 'Mine' }],
        ['PUT', `/api/flows/${id}/draft`, flowDoc('changed')],
        ['POST', `/api/flows/${id}/validate`, flowDoc()],
        ['POST', `/api/flows/${id}/publish`, undefined],
        ['DELETE', `/api/flows/${id}`, undefined],
      ];
      for (const [method, url, payload] of writes) {
        expectError(await call(t, method, url, payload, token), 403, 'FORBIDDEN');
      }
    }
    expect(await ok(t, 'GET', `/api/flows/${id}`)).toMatchObject({
      draft: { version: 1, document: flowDoc() },
      published: null,
    });
  });

  it("answers another tenant's flow ids with 404 and shows nothing of them", async () => {
    const a = await server.newTenant('A');
    const id = await newFlow(a, 'A secret flow');
    await ok(a, 'PUT', `/api/flows/${id}/draft`, flowDoc('A only'));
    await ok(a, 'POST', `/api/flows/${id}/publish`);
    await ok(a, 'PUT', `/api/flows/${id}/draft`, flowDoc('A next'));
    const before = await ok(a, 'GET', `/api/flows/${id}`);

    const b = await server.newTenant('B');
    const attempts: [string, string, unknown][] = [
      ['GET', `/api/flows/${id}`, undefined],
      ['PATCH', `/api/flows/${id}`, { name: 'Hijacked' }],
      ['PUT', `/api/flows/${id}/draft`, flowDoc('B was here')],
      ['POST', `/api/flows/${id}/validate`, flowDoc()],
      ['POST', `/api/flows/${id}/publish`, undefined],
      ['GET', `/api/flows/${id}/versions`, undefined],
      ['DELETE', `/api/flows/${id}`, undefined],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await call(b, method, url, payload);
      expectError(res, 404, 'NOT_FOUND');
      expect(res.body).not.toContain('A only');
    }
    // B may use the same name: names are unique per tenant only.
    const own = await newFlow(b, 'A secret flow');
    const list = await ok(b, 'GET', '/api/flows');
    expect(list).toMatchObject({ total: 1, items: [{ id: own }] });
    expect(await ok(a, 'GET', `/api/flows/${id}`)).toEqual(before);
    expect((await versionsOf(a, id)).map((v) => [v.version, v.state])).toEqual([
      [2, 'draft'],
      [1, 'published'],
    ]);
  });
});
