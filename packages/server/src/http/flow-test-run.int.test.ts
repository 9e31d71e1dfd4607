import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * `POST /api/flows/test-run`: the editor's simulated conversation — a stateless interpreter step over
 * a posted document, with the tenant's calendars and knowledge base, on both engines.
 */

type Body = Record<string, unknown>;
const example = (name: string): Body =>
  JSON.parse(readFileSync(new URL(`../../../../examples/flows/${name}.flow.json`, import.meta.url), 'utf8'));

interface Step {
  action: Body & { type: string };
  state: Body & { node: string; vars: Body; status: string };
  visited: string[];
  refused?: { code: string; message: string };
}

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('flow test-run API on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  let tenant: TenantClient;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open());
    tenant = await server.newTenant();
  });
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  const run = (payload: Body, t: TenantClient = tenant, token?: string) =>
    t.request({ method: 'POST', url: '/api/flows/test-run', payload, ...(token && { token }) });
  async function step(payload: Body): Promise<Step> {
    const res = await run(payload);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  it('plays the order-status conversation with a fake http reply', async () => {
    const document = example('order-status');
    const context = { channel: 'chat', language: 'en' };
    const base = { document, context, clock: '2025-03-01T12:00:00Z' };
    let s = await step(base);
    expect(s.action).toMatchObject({ type: 'say', text: 'Hi! I can tell you where your order is.' });
    expect(s.visited).toEqual(['greet']);
    s = await step({ ...base, state: s.state, event: { type: 'done' } });
    expect(s.action).toMatchObject({
      type: 'collect',
      mode: 'text',
      prompt: 'Please type your 6-digit order number.',
    });
    s = await step({ ...base, state: s.state, event: { type: 'input', value: '12-34' } });
    expect(s.action).toMatchObject({
      type: 'collect',
      prompt: expect.stringContaining('does not look like'),
    });
    s = await step({ ...base, state: s.state, event: { type: 'input', value: '123 456' } });
    expect(s.action).toMatchObject({
      type: 'http',
      method: 'GET',
      url: 'https://shop.example.com/api/orders/123456',
    });
    expect(s.state.node).toBe('lookup');
    s = await step({
      ...base,
      state: s.state,
      event: {
        type: 'http_response',
        status: 200,
        body: { order: { status: 'shipped', delivery: { eta: '2025-01-03' } } },
      },
    });
    expect(s.action).toEqual({
      type: 'say',
      text: 'Order 123456 is shipped; expected on 2025-01-03.',
      language: 'en',
    });
    expect(s.visited).toEqual(['known', 'tell']);
    s = await step({ ...base, state: s.state, event: { type: 'done' } });
    expect(s.action).toMatchObject({ type: 'end', reason: 'completed', outcome: 'self_service' });
    expect(s.state.vars).toMatchObject({ order_id: '123456', order_status: 'shipped', 'http.status': 200 });
  });

  it('plays the ivr-menu example on voice: keypad digits, silence, hand-over', async () => {
    const base = {
      document: example('ivr-menu'),
      context: { channel: 'voice', language: 'en', caller: { number: '+15551234567' } },
    };
    let s = await step(base);
    expect(s.action).toMatchObject({ type: 'say', text: 'Welcome to Hotline.' });
    s = await step({ ...base, state: s.state, event: { type: 'done' } });
    expect(s.action).toMatchObject({ type: 'collect', mode: 'dtmf', maxDigits: 1, choices: [] });
    s = await step({ ...base, state: s.state, event: { type: 'input', value: '7' } });
    expect(s.action).toMatchObject({
      type: 'collect',
      prompt: expect.stringMatching(/^That is not an option/),
    });
    s = await step({ ...base, state: s.state, event: { type: 'timeout' } });
    expect(s.action).toMatchObject({
      type: 'collect',
      prompt: expect.stringMatching(/^I did not hear anything/),
    });
    s = await step({ ...base, state: s.state, event: { type: 'input', value: '2' } });
    expect(s.action).toMatchObject({
      type: 'enqueue',
      queue: 'main',
      priority: 10,
      skills: [{ skill: 'billing', minLevel: 3 }],
    });
    s = await step({ ...base, state: s.state, event: { type: 'done' } });
    expect(s.action).toMatchObject({ type: 'end', reason: 'handed_over' });
    // An ended flow refuses anything further.
    const after = await step({ ...base, state: s.state, event: { type: 'done' } });
    expect(after.refused?.code).toBe('FLOW_ENDED');
  });

  it('answers http nodes from canned replies, a failure included', async () => {
    const document = example('order-status');
    const base = { document, context: { channel: 'chat', language: 'en' } };
    let s = await step(base);
    s = await step({ ...base, state: s.state, event: { type: 'done' } });
    s = await step({
      ...base,
      state: s.state,
      event: { type: 'input', value: '654321' },
      httpReplies: { lookup: { status: 404, body: { error: 'no such order' } } },
    });
    expect(s.visited).toEqual(['lookup', 'not_found', 'no_such_order']);
    expect(s.action).toMatchObject({ type: 'say', text: 'I could not find order 654321.' });

    s = await step(base);
    s = await step({ ...base, state: s.state, event: { type: 'done' } });
    s = await step({
      ...base,
      state: s.state,
      event: { type: 'input', value: '654321' },
      httpReplies: { lookup: { fail: 'timeout' } },
    });
    expect(s.visited).toEqual(['lookup', 'not_found', 'sorry']);
  });

  it('refuses an event the node does not wait for, keeping the state', async () => {
    const document = example('order-status');
    const base = { document, context: { channel: 'chat' } };
    const first = await step(base);
    const s = await step({ ...base, state: first.state, event: { type: 'input', value: 'hello' } });
    expect(s.refused?.code).toBe('UNEXPECTED_EVENT');
    expect(s.state).toEqual(first.state);
    expect(s.action).toEqual(first.action);
  });

  it('ends a tampered state with BAD_STATE instead of failing', async () => {
    const document = example('order-status');
    const base = { document, context: { channel: 'chat' } };
    const first = await step(base);
    const s = await step({ ...base, state: { ...first.state, vars: 'nope' }, event: { type: 'done' } });
    expect(s.action).toMatchObject({ type: 'end', reason: 'error', error: { code: 'BAD_STATE' } });
  });

  it('refuses an invalid document with the validator issues', async () => {
    const document = {
      id: 'broken',
      version: 1,
      entry: 'a',
      nodes: { a: { verb: 'say', next: { done: 'nowhere' } } },
    };
    const res = await run({ document, context: { channel: 'voice' } });
    expectError(res, 400, 'VALIDATION_FAILED');
    const issues = res.json().error.details as { code: string; path: string }[];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'MISSING_FIELD', path: '/nodes/a/text' }),
        expect.objectContaining({ code: 'DANGLING_EDGE', path: '/nodes/a/next/done' }),
      ]),
    );
  });

  it('rejects hostile requests: bad events, unknown fields, a state without an event', async () => {
    const document = example('order-status');
    expectError(await run({ document, context: { channel: 'fax' } }), 400, 'VALIDATION_FAILED');
    expectError(
      await run({ document, context: { channel: 'chat' }, state: {}, event: { type: 'explode' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await run({ document, context: { channel: 'chat' }, state: {} }), 400, 'VALIDATION_FAILED');
    expectError(await run({ document, context: { channel: 'chat' }, extra: 1 }), 400, 'VALIDATION_FAILED');
    expectError(
      await run({ document: 'x' as unknown as Body, context: { channel: 'chat' } }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('reads the tenant own calendars and knowledge base, never another tenant', async () => {
    const other = await server.newTenant('Other');
    const calendar = await other.request({
      method: 'POST',
      url: '/api/calendars',
      payload: {
        name: 'Support',
        timeZone: 'UTC',
        weekly: [{ day: 'sat', open: '09:00', close: '18:00' }],
        holidays: [],
      },
    });
    expect(calendar.statusCode, calendar.body).toBe(201);
    const document = {
      id: 'hours',
      version: 1,
      entry: 'check',
      nodes: {
        check: { verb: 'business_hours', calendar: calendar.json().id, next: { open: 'a', closed: 'b' } },
        a: { verb: 'say', text: 'open', next: { done: 'z' } },
        b: { verb: 'say', text: 'closed', next: { done: 'z' } },
        z: { verb: 'hangup' },
      },
    };
    // The calendar exists only for the other tenant: this tenant's run has none.
    const mine = await step({ document, context: { channel: 'chat' } });
    expect(mine.action).toMatchObject({ type: 'end', error: { code: 'NO_CALENDAR' } });
    // Their run sees the calendar, at the simulated time: Saturday 2025-03-01 10:00 UTC is open, 20:00 closed.
    const at = async (clock: string) =>
      ((await run({ document, context: { channel: 'chat' }, clock }, other)).json() as Step).action;
    expect(await at('2025-03-01T10:00:00Z')).toMatchObject({ type: 'say', text: 'open' });
    expect(await at('2025-03-01T20:00:00Z')).toMatchObject({ type: 'say', text: 'closed' });

    const faq = {
      id: 'faq',
      version: 1,
      entry: 'ask',
      nodes: {
        ask: { verb: 'gather', prompt: 'Ask', into: 'q', input: 'text', next: { ok: 'find', failed: 'z' } },
        find: { verb: 'faq', question: 'q', next: { answered: 'z', no_match: 'none' } },
        none: { verb: 'say', text: 'no idea', next: { done: 'z' } },
        z: { verb: 'hangup' },
      },
      variables: { q: { type: 'string' } },
    };
    const article = await other.request({
      method: 'POST',
      url: '/api/knowledge-base/articles',
      payload: { questions: ['How do I reset my password?'], answer: 'Use the reset link.' },
    });
    expect(article.statusCode, article.body).toBe(201);
    const ask = async (t: TenantClient) => {
      const first = (await run({ document: faq, context: { channel: 'chat' } }, t)).json() as Step;
      return (
        await run(
          {
            document: faq,
            context: { channel: 'chat' },
            state: first.state,
            event: { type: 'input', value: 'reset password' },
          },
          t,
        )
      ).json() as Step;
    };
    expect((await ask(other)).action).toMatchObject({ type: 'say', text: 'Use the reset link.' });
    expect((await ask(tenant)).action).toMatchObject({ type: 'say', text: 'no idea' });
  });

  it('is for roles that manage flows only', async () => {
    const document = example('order-status');
    for (const role of ['supervisor', 'agent'] as const) {
      const { token } = await tenant.userToken(role);
      expectError(await run({ document, context: { channel: 'chat' } }, tenant, token), 403, 'FORBIDDEN');
    }
    const { token } = await tenant.userToken('admin');
    expect((await run({ document, context: { channel: 'chat' } }, tenant, token)).statusCode).toBe(200);
  });
});
