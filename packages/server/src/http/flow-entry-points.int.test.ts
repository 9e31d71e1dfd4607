import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * Messenger accounts bound to flows: CRUD, references to the tenant's own flows only, one binding per
 * account, a bound flow not deletable, isolation between tenants and roles.
 */
function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('flow entry points on %s', (engine) => {
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

  const flowOf = async (t: TenantClient, name: string) =>
    (await t.request({ method: 'POST', url: '/api/flows', payload: { name } })).json().id as string;

  it('binds a messenger account to a flow, moves it to another flow, and unbinds it', async () => {
    const t = await server.newTenant();
    const bot = await flowOf(t, 'Bot');
    const night = await flowOf(t, 'Night bot');
    const created = await t.request({
      method: 'POST',
      url: '/api/flow-entry-points',
      payload: { kind: 'messenger', address: '@shop_support_bot', flowId: bot },
    });
    expect(created.statusCode, created.body).toBe(201);
    const ep = created.json();
    expect(ep).toMatchObject({ kind: 'messenger', address: '@shop_support_bot', flowId: bot });

    const moved = await t.request({
      method: 'PATCH',
      url: `/api/flow-entry-points/${ep.id}`,
      payload: { flowId: night },
    });
    expect(moved.json()).toMatchObject({ id: ep.id, flowId: night });
    const list = (await t.request({ method: 'GET', url: '/api/flow-entry-points' })).json();
    expect(list.items.map((x: { id: string }) => x.id)).toEqual([ep.id]);

    // While bound, the flow cannot be deleted; the other one can.
    expectError(await t.request({ method: 'DELETE', url: `/api/flows/${night}` }), 409, 'IN_USE');
    expect((await t.request({ method: 'DELETE', url: `/api/flows/${bot}` })).statusCode).toBe(204);
    expect((await t.request({ method: 'DELETE', url: `/api/flow-entry-points/${ep.id}` })).statusCode).toBe(
      204,
    );
    expect((await t.request({ method: 'DELETE', url: `/api/flows/${night}` })).statusCode).toBe(204);
  });

  it('refuses another tenant flow, a second binding of the account, and bad input', async () => {
    const t = await server.newTenant();
    const other = await server.newTenant();
    const mine = await flowOf(t, 'Bot');
    const theirs = await flowOf(other, 'Their bot');
    const post = (payload: Record<string, unknown>) =>
      t.request({ method: 'POST', url: '/api/flow-entry-points', payload });
    expectError(await post({ kind: 'messenger', address: 'acct', flowId: theirs }), 400, 'INVALID_REFERENCE');
    expect((await post({ kind: 'messenger', address: 'acct', flowId: mine })).statusCode).toBe(201);
    expectError(await post({ kind: 'messenger', address: 'acct', flowId: mine }), 409, 'DUPLICATE');
    for (const bad of [
      { kind: 'sms', address: 'x', flowId: mine },
      { kind: 'messenger', address: 'two words', flowId: mine },
      { kind: 'messenger', address: 'x'.repeat(201), flowId: mine },
      { kind: 'messenger', address: 'x', flowId: 'not-an-id' },
      { kind: 'messenger', address: 'x', flowId: mine, tenantId: other.tenantId },
    ]) {
      expectError(await post(bad), 400, 'VALIDATION_FAILED');
    }
  });

  it("treats another tenant's binding as missing, and lets agents read but not write", async () => {
    const t = await server.newTenant();
    const other = await server.newTenant();
    const flow = await flowOf(t, 'Bot');
    const ep = (
      await t.request({
        method: 'POST',
        url: '/api/flow-entry-points',
        payload: { kind: 'messenger', address: 'acct', flowId: flow },
      })
    ).json();
    const url = `/api/flow-entry-points/${ep.id}`;
    expectError(await other.request({ method: 'GET', url }), 404, 'NOT_FOUND');
    expectError(
      await other.request({ method: 'PATCH', url, payload: { address: 'stolen' } }),
      404,
      'NOT_FOUND',
    );
    expectError(await other.request({ method: 'DELETE', url }), 404, 'NOT_FOUND');
    expect((await other.request({ method: 'GET', url: '/api/flow-entry-points' })).json().items).toEqual([]);
    expect((await t.request({ method: 'GET', url })).json().address).toBe('acct');

    const agent = await t.userToken('agent');
    expect((await t.request({ method: 'GET', url, token: agent.token })).statusCode).toBe(200);
    expectError(await t.request({ method: 'DELETE', url, token: agent.token }), 403, 'FORBIDDEN');
  });
});
