import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveContact } from '../contacts/contact-identity';
import { systemClock, uuidGen } from '../system';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * The contacts API on both engines: search, profile with identities, edits that add identities but
 * never merge two contacts, the interaction history across channels, permissions and isolation.
 * Contacts are made the way the channels make them (`resolveContact`).
 */

type Body = Record<string, unknown>;
const deps = { clock: systemClock, ids: uuidGen };

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('contacts API on %s', (engine) => {
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

  const contact = (t: TenantClient, facts: Parameters<typeof resolveContact>[3]) =>
    resolveContact(server.db.kysely, deps, t.tenantId, facts);

  /** A tenant, an agent in it and three contacts. */
  async function setup() {
    const t = await server.newTenant();
    const agent = await t.userToken('agent');
    const anna = await contact(t, {
      name: 'Anna Schmidt',
      email: 'Anna@Example.com',
      phone: '+49 30 1234567',
    });
    const boris = await contact(t, {
      name: 'Борис Петров',
      phone: '+7 (900) 555-12-34',
      visitorId: randomUUID(),
    });
    const carla = await contact(t, { name: 'Carla 100%_sure', email: 'carla@shop.example' });
    const as = (token: string) => (opts: Parameters<TenantClient['request']>[0]) =>
      t.request({ ...opts, token });
    return { t, agent, asAgent: as(agent.token), ids: { anna, boris, carla } };
  }

  async function ok(res: Promise<LightMyRequestResponse>): Promise<Body> {
    const r = await res;
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  }

  describe('GET /api/contacts/:id', () => {
    it('shows the profile and every identity to an agent', async () => {
      const { asAgent, ids } = await setup();
      const boris = await ok(asAgent({ method: 'GET', url: `/api/contacts/${ids.boris}` }));
      expect(boris).toMatchObject({
        id: ids.boris,
        name: 'Борис Петров',
        email: null,
        phone: '+79005551234',
        attributes: {},
      });
      expect(boris.identities).toEqual([
        { kind: 'phone', value: '+79005551234' },
        { kind: 'visitor', value: expect.any(String) },
      ]);
      const anna = await ok(asAgent({ method: 'GET', url: `/api/contacts/${ids.anna}` }));
      expect(anna).toMatchObject({ email: 'Anna@Example.com', phone: '+49301234567' });
      expect(anna.identities).toEqual([
        { kind: 'email', value: 'anna@example.com' },
        { kind: 'phone', value: '+49301234567' },
      ]);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const { asAgent } = await setup();
      expectError(await asAgent({ method: 'GET', url: `/api/contacts/${randomUUID()}` }), 404, 'NOT_FOUND');
      expectError(await asAgent({ method: 'GET', url: '/api/contacts/anna' }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('GET /api/contacts', () => {
    const names = (page: Body) => (page.items as Body[]).map((c) => c.name);

    it.each([
      ['a part of the name in another case', 'SCHMIDT', ['Anna Schmidt']],
      ['Cyrillic in another case', 'петров', ['Борис Петров']],
      ['a part of the e-mail', 'example.COM', ['Anna Schmidt']],
      ['the phone as people write it', '+7 (900) 555', ['Борис Петров']],
      ['the phone digits', '5551234', ['Борис Петров']],
      ['a percent sign literally', '100%', ['Carla 100%_sure']],
      ['an underscore literally', '%_', ['Carla 100%_sure']],
      ['a wildcard that matches no name literally', 'a%a', []],
      ['nothing that exists', 'zebra', []],
    ])('finds contacts by %s', async (_label, q, expected) => {
      const { asAgent } = await setup();
      const page = await ok(asAgent({ method: 'GET', url: `/api/contacts?q=${encodeURIComponent(q)}` }));
      expect(names(page).sort()).toEqual([...expected].sort());
      expect(page.total).toBe(expected.length);
    });

    it('finds a contact by an e-mail it had before', async () => {
      const { t, asAgent, ids } = await setup();
      await ok(
        t.request({
          method: 'PATCH',
          url: `/api/contacts/${ids.anna}`,
          payload: { email: 'anna@new.example' },
        }),
      );
      const page = await ok(asAgent({ method: 'GET', url: '/api/contacts?q=anna@example' }));
      expect((page.items as Body[]).map((c) => c.id)).toEqual([ids.anna]);
    });

    it('lists everyone in pages, most recently changed first', async () => {
      const { t, asAgent, ids } = await setup();
      await ok(
        t.request({ method: 'PATCH', url: `/api/contacts/${ids.boris}`, payload: { name: 'Boris P.' } }),
      );
      const all = await ok(asAgent({ method: 'GET', url: '/api/contacts' }));
      expect(all).toMatchObject({ total: 3, limit: 20, offset: 0 });
      expect((all.items as Body[])[0]!.id).toBe(ids.boris);
      const first = await ok(asAgent({ method: 'GET', url: '/api/contacts?limit=2' }));
      const second = await ok(asAgent({ method: 'GET', url: '/api/contacts?limit=2&offset=2' }));
      expect(first).toMatchObject({ total: 3, limit: 2, offset: 0 });
      expect(second).toMatchObject({ total: 3, limit: 2, offset: 2 });
      const paged = [...(first.items as Body[]), ...(second.items as Body[])].map((c) => c.id);
      expect(paged).toEqual((all.items as Body[]).map((c) => c.id));
      expect(new Set(paged)).toEqual(new Set(Object.values(ids)));
      expect(await ok(asAgent({ method: 'GET', url: '/api/contacts?offset=3' }))).toMatchObject({
        items: [],
        total: 3,
      });
    });

    it.each(['limit=0', 'limit=101', 'offset=-1', `q=${'x'.repeat(201)}`])('refuses %s', async (query) => {
      const { asAgent } = await setup();
      expectError(await asAgent({ method: 'GET', url: `/api/contacts?${query}` }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('PATCH /api/contacts/:id', () => {
    it('changes the profile, adds new identities, keeps old ones and audits the change', async () => {
      const { t, agent, asAgent, ids } = await setup();
      const url = `/api/contacts/${ids.anna}`;
      const patched = await ok(
        asAgent({
          method: 'PATCH',
          url,
          payload: {
            name: '  Anna Schmidt-Weber ',
            email: 'Anna.Weber@Example.com',
            phone: '+4917012345',
            attributes: { company: 'ACME', customerNo: '42' },
          },
        }),
      );
      expect(patched).toMatchObject({
        name: 'Anna Schmidt-Weber',
        email: 'Anna.Weber@Example.com',
        phone: '+4917012345',
        attributes: { company: 'ACME', customerNo: '42' },
      });
      expect(patched.identities).toEqual([
        { kind: 'email', value: 'anna@example.com' },
        { kind: 'email', value: 'anna.weber@example.com' },
        { kind: 'phone', value: '+49301234567' },
        { kind: 'phone', value: '+4917012345' },
      ]);
      expect(Date.parse(patched.updatedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(patched.createdAt as string),
      );
      expect(await ok(asAgent({ method: 'GET', url }))).toEqual(patched);
      // A chat from the new address finds the same customer.
      expect(await contact(t, { email: 'anna.weber@example.com' })).toBe(ids.anna);

      // Clearing a field clears the profile value only: the identity still recognises her.
      const cleared = await ok(asAgent({ method: 'PATCH', url, payload: { phone: null } }));
      expect(cleared.phone).toBeNull();
      expect(cleared.identities).toEqual(patched.identities);

      const log = await ok(
        t.request({ method: 'GET', url: `/api/audit-log?entityType=contact&entityId=${ids.anna}` }),
      );
      expect(log.total).toBe(2);
      expect((log.items as Body[])[1]).toMatchObject({
        action: 'update',
        actorType: 'user',
        actorId: agent.id,
        after: patched,
      });
    });

    it('refuses an e-mail or phone of another contact and changes nothing (no silent merge)', async () => {
      const { t, asAgent, ids } = await setup();
      const url = `/api/contacts/${ids.anna}`;
      const before = await ok(asAgent({ method: 'GET', url }));
      for (const payload of [
        { name: 'Renamed', email: 'CARLA@shop.example' },
        { name: 'Renamed', phone: '+79005551234' },
      ]) {
        const res = await asAgent({ method: 'PATCH', url, payload });
        expectError(res, 409, 'DUPLICATE');
        expect(res.json().error.message).toMatch(/another contact/);
        expect(res.json().error.details).toMatchObject({ contactId: payload.email ? ids.carla : ids.boris });
      }
      expect(await ok(asAgent({ method: 'GET', url }))).toEqual(before);
      expect(await contact(t, { email: 'carla@shop.example' })).toBe(ids.carla);
      // Her own address in another spelling is no conflict.
      const same = await ok(asAgent({ method: 'PATCH', url, payload: { email: 'ANNA@example.com' } }));
      expect(same.email).toBe('ANNA@example.com');
      expect(same.identities).toEqual(before.identities);
    });

    it('lets exactly one of two simultaneous edits claim a new e-mail', async () => {
      const { asAgent, ids } = await setup();
      const results = await Promise.all(
        [ids.anna, ids.boris].map((id) =>
          asAgent({ method: 'PATCH', url: `/api/contacts/${id}`, payload: { email: 'shared@example.com' } }),
        ),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const owners = await server.db.kysely
        .selectFrom('contact_identities')
        .select('contact_id')
        .where('value', '=', 'shared@example.com')
        .execute();
      expect(owners).toHaveLength(1);
    });

    it.each<[string, Body]>([
      ['an unknown field', { nickname: 'x' }],
      ['a malformed e-mail', { email: 'not-an-email' }],
      ['a phone with letters', { phone: '+7 call me' }],
      ['a name over 200 characters', { name: 'x'.repeat(201) }],
      [
        '51 attributes',
        { attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
      ],
      ['an attribute that is not text', { attributes: { vip: true } }],
      ['an attribute value over 2000 characters', { attributes: { note: 'x'.repeat(2001) } }],
    ])('refuses %s', async (_label, payload) => {
      const { asAgent, ids } = await setup();
      const url = `/api/contacts/${ids.boris}`;
      const before = await ok(asAgent({ method: 'GET', url }));
      expectError(await asAgent({ method: 'PATCH', url, payload }), 400, 'VALIDATION_FAILED');
      expect(await ok(asAgent({ method: 'GET', url }))).toEqual(before);
    });

    it('answers 404 for an unknown contact', async () => {
      const { asAgent } = await setup();
      const res = await asAgent({
        method: 'PATCH',
        url: `/api/contacts/${randomUUID()}`,
        payload: { name: 'X' },
      });
      expectError(res, 404, 'NOT_FOUND');
    });
  });

  describe('GET /api/contacts/:id/interactions', () => {
    it('lists every channel newest first with queue, agent, disposition and rating', async () => {
      const { t, agent, asAgent, ids } = await setup();
      const queue = (
        await t.request({ method: 'POST', url: '/api/queues', payload: { name: 'Support' } })
      ).json();
      const code = (
        await t.request({
          method: 'POST',
          url: '/api/disposition-codes',
          payload: { code: 'OK', name: 'Solved' },
        })
      ).json();
      const base = Date.parse('2025-05-01T10:00:00Z');
      const insert = (n: number, contactId: string, values: Body = {}) =>
        server.db.kysely
          .insertInto('interactions')
          .values({
            id: randomUUID(),
            tenant_id: t.tenantId,
            channel: 'chat',
            state: 'closed',
            created_by: 'test',
            created_at: new Date(base + n * 60_000),
            updated_at: new Date(base + n * 60_000),
            contact_id: contactId,
            ...values,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      const chat = await insert(1, ids.anna, {
        queue_id: queue.id,
        agent_id: agent.id,
        disposition_code_id: code.id,
        rating: 5,
        subject: 'Where is my order?',
        closed_at: new Date(base + 10 * 60_000),
      });
      const task = await insert(2, ids.anna, { channel: 'task', state: 'abandoned', subject: 'Call back' });
      const email = await insert(3, ids.anna, { channel: 'email', state: 'queued', queue_id: queue.id });
      await insert(4, ids.boris, { subject: "Boris's chat" });

      const page = await ok(asAgent({ method: 'GET', url: `/api/contacts/${ids.anna}/interactions` }));
      expect(page).toMatchObject({ total: 3, limit: 50, offset: 0 });
      expect(page.items).toEqual([
        {
          id: email.id,
          channel: 'email',
          state: 'queued',
          subject: '',
          queueName: 'Support',
          agentName: null,
          createdAt: '2025-05-01T10:03:00.000Z',
          closedAt: null,
          dispositionName: null,
          rating: null,
        },
        expect.objectContaining({ id: task.id, channel: 'task', state: 'abandoned', queueName: null }),
        {
          id: chat.id,
          channel: 'chat',
          state: 'closed',
          subject: 'Where is my order?',
          queueName: 'Support',
          agentName: 'A agent',
          createdAt: '2025-05-01T10:01:00.000Z',
          closedAt: '2025-05-01T10:10:00.000Z',
          dispositionName: 'Solved',
          rating: 5,
        },
      ]);
      const second = await ok(
        asAgent({ method: 'GET', url: `/api/contacts/${ids.anna}/interactions?limit=2&offset=2` }),
      );
      expect(second).toMatchObject({ total: 3, items: [{ id: chat.id }] });
      const carla = await ok(asAgent({ method: 'GET', url: `/api/contacts/${ids.carla}/interactions` }));
      expect(carla).toMatchObject({ items: [], total: 0 });
    });

    it('answers 404 for an unknown contact and 400 for a bad page', async () => {
      const { asAgent, ids } = await setup();
      expectError(
        await asAgent({ method: 'GET', url: `/api/contacts/${randomUUID()}/interactions` }),
        404,
        'NOT_FOUND',
      );
      expectError(
        await asAgent({ method: 'GET', url: `/api/contacts/${ids.anna}/interactions?limit=0` }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  it('turns away callers without credentials', async () => {
    const { ids } = await setup();
    for (const [method, url] of [
      ['GET', '/api/contacts'],
      ['GET', `/api/contacts/${ids.anna}`],
      ['PATCH', `/api/contacts/${ids.anna}`],
      ['GET', `/api/contacts/${ids.anna}/interactions`],
    ] as const) {
      const res = await server.app.inject({
        method,
        url,
        ...(method === 'PATCH' && { payload: { name: 'X' } }),
      });
      expectError(res, 401, 'UNAUTHENTICATED');
    }
  });

  it("shows another tenant nothing of A's contacts, and lets it use the same e-mail for its own", async () => {
    const a = await setup();
    const b = await setup();
    const onlyInA = 'only-in-a@example.com';
    const annaUrl = `/api/contacts/${a.ids.anna}`;
    await ok(a.t.request({ method: 'PATCH', url: annaUrl, payload: { email: onlyInA } }));
    const before = await ok(a.t.request({ method: 'GET', url: annaUrl }));
    for (const asB of [b.t.request, b.asAgent]) {
      for (const [method, path] of [
        ['GET', ''],
        ['PATCH', ''],
        ['GET', '/interactions'],
      ] as const) {
        const res = await asB({
          method,
          url: `${annaUrl}${path}`,
          ...(method === 'PATCH' && { payload: { name: 'Hijacked', email: 'thief@example.com' } }),
        });
        expectError(res, 404, 'NOT_FOUND');
        expect(res.body).not.toContain(onlyInA);
      }
      const search = await ok(asB({ method: 'GET', url: `/api/contacts?q=${onlyInA}&limit=100` }));
      expect(search).toMatchObject({ items: [], total: 0 });
      const all = await ok(asB({ method: 'GET', url: '/api/contacts?limit=100' }));
      expect((all.items as Body[]).map((c) => c.id).sort()).toEqual(Object.values(b.ids).sort());
    }
    // Identities are per tenant: B may give its own contact an e-mail that identifies Anna in A.
    const own = await ok(
      b.asAgent({ method: 'PATCH', url: `/api/contacts/${b.ids.boris}`, payload: { email: onlyInA } }),
    );
    expect(own.email).toBe(onlyInA);
    expect(await ok(a.t.request({ method: 'GET', url: annaUrl }))).toEqual(before);
    expect(await contact(a.t, { email: onlyInA })).toBe(a.ids.anna);
    expect(await contact(b.t, { email: onlyInA })).toBe(b.ids.boris);
  });
});
