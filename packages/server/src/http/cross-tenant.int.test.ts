import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * Tenant isolation, proven by walking the OpenAPI document: every documented operation is called
 * with another tenant's credentials against tenant A's objects, and must behave as if they did not
 * exist. A route added to the document without an entry in `operations` below fails the suite, so
 * every new route joins the walk.
 */

/** Resource kinds by URL segment: /api/<kind>[/{id}...]. */
const kinds = [
  'teams',
  'skills',
  'queues',
  'not-ready-reasons',
  'disposition-codes',
  'calendars',
  'users',
  'api-keys',
  'trunks',
  'flows',
] as const;
type Kind = (typeof kinds)[number];
type Ids = Record<Kind, string>;
type Body = Record<string, unknown>;

/**
 * Routing operations act on the caller's own agent or on interactions, not on the configuration
 * kinds walked here; `routing.int.test.ts` ("refuses bad input and other people's work") calls each
 * of them with another tenant's agent, owner and ids and expects the same isolation.
 */
const ROUTING = [
  'GET /api/agent/me',
  'POST /api/agent/login',
  'POST /api/agent/logout',
  'PUT /api/agent/state',
  'POST /api/agent/offers/{id}/accept',
  'POST /api/agent/offers/{id}/decline',
  'POST /api/agent/interactions/{id}/end',
  'POST /api/agent/interactions/{id}/wrap-up',
  'POST /api/agent/interactions/{id}/transfer',
  // Colleagues of the caller's own tenant only: routing.int.test.ts ("lists colleagues for a transfer").
  'GET /api/agent/directory',
  // The ICE servers of the caller's own softphone (no tenant data): voice/agent-phone.int.test.ts.
  'GET /api/agent/phone',
  'POST /api/interactions',
  'GET /api/interactions/{id}',
  'GET /api/interactions/{id}/routing',
  'GET /api/supervisor/queues',
  'GET /api/supervisor/agents',
  'PUT /api/supervisor/agents/{id}/state',
];

/**
 * Tenant-scoped objects of the web chat that do not fit the walk's create/list/read/change shape
 * (a singleton document, contacts agents may edit, per-agent templates). Each is walked with another
 * tenant's credentials and ids in its own suite:
 * - widget settings: `widget-settings.int.test.ts` ("keeps each tenant's settings to itself",
 *   "refuses another tenant's queue/skill/calendar").
 * - contacts: `contacts.int.test.ts` ("shows another tenant nothing of A's contacts…").
 * - reply templates: `reply-templates.int.test.ts` ("shows another tenant none of A's templates…",
 *   and "keeps an agent's own templates to that agent" within a tenant).
 */
const CHAT_CRUD = [
  'GET /api/widget-settings',
  'PUT /api/widget-settings',
  'GET /api/contacts',
  'GET /api/contacts/{id}',
  'PATCH /api/contacts/{id}',
  'GET /api/contacts/{id}/interactions',
  'GET /api/reply-templates',
  'POST /api/reply-templates',
  'PATCH /api/reply-templates/{id}',
  'DELETE /api/reply-templates/{id}',
];

/**
 * Web chat conversations: the agent and supervisor side addresses interactions, the widget side a
 * visitor's own conversation (visitor token) or a tenant by its public slug.
 * `chat/chat-isolation.int.test.ts` ("keeps every chat operation to its own tenant" and "keeps each
 * visitor to their own conversations") calls each with another tenant's users, another visitor's
 * token and forged ids, and expects NOT_FOUND / UNAUTHENTICATED and no data.
 */
const CHAT = [
  'GET /api/interactions/{id}/messages',
  'POST /api/interactions/{id}/messages',
  'POST /api/interactions/{id}/attachments',
  'GET /api/interactions/{id}/attachments/{attachmentId}',
  'POST /api/supervisor/interactions/{id}/whisper',
  'POST /api/supervisor/interactions/{id}/take-over',
  'GET /api/widget/{tenant}/config',
  'POST /api/widget/{tenant}/conversations',
  'POST /api/widget/{tenant}/offline-messages',
  'GET /api/widget/conversations/{id}',
  'GET /api/widget/conversations/{id}/messages',
  'POST /api/widget/conversations/{id}/attachments',
  'GET /api/widget/conversations/{id}/attachments/{attachmentId}',
  'POST /api/widget/conversations/{id}/end',
  'POST /api/widget/conversations/{id}/rating',
  'GET /api/widget/conversations/{id}/transcript',
];
/** The widget's way in: public by design (rate limited per address, origins checked). */
const WIDGET_PUBLIC = [
  'GET /api/widget/{tenant}/config',
  'POST /api/widget/{tenant}/conversations',
  'POST /api/widget/{tenant}/offline-messages',
];

