import { readFile } from 'node:fs/promises';
import type { FlowContext, FlowEvent, FlowStep } from '@hotline/core/flow/flow-types';
import { resume, start } from '@hotline/core/flow/interpreter';
import { compileFlow } from '@hotline/core/flow/validate-flow';
import { ManualClock } from '@hotline/core/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import { AuthStore } from '../stores/auth-store';
import type { Principal } from '../stores/principal';
import { uuidGen } from '../system';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { FlowSessionService } from './flow-sessions';
import { FlowStore } from './flow-store';

/**
 * Flow sessions on both engines: a session keeps the version it started on while new sessions take
 * a new publish at once; the state survives closing and reopening the database; tenants are apart;
 * the channel's outcome commits with the step or not at all.
 */

type Doc = Record<string, unknown> & { nodes: Record<string, Record<string, unknown>> };

const example = async (name: string): Promise<Doc> =>
  JSON.parse(
    await readFile(new URL(`../../../../examples/flows/${name}.flow.json`, import.meta.url), 'utf8'),
  );

const voice: FlowContext = { channel: 'voice', language: 'en', caller: { number: '+15551234567' } };

/** v2 of the IVR: an outage announcement first, and a new menu prompt. */
function withOutage(doc: Doc): Doc {
  const nodes = structuredClone(doc.nodes);
  nodes.welcome = { ...nodes.welcome, text: 'We have an outage; orders are delayed.' };
  nodes.main = { ...nodes.main, prompt: 'Press 1 for orders, 2 for billing.' };
  return { ...doc, nodes };
}

