import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKnowledgeBase } from '../flows/knowledge-base-store';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * `/api/knowledge-base`: articles for the flow `faq` verb — CRUD with audit, search, tenant isolation,
 * limits against hostile input, the matcher, and `readKnowledgeBase` for the flow sessions.
 */

type Body = Record<string, unknown>;
const url = '/api/knowledge-base/articles';

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('knowledge base API on %s', (engine) => {
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

  const call = (t: TenantClient, method: string, path: string, payload?: unknown, token?: string) =>
    t.request({
      method: method as 'GET',
      url: path,
      ...(payload !== undefined && { payload: payload as Body }),
      ...(token && { token }),
    });
  async function ok(t: TenantClient, method: string, path: string, payload?: unknown, status = 200) {
    const res = await call(t, method, path, payload);
    expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(status);
    return res.statusCode === 204 ? null : res.json();
  }

  it('creates, reads, searches, updates and deletes articles, auditing each change', async () => {
    const t = await server.newTenant();
    const created = await ok(
      t,
      'POST',
      url,
      {
        questions: ['  How do I reset my password?  ', 'Forgot password'],
        keywords: ['password'],
        answer: 'Use the “Forgot password” link on the sign-in page.',
        language: 'en',
      },
      201,
    );
    expect(created).toMatchObject({
      questions: ['How do I reset my password?', 'Forgot password'],
      keywords: ['password'],
      language: 'en',
      enabled: true,
    });
    const second = await ok(
      t,
      'POST',
      url,
      { questions: ['Где мой заказ?'], answer: 'Проверьте статус в профиле.' },
      201,
    );
    expect(second).toMatchObject({ keywords: [], language: null, enabled: true });

    expect(await ok(t, 'GET', `${url}/${created.id}`)).toEqual(created);
    const all = await ok(t, 'GET', url);
    expect(all.total).toBe(2);
    expect(all.items.map((a: Body) => a.id)).toEqual([created.id, second.id]);
    const found = await ok(t, 'GET', `${url}?q=ЗАКАЗ`);
    expect(found.items.map((a: Body) => a.id)).toEqual([second.id]);
    expect((await ok(t, 'GET', `${url}?q=sign-in`)).items.map((a: Body) => a.id)).toEqual([created.id]);
    // LIKE wildcards are searched for literally: no article holds a "%" or "_".
    expect((await ok(t, 'GET', `${url}?q=${encodeURIComponent('%')}`)).total).toBe(0);
    expect((await ok(t, 'GET', `${url}?q=_`)).total).toBe(0);

    const updated = await ok(t, 'PATCH', `${url}/${created.id}`, { enabled: false, keywords: ['reset'] });
    expect(updated).toMatchObject({ enabled: false, keywords: ['reset'], answer: created.answer });
    expect(await readKnowledgeBase(server.db.kysely, t.tenantId)).toEqual([
      {
        id: second.id,
        questions: ['Где мой заказ?'],
        keywords: [],
        answer: 'Проверьте статус в профиле.',
        language: null,
      },
    ]);

    await ok(t, 'DELETE', `${url}/${created.id}`, undefined, 204);
    expectError(await call(t, 'GET', `${url}/${created.id}`), 404, 'NOT_FOUND');
    const audit = await ok(t, 'GET', `/api/audit-log?entityType=kb_article&entityId=${created.id}`);
    expect(audit.items.map((e: Body) => e.action).sort()).toEqual(['create', 'delete', 'update']);
  });

  it('reads articles by language for the faq verb', async () => {
    const t = await server.newTenant();
    const en = await ok(
      t,
      'POST',
      url,
      { questions: ['opening hours'], answer: 'Nine to six.', language: 'en' },
      201,
    );
    const ru = await ok(
      t,
      'POST',
      url,
      { questions: ['часы работы'], answer: 'С девяти до шести.', language: 'ru' },
      201,
    );
    const any = await ok(t, 'POST', url, { questions: ['address'], answer: 'Main St 1' }, 201);
    const ids = async (language?: 'ru' | 'en') =>
      (await readKnowledgeBase(server.db.kysely, t.tenantId, language ? { language } : {})).map((a) => a.id);
    expect(await ids()).toEqual([en.id, ru.id, any.id]);
    expect(await ids('ru')).toEqual([ru.id, any.id]);
    expect(await ids('en')).toEqual([en.id, any.id]);
  });

  it('matches a question and reports the score even below the threshold', async () => {
    const t = await server.newTenant();
    const reset = await ok(
      t,
      'POST',
      url,
      { questions: ['How do I reset my password?'], answer: 'Reset link.' },
      201,
    );
    await ok(
      t,
      'POST',
      url,
      { questions: ['Where is my order?'], keywords: ['delivery'], answer: 'Tracking.' },
      201,
    );
    const hit = await ok(t, 'POST', '/api/knowledge-base/match', { question: 'reset password please' });
    expect(hit).toMatchObject({ matched: true, threshold: 0.5, best: { article: { id: reset.id } } });
    expect(hit.best.score).toBeGreaterThan(0.5);
    const weak = await ok(t, 'POST', '/api/knowledge-base/match', {
      question: 'password for my cat and dog and bird',
      threshold: 0.9,
    });
    expect(weak).toMatchObject({ matched: false, best: { article: { id: reset.id } } });
    expect(weak.best.score).toBeLessThan(0.9);
    expect(await ok(t, 'POST', '/api/knowledge-base/match', { question: 'zebra' })).toEqual({
      best: null,
      matched: false,
      threshold: 0.5,
    });
  });

  it("treats another tenant's article as missing", async () => {
    const a = await server.newTenant('A');
    const b = await server.newTenant('B');
    const article = await ok(a, 'POST', url, { questions: ['secret'], answer: 'A only' }, 201);
    expectError(await call(b, 'GET', `${url}/${article.id}`), 404, 'NOT_FOUND');
    expectError(await call(b, 'PATCH', `${url}/${article.id}`, { answer: 'stolen' }), 404, 'NOT_FOUND');
    expectError(await call(b, 'DELETE', `${url}/${article.id}`), 404, 'NOT_FOUND');
    expect((await ok(b, 'GET', url)).total).toBe(0);
    expect((await ok(b, 'POST', '/api/knowledge-base/match', { question: 'secret' })).best).toBeNull();
    expect((await ok(a, 'GET', `${url}/${article.id}`)).answer).toBe('A only');
  });

  it('rejects hostile input with VALIDATION_FAILED', async () => {
    const t = await server.newTenant();
    const bad: unknown[] = [
      { questions: [], answer: 'x' },
      { questions: Array.from({ length: 21 }, (_, i) => `q${i}`), answer: 'x' },
      { questions: ['   '], answer: 'x' },
      { questions: ['x'.repeat(501)], answer: 'x' },
      { questions: ['ok'], answer: 'x'.repeat(4001) },
      { questions: ['ok'], answer: '' },
      { questions: ['ok'], answer: 'x', keywords: Array.from({ length: 51 }, () => 'k') },
      { questions: ['ok'], answer: 'x', language: 'de' },
      { questions: ['ok'], answer: 'x', tenantId: '00000000-0000-0000-0000-000000000000' },
      { questions: [{ $gt: '' }], answer: 'x' },
      { questions: 'ok', answer: 'x' },
    ];
    for (const body of bad) expectError(await call(t, 'POST', url, body), 400, 'VALIDATION_FAILED');
    expectError(await call(t, 'GET', `${url}/not-a-uuid`), 400, 'VALIDATION_FAILED');
    expectError(await call(t, 'GET', `${url}?q=${'x'.repeat(201)}`), 400, 'VALIDATION_FAILED');
    expectError(
      await call(t, 'POST', '/api/knowledge-base/match', { question: 'x'.repeat(1001) }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await call(t, 'POST', '/api/knowledge-base/match', { question: 'x', threshold: 2 }),
      400,
      'VALIDATION_FAILED',
    );
    const article = await ok(
      t,
      'POST',
      url,
      { questions: ["'; DROP TABLE kb_articles; --"], answer: 'x' },
      201,
    );
    expectError(await call(t, 'PATCH', `${url}/${article.id}`, { questions: [] }), 400, 'VALIDATION_FAILED');
    expect((await ok(t, 'GET', url)).total).toBe(1);
  });

  it('lets agents read and only admins write', async () => {
    const t = await server.newTenant();
    const article = await ok(t, 'POST', url, { questions: ['hello there'], answer: 'hi' }, 201);
    for (const role of ['supervisor', 'agent'] as const) {
      const { token } = await t.userToken(role);
      expect((await call(t, 'GET', url, undefined, token)).statusCode).toBe(200);
      expectError(await call(t, 'POST', url, { questions: ['x'], answer: 'y' }, token), 403, 'FORBIDDEN');
      expectError(await call(t, 'PATCH', `${url}/${article.id}`, { answer: 'y' }, token), 403, 'FORBIDDEN');
      expectError(await call(t, 'DELETE', `${url}/${article.id}`, undefined, token), 403, 'FORBIDDEN');
    }
    expectError(await server.app.inject({ method: 'GET', url }), 401, 'UNAUTHENTICATED');
  });
});