/**
 * SIP configuration beside the trunks: numbers must point at the creator's own trunk (the walker's
 * bodies cannot name B's trunk) and the dial plan is one document per tenant. `trunks.int.test.ts`
 * ("manages numbers…", "keeps one dial plan per tenant…") calls each with another tenant's
 * credentials and ids and expects NOT_FOUND / INVALID_REFERENCE / DUPLICATE and nothing of A's.
 */
const SIP_CONFIG = [
  'GET /api/phone-numbers',
  'POST /api/phone-numbers',
  'GET /api/phone-numbers/{id}',
  'PATCH /api/phone-numbers/{id}',
  'DELETE /api/phone-numbers/{id}',
  'GET /api/dial-plan',
  'PUT /api/dial-plan',
];

/**
 * The flow editor's tools: the knowledge base (articles under a two-segment path) and the stateless
 * test-run and matcher (POSTs that create nothing). `knowledge-base.int.test.ts` ("treats another
 * tenant's article as missing") calls each article route with another tenant's credentials and ids
 * and expects NOT_FOUND and nothing of A's; `flow-test-run.int.test.ts` ("reads the tenant own
 * calendars and knowledge base, never another tenant") shows a run sees only its own tenant's data.
 */
const FLOW_TOOLS = [
  'GET /api/knowledge-base/articles',
  'POST /api/knowledge-base/articles',
  'GET /api/knowledge-base/articles/{id}',
  'PATCH /api/knowledge-base/articles/{id}',
  'DELETE /api/knowledge-base/articles/{id}',
  'POST /api/knowledge-base/match',
  'POST /api/flows/test-run',
];

/**
 * Call detail records and recordings: read-only views of calls the voice side writes (no API creates
 * them). `calls.int.test.ts` ("keeps every tenant to its own calls, and agents out of the CDR") reads
 * another tenant's call, its recording and the list, and expects NOT_FOUND and nothing of A's.
 */
const CALLS = ['GET /api/calls', 'GET /api/calls/{id}', 'GET /api/calls/{id}/recording'];

/**
 * Voicemails: left by callers on the voice side (no API creates them). `voicemail.int.test.ts`
 * ("serves it: … other tenants get 404") reads and plays another tenant's voicemail and its list, and
 * expects NOT_FOUND, nothing of A's and no audit entry.
 */
const VOICEMAILS = [
  'GET /api/voicemails',
  'GET /api/voicemails/{id}',
  'GET /api/voicemails/{id}/audio',
  'PATCH /api/voicemails/{id}',
];

/**
 * Messenger accounts bound to flows: a create body must name the creator's own flow, which the
 * walker's bodies cannot. `flow-entry-points.int.test.ts` ("treats another tenant's binding as
 * missing…", "refuses another tenant flow…") calls each with another tenant's credentials and ids.
 */
const ENTRY_POINTS = [
  'GET /api/flow-entry-points',
  'POST /api/flow-entry-points',
  'GET /api/flow-entry-points/{id}',
  'PATCH /api/flow-entry-points/{id}',
  'DELETE /api/flow-entry-points/{id}',
];

/** Documented operations the walk leaves out: signing in and out, who-am-I, ops probes, routing. */
const SKIPPED = new Set([
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'GET /api/auth/me',
  'GET /healthz',
  'GET /readyz',
  ...ROUTING,
  ...CHAT,
  ...CHAT_CRUD,
  ...SIP_CONFIG,
  ...FLOW_TOOLS,
  ...CALLS,
  ...VOICEMAILS,
  ...ENTRY_POINTS,
]);
/** Documented operations anyone may call without credentials. */
const PUBLIC = new Set([
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'GET /healthz',
  'GET /readyz',
  ...WIDGET_PUBLIC,
]);

let seq = 0;
const uniq = () => `${Date.now().toString(36)}-${++seq}`;

/** A valid flow document (core flow language) for the flow routes. */
const flowDocument = (text = 'Hello') => ({
  id: 'walk',
  version: 1,
  entry: 'hi',
  nodes: { hi: { verb: 'say', text, next: { done: 'bye' } }, bye: { verb: 'hangup' } },
});