async function expectCode(p: Promise<unknown>, code: string) {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

describe.each(engines)('flow sessions on %s', (engine) => {
  let tdb: TestDatabase;
  let db: Db;
  const clock = new ManualClock(Date.parse('2025-03-01T10:00:00Z'));
  const deps = () => ({ db: db.kysely, clock, ids: uuidGen });
  let ivr: Doc;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    db = await tdb.open();
    ivr = await example('ivr-menu');
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  let n = 0;
  async function tenant(): Promise<Principal> {
    const id = `${Date.now().toString(36)}-${++n}`;
    const t = await new AuthStore(deps()).createTenantWithOwner({
      tenantName: `T ${id}`,
      slug: `sessions-${engine}-${id}`,
      email: `owner-${engine}-${id}@example.com`,
      password: 'password-123',
      displayName: 'Owner',
    });
    return { tenantId: t.tenantId, role: 'owner', kind: 'session', userId: t.userId, apiKeyId: null };
  }

  /** A flow of the tenant with `doc` saved and published; returns its id. */
  async function published(p: Principal, doc: Doc, name = 'IVR'): Promise<string> {
    const flows = new FlowStore(deps());
    const flow = await flows.create(p, { name, description: '' });
    await flows.saveDraft(p, flow.id, doc);
    await flows.publish(p, flow.id);
    return flow.id;
  }

  it('keeps a running session on its version while new sessions take a new publish at once', async () => {
    const p = await tenant();
    const flowId = await published(p, ivr);
    const sut = new FlowSessionService(deps());

    const old = await sut.start(p.tenantId, { flowId, context: voice });
    expect(old.action).toMatchObject({ type: 'say', text: 'Welcome to Hotline.' });
    expect(old.session).toMatchObject({ version: 1, status: 'running', channel: 'voice', endedAt: null });

    const flows = new FlowStore(deps());
    await flows.saveDraft(p, flowId, withOutage(ivr));
    await flows.publish(p, flowId);

    const fresh = await sut.start(p.tenantId, { flowId, context: voice });
    expect(fresh.session.version).toBe(2);
    expect(fresh.action).toMatchObject({ type: 'say', text: 'We have an outage; orders are delayed.' });

    const continued = await sut.resume(p.tenantId, old.session.id, { type: 'done' });
    expect(continued.session.version).toBe(1);
    expect(continued.action).toMatchObject({
      type: 'collect',
      prompt: 'For orders press 1, for billing press 2, for an operator press 0.',
    });
    // A service with an empty cache loads version 1 from the database, not the published one.
    const other = new FlowSessionService(deps());
    const wrong = await other.resume(p.tenantId, old.session.id, { type: 'input', value: '7' });
    expect(wrong.action).toMatchObject({
      type: 'collect',
      prompt: 'That is not an option. For orders press 1, for billing press 2, for an operator press 0.',
    });
    const next = await other.resume(p.tenantId, fresh.session.id, { type: 'done' });
    expect(next.action).toMatchObject({ type: 'collect', prompt: 'Press 1 for orders, 2 for billing.' });
  });

  it('continues a session identically after the database is closed and reopened', async () => {
    const p = await tenant();
    const flowId = await published(p, ivr);
    const interactionId = null;
    // The reference: the pure interpreter with the same clock, never stored.
    const compiled = compileFlow({ ...ivr, version: 1 });
    if (!compiled.ok) throw new Error('the example flow must compile');
    const flow = compiled.flow;
    const events: { event: FlowEvent; advanceMs: number }[] = [
      { event: { type: 'done' }, advanceMs: 1500 },
      { event: { type: 'input', value: '7' }, advanceMs: 2000 },
      // ← restart here
      { event: { type: 'timeout' }, advanceMs: 5000 },
      { event: { type: 'input', value: '2' }, advanceMs: 1200 },
      { event: { type: 'done' }, advanceMs: 300 },
    ];

    let sut = new FlowSessionService(deps());
    const first = await sut.start(p.tenantId, { flowId, context: voice, interactionId });
    let expected: FlowStep = start(flow, voice, { now: clock.now() });
    expect(first.session.state).toEqual(expected.state);
    const id = first.session.id;

    for (const [i, { event, advanceMs }] of events.entries()) {
      if (i === 2) {
        await db.close();
        db = await tdb.open();
        sut = new FlowSessionService(deps());
        const stored = await sut.get(p.tenantId, id);
        expect(stored.status).toBe('running');
        expect(stored.lastAction).toEqual(expected.action);
        expect(stored.state).toEqual(expected.state);
      }
      clock.advance(advanceMs);
      expected = resume(flow, JSON.parse(JSON.stringify(expected.state)), event, { now: clock.now() });
      const got = await sut.resume(p.tenantId, id, event);
      expect(got.refused).toBeUndefined();
      expect(got.action).toEqual(expected.action);
      expect(got.visited).toEqual(expected.visited);
      expect(got.session.state).toEqual(expected.state);
    }

    const done = await sut.get(p.tenantId, id);
    expect(done.lastAction).toMatchObject({ type: 'end', reason: 'handed_over' });
    expect(done.status).toBe('ended');
    expect(done.endedAt).toBe(new Date(clock.now()).toISOString());
    expect(done.state.trail).toEqual(['welcome', 'main', 'billing', 'queue']);
    await expectCode(sut.resume(p.tenantId, id, { type: 'done' }), 'ILLEGAL_TRANSITION');
  });

  it("scopes sessions by tenant: another tenant's session or flow is NOT_FOUND", async () => {
    const [a, b] = [await tenant(), await tenant()];
    const flowId = await published(a, ivr);
    const sut = new FlowSessionService(deps());
    const s = await sut.start(a.tenantId, { flowId, context: voice });

    await expectCode(sut.get(b.tenantId, s.session.id), 'NOT_FOUND');
    await expectCode(sut.resume(b.tenantId, s.session.id, { type: 'done' }), 'NOT_FOUND');
    await expectCode(sut.fail(b.tenantId, s.session.id, 'hijack'), 'NOT_FOUND');
    await expectCode(sut.start(b.tenantId, { flowId, context: voice }), 'NOT_FOUND');
    await expectCode(sut.get(a.tenantId, 'not-a-uuid'), 'NOT_FOUND');
    // The interaction is a composite (tenant, id) reference: a foreign or unknown one is refused.
    await expectCode(
      sut.start(a.tenantId, { flowId, context: voice, interactionId: uuidGen.next() }),
      'INVALID_REFERENCE',
    );
    // Untouched by all of that.
    expect((await sut.get(a.tenantId, s.session.id)).state).toEqual(s.session.state);
  });

  it('refuses to start a flow never published', async () => {
    const p = await tenant();
    const flows = new FlowStore(deps());
    const flow = await flows.create(p, { name: 'Draft only', description: '' });
    await flows.saveDraft(p, flow.id, ivr);
    const sut = new FlowSessionService(deps());
    await expectCode(sut.start(p.tenantId, { flowId: flow.id, context: voice }), 'ILLEGAL_TRANSITION');
  });

  it("writes the channel's outcome in the step's transaction: both or neither", async () => {
    const p = await tenant();
    const flowId = await published(p, ivr);
    const sut = new FlowSessionService(deps());
    const s = await sut.start(p.tenantId, { flowId, context: voice });

    const boom = new Error('the channel could not write its outcome');
    await expect(
      sut.resume(p.tenantId, s.session.id, { type: 'done' }, async (tx, step) => {
        // The new state is already written inside this transaction …
        const row = await tx
          .selectFrom('flow_sessions')
          .select('last_action')
          .where('id', '=', step.session.id)
          .executeTakeFirstOrThrow();
        expect(row.last_action).toMatchObject({ type: 'collect' });
        throw boom;
      }),
    ).rejects.toBe(boom);
    // … and rolled back with the outcome.
    expect((await sut.get(p.tenantId, s.session.id)).lastAction).toMatchObject({ type: 'say' });

    const refused = await sut.resume(p.tenantId, s.session.id, { type: 'input', value: '1' });
    expect(refused.refused?.code).toBe('UNEXPECTED_EVENT');
    expect(refused.action).toMatchObject({ type: 'say' });

    const failed = await sut.fail(p.tenantId, s.session.id, 'media worker died');
    expect(failed).toMatchObject({ status: 'failed', lastAction: { type: 'end', reason: 'error' } });
    expect(failed.endedAt).not.toBeNull();
    expect((await sut.fail(p.tenantId, s.session.id, 'again')).lastAction).toEqual(failed.lastAction);
    await expectCode(sut.resume(p.tenantId, s.session.id, { type: 'done' }), 'ILLEGAL_TRANSITION');
  });
});
