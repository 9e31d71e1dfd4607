import { randomUUID } from 'node:crypto';
import { widgetSettingsSchema } from '@hotline/protocol/chat';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { businessHoursAt, readWidgetSettings } from '../widget-settings/widget-settings-store';

/**
 * `GET/PUT /api/widget-settings`: defaults, replacement, validation, references into the caller's
 * tenant only, permissions, tenant isolation and the audit trail, on both engines.
 */

type Body = Record<string, unknown>;
const URL_ = '/api/widget-settings';
const DEFAULTS = widgetSettingsSchema.parse({});

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('widget settings API on %s', (engine) => {
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

  async function create(t: TenantClient, path: string, payload: Body): Promise<string> {
    const res = await t.request({ method: 'POST', url: `/api/${path}`, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }

  /** A tenant with two queues, a skill and a calendar, and a full settings body pointing at them. */
  async function tenantWithRefs() {
    const t = await server.newTenant();
    const sales = await create(t, 'queues', { name: 'Sales' });
    const support = await create(t, 'queues', { name: 'Support' });
    const skill = await create(t, 'skills', { name: 'German' });
    const calendar = await create(t, 'calendars', {
      name: 'Office',
      timeZone: 'Europe/Berlin',
      weekly: [{ day: 'mon', open: '09:00', close: '17:00' }],
    });
    const settings = {
      enabled: true,
      allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
      preChat: { name: 'required', email: 'required', phone: 'optional' },
      topics: [
        { key: 'sales', label: { en: 'Buying', ru: 'Покупка' }, queueId: sales, skills: [] },
        {
          key: 'support',
          label: { en: 'Help', ru: 'Помощь' },
          queueId: support,
          skills: [{ skillId: skill, minLevel: 4 }],
        },
      ],
      calendarId: calendar,
      greeting: { en: 'Hello!', ru: 'Здравствуйте!' },
      offlineMode: 'callback',
      flowId: null,
    };
    return { t, ids: { sales, support, skill, calendar }, settings };
  }

  const put = (t: TenantClient, payload: unknown, token?: string) =>
    t.request({ method: 'PUT', url: URL_, payload: payload as Body, ...(token && { token }) });
  const get = async (t: TenantClient) => {
    const res = await t.request({ method: 'GET', url: URL_ });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('answers the protocol defaults before anything is saved', async () => {
    const t = await server.newTenant();
    expect(await get(t)).toEqual(DEFAULTS);
    expect(DEFAULTS).toMatchObject({ enabled: true, topics: [], calendarId: null, offlineMode: 'message' });
    expect(await readWidgetSettings(server.db.kysely, t.tenantId)).toEqual(DEFAULTS);
  });

  it('replaces the settings, reads them back and audits every change with before and after', async () => {
    const { t, settings } = await tenantWithRefs();
    const first = await put(t, settings);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual(settings);
    expect(await get(t)).toEqual(settings);
    expect(await readWidgetSettings(server.db.kysely, t.tenantId)).toEqual(settings);

    // A PUT replaces the whole document: fields left out fall back to their defaults.
    const smaller = { topics: [settings.topics[0]], offlineMode: 'message' };
    const second = await put(t, smaller);
    expect(second.statusCode, second.body).toBe(200);
    const expected = { ...DEFAULTS, ...smaller };
    expect(second.json()).toEqual(expected);
    expect(await get(t)).toEqual(expected);

    const log = await t.request({
      method: 'GET',
      url: `/api/audit-log?entityType=widget_settings&entityId=${t.tenantId}`,
    });
    expect(log.statusCode, log.body).toBe(200);
    const [update, created] = log.json().items;
    expect(log.json().total).toBe(2);
    const who = {
      actorType: 'user',
      actorId: t.ownerId,
      entityType: 'widget_settings',
      entityId: t.tenantId,
    };
    expect(created).toMatchObject({ ...who, action: 'create', before: null, after: settings });
    expect(update).toMatchObject({ ...who, action: 'update', before: settings, after: expected });
  });

  it('lets a widget with no topics be saved only when it is disabled', async () => {
    const t = await server.newTenant();
    expectError(await put(t, { enabled: true, topics: [] }), 400, 'VALIDATION_FAILED');
    expectError(await put(t, {}), 400, 'VALIDATION_FAILED');
    const res = await put(t, { enabled: false, greeting: { en: 'Back soon', ru: 'Скоро вернёмся' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await get(t)).toMatchObject({ enabled: false, topics: [], greeting: { en: 'Back soon' } });
  });

  describe('validation', () => {
    const topic = (queueId: string, extra: Body = {}) => ({
      key: 'sales',
      label: { en: 'Sales', ru: 'Продажи' },
      queueId,
      ...extra,
    });
    it.each<[string, (ids: Record<string, string>) => unknown]>([
      ['an unknown field', (i) => ({ topics: [topic(i.sales!)], colour: 'red' })],
      ['an unknown field inside a topic', (i) => ({ topics: [topic(i.sales!, { icon: 'x' })] })],
      ['an origin that is not a URL', (i) => ({ topics: [topic(i.sales!)], allowedOrigins: ['shop'] })],
      ['51 origins', (i) => ({ topics: [topic(i.sales!)], allowedOrigins: Array(51).fill('https://a.b') })],
      ['a pre-chat mode that does not exist', (i) => ({ topics: [topic(i.sales!)], preChat: { name: 'x' } })],
      ['a topic key with capitals', (i) => ({ topics: [topic(i.sales!, { key: 'Sales' })] })],
      ['a topic key of 41 characters', (i) => ({ topics: [topic(i.sales!, { key: 'k'.repeat(41) })] })],
      ['two topics with one key', (i) => ({ topics: [topic(i.sales!), topic(i.support!)] })],
      ['a label without Russian', (i) => ({ topics: [topic(i.sales!, { label: { en: 'Sales' } })] })],
      [
        'a label of 501 characters',
        (i) => ({ greeting: { en: 'x'.repeat(501), ru: '' }, topics: [topic(i.sales!)] }),
      ],
      ['a non-uuid queue', () => ({ topics: [topic('sales-queue')] })],
      [
        'skill level 11',
        (i) => ({ topics: [topic(i.sales!, { skills: [{ skillId: i.skill, minLevel: 11 }] })] }),
      ],
      [
        'one skill twice in a topic',
        (i) => ({
          topics: [
            topic(i.sales!, {
              skills: [
                { skillId: i.skill, minLevel: 1 },
                { skillId: i.skill, minLevel: 2 },
              ],
            }),
          ],
        }),
      ],
      ['an unknown offline mode', (i) => ({ topics: [topic(i.sales!)], offlineMode: 'email' })],
      ['an array instead of an object', (i) => [{ topics: [topic(i.sales!)] }]],
    ])('refuses %s', async (_label, body) => {
      const { t, ids } = await tenantWithRefs();
      expectError(await put(t, body(ids)), 400, 'VALIDATION_FAILED');
      expect(await get(t)).toEqual(DEFAULTS);
    });

    it('refuses malformed JSON', async () => {
      const t = await server.newTenant();
      const res = await t.request({
        method: 'PUT',
        url: URL_,
        payload: '{"enabled":',
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 400, 'INVALID_JSON');
    });
  });

  describe('references', () => {
    it.each<[string, (s: Body, ids: Record<string, string>, foreign: Record<string, string>) => Body]>([
      ['a queue that does not exist', (s) => withTopic(s, { queueId: randomUUID() })],
      [
        'a skill that does not exist',
        (s) => withTopic(s, { skills: [{ skillId: randomUUID(), minLevel: 1 }] }),
      ],
      ['a calendar that does not exist', (s) => ({ ...s, calendarId: randomUUID() })],
      ["another tenant's queue", (s, _i, f) => withTopic(s, { queueId: f.sales! })],
      [
        "another tenant's skill",
        (s, _i, f) => withTopic(s, { skills: [{ skillId: f.skill!, minLevel: 1 }] }),
      ],
      ["another tenant's calendar", (s, _i, f) => ({ ...s, calendarId: f.calendar })],
    ])('refuses %s and keeps the saved settings', async (_label, change) => {
      const { t, ids, settings } = await tenantWithRefs();
      const other = await tenantWithRefs();
      expect((await put(t, settings)).statusCode).toBe(200);
      const res = await put(t, change(settings, ids, other.ids));
      expectError(res, 400, 'INVALID_REFERENCE');
      expect(await get(t)).toEqual(settings);
    });

    function withTopic(s: Body, change: Body): Body {
      const [first, ...rest] = s.topics as Body[];
      return { ...s, topics: [{ ...first, ...change }, ...rest] };
    }
  });

  describe('permissions', () => {
    it.each(['agent', 'supervisor'] as const)('lets an %s read but not change the settings', async (role) => {
      const { t, settings } = await tenantWithRefs();
      await put(t, settings);
      const user = await t.userToken(role);
      const read = await t.request({ method: 'GET', url: URL_, token: user.token });
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json()).toEqual(settings);
      expectError(await put(t, { ...settings, enabled: false }, user.token), 403, 'FORBIDDEN');
      expectError(await put(t, { bogus: 1 }, user.token), 403, 'FORBIDDEN');
      expect(await get(t)).toEqual(settings);
    });

    it('lets an admin change them', async () => {
      const { t, settings } = await tenantWithRefs();
      const admin = await t.userToken('admin');
      const res = await put(t, settings, admin.token);
      expect(res.statusCode, res.body).toBe(200);
      expect(await get(t)).toEqual(settings);
    });

    it('turns away callers without credentials', async () => {
      for (const method of ['GET', 'PUT'] as const) {
        const res = await server.app.inject({ method, url: URL_, ...(method === 'PUT' && { payload: {} }) });
        expectError(res, 401, 'UNAUTHENTICATED');
      }
    });
  });

  it('answers business hours from the stored calendar of the tenant only', async () => {
    const { t, ids } = await tenantWithRefs();
    const other = await tenantWithRefs();
    const db = server.db.kysely;
    // The calendar: Mondays 09:00–17:00 in Berlin. 2025-01-06 is a Monday (UTC+1).
    expect(await businessHoursAt(db, t.tenantId, ids.calendar, Date.parse('2025-01-06T07:30:00Z'))).toEqual({
      open: false,
      nextChangeAt: Date.parse('2025-01-06T08:00:00Z'),
    });
    expect(await businessHoursAt(db, t.tenantId, ids.calendar, Date.parse('2025-01-06T08:00:00Z'))).toEqual({
      open: true,
      nextChangeAt: Date.parse('2025-01-06T16:00:00Z'),
    });
    expect(await businessHoursAt(db, t.tenantId, null, 0)).toEqual({ open: true, nextChangeAt: null });
    // Another tenant's calendar id is unknown here: treated like a deleted one, always open.
    const at = Date.parse('2025-01-06T07:30:00Z');
    expect(await businessHoursAt(db, t.tenantId, other.ids.calendar, at)).toEqual({
      open: true,
      nextChangeAt: null,
    });
    expect(await businessHoursAt(db, other.t.tenantId, other.ids.calendar, at)).toMatchObject({
      open: false,
    });
  });

  it("keeps each tenant's settings to itself", async () => {
    const a = await tenantWithRefs();
    const b = await tenantWithRefs();
    expect((await put(a.t, a.settings)).statusCode).toBe(200);
    // B sees its own defaults, not A's settings, and B's write leaves A's alone.
    const bRead = await b.t.request({ method: 'GET', url: URL_ });
    expect(bRead.json()).toEqual(DEFAULTS);
    for (const id of Object.values(a.ids)) expect(bRead.body).not.toContain(id);
    expect((await put(b.t, b.settings)).statusCode).toBe(200);
    expect(await get(a.t)).toEqual(a.settings);
    expect(await get(b.t)).toEqual(b.settings);
    const bLog = await b.t.request({ method: 'GET', url: `/api/audit-log?entityType=widget_settings` });
    expect(bLog.json().items.map((e: Body) => e.entityId)).toEqual([b.t.tenantId]);
    // Even asked by A's tenant id, B's audit log has nothing of A.
    const asked = await b.t.request({ method: 'GET', url: `/api/audit-log?entityId=${a.t.tenantId}` });
    expect(asked.json()).toMatchObject({ items: [], total: 0 });
  });
});