/** A body that creates a new object of each kind in the caller's own tenant. */
const createBody: Record<Kind, () => Body> = {
  teams: () => ({ name: `Team ${uniq()}`, description: 'walk' }),
  skills: () => ({ name: `Skill ${uniq()}` }),
  queues: () => ({ name: `Queue ${uniq()}`, priority: 3 }),
  'not-ready-reasons': () => ({ name: `Break ${uniq()}`, paid: true }),
  'disposition-codes': () => ({ code: `C-${uniq()}`, name: 'Closed' }),
  calendars: () => ({ name: `Hours ${uniq()}`, timeZone: 'Asia/Tokyo' }),
  users: () => ({
    email: `walk-${uniq()}@example.com`,
    displayName: 'Walker',
    role: 'agent',
    password: 'walker-password-1',
  }),
  'api-keys': () => ({ name: `Key ${uniq()}`, role: 'agent' }),
  trunks: () => ({ name: `Trunk ${uniq()}`, allowedCidrs: ['203.0.113.0/24'] }),
  flows: () => ({ name: `Flow ${uniq()}`, description: 'walk' }),
};

/** A PATCH that would visibly change an existing object of each kind. */
const patchBody: Partial<Record<Kind, (a: Ids) => Body>> = {
  teams: () => ({ name: 'Hijacked team', description: 'changed by another tenant' }),
  skills: () => ({ name: 'Hijacked skill' }),
  queues: () => ({ priority: 100, requiredSkills: [], calendarId: null }),
  'not-ready-reasons': () => ({ paid: false }),
  'disposition-codes': () => ({ code: 'HIJACKED' }),
  calendars: () => ({ timeZone: 'UTC', weekly: [] }),
  users: () => ({ displayName: 'Hijacked', role: 'owner', active: false }),
  trunks: () => ({ name: 'Hijacked trunk', enabled: false, allowedCidrs: ['0.0.0.0/0'] }),
  flows: () => ({ name: 'Hijacked flow', description: 'changed by another tenant' }),
};

type BodyFor = ((a: Ids) => unknown) | null;

/**
 * Every documented operation the walker knows, with the body it sends (null: none). Keyed
 * "METHOD /path" exactly as in the OpenAPI document.
 */
const operations = new Map<string, BodyFor>();
for (const kind of kinds) {
  const base = `/api/${kind}`;
  operations.set(`GET ${base}`, null);
  operations.set(`POST ${base}`, createBody[kind]);
  if (kind !== 'api-keys') {
    operations.set(`GET ${base}/{id}`, null);
    operations.set(`PATCH ${base}/{id}`, patchBody[kind]!);
  }
  operations.set(`DELETE ${base}/{id}`, null);
}
operations.set('GET /api/users/{id}/skills', null);
operations.set('PUT /api/users/{id}/skills', (a) => [{ skillId: a.skills, level: 10 }]);
operations.set('GET /api/audit-log', null);
operations.set('PUT /api/flows/{id}/draft', () => flowDocument('Hijacked'));
operations.set('POST /api/flows/{id}/validate', () => flowDocument());
operations.set('POST /api/flows/{id}/publish', null);
operations.set('GET /api/flows/{id}/versions', null);
operations.set('GET /api/queues/{id}/voice', null);
operations.set('PUT /api/queues/{id}/voice', () => ({ announceIntervalSeconds: 10 }));
operations.set('GET /api/auth/me', null);

interface Operation {
  key: string;
  method: string;
  path: string;
  /** What the walker sends (null: no body). */
  body: BodyFor;
  /** Whether the OpenAPI document says the operation takes a body. */
  hasBody: boolean;
}

const methodOrder = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'];
/** The resource an operation addresses: the first segment after /api/. */
const kindOf = (path: string) => path.split('/')[2] as Kind;
const urlFor = (op: Operation, ids: Ids) => op.path.replace('{id}', ids[kindOf(op.path)]);

