import { randomUUID } from 'node:crypto';
import { ManualClock } from '@hotline/core/ports';
import { defaultCapacity } from '@hotline/protocol/config';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../app';
import { uuidGen } from '../system';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * The configuration API, resource by resource: CRUD, pagination, validation, uniqueness,
 * references between resources, body limits and the audit trail. One table row per resource;
 * every behaviour is checked against every row on both storage engines.
 */

type Body = Record<string, unknown>;

/** Objects a body may point at; created in each fresh tenant. */
interface Deps {
  skillId: string;
  calendarId: string;
  teamId: string;
}

interface ResourceCase {
  /** URL segment under /api/. */
  path: string;
  /** A body the server accepts; `n` keeps unique fields unique within one tenant. */
  valid(n: number, deps: Deps): Body;
  /** The fields a created object echoes for `body` (default: all of them). */
  echo?(body: Body): Body;
  /** A PATCH that changes exactly one field. */
  patch: Body;
  /** Two bodies that differ only in the case of their unique field; the second must be refused. */
  duplicates(deps: Deps): [Body, Body];
  /** Bodies the schema must refuse: missing required field, wrong type, out of range. */
  invalid: [label: string, body: (deps: Deps) => Body][];
  /** A PATCH body the schema must refuse (out of range). */
  invalidPatch: Body;
}

let seq = 0;
/** Unique across tests and engines: e-mails are unique over all tenants of a database. */
const uniq = () => `${Date.now().toString(36)}${++seq}`;
const email = (label: string) => `${label}-${uniq()}@example.com`;
const omit = (body: Body, key: string): Body => {
  const { [key]: _dropped, ...rest } = body;
  return rest;
};
const PASSWORD = 'correct-horse-battery-staple';

/** Teams and skills share one body shape. */
function namedCase(path: 'teams' | 'skills', label: string): ResourceCase {
  return {
    path,
    valid: (n) => ({ name: `${label} ${n}`, description: `The ${label.toLowerCase()} number ${n}` }),
    patch: { description: 'changed description' },
    duplicates: () => [{ name: 'Support' }, { name: 'support' }],
    invalid: [
      ['missing name', () => ({ description: 'no name' })],
      ['name of the wrong type', () => ({ name: 42 })],
      ['blank name', () => ({ name: '   ' })],
      ['name longer than 120', () => ({ name: 'x'.repeat(121) })],
      ['description longer than 2000', () => ({ name: 'ok', description: 'x'.repeat(2001) })],
    ],
    invalidPatch: { name: '' },
  };
}

