import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * Trunks, phone numbers and the dial plan through the API (SIP itself off here: statuses say
 * `disabled`; `sip/sip-server.int.test.ts` runs them live). Secrets are write-only, errors carry stable
 * codes, and nothing crosses tenants.
 */

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${++seq}`;
const INBOUND_SECRET = 'inbound-secret-never-shown';
const OUTBOUND_SECRET = 'outbound-secret-never-shown';

function expectError(res: LightMyRequestResponse, status: number, code: string, what: string): void {
  expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
  expect(res.json(), what).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('trunks API on %s', (engine) => {
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

  const createTrunk = async (t: TenantClient, body: Record<string, unknown> = {}) => {
    const res = await t.request({
      method: 'POST',
      url: '/api/trunks',
      payload: { name: `Carrier ${uniq()}`, allowedCidrs: ['203.0.113.0/24'], ...body },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };

  it('creates, lists, changes and deletes trunks, never showing a password', async () => {
    const a = await server.newTenant('A');
    const user = `pbx-${uniq()}`;
    const created = await createTrunk(a, {
      name: 'Carrier One',
      allowedCidrs: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'],
      inboundUsername: user,
      inboundPassword: INBOUND_SECRET,
      proxy: 'sip.carrier.example:5080',
      transport: 'tcp',
      outboundUsername: 'acct-1',
      outboundPassword: OUTBOUND_SECRET,
      register: true,
    });
    expect(created).toMatchObject({
      name: 'Carrier One',
      enabled: true,
      inboundUsername: user,
      hasInboundPassword: true,
      proxy: 'sip.carrier.example:5080',
      transport: 'tcp',
      outboundUsername: 'acct-1',
      hasOutboundPassword: true,
      register: true,
      registerExpiresSec: 3600,
      keepAliveSec: 30,
      status: { state: 'disabled', detail: 'SIP_DISABLED', registration: 'off' },
    });
    expect(created).not.toHaveProperty('inboundPassword');
    expect(created).not.toHaveProperty('outboundPassword');

    const minimal = await createTrunk(a);
    expect(minimal).toMatchObject({
      inboundUsername: null,
      hasInboundPassword: false,
      proxy: null,
      transport: 'auto',
      register: false,
      hasOutboundPassword: false,
    });

    const patched = await a.request({
      method: 'PATCH',
      url: `/api/trunks/${created.id}`,
      payload: { keepAliveSec: 0, outboundPassword: null, inboundUsername: null },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      keepAliveSec: 0,
      hasOutboundPassword: false,
      inboundUsername: null,
      hasInboundPassword: false,
      name: 'Carrier One',
    });

    const list = await a.request({ method: 'GET', url: '/api/trunks' });
    expect(list.json()).toMatchObject({ total: 2 });
    expect(list.json().items.map((t: { id: string }) => t.id)).toEqual([created.id, minimal.id]);
    expect(list.json().items[0].status.state).toBe('disabled');

    const audit = await a.request({ method: 'GET', url: '/api/audit-log?limit=500' });
    for (const res of [list, patched, audit]) {
      expect(res.body).not.toContain(INBOUND_SECRET);
      expect(res.body).not.toContain(OUTBOUND_SECRET);
    }
    expect(audit.json().items.some((e: { entityType: string }) => e.entityType === 'trunk')).toBe(true);

    expect((await a.request({ method: 'DELETE', url: `/api/trunks/${minimal.id}` })).statusCode).toBe(204);
    expectError(
      await a.request({ method: 'GET', url: `/api/trunks/${minimal.id}` }),
      404,
      'NOT_FOUND',
      'deleted trunk',
    );
  });

  it('refuses bad trunks with VALIDATION_FAILED and the field that is wrong', async () => {
    const a = await server.newTenant('A');
    const bad: [string, Record<string, unknown>, string][] = [
      ['no name', { allowedCidrs: [] }, '/name'],
      ['CIDR out of range', { name: 'x', allowedCidrs: ['10.0.0.0/33'] }, '/allowedCidrs/0'],
      ['not an address', { name: 'x', allowedCidrs: ['carrier.example'] }, '/allowedCidrs/0'],
      [
        'IPv6 the schema lets through',
        { name: 'x', allowedCidrs: ['10.0.0.0/8', '2001:db8:::1/64'] },
        '/allowedCidrs/1',
      ],
      ['user without password', { name: 'x', inboundUsername: 'pbx' }, '/inboundPassword'],
      ['short password', { name: 'x', inboundUsername: 'pbx', inboundPassword: 'short' }, '/inboundPassword'],
      ['register without proxy', { name: 'x', register: true }, '/proxy'],
      ['proxy with a path', { name: 'x', proxy: 'http://carrier.example/' }, '/proxy'],
      ['keep-alive too often', { name: 'x', keepAliveSec: 2 }, '/keepAliveSec'],
      ['unknown transport', { name: 'x', transport: 'sctp' }, '/transport'],
      ['unknown field', { name: 'x', password: 'secret-secret' }, '/'],
    ];
    for (const [label, payload, path] of bad) {
      const res = await a.request({ method: 'POST', url: '/api/trunks', payload });
      expectError(res, 400, 'VALIDATION_FAILED', label);
      const paths = (res.json().error.details as { path: string }[]).map((d) => d.path);
      expect(paths, label).toContain(path);
    }
    const trunk = await createTrunk(a);
    for (const [label, payload] of [
      ['username change without password', { inboundUsername: 'pbx2' }],
      ['password without username', { inboundPassword: 'long-enough-secret' }],
      ['register without proxy', { register: true, proxy: null }],
    ] as const) {
      const res = await a.request({ method: 'PATCH', url: `/api/trunks/${trunk.id}`, payload });
      expectError(res, 400, 'VALIDATION_FAILED', label);
    }
    // A PATCH that leaves `register` on a trunk without proxy is stopped by the database.
    const res = await a.request({
      method: 'PATCH',
      url: `/api/trunks/${trunk.id}`,
      payload: { register: true },
    });
    expectError(res, 400, 'VALIDATION_FAILED', 'register on a trunk without proxy');
    expect((await a.request({ method: 'GET', url: `/api/trunks/${trunk.id}` })).json().register).toBe(false);
  });

  it('keeps names unique per tenant and inbound usernames unique everywhere', async () => {
    const a = await server.newTenant('A');
    const b = await server.newTenant('B');
    await createTrunk(a, { name: 'Main' });
    expectError(
      await a.request({ method: 'POST', url: '/api/trunks', payload: { name: 'MAIN' } }),
      409,
      'DUPLICATE',
      'same name, other case',
    );
    await createTrunk(b, { name: 'Main' });
    const user = `shared-${uniq()}`;
    await createTrunk(a, { inboundUsername: user, inboundPassword: INBOUND_SECRET });
    const taken = await b.request({
      method: 'POST',
      url: '/api/trunks',
      payload: { name: 'PBX', inboundUsername: user, inboundPassword: INBOUND_SECRET },
    });
    expectError(taken, 409, 'DUPLICATE', 'inbound username of another tenant');
  });

  it('manages numbers: E.164 normalised, unique everywhere, only on own trunks; a trunk in use stays', async () => {
    const a = await server.newTenant('A');
    const b = await server.newTenant('B');
    const trunkA = await createTrunk(a);
    const trunkB = await createTrunk(b);
    const digits = `4420${String(Date.now()).slice(-7)}`;
    const created = await a.request({
      method: 'POST',
      url: '/api/phone-numbers',
      payload: {
        number: `+${digits.slice(0, 2)} (${digits.slice(2, 4)}) ${digits.slice(4)}`,
        trunkId: trunkA.id,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ number: `+${digits}`, trunkId: trunkA.id, description: '' });
    const id = created.json().id;

    for (const number of ['442079460958', '+0442079460958', '+1234567890123456', 'call me']) {
      const res = await a.request({
        method: 'POST',
        url: '/api/phone-numbers',
        payload: { number, trunkId: trunkA.id },
      });
      expectError(res, 400, 'VALIDATION_FAILED', number);
    }
    expectError(
      await b.request({
        method: 'POST',
        url: '/api/phone-numbers',
        payload: { number: `+${digits}`, trunkId: trunkB.id },
      }),
      409,
      'DUPLICATE',
      "another tenant's number",
    );
    expectError(
      await b.request({
        method: 'POST',
        url: '/api/phone-numbers',
        payload: { number: '+15550001111', trunkId: trunkA.id },
      }),
      400,
      'INVALID_REFERENCE',
      "a number on another tenant's trunk",
    );
    expectError(
      await b.request({
        method: 'PATCH',
        url: `/api/phone-numbers/${id}`,
        payload: { description: 'mine now' },
      }),
      404,
      'NOT_FOUND',
      "B changes A's number",
    );
    for (const method of ['GET', 'DELETE'] as const) {
      expectError(
        await b.request({ method, url: `/api/phone-numbers/${id}` }),
        404,
        'NOT_FOUND',
        `B ${method}`,
      );
    }
    const listB = await b.request({ method: 'GET', url: '/api/phone-numbers' });
    expect(listB.json()).toMatchObject({ items: [], total: 0 });
    expect(listB.body).not.toContain(digits);

    expectError(
      await a.request({ method: 'DELETE', url: `/api/trunks/${trunkA.id}` }),
      409,
      'IN_USE',
      'trunk with numbers',
    );
    const moved = await a.request({
      method: 'PATCH',
      url: `/api/phone-numbers/${id}`,
      payload: { trunkId: trunkB.id },
    });
    expectError(moved, 400, 'INVALID_REFERENCE', "moving a number to B's trunk");
    expect((await a.request({ method: 'DELETE', url: `/api/phone-numbers/${id}` })).statusCode).toBe(204);
    expect((await a.request({ method: 'DELETE', url: `/api/trunks/${trunkA.id}` })).statusCode).toBe(204);
  });

  it('keeps one dial plan per tenant: safe defaults, admin-only changes, audited', async () => {
    const a = await server.newTenant('A');
    const b = await server.newTenant('B');
    expect((await a.request({ method: 'GET', url: '/api/dial-plan' })).json()).toEqual({
      allowedPrefixes: [],
      deniedPrefixes: [],
      maxConcurrentCalls: 10,
      maxCallsPerMinute: 30,
      updatedAt: null,
    });
    const put = await a.request({
      method: 'PUT',
      url: '/api/dial-plan',
      payload: {
        allowedPrefixes: ['44', '7495', '44'],
        deniedPrefixes: ['449'],
        maxConcurrentCalls: 5,
        maxCallsPerMinute: 20,
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      allowedPrefixes: ['44', '7495'],
      deniedPrefixes: ['449'],
      maxConcurrentCalls: 5,
    });
    expect((await b.request({ method: 'GET', url: '/api/dial-plan' })).json().allowedPrefixes).toEqual([]);

    const agent = await a.userToken('agent');
    expect((await a.request({ method: 'GET', url: '/api/dial-plan', token: agent.token })).statusCode).toBe(
      200,
    );
    expectError(
      await a.request({
        method: 'PUT',
        url: '/api/dial-plan',
        token: agent.token,
        payload: { allowedPrefixes: [], maxConcurrentCalls: 1, maxCallsPerMinute: 1 },
      }),
      403,
      'FORBIDDEN',
      'agent changes the dial plan',
    );
    for (const payload of [
      { allowedPrefixes: ['+44'], maxConcurrentCalls: 1, maxCallsPerMinute: 1 },
      { allowedPrefixes: ['44'], maxConcurrentCalls: -1, maxCallsPerMinute: 1 },
      { allowedPrefixes: ['44'] },
    ]) {
      expectError(
        await a.request({ method: 'PUT', url: '/api/dial-plan', payload }),
        400,
        'VALIDATION_FAILED',
        JSON.stringify(payload),
      );
    }
    const audit = await a.request({ method: 'GET', url: `/api/audit-log?entityId=${a.tenantId}` });
    expect(audit.json().items[0]).toMatchObject({ entityType: 'dial_plan', action: 'update' });
    const auditB = await b.request({ method: 'GET', url: `/api/audit-log?entityId=${a.tenantId}` });
    expect(auditB.json()).toMatchObject({ items: [], total: 0 });
  });
});