function expectError(res: LightMyRequestResponse, status: number, code: string, what: string): void {
  expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
  expect(res.json(), what).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('tenant isolation on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  /** Every documented operation, POSTs first so that B has objects of its own to list. */
  let documented: Operation[];
  /** The operations the walk exercises: all documented ones but the skipped ones. */
  let walked: Operation[];
  /** Documented operations the walker has no entry for. */
  let unknown: string[];

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open());
    const res = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths as Record<string, Record<string, { requestBody?: unknown }>>;
    documented = Object.entries(paths)
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([m, spec]) => {
          const method = m.toUpperCase();
          const key = `${method} ${path}`;
          return {
            key,
            method,
            path,
            body: operations.get(key) ?? null,
            hasBody: spec.requestBody !== undefined,
          };
        }),
      )
      .sort((x, y) => methodOrder.indexOf(x.method) - methodOrder.indexOf(y.method));
    unknown = documented.filter((op) => !SKIPPED.has(op.key) && !operations.has(op.key)).map((op) => op.key);
    walked = documented.filter((op) => !SKIPPED.has(op.key));
  });
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  /** Tenant A with one object of every kind, all linked where they can be. */
  async function tenantWithOneOfEverything(): Promise<{ a: TenantClient; ids: Ids; leaks: string[] }> {
    const a = await server.newTenant('A');
    const create = async (kind: Kind, payload: Body) => {
      const res = await a.request({ method: 'POST', url: `/api/${kind}`, payload });
      expect(res.statusCode, `A creates ${kind}: ${res.body}`).toBe(201);
      return res.json();
    };
    const team = await create('teams', createBody.teams());
    const skill = await create('skills', createBody.skills());
    const calendar = await create('calendars', {
      ...createBody.calendars(),
      weekly: [{ day: 'mon', open: '08:00', close: '18:00' }],
    });
    const queue = await create('queues', {
      ...createBody.queues(),
      requiredSkills: [{ skillId: skill.id, minLevel: 2 }],
      calendarId: calendar.id,
    });
    const reason = await create('not-ready-reasons', createBody['not-ready-reasons']());
    const code = await create('disposition-codes', createBody['disposition-codes']());
    const user = await create('users', { ...createBody.users(), teamId: team.id });
    const skills = await a.request({
      method: 'PUT',
      url: `/api/users/${user.id}/skills`,
      payload: [{ skillId: skill.id, level: 6 }],
    });
    expect(skills.statusCode).toBe(200);
    const key = await create('api-keys', { name: 'A integration', role: 'admin' });
    const inboundUser = `a-pbx-${uniq()}`;
    const trunk = await create('trunks', {
      ...createBody.trunks(),
      inboundUsername: inboundUser,
      inboundPassword: 'a-inbound-secret',
      proxy: 'sip.a-carrier.example',
      outboundUsername: 'a-account',
      outboundPassword: 'a-outbound-secret',
    });
    const number = await a.request({
      method: 'POST',
      url: '/api/phone-numbers',
      payload: { number: `+4420${String(++seq).padStart(7, '0')}`, trunkId: trunk.id },
    });
    expect(number.statusCode, number.body).toBe(201);
    // A flow with a published version (v1) and an open draft (v2).
    const flow = await create('flows', createBody.flows());
    for (const [method, url, payload] of [
      ['PUT', `/api/flows/${flow.id}/draft`, flowDocument('A greets')],
      ['POST', `/api/flows/${flow.id}/publish`, undefined],
      ['PUT', `/api/flows/${flow.id}/draft`, flowDocument('A greets anew')],
    ] as const) {
      const res = await a.request({ method, url, ...(payload && { payload }) });
      expect(res.statusCode, `A ${method} ${url}: ${res.body}`).toBe(200);
    }
    const ids: Ids = {
      teams: team.id,
      skills: skill.id,
      queues: queue.id,
      'not-ready-reasons': reason.id,
      'disposition-codes': code.id,
      calendars: calendar.id,
      users: user.id,
      'api-keys': key.apiKey.id,
      trunks: trunk.id,
      flows: flow.id,
    };
    // Nothing identifying A may appear in any answer to another tenant.
    const leaks = [
      ...Object.values(ids),
      a.tenantId,
      a.ownerId,
      a.email,
      user.email,
      key.apiKey.prefix,
      inboundUser,
      'a-inbound-secret',
      'a-outbound-secret',
      'a-carrier',
      number.json().number,
      'A greets',
    ];
    return { a, ids, leaks };
  }

  /** Everything A can see: each object, the user's skills, every list and the audit log. */
  async function snapshot(a: TenantClient, ids: Ids): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    const read = async (url: string) => {
      const res = await a.request({ method: 'GET', url });
      expect(res.statusCode, `A reads ${url}: ${res.body}`).toBe(200);
      out[url] = res.json();
    };
    for (const kind of kinds) {
      await read(`/api/${kind}?limit=500`);
      if (kind !== 'api-keys') await read(`/api/${kind}/${ids[kind]}`);
    }
    await read(`/api/users/${ids.users}/skills`);
    await read(`/api/flows/${ids.flows}/versions?limit=500`);
    await read('/api/audit-log?limit=500');
    const keys = (out['/api/api-keys?limit=500'] as { items: { id: string }[] }).items;
    expect(keys.map((k) => k.id)).toContain(ids['api-keys']);
    return out;
  }

  it('knows every documented operation', () => {
    // A new route must be added to `operations` (with a body if it takes one) to join the walk.
    expect(unknown, 'documented operations the walker cannot build a request for').toEqual([]);
    for (const op of documented) {
      if (SKIPPED.has(op.key)) continue;
      expect(op.body !== null, `${op.key}: documented body and walker body disagree`).toBe(op.hasBody);
    }
    const documentedKeys = new Set(documented.map((op) => op.key));
    for (const key of [...operations.keys(), ...SKIPPED]) expect(documentedKeys, key).toContain(key);
    for (const op of documented)
      expect(op.path === '/healthz' || op.path === '/readyz' || op.path.startsWith('/api/')).toBe(true);
    // Sanity floor: the walk must not silently shrink to nothing.
    expect(walked.length).toBe(documented.length - SKIPPED.size);
    expect(walked.length).toBeGreaterThanOrEqual(40);
  });

  it.each(['session', 'api key'] as const)(
    "lets another tenant's owner (%s) neither see nor change anything of tenant A",
    async (credential) => {
      expect(unknown, 'add these operations to the walker').toEqual([]);
      const { a, ids, leaks } = await tenantWithOneOfEverything();
      const b = await server.newTenant('B');
      let token = b.token;
      if (credential === 'api key') {
        const key = await b.request({
          method: 'POST',
          url: '/api/api-keys',
          payload: { name: 'B', role: 'owner' },
        });
        expect(key.statusCode).toBe(201);
        token = key.json().secret;
      }
      const before = await snapshot(a, ids);

      const exercised = new Set<string>();
      const createdByB: [Kind, string][] = [];
      for (const op of walked) {
        const url = urlFor(op, ids);
        const res = await b.request({
          method: op.method as 'GET',
          url,
          token,
          payload: op.body?.(ids) as Body,
        });
        const what = `B ${op.key}`;
        exercised.add(op.key);
        for (const secret of leaks) expect(res.body, `${what} leaks ${secret}`).not.toContain(secret);

        if (op.path.includes('{id}')) {
          expectError(res, 404, 'NOT_FOUND', what);
        } else if (op.method === 'POST') {
          expect(res.statusCode, `${what}: ${res.body}`).toBe(201);
          const created = res.json();
          createdByB.push([kindOf(op.path), created.apiKey?.id ?? created.id]);
        } else {
          expect(op.method).toBe('GET');
          expect(res.statusCode, `${what}: ${res.body}`).toBe(200);
          const page = res.json();
          const listed = page.items.map((i: { id?: string; entityId?: string }) => i.entityId ?? i.id);
          for (const id of Object.values(ids)) expect(listed, what).not.toContain(id);
          // B's list is not trivially empty: it shows what B itself just created.
          const own =
            op.path === '/api/audit-log'
              ? createdByB.map(([, id]) => id)
              : createdByB.filter(([k]) => k === kindOf(op.path)).map(([, id]) => id);
          for (const id of own) expect(listed, `${what} lists B's own ${id}`).toContain(id);
          expect(page.total, `${what}: total counts B's items only`).toBe(page.items.length);
        }
      }
      expect([...exercised].sort()).toEqual(walked.map((op) => op.key).sort());
      expect(exercised.size).toBe(documented.length - SKIPPED.size);
      expect(createdByB.map(([k]) => k).sort()).toEqual([...kinds].sort());

      // B's audit log knows nothing of A's objects, even when asked for them by id.
      for (const id of Object.values(ids)) {
        const res = await b.request({ method: 'GET', url: `/api/audit-log?entityId=${id}`, token });
        expect(res.json(), `B's audit log for A's ${id}`).toMatchObject({ items: [], total: 0 });
      }
      // What B created lives in B only.
      for (const [kind, id] of createdByB) {
        if (kind !== 'api-keys') {
          expectError(
            await a.request({ method: 'GET', url: `/api/${kind}/${id}` }),
            404,
            'NOT_FOUND',
            `A reads B's ${kind}`,
          );
        }
        const list = (await a.request({ method: 'GET', url: `/api/${kind}?limit=500` })).json();
        expect(
          list.items.map((i: { id: string }) => i.id),
          `A's ${kind} list`,
        ).not.toContain(id);
      }
      // A's world is exactly as it was, down to its audit log.
      expect(await snapshot(a, ids)).toEqual(before);
    },
  );

  it("refuses to link another tenant's objects to A's", async () => {
    const { ids } = await tenantWithOneOfEverything();
    const b = await server.newTenant('B');
    const agent = await b.userToken('agent');
    const attempts: [string, string, string, unknown][] = [
      [
        'queue requiring A skill',
        'POST',
        '/api/queues',
        { name: 'Q', requiredSkills: [{ skillId: ids.skills, minLevel: 1 }] },
      ],
      ['queue on A calendar', 'POST', '/api/queues', { name: 'Q', calendarId: ids.calendars }],
      ['user in A team', 'POST', '/api/users', { ...createBody.users(), teamId: ids.teams }],
      ['agent with A skill', 'PUT', `/api/users/${agent.id}/skills`, [{ skillId: ids.skills, level: 3 }]],
      ['agent moved to A team', 'PATCH', `/api/users/${agent.id}`, { teamId: ids.teams }],
      ['number on A trunk', 'POST', '/api/phone-numbers', { number: '+15550009999', trunkId: ids.trunks }],
    ];
    for (const [label, method, url, payload] of attempts) {
      const res = await b.request({ method: method as 'POST', url, payload: payload as Body });
      expectError(res, 400, 'INVALID_REFERENCE', label);
    }
    expect((await b.request({ method: 'GET', url: '/api/queues' })).json().total).toBe(0);
    expect((await b.request({ method: 'GET', url: `/api/users/${agent.id}/skills` })).json()).toEqual({
      items: [],
    });
    expect((await b.request({ method: 'GET', url: `/api/users/${agent.id}` })).json().teamId).toBeNull();
  });

  it('turns away callers without valid credentials on every non-public route', async () => {
    const { a, ids } = await tenantWithOneOfEverything();
    const before = await snapshot(a, ids);
    const guarded = documented.filter((op) => !PUBLIC.has(op.key));
    expect(guarded.length).toBe(documented.length - PUBLIC.size);
    const headers: Record<string, Record<string, string>> = {
      'no credentials': {},
      'a forged session': { authorization: 'Bearer hls_forged' },
      'a forged API key': { authorization: 'Bearer hlk_forged' },
      'a bogus scheme': { authorization: `Basic ${a.token}` },
    };
    for (const [label, h] of Object.entries(headers)) {
      for (const op of guarded) {
        const res = await server.app.inject({
          method: op.method as 'GET',
          url: urlFor(op, ids),
          headers: h,
          payload: op.body?.(ids) as Body,
        });
        expectError(res, 401, 'UNAUTHENTICATED', `${op.key} with ${label}`);
      }
    }
    // Credentials are checked before the request is read: bad ids, bad or huge bodies change nothing.
    for (const op of guarded) {
      const what = `${op.key} anonymously with bad input`;
      const url = op.path.replace('{id}', 'not-a-uuid');
      expectError(await server.app.inject({ method: op.method as 'GET', url }), 401, 'UNAUTHENTICATED', what);
      if (op.body) {
        for (const payload of ['{bad', JSON.stringify({ unexpected: 'x'.repeat(1_200_000) })]) {
          const res = await server.app.inject({
            method: op.method as 'POST',
            url: urlFor(op, ids),
            payload,
            headers: { 'content-type': 'application/json' },
          });
          expectError(res, 401, 'UNAUTHENTICATED', what);
        }
      }
    }
    expect(await snapshot(a, ids)).toEqual(before);

    // The public ones really are public.
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
  });

  it.each(['agent', 'supervisor'] as const)('forbids an %s of A every configuration change', async (role) => {
    const { a, ids } = await tenantWithOneOfEverything();
    const user = await a.userToken(role);
    const before = await snapshot(a, ids);
    const changes = walked.filter((op) => op.method !== 'GET');
    expect(changes.length).toBeGreaterThan(0);
    for (const op of changes) {
      const url = urlFor(op, ids);
      const res = await a.request({
        method: op.method as 'POST',
        url,
        token: user.token,
        payload: op.body?.(ids) as Body,
      });
      expectError(res, 403, 'FORBIDDEN', `${role} ${op.key}`);
      if (op.body) {
        const bad = await a.request({
          method: op.method as 'POST',
          url,
          token: user.token,
          payload: { unexpected: 1 },
        });
        expectError(bad, 403, 'FORBIDDEN', `${role} ${op.key} with an invalid body`);
      }
    }
    expect(await snapshot(a, ids)).toEqual(before);
  });
});