const resources: ResourceCase[] = [
  namedCase('teams', 'Team'),
  namedCase('skills', 'Skill'),
  {
    path: 'queues',
    valid: (n, d) => ({
      name: `Queue ${n}`,
      strategy: 'round_robin',
      priority: 7,
      requiredSkills: [{ skillId: d.skillId, minLevel: 3 }],
      serviceLevelSeconds: 30,
      serviceLevelPercent: 90,
      wrapUpSeconds: 15,
      maxWaitSeconds: 300,
      calendarId: d.calendarId,
    }),
    patch: { priority: 42 },
    duplicates: () => [{ name: 'Support' }, { name: 'support' }],
    invalid: [
      ['missing name', () => ({ priority: 1 })],
      ['priority of the wrong type', () => ({ name: 'Q', priority: '5' })],
      ['priority 101', () => ({ name: 'Q', priority: 101 })],
      ['priority -1', () => ({ name: 'Q', priority: -1 })],
      ['service-level percent 0', () => ({ name: 'Q', serviceLevelPercent: 0 })],
      ['service-level seconds 0', () => ({ name: 'Q', serviceLevelSeconds: 0 })],
      ['unknown strategy', () => ({ name: 'Q', strategy: 'fastest' })],
      ['skill level 11', (d) => ({ name: 'Q', requiredSkills: [{ skillId: d.skillId, minLevel: 11 }] })],
      ['skill level 0', (d) => ({ name: 'Q', requiredSkills: [{ skillId: d.skillId, minLevel: 0 }] })],
      [
        'the same skill twice',
        (d) => ({
          name: 'Q',
          requiredSkills: [
            { skillId: d.skillId, minLevel: 1 },
            { skillId: d.skillId, minLevel: 2 },
          ],
        }),
      ],
      ['non-uuid calendar', () => ({ name: 'Q', calendarId: 'calendar-1' })],
    ],
    invalidPatch: { serviceLevelPercent: 101 },
  },
  {
    path: 'not-ready-reasons',
    valid: (n) => ({ name: `Break ${n}`, paid: true }),
    patch: { paid: false },
    duplicates: () => [{ name: 'Lunch' }, { name: 'LUNCH' }],
    invalid: [
      ['missing name', () => ({ paid: true })],
      ['paid of the wrong type', () => ({ name: 'Lunch', paid: 'yes' })],
      ['name longer than 120', () => ({ name: 'x'.repeat(121) })],
    ],
    invalidPatch: { paid: 1 },
  },
  {
    path: 'disposition-codes',
    valid: (n) => ({ code: `RESOLVED_${n}`, name: `Resolved ${n}` }),
    patch: { name: 'Resolved on first contact' },
    duplicates: () => [
      { code: 'SALE', name: 'Sale' },
      { code: 'sale', name: 'Another sale' },
    ],
    invalid: [
      ['missing code', () => ({ name: 'Sale' })],
      ['code of the wrong type', () => ({ code: 7, name: 'Sale' })],
      ['code with a space', () => ({ code: 'has space', name: 'Sale' })],
      ['code longer than 40', () => ({ code: 'x'.repeat(41), name: 'Sale' })],
    ],
    invalidPatch: { code: 'no/slash' },
  },
  {
    path: 'calendars',
    valid: (n) => ({
      name: `Office hours ${n}`,
      timeZone: 'Europe/Berlin',
      weekly: [
        { day: 'mon', open: '09:00', close: '17:30' },
        { day: 'fri', open: '08:00', close: '24:00' },
      ],
      holidays: [{ date: '2025-12-25', name: 'Christmas' }],
    }),
    patch: { timeZone: 'America/New_York' },
    duplicates: () => [
      { name: 'Office', timeZone: 'UTC' },
      { name: 'OFFICE', timeZone: 'UTC' },
    ],
    invalid: [
      ['missing time zone', () => ({ name: 'Office' })],
      ['weekly of the wrong type', () => ({ name: 'Office', timeZone: 'UTC', weekly: 'mon-fri' })],
      ['unknown time zone', () => ({ name: 'Office', timeZone: 'Mars/Base' })],
      ...(
        [
          ['hour 25', { day: 'mon', open: '25:00', close: '26:00' }],
          ['opening after closing', { day: 'mon', open: '17:00', close: '09:00' }],
          ['unknown weekday', { day: 'funday', open: '09:00', close: '17:00' }],
        ] as const
      ).map(([label, interval]): [string, () => Body] => [
        label,
        () => ({ name: 'Office', timeZone: 'UTC', weekly: [interval] }),
      ]),
      [
        'holiday in month 13',
        () => ({ name: 'Office', timeZone: 'UTC', holidays: [{ date: '2025-13-01' }] }),
      ],
    ],
    invalidPatch: { weekly: [{ day: 'tue', open: '10:00', close: '10:00' }] },
  },
  {
    path: 'users',
    valid: (n, d) => ({
      email: email(`agent${n}`),
      displayName: `Agent ${n}`,
      role: 'agent',
      password: PASSWORD,
      teamId: d.teamId,
      locale: 'ru',
      capacity: { voice: 1, chat: 2, email: 3, sms: 4, messenger: 5, task: 6 },
    }),
    echo: (body) => omit(body, 'password'),
    patch: { displayName: 'Renamed agent' },
    duplicates: () => {
      const address = email('Dup');
      const base = { displayName: 'Dup', role: 'agent', password: PASSWORD };
      return [
        { ...base, email: address.toUpperCase() },
        { ...base, email: address },
      ];
    },
    invalid: [
      ['missing password', () => ({ email: email('x'), displayName: 'X', role: 'agent' })],
      [
        'role of the wrong type',
        () => ({ email: email('x'), displayName: 'X', role: 3, password: PASSWORD }),
      ],
      ['unknown role', () => ({ email: email('x'), displayName: 'X', role: 'boss', password: PASSWORD })],
      [
        'malformed e-mail',
        () => ({ email: 'not-an-email', displayName: 'X', role: 'agent', password: PASSWORD }),
      ],
      [
        'password shorter than 10',
        () => ({ email: email('x'), displayName: 'X', role: 'agent', password: 'short' }),
      ],
      [
        'capacity 101',
        () => ({
          email: email('x'),
          displayName: 'X',
          role: 'agent',
          password: PASSWORD,
          capacity: { chat: 101 },
        }),
      ],
      [
        'unknown locale',
        () => ({ email: email('x'), displayName: 'X', role: 'agent', password: PASSWORD, locale: 'de' }),
      ],
    ],
    invalidPatch: { capacity: { voice: -1 } },
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

function expectIsoTimestamp(value: unknown): void {
  expect(typeof value).toBe('string');
  expect(new Date(value as string).toISOString()).toBe(value);
}

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

describe.each(engines)('configuration API on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  /** A tenant for tests that change nothing (validation, 404s). */
  let shared: { t: TenantClient; deps: Deps };

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open());
    shared = await freshTenant();
  });
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  async function create(t: TenantClient, path: string, payload: Body): Promise<Body> {
    const res = await t.request({ method: 'POST', url: `/api/${path}`, payload });
    expect(res.statusCode, `POST /api/${path}: ${res.body}`).toBe(201);
    return res.json();
  }

  /** A new tenant with one skill, calendar and team for bodies to point at. */
  async function freshTenant(): Promise<{ t: TenantClient; deps: Deps }> {
    const t = await server.newTenant();
    const [skill, calendar, team] = await Promise.all([
      create(t, 'skills', { name: 'Dependency skill' }),
      create(t, 'calendars', { name: 'Dependency calendar', timeZone: 'UTC' }),
      create(t, 'teams', { name: 'Dependency team' }),
    ]);
    return {
      t,
      deps: { skillId: skill.id as string, calendarId: calendar.id as string, teamId: team.id as string },
    };
  }

  describe.each(resources)('/api/$path', (r) => {
    const base = `/api/${r.path}`;

    it('creates, reads, patches and deletes', async () => {
      const { t, deps } = await freshTenant();
      const body = r.valid(1, deps);
      const created = await create(t, r.path, body);
      expect(created).toMatchObject(r.echo ? r.echo(body) : body);
      expect(created.id).toMatch(UUID);
      expectIsoTimestamp(created.createdAt);
      expectIsoTimestamp(created.updatedAt);
      expect(created.updatedAt).toBe(created.createdAt);

      const got = await t.request({ method: 'GET', url: `${base}/${created.id}` });
      expect(got.statusCode, got.body).toBe(200);
      expect(got.json()).toEqual(created);

      const patched = await t.request({ method: 'PATCH', url: `${base}/${created.id}`, payload: r.patch });
      expect(patched.statusCode, patched.body).toBe(200);
      const after = patched.json();
      expect(after).toEqual({ ...created, ...r.patch, updatedAt: after.updatedAt });
      for (const [field, value] of Object.entries(r.patch)) expect(value).not.toEqual(created[field]);
      expectIsoTimestamp(after.updatedAt);
      expect(Date.parse(after.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.createdAt as string));
      expect((await t.request({ method: 'GET', url: `${base}/${created.id}` })).json()).toEqual(after);

      const deleted = await t.request({ method: 'DELETE', url: `${base}/${created.id}` });
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect(deleted.body).toBe('');
      expectError(await t.request({ method: 'GET', url: `${base}/${created.id}` }), 404, 'NOT_FOUND');
      expectError(await t.request({ method: 'DELETE', url: `${base}/${created.id}` }), 404, 'NOT_FOUND');
    });

    it('lists in pages with a stable order', async () => {
      const { t, deps } = await freshTenant();
      const before = (await t.request({ method: 'GET', url: base })).json().total as number;
      const ids: string[] = [];
      for (let n = 1; n <= 3; n++) ids.push((await create(t, r.path, r.valid(n, deps))).id as string);
      const total = before + 3;

      const page = async (offset: number) => {
        const res = await t.request({ method: 'GET', url: `${base}?limit=2&offset=${offset}` });
        expect(res.statusCode, res.body).toBe(200);
        return res.json();
      };
      const first = await page(0);
      expect(first).toMatchObject({ total, limit: 2, offset: 0 });
      expect(first.items).toHaveLength(2);
      const rest: Body[] = [];
      for (let offset = 2; offset < total; offset += 2) {
        const p = await page(offset);
        expect(p).toMatchObject({ total, limit: 2, offset });
        expect(p.items).toHaveLength(Math.min(2, total - offset));
        rest.push(...p.items);
      }
      expect((await page(total)).items).toEqual([]);

      const paged = [...first.items, ...rest].map((i: Body) => i.id);
      const all = (await t.request({ method: 'GET', url: `${base}?limit=500` })).json();
      expect(all).toMatchObject({ total, limit: 500, offset: 0 });
      expect(paged).toEqual(all.items.map((i: Body) => i.id));
      expect(new Set(paged).size).toBe(total);
      for (const id of ids) expect(paged).toContain(id);
      // Oldest first, and the same page twice gives the same items.
      const stamps = all.items.map((i: Body) => Date.parse(i.createdAt as string));
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
      expect(await page(0)).toEqual(first);
    });

    it('rejects a limit or offset out of range', async () => {
      for (const query of ['limit=0', 'limit=501', 'offset=-1', 'limit=two']) {
        expectError(
          await shared.t.request({ method: 'GET', url: `${base}?${query}` }),
          400,
          'VALIDATION_FAILED',
        );
      }
    });

    it.each([
      ...r.invalid,
      ['an unknown extra field', (d: Deps) => ({ ...r.valid(99, d), unexpected: true })],
      ['an array instead of an object', (d: Deps) => [r.valid(99, d)] as unknown as Body],
    ])('refuses a body with %s', async (_label, body) => {
      const res = await shared.t.request({ method: 'POST', url: base, payload: body(shared.deps) });
      expectError(res, 400, 'VALIDATION_FAILED');
    });

    it('refuses an invalid or unknown field on PATCH', async () => {
      const { t, deps } = await freshTenant();
      const created = await create(t, r.path, r.valid(1, deps));
      for (const payload of [r.invalidPatch, { ...r.patch, unexpected: 1 }]) {
        const res = await t.request({ method: 'PATCH', url: `${base}/${created.id}`, payload });
        expectError(res, 400, 'VALIDATION_FAILED');
      }
      expect((await t.request({ method: 'GET', url: `${base}/${created.id}` })).json()).toEqual(created);
    });

    it.each(['POST', 'PATCH'] as const)('refuses a malformed JSON body on %s', async (method) => {
      const url = method === 'POST' ? base : `${base}/${randomUUID()}`;
      const res = await shared.t.request({
        method,
        url,
        payload: '{bad',
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 400, 'INVALID_JSON');
    });

    it('refuses a body over 1 MiB', async () => {
      const payload = { ...r.valid(1, shared.deps), description: 'x'.repeat(1_200_000) };
      expectError(await shared.t.request({ method: 'POST', url: base, payload }), 413, 'PAYLOAD_TOO_LARGE');
    });

    it.each(['GET', 'PATCH', 'DELETE'] as const)('refuses a non-uuid id on %s', async (method) => {
      const res = await shared.t.request({
        method,
        url: `${base}/not-a-uuid`,
        ...(method === 'PATCH' && { payload: r.patch }),
      });
      expectError(res, 400, 'VALIDATION_FAILED');
    });

    it.each(['GET', 'PATCH', 'DELETE'] as const)('answers 404 for an unknown id on %s', async (method) => {
      const res = await shared.t.request({
        method,
        url: `${base}/${randomUUID()}`,
        ...(method === 'PATCH' && { payload: r.patch }),
      });
      expectError(res, 404, 'NOT_FOUND');
    });

    it('refuses a duplicate regardless of case, on create and on rename', async () => {
      const { t, deps } = await freshTenant();
      const [first, second] = r.duplicates(deps);
      await create(t, r.path, first);
      expectError(await t.request({ method: 'POST', url: base, payload: second }), 409, 'DUPLICATE');

      const other = await create(t, r.path, r.valid(2, deps));
      const uniqueField = Object.keys(first).find((k) => ['name', 'code', 'email'].includes(k))!;
      const rename = { [uniqueField]: second[uniqueField] };
      expectError(
        await t.request({ method: 'PATCH', url: `${base}/${other.id}`, payload: rename }),
        409,
        'DUPLICATE',
      );
      expect((await t.request({ method: 'GET', url: `${base}/${other.id}` })).json()).toEqual(other);
    });
  });

  describe('strict bodies', () => {
    // A misspelt key must not be dropped silently (e.g. capacity {Chat: 4} leaving chat at 3).
    it.each([
      [
        'capacity',
        'POST',
        '/api/users',
        (d: Deps) => ({ ...resources.at(-1)!.valid(1, d), capacity: { Chat: 4 } }),
      ],
      [
        'a required skill',
        'POST',
        '/api/queues',
        (d: Deps) => ({ name: 'Strict', requiredSkills: [{ skillId: d.skillId, minLevel: 2, maxLevel: 5 }] }),
      ],
      [
        'a weekly interval',
        'POST',
        '/api/calendars',
        () => ({
          name: 'Strict',
          timeZone: 'UTC',
          weekly: [{ day: 'mon', open: '09:00', close: '17:00', note: 'x' }],
        }),
      ],
      [
        'a holiday',
        'POST',
        '/api/calendars',
        () => ({
          name: 'Strict',
          timeZone: 'UTC',
          holidays: [{ date: '2025-01-01', name: 'New year', yearly: true }],
        }),
      ],
      ['an agent skill', 'PUT', 'skills', (d: Deps) => [{ skillId: d.skillId, level: 2, levle: 3 }]],
    ])('refuses an unknown key inside %s', async (_label, method, path, body) => {
      const { t, deps } = await freshTenant();
      const url = path === 'skills' ? `/api/users/${t.ownerId}/skills` : path;
      const res = await t.request({ method: method as 'POST', url, payload: body(deps) as Body });
      expectError(res, 400, 'VALIDATION_FAILED');
    });
  });

  describe('references between resources', () => {
    it('refuses a queue requiring a skill that does not exist', async () => {
      const { t } = await freshTenant();
      const res = await t.request({
        method: 'POST',
        url: '/api/queues',
        payload: { name: 'Q', requiredSkills: [{ skillId: randomUUID(), minLevel: 2 }] },
      });
      expectError(res, 400, 'INVALID_REFERENCE');
      expect((await t.request({ method: 'GET', url: '/api/queues' })).json().total).toBe(0);
    });

    it('refuses a queue or user pointing at a calendar or team that does not exist', async () => {
      const { t } = await freshTenant();
      const queue = await t.request({
        method: 'POST',
        url: '/api/queues',
        payload: { name: 'Q', calendarId: randomUUID() },
      });
      expectError(queue, 400, 'INVALID_REFERENCE');
      const user = await t.request({
        method: 'POST',
        url: '/api/users',
        payload: {
          email: email('ref'),
          displayName: 'R',
          role: 'agent',
          password: PASSWORD,
          teamId: randomUUID(),
        },
      });
      expectError(user, 400, 'INVALID_REFERENCE');
    });

    it('keeps a skill that a queue requires until the queue stops requiring it', async () => {
      const { t, deps } = await freshTenant();
      const queue = await create(t, 'queues', {
        name: 'Q',
        requiredSkills: [{ skillId: deps.skillId, minLevel: 4 }],
      });
      const url = `/api/skills/${deps.skillId}`;
      expectError(await t.request({ method: 'DELETE', url }), 409, 'IN_USE');
      expect((await t.request({ method: 'GET', url })).statusCode).toBe(200);

      const patched = await t.request({
        method: 'PATCH',
        url: `/api/queues/${queue.id}`,
        payload: { requiredSkills: [] },
      });
      expect(patched.json().requiredSkills).toEqual([]);
      expect((await t.request({ method: 'DELETE', url })).statusCode).toBe(204);
    });

    it('keeps a team that a user belongs to', async () => {
      const { t, deps } = await freshTenant();
      const user = await create(t, 'users', {
        email: email('member'),
        displayName: 'Member',
        role: 'agent',
        password: PASSWORD,
        teamId: deps.teamId,
      });
      expect(user.teamId).toBe(deps.teamId);
      expectError(await t.request({ method: 'DELETE', url: `/api/teams/${deps.teamId}` }), 409, 'IN_USE');

      await t.request({ method: 'PATCH', url: `/api/users/${user.id}`, payload: { teamId: null } });
      expect((await t.request({ method: 'DELETE', url: `/api/teams/${deps.teamId}` })).statusCode).toBe(204);
    });

    it('links a queue to a calendar and keeps the calendar while it is used', async () => {
      const { t, deps } = await freshTenant();
      const queue = await create(t, 'queues', { name: 'After hours', calendarId: deps.calendarId });
      expect(queue.calendarId).toBe(deps.calendarId);
      expect((await t.request({ method: 'GET', url: `/api/queues/${queue.id}` })).json().calendarId).toBe(
        deps.calendarId,
      );
      const url = `/api/calendars/${deps.calendarId}`;
      expectError(await t.request({ method: 'DELETE', url }), 409, 'IN_USE');

      await t.request({ method: 'PATCH', url: `/api/queues/${queue.id}`, payload: { calendarId: null } });
      expect((await t.request({ method: 'DELETE', url })).statusCode).toBe(204);
    });

    it("drops a deleted skill from agents' skill sets", async () => {
      const { t, deps } = await freshTenant();
      const agent = await t.userToken('agent');
      const url = `/api/users/${agent.id}/skills`;
      await t.request({ method: 'PUT', url, payload: [{ skillId: deps.skillId, level: 5 }] });
      expect((await t.request({ method: 'DELETE', url: `/api/skills/${deps.skillId}` })).statusCode).toBe(
        204,
      );
      expect((await t.request({ method: 'GET', url })).json()).toEqual({ items: [] });
    });
  });

  describe('audit log', () => {
    const auditOf = async (t: TenantClient, entityType: string, entityId: string) => {
      const res = await t.request({
        method: 'GET',
        url: `/api/audit-log?entityType=${entityType}&entityId=${entityId}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };

    it('records who created, changed and deleted a queue, newest first', async () => {
      const { t, deps } = await freshTenant();
      const created = await create(t, 'queues', resources.find((r) => r.path === 'queues')!.valid(1, deps));
      const url = `/api/queues/${created.id}`;
      const updated = (await t.request({ method: 'PATCH', url, payload: { wrapUpSeconds: 120 } })).json();
      expect((await t.request({ method: 'DELETE', url })).statusCode).toBe(204);

      const log = await auditOf(t, 'queue', created.id as string);
      expect(log.total).toBe(3);
      const [del, upd, cre] = log.items;
      const common = { actorType: 'user', actorId: t.ownerId, entityType: 'queue', entityId: created.id };
      expect(cre).toMatchObject({ ...common, action: 'create', before: null, after: created });
      expect(upd).toMatchObject({ ...common, action: 'update', before: created, after: updated });
      expect(upd.before.wrapUpSeconds).toBe(15);
      expect(upd.after.wrapUpSeconds).toBe(120);
      expect(del).toMatchObject({ ...common, action: 'delete', before: updated, after: null });
      for (const entry of log.items) {
        expect(entry.id).toMatch(UUID);
        expectIsoTimestamp(entry.at);
      }
      const at = log.items.map((e: Body) => Date.parse(e.at as string));
      expect(at).toEqual([...at].sort((a, b) => b - a));
    });

    it('keeps changes made within the same millisecond in causal order, newest first', async () => {
      // A second app on the same database whose clock stands still: every change gets the same `at`.
      const clock = new ManualClock(Date.now());
      const frozen = await buildServer({ db: server.db, clock, ids: uuidGen, sessionTtlMs: 3_600_000 });
      try {
        const t = await server.newTenant();
        const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Body) =>
          frozen.inject({ method, url, payload, headers: { authorization: `Bearer ${t.token}` } });
        const orders: string[][] = [];
        for (let n = 0; n < 5; n++) {
          const queue = (await send('POST', '/api/queues', { name: `Same ms ${n}` })).json();
          await send('PATCH', `/api/queues/${queue.id}`, { priority: 5 });
          await send('DELETE', `/api/queues/${queue.id}`);
          orders.push((await auditOf(t, 'queue', queue.id)).items.map((e: Body) => e.action));
        }
        expect(orders).toEqual(Array(5).fill(['delete', 'update', 'create']));
      } finally {
        await frozen.close();
      }
    });
  });

  describe('users', () => {
    it('fills capacity channels that are not given with the defaults', async () => {
      const { t } = await freshTenant();
      const user = await create(t, 'users', {
        email: email('cap'),
        displayName: 'Chatty',
        role: 'agent',
        password: PASSWORD,
        capacity: { chat: 4 },
      });
      expect(user).toMatchObject({ role: 'agent', teamId: null, locale: 'en', active: true });
      expect(user.capacity).toEqual({ ...defaultCapacity, chat: 4 });

      const patched = await t.request({
        method: 'PATCH',
        url: `/api/users/${user.id}`,
        payload: { capacity: { email: 9 } },
      });
      expect(patched.json().capacity).toEqual({ ...defaultCapacity, chat: 4, email: 9 });
    });

    it('never shows a password or its hash', async () => {
      const { t } = await freshTenant();
      const newPassword = 'a-brand-new-password-42';
      const user = await create(t, 'users', {
        email: email('secret'),
        displayName: 'Secretive',
        role: 'agent',
        password: PASSWORD,
      });
      const url = `/api/users/${user.id}`;
      const responses = [
        await t.request({ method: 'GET', url }),
        await t.request({ method: 'GET', url: '/api/users?limit=500' }),
        await t.request({ method: 'PATCH', url, payload: { password: newPassword } }),
        await t.request({ method: 'GET', url: `/api/audit-log?entityType=user&entityId=${user.id}` }),
      ];
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
      const bodies = [JSON.stringify(user), ...responses.map((r) => r.body)];
      for (const body of bodies) {
        expect(body).not.toContain(PASSWORD);
        expect(body).not.toContain(newPassword);
        expect(body).not.toContain('$argon2');
        expect(keysOf(JSON.parse(body)).filter((k) => /^password(hash|_hash)?$/i.test(k))).toEqual([]);
      }
      // The new password works, so the PATCH did change it.
      const login = await server.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: user.email, password: newPassword },
      });
      expect(login.statusCode).toBe(200);
    });

    it('replaces the whole skill set on PUT', async () => {
      const { t } = await freshTenant();
      const agent = await t.userToken('agent');
      const [s1, s2, s3] = await Promise.all(
        ['English', 'German', 'Billing'].map(
          async (name) => (await create(t, 'skills', { name })).id as string,
        ),
      );
      const url = `/api/users/${agent.id}/skills`;
      const bySkill = (items: { skillId: string }[]) =>
        [...items].sort((a, b) => a.skillId.localeCompare(b.skillId));
      const put = async (payload: { skillId: string; level: number }[]) => {
        const res = await t.request({ method: 'PUT', url, payload });
        expect(res.statusCode, res.body).toBe(200);
        expect(bySkill(res.json().items)).toEqual(bySkill(payload));
        const got = await t.request({ method: 'GET', url });
        expect(got.statusCode).toBe(200);
        expect(bySkill(got.json().items)).toEqual(bySkill(payload));
      };

      expect((await t.request({ method: 'GET', url })).json()).toEqual({ items: [] });
      await put([
        { skillId: s1!, level: 3 },
        { skillId: s2!, level: 10 },
      ]);
      await put([
        { skillId: s3!, level: 1 },
        { skillId: s2!, level: 4 },
      ]);
      await put([]);
    });

    it.each([
      [
        'the same skill twice',
        (s: string) => [
          { skillId: s, level: 2 },
          { skillId: s, level: 3 },
        ],
      ],
      ['level 0', (s: string) => [{ skillId: s, level: 0 }]],
      ['level 11', (s: string) => [{ skillId: s, level: 11 }]],
      ['a non-uuid skill', () => [{ skillId: 'english', level: 5 }]],
      ['an object instead of a list', (s: string) => ({ skillId: s, level: 5 })],
    ])('refuses a skill set with %s', async (_label, body) => {
      const { t, deps } = shared;
      const url = `/api/users/${t.ownerId}/skills`;
      const res = await t.request({ method: 'PUT', url, payload: body(deps.skillId) });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect((await t.request({ method: 'GET', url })).json()).toEqual({ items: [] });
    });

    it('refuses a skill set naming a skill that does not exist', async () => {
      const { t } = shared;
      const url = `/api/users/${t.ownerId}/skills`;
      const res = await t.request({ method: 'PUT', url, payload: [{ skillId: randomUUID(), level: 5 }] });
      expectError(res, 400, 'INVALID_REFERENCE');
    });

    it.each(['GET', 'PUT'] as const)(
      'answers 404 for the skills of an unknown user on %s',
      async (method) => {
        const res = await shared.t.request({
          method,
          url: `/api/users/${randomUUID()}/skills`,
          ...(method === 'PUT' && { payload: [] }),
        });
        expectError(res, 404, 'NOT_FOUND');
        const bad = await shared.t.request({
          method,
          url: '/api/users/not-a-uuid/skills',
          ...(method === 'PUT' && { payload: [] }),
        });
        expectError(bad, 400, 'VALIDATION_FAILED');
      },
    );

    it('does not let the owner delete themselves', async () => {
      const { t } = shared;
      expectError(await t.request({ method: 'DELETE', url: `/api/users/${t.ownerId}` }), 403, 'FORBIDDEN');
      expect((await t.request({ method: 'GET', url: `/api/users/${t.ownerId}` })).statusCode).toBe(200);
    });
  });
});
