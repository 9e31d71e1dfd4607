import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { VoiceCallStore } from '../voice/voice-call-store';

/**
 * The call detail records API on both engines: the CDR fields and derived outcomes of calls in every
 * stage, filters, tenant isolation, who may read, and recordings — played with ranges, downloaded,
 * every access in the audit log, nothing served from outside the recordings directory.
 */

type Body = Record<string, unknown>;

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json(), res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe.each(engines)('calls API on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  let recordings: string;

  beforeAll(async () => {
    recordings = await mkdtemp(join(tmpdir(), 'hotline-cdr-'));
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open(), { recordingsDir: recordings });
  });
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
    await rm(recordings, { recursive: true, force: true });
  });

  const t0 = Date.parse('2026-03-02T09:00:00Z');
  const at = (sec: number) => new Date(t0 + sec * 1000);

  /** A tenant with a queue, an agent, a disposition code, and five calls in five outcomes. */
  async function setup() {
    const t = await server.newTenant();
    const agent = await t.userToken('agent');
    const supervisor = await t.userToken('supervisor');
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
    const db = server.db.kysely;
    const call = async (
      n: number,
      facts: {
        state: string;
        queued?: number;
        agentAnswered?: number;
        ended?: number;
        side?: 'caller' | 'system' | 'agent';
        cause?: string;
        recording?: string;
        from?: string;
        disposition?: boolean;
      },
    ) => {
      const interaction = randomUUID();
      await db
        .insertInto('interactions')
        .values({
          id: interaction,
          tenant_id: t.tenantId,
          channel: 'voice',
          state: facts.state,
          queue_id: facts.queued === undefined ? null : queue.id,
          agent_id: facts.agentAnswered === undefined ? null : agent.id,
          disposition_code_id: facts.disposition ? code.id : null,
          created_by: 'test',
          created_at: at(n * 100),
          updated_at: at(n * 100),
        })
        .execute();
      const id = randomUUID();
      await db
        .insertInto('voice_calls')
        .values({
          id,
          tenant_id: t.tenantId,
          interaction_id: interaction,
          sip_call_id: `call-${n}@carrier`,
          from_number: facts.from ?? `+4930123450${n}`,
          to_number: '+4930999000',
          did: '+4930999000',
          trunk_id: null,
          codec: 'PCMU',
          arrived_at: at(n * 100),
          answered_at: at(n * 100 + 1),
          queued_at: facts.queued === undefined ? null : at(n * 100 + facts.queued),
          agent_answered_at: facts.agentAnswered === undefined ? null : at(n * 100 + facts.agentAnswered),
          agent_id: facts.agentAnswered === undefined ? null : agent.id,
          ended_at: facts.ended === undefined ? null : at(n * 100 + facts.ended),
          hangup_side: facts.side ?? null,
          hangup_cause: facts.cause ?? null,
          recording_path: facts.recording ?? null,
        })
        .execute();
      return id;
    };
    await mkdir(join(recordings, t.tenantId), { recursive: true });
    const wav = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    await writeFile(join(recordings, t.tenantId, 'answered.wav'), wav);
    const calls = {
      answered: await call(1, {
        state: 'closed',
        queued: 12,
        agentAnswered: 30,
        ended: 95,
        side: 'caller',
        cause: 'BYE',
        recording: `${t.tenantId}/answered.wav`,
        disposition: true,
      }),
      abandoned: await call(2, { state: 'abandoned', queued: 12, ended: 50, side: 'caller', cause: 'BYE' }),
      selfService: await call(3, { state: 'closed', ended: 40, side: 'system', cause: 'FLOW_COMPLETED' }),
      overflow: await call(4, {
        state: 'voicemail',
        queued: 12,
        ended: 70,
        side: 'system',
        cause: 'OVERFLOW',
      }),
      live: await call(5, { state: 'queued', queued: 12, from: '+79005551234' }),
      escaping: await call(6, {
        state: 'closed',
        queued: 5,
        agentAnswered: 8,
        ended: 20,
        side: 'agent',
        cause: 'BYE',
        recording: '../../etc/passwd',
      }),
      lost: await call(7, {
        state: 'closed',
        queued: 5,
        agentAnswered: 8,
        ended: 20,
        side: 'agent',
        cause: 'BYE',
        recording: `${t.tenantId}/deleted.wav`,
      }),
    };
    const as = (token: string) => (opts: Parameters<TenantClient['request']>[0]) =>
      t.request({ ...opts, token });
    return { t, agent, queue, calls, wav, asSupervisor: as(supervisor.token), asAgent: as(agent.token) };
  }

  async function ok(res: Promise<LightMyRequestResponse>): Promise<Body> {
    const r = await res;
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  }

  it('gives the CDR fields, durations and outcome of an answered call', async () => {
    const { calls, agent, queue, asSupervisor } = await setup();
    const record = await ok(asSupervisor({ method: 'GET', url: `/api/calls/${calls.answered}` }));
    expect(record).toMatchObject({
      id: calls.answered,
      direction: 'inbound',
      fromNumber: '+49301234501',
      toNumber: '+4930999000',
      did: '+4930999000',
      queueId: queue.id,
      queueName: 'Support',
      agentId: agent.id,
      arrivedAt: '2026-03-02T09:01:40.000Z',
      answeredAt: '2026-03-02T09:01:41.000Z',
      queuedAt: '2026-03-02T09:01:52.000Z',
      agentAnsweredAt: '2026-03-02T09:02:10.000Z',
      endedAt: '2026-03-02T09:03:15.000Z',
      durations: { totalSec: 95, flowSec: 11, waitSec: 18, talkSec: 65 },
      outcome: 'answered',
      interactionState: 'closed',
      disposition: { code: 'OK', label: 'Solved' },
      hangupSide: 'caller',
      hangupCause: 'BYE',
      codec: 'PCMU',
      hasRecording: true,
    });
    expect(record.agentName).toEqual(expect.any(String));
  });

  it('lists newest first, derives each outcome, and filters', async () => {
    const { calls, agent, asSupervisor } = await setup();
    const page = await ok(asSupervisor({ method: 'GET', url: '/api/calls' }));
    expect(page.total).toBe(7);
    const items = page.items as Body[];
    expect(items.map((c) => c.id)).toEqual([
      calls.lost,
      calls.escaping,
      calls.live,
      calls.overflow,
      calls.selfService,
      calls.abandoned,
      calls.answered,
    ]);
    const outcome = (id: string) => items.find((c) => c.id === id)?.outcome;
    expect(outcome(calls.abandoned)).toBe('abandoned');
    expect(outcome(calls.selfService)).toBe('self_service');
    expect(outcome(calls.overflow)).toBe('overflow');
    expect(outcome(calls.live)).toBe('in_progress');
    expect(items.find((c) => c.id === calls.live)?.durations).toEqual({
      totalSec: null,
      flowSec: 11,
      waitSec: null,
      talkSec: null,
    });

    const ids = async (query: string) =>
      ((await ok(asSupervisor({ method: 'GET', url: `/api/calls?${query}` }))).items as Body[]).map(
        (c) => c.id,
      );
    for (const o of ['answered', 'abandoned', 'self_service', 'overflow', 'in_progress'] as const) {
      const expected = items.filter((c) => c.outcome === o).map((c) => c.id);
      expect(await ids(`outcome=${o}`), o).toEqual(expected);
    }
    expect(await ids('number=900%20555-12-34')).toEqual([calls.live]);
    expect(await ids(`agentId=${agent.id}`)).toEqual([calls.lost, calls.escaping, calls.answered]);
    expect(await ids('from=2026-03-02T09:05:00Z&to=2026-03-02T09:08:21Z')).toEqual([
      calls.live,
      calls.overflow,
      calls.selfService,
    ]);
    expect(await ids('limit=2&offset=6')).toEqual([calls.answered]);
  });

  it('names every agent of a transferred call in order, adds up their talk, and finds it by either', async () => {
    const { t, agent, queue, calls, asSupervisor } = await setup();
    const second = await t.userToken('agent');
    const escalations = (
      await t.request({ method: 'POST', url: '/api/queues', payload: { name: 'Escalations' } })
    ).json();
    const store = new VoiceCallStore(server.db.kysely);
    const [ix] = await server.db.kysely
      .selectFrom('voice_calls')
      .select(['interaction_id'])
      .where('tenant_id', '=', t.tenantId)
      .where('id', '=', calls.abandoned)
      .execute();
    const id = randomUUID();
    await store.insert(server.db.kysely, {
      id,
      tenantId: t.tenantId,
      interactionId: ix!.interaction_id,
      sipCallId: 'transferred@carrier',
      fromNumber: '+49301234599',
      toNumber: '+4930999000',
      did: '+4930999000',
      trunkId: randomUUID(),
      codec: 'PCMA',
      arrivedAt: at(1000),
      answeredAt: at(1001),
    });
    await store.queued(t.tenantId, id, at(1010));
    await store.agentConnected(t.tenantId, id, agent.id, queue.id, at(1030));
    await store.agentReleased(t.tenantId, id, at(1060));
    await store.agentConnected(t.tenantId, id, second.id, escalations.id, at(1075));
    const live = await ok(asSupervisor({ method: 'GET', url: `/api/calls/${id}` }));
    // While agent 2 has the call, their leg is open and the talk time is not known yet.
    expect(live).toMatchObject({ agentId: agent.id, durations: { talkSec: null }, outcome: 'in_progress' });
    expect((live.agents as Body[])[1]).toMatchObject({ agentId: second.id, endedAt: null, endReason: null });

    await store.ended(t.tenantId, id, 'caller', 'BYE', at(1120));
    // Late writes change nothing: no leg after the end, no second end.
    await store.agentConnected(t.tenantId, id, agent.id, queue.id, at(1130));
    await store.ended(t.tenantId, id, 'system', 'SHUTDOWN', at(1140));
    const record = await ok(asSupervisor({ method: 'GET', url: `/api/calls/${id}` }));
    expect(record).toMatchObject({
      agentId: agent.id,
      agentAnsweredAt: at(1030).toISOString(),
      hangupCause: 'BYE',
      outcome: 'answered',
      durations: { totalSec: 120, waitSec: 20, talkSec: 30 + 45 },
      agents: [
        {
          agentId: agent.id,
          agentName: expect.any(String),
          queueId: queue.id,
          queueName: 'Support',
          connectedAt: at(1030).toISOString(),
          endedAt: at(1060).toISOString(),
          endReason: 'transferred',
          talkSec: 30,
        },
        {
          agentId: second.id,
          queueId: escalations.id,
          queueName: 'Escalations',
          connectedAt: at(1075).toISOString(),
          endedAt: at(1120).toISOString(),
          endReason: 'call_ended',
          talkSec: 45,
        },
      ],
    });
    expect((record.agents as Body[]).length).toBe(2);

    const idsFor = async (agentId: string) =>
      ((await ok(asSupervisor({ method: 'GET', url: `/api/calls?agentId=${agentId}` }))).items as Body[]).map(
        (c) => c.id,
      );
    expect(await idsFor(second.id)).toEqual([id]);
    expect(await idsFor(agent.id)).toContain(id);
    expect(await idsFor(randomUUID())).toEqual([]);
  });

  it("counts a callback's talk from the customer's answer, not the agent's ringing", async () => {
    const { t, agent, queue, calls, asSupervisor } = await setup();
    const store = new VoiceCallStore(server.db.kysely);
    const [ix] = await server.db.kysely
      .selectFrom('voice_calls')
      .select(['interaction_id'])
      .where('tenant_id', '=', t.tenantId)
      .where('id', '=', calls.abandoned)
      .execute();
    const callback = async (answered: number | null) => {
      const id = randomUUID();
      await store.insert(server.db.kysely, {
        id,
        tenantId: t.tenantId,
        interactionId: ix!.interaction_id,
        sipCallId: '',
        fromNumber: '+4930999000',
        toNumber: '+49301234502',
        did: '+4930999000',
        trunkId: randomUUID(),
        codec: 'PCMU',
        arrivedAt: at(2000),
        answeredAt: null,
        direction: 'outbound',
      });
      await store.agentConnected(t.tenantId, id, agent.id, queue.id, at(2000));
      if (answered !== null) await store.answered(t.tenantId, id, at(2000 + answered));
      await store.ended(t.tenantId, id, answered === null ? 'external' : 'caller', 'BYE', at(2040));
      return (await ok(asSupervisor({ method: 'GET', url: `/api/calls/${id}` }))) as {
        durations: Record<string, number | null>;
        agents: Body[];
      };
    };
    const talked = await callback(12);
    expect(talked.durations).toMatchObject({ totalSec: 40, flowSec: null, waitSec: null, talkSec: 28 });
    expect(talked.agents).toMatchObject([{ connectedAt: at(2000).toISOString(), talkSec: 28 }]);
    const unanswered = await callback(null);
    expect(unanswered.durations).toMatchObject({ flowSec: null, talkSec: 0 });
  });

  it('closes a leg whose release was not written when the next agent is connected', async () => {
    const { t, agent, queue, calls, asSupervisor } = await setup();
    const second = await t.userToken('agent');
    const store = new VoiceCallStore(server.db.kysely);
    await store.agentConnected(t.tenantId, calls.live, agent.id, queue.id, at(520));
    await store.agentConnected(t.tenantId, calls.live, second.id, queue.id, at(540));
    const record = await ok(asSupervisor({ method: 'GET', url: `/api/calls/${calls.live}` }));
    expect((record.agents as Body[]).map((l) => [l.agentId, l.endedAt, l.endReason])).toEqual([
      [agent.id, at(540).toISOString(), 'transferred'],
      [second.id, null, null],
    ]);
  });

  it('refuses bad filters with VALIDATION_FAILED', async () => {
    const { asSupervisor } = await setup();
    for (const q of [
      'outcome=lost',
      'number=%27%20or%201=1',
      'from=yesterday',
      'queueId=42',
      'limit=100000',
    ]) {
      expectError(await asSupervisor({ method: 'GET', url: `/api/calls?${q}` }), 400, 'VALIDATION_FAILED');
    }
  });

  it('keeps every tenant to its own calls, and agents out of the CDR', async () => {
    const a = await setup();
    const b = await setup();
    const page = await ok(b.asSupervisor({ method: 'GET', url: '/api/calls' }));
    const mine = new Set<string>(Object.values(a.calls));
    expect((page.items as Body[]).some((c) => mine.has(c.id as string))).toBe(false);
    expectError(
      await b.asSupervisor({ method: 'GET', url: `/api/calls/${a.calls.answered}` }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await b.asSupervisor({ method: 'GET', url: `/api/calls/${a.calls.answered}/recording` }),
      404,
      'NOT_FOUND',
    );
    expectError(await a.asAgent({ method: 'GET', url: '/api/calls' }), 403, 'FORBIDDEN');
    expectError(
      await a.asAgent({ method: 'GET', url: `/api/calls/${a.calls.answered}/recording` }),
      403,
      'FORBIDDEN',
    );
  });

  it('plays a recording in ranges and logs one access per playback, and downloads', async () => {
    const { t, calls, wav, asSupervisor } = await setup();
    const url = `/api/calls/${calls.answered}/recording`;
    const whole = await asSupervisor({ method: 'GET', url });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.rawPayload.equals(wav)).toBe(true);

    const part = await asSupervisor({ method: 'GET', url, headers: { range: 'bytes=100-199' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/1000');
    expect(part.rawPayload.equals(wav.subarray(100, 200))).toBe(true);

    const past = await asSupervisor({ method: 'GET', url, headers: { range: 'bytes=5000-' } });
    expectError(past, 416, 'RANGE_NOT_SATISFIABLE');
    expect(past.headers['content-range']).toBe('bytes */1000');

    const download = await asSupervisor({ method: 'GET', url: `${url}?download=1` });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="call-${calls.answered}.wav"`);

    const audit = await ok(
      t.request({
        method: 'GET',
        url: `/api/audit-log?entityType=call_recording&entityId=${calls.answered}`,
      }),
    );
    // The whole file and the download count; the ranged request in the middle of the file does not.
    expect((audit.items as Body[]).map((e) => [e.action, (e.after as Body).how])).toEqual([
      ['access', 'download'],
      ['access', 'play'],
    ]);
  });

  it('answers NOT_FOUND for a call without recording, a missing file and a path leaving the directory', async () => {
    const { calls, asSupervisor } = await setup();
    for (const id of [calls.abandoned, calls.lost, calls.escaping]) {
      expectError(await asSupervisor({ method: 'GET', url: `/api/calls/${id}/recording` }), 404, 'NOT_FOUND');
    }
  });
});
