import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { FlowForNumber } from './flow-for-number';

/**
 * `/api/queues/{id}/voice` (announcements and music while callers wait) and the number → flow lookup,
 * on both storage engines: defaults, changes of the fields named (the others kept), validation, tenant
 * isolation, audit; the flow bound to a number only when published.
 */
describe.each(engines)('queue voice settings and the number → flow binding on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  let a: TenantClient;
  let b: TenantClient;
  let queueId: string;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open());
    a = await server.newTenant('A');
    b = await server.newTenant('B');
    queueId = (await a.request({ method: 'POST', url: '/api/queues', payload: { name: 'Sales' } })).json().id;
  }, 60_000);
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  it('answers the defaults, then what was saved, and audits the change', async () => {
    const url = `/api/queues/${queueId}/voice`;
    const initial = await a.request({ method: 'GET', url });
    expect(initial.statusCode, initial.body).toBe(200);
    expect(initial.json()).toEqual({
      queueId,
      announceIntervalSeconds: 45,
      announcePosition: true,
      announceWait: true,
      musicPrompt: null,
      recording: 'always',
      callbackDigit: null,
    });
    const put = await a.request({
      method: 'PUT',
      url,
      payload: {
        announceIntervalSeconds: 20,
        announceWait: false,
        musicPrompt: 'jazz.wav',
        recording: 'on_demand',
        callbackDigit: '#',
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const saved = {
      queueId,
      announceIntervalSeconds: 20,
      announcePosition: true,
      announceWait: false,
      musicPrompt: 'jazz.wav',
      recording: 'on_demand',
      callbackDigit: '#',
    };
    expect(put.json()).toEqual(saved);
    expect((await a.request({ method: 'GET', url })).json()).toEqual(saved);
    const off = await a.request({ method: 'PUT', url, payload: { announceIntervalSeconds: 0 } });
    // a PUT changes what it names and keeps the rest
    expect(off.json()).toEqual({ ...saved, announceIntervalSeconds: 0 });
    const never = await a.request({
      method: 'PUT',
      url,
      payload: { announceIntervalSeconds: 0, recording: 'never' },
    });
    expect((await a.request({ method: 'GET', url })).json()).toMatchObject({ recording: 'never' });
    expect(never.statusCode).toBe(200);

    const audit = await a.request({ method: 'GET', url: '/api/audit-log?entityType=queue_voice_settings' });
    const entries = (audit.json().items as { entityType: string; entityId: string }[]).filter(
      (e) => e.entityType === 'queue_voice_settings',
    );
    expect(entries).toHaveLength(3);
    expect(entries.every((e) => e.entityId === queueId)).toBe(true);
  });

  it('changes only the fields a PUT names: an admin client sending one field wipes none of the others', async () => {
    const fresh = await a.request({ method: 'POST', url: '/api/queues', payload: { name: 'Billing' } });
    const url = `/api/queues/${fresh.json().id}/voice`;
    // nothing saved yet: one field over the defaults
    const first = await a.request({ method: 'PUT', url, payload: { recording: 'never' } });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({
      queueId: fresh.json().id,
      announceIntervalSeconds: 45,
      announcePosition: true,
      announceWait: true,
      musicPrompt: null,
      recording: 'never',
      callbackDigit: null,
    });
    const full = {
      queueId: fresh.json().id,
      announceIntervalSeconds: 90,
      announcePosition: false,
      announceWait: true,
      musicPrompt: 'calm.wav',
      recording: 'on_demand',
      callbackDigit: '9',
    };
    const { queueId: _id, ...body } = full;
    expect((await a.request({ method: 'PUT', url, payload: body })).json()).toEqual(full);
    // each single-field change keeps everything else as stored
    for (const change of [
      { callbackDigit: '#' },
      { announceIntervalSeconds: 0 },
      { recording: 'always' },
      { announceWait: false },
    ] as const) {
      const res = await a.request({ method: 'PUT', url, payload: change });
      expect(res.statusCode, res.body).toBe(200);
      Object.assign(full, change);
      expect(res.json()).toEqual(full);
      expect((await a.request({ method: 'GET', url })).json()).toEqual(full);
    }
    // null is a value, not an omission: back to the built-in music, no callback offer
    const cleared = await a.request({
      method: 'PUT',
      url,
      payload: { musicPrompt: null, callbackDigit: null },
    });
    expect(cleared.json()).toEqual({ ...full, musicPrompt: null, callbackDigit: null });
    // the audit keeps what each change did to the whole settings
    const audit = await a.request({ method: 'GET', url: '/api/audit-log?entityType=queue_voice_settings' });
    const last = (audit.json().items as { entityId: string; before: unknown; after: unknown }[]).find(
      (e) => e.entityId === fresh.json().id,
    );
    expect(last).toMatchObject({
      before: { musicPrompt: 'calm.wav', callbackDigit: '#', recording: 'always' },
      after: { musicPrompt: null, callbackDigit: null, recording: 'always', announceIntervalSeconds: 0 },
    });
  });

  it.each([
    ['nothing to change', {}],
    ['a null interval', { announceIntervalSeconds: null }],
    ['an interval below 10 s', { announceIntervalSeconds: 5 }],
    ['an interval above an hour', { announceIntervalSeconds: 3601 }],
    ['a path instead of a prompt name', { announceIntervalSeconds: 30, musicPrompt: '../../etc/passwd.wav' }],
    ['an unknown field', { announceIntervalSeconds: 30, loud: true }],
    ['an unknown recording policy', { announceIntervalSeconds: 30, recording: 'sometimes' }],
    ['a callback key that is not one key', { announceIntervalSeconds: 30, callbackDigit: '12' }],
  ])('refuses %s', async (_label, payload) => {
    const res = await a.request({ method: 'PUT', url: `/api/queues/${queueId}/voice`, payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it("keeps tenants apart: another tenant's queue is not found, and agents cannot change settings", async () => {
    for (const method of ['GET', 'PUT'] as const) {
      const res = await b.request({
        method,
        url: `/api/queues/${queueId}/voice`,
        ...(method === 'PUT' ? { payload: { announceIntervalSeconds: 30 } } : {}),
      });
      expect(res.statusCode, res.body).toBe(404);
    }
    const agent = await a.userToken('agent');
    const res = await a.request({
      method: 'PUT',
      url: `/api/queues/${queueId}/voice`,
      payload: { announceIntervalSeconds: 30 },
      token: agent.token,
    });
    expect(res.statusCode).toBe(403);
    expect((await a.request({ method: 'GET', url: '/api/queues/not-a-uuid/voice' })).statusCode).toBe(400);
  });

  it('finds the flow of a number only when it is published, and only in its tenant', async () => {
    const trunk = (
      await a.request({
        method: 'POST',
        url: '/api/trunks',
        payload: { name: 'Carrier', allowedCidrs: ['127.0.0.1'] },
      })
    ).json();
    const flow = (await a.request({ method: 'POST', url: '/api/flows', payload: { name: 'IVR' } })).json();
    const number = `+7495${String(Date.now()).slice(-7)}`;
    const created = await a.request({
      method: 'POST',
      url: '/api/phone-numbers',
      payload: { number, trunkId: trunk.id, flowId: flow.id },
    });
    expect(created.statusCode, created.body).toBe(201);
    const sut = new FlowForNumber(server.db.kysely);
    expect(await sut.lookup(a.tenantId, number)).toBeNull(); // a draft never answers calls
    const doc = { id: 'ivr', version: 1, entry: 'bye', nodes: { bye: { verb: 'hangup' } } };
    expect(
      (await a.request({ method: 'PUT', url: `/api/flows/${flow.id}/draft`, payload: doc })).statusCode,
    ).toBe(200);
    expect((await a.request({ method: 'POST', url: `/api/flows/${flow.id}/publish` })).statusCode).toBe(200);
    expect(await sut.lookup(a.tenantId, number)).toBe(flow.id);
    expect(await sut.lookup(b.tenantId, number)).toBeNull();
  });
});
