import { randomUUID } from 'node:crypto';
import type { CallRecord } from '@hotline/protocol/calls';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TestServer } from '../testing/test-server';
import { migrateToLatest } from './migrate';

/**
 * Migration 0014 on both engines: calls recorded before per-agent legs existed get the one leg their
 * row knows (the agent who answered, through the interaction's queue, until the end), so the CDR's
 * agents, talk time and agent filter read the same for old and new calls.
 */
describe.each(engines)('migration 0014 (call agent legs) on %s', (engine) => {
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

  it('gives each call answered before it one leg, ended with the call or open while it lasts', async () => {
    const t = await server.newTenant();
    const agent = await t.userToken('agent');
    const queue = (
      await t.request({ method: 'POST', url: '/api/queues', payload: { name: 'Support' } })
    ).json();
    const db = server.db.kysely;
    const at = (sec: number) => new Date(Date.parse('2026-05-04T10:00:00Z') + sec * 1000);

    // The database as 0013 left it: no legs table, calls with only `agent_id`.
    await sql`DROP TABLE voice_call_agents`.execute(db);
    await sql`DELETE FROM kysely_migration WHERE name = '0014_call_agent_legs'`.execute(db);
    const call = async (agentAnswered: number | null, ended: number | null) => {
      const interaction = randomUUID();
      await db
        .insertInto('interactions')
        .values({
          id: interaction,
          tenant_id: t.tenantId,
          channel: 'voice',
          state: ended === null ? 'connected' : 'closed',
          queue_id: queue.id,
          agent_id: agentAnswered === null ? null : agent.id,
          created_by: 'test',
          created_at: at(0),
          updated_at: at(0),
        })
        .execute();
      const id = randomUUID();
      await sql`INSERT INTO voice_calls (id, tenant_id, interaction_id, sip_call_id, from_number, to_number,
          did, arrived_at, answered_at, queued_at, agent_answered_at, agent_id, ended_at, hangup_side, hangup_cause)
        VALUES (${id}, ${t.tenantId}, ${interaction}, ${`${id}@carrier`}, '+4930111', '+4930999', '+4930999',
          ${at(0)}, ${at(1)}, ${at(5)}, ${agentAnswered === null ? null : at(agentAnswered)},
          ${agentAnswered === null ? null : agent.id}, ${ended === null ? null : at(ended)},
          ${ended === null ? null : 'caller'}, ${ended === null ? null : 'BYE'})`.execute(db);
      return id;
    };
    const answered = await call(20, 80);
    const talking = await call(30, null);
    const abandoned = await call(null, 40);

    await migrateToLatest(db);

    const get = async (id: string) => {
      const res = await t.request({ method: 'GET', url: `/api/calls/${id}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as CallRecord;
    };
    const old = await get(answered);
    expect(old.agents).toEqual([
      {
        agentId: agent.id,
        agentName: expect.any(String),
        queueId: queue.id,
        queueName: 'Support',
        connectedAt: at(20).toISOString(),
        endedAt: at(80).toISOString(),
        endReason: 'call_ended',
        talkSec: 60,
      },
    ]);
    expect(old.durations.talkSec).toBe(60);
    expect((await get(talking)).agents).toMatchObject([
      { agentId: agent.id, connectedAt: at(30).toISOString(), endedAt: null, endReason: null },
    ]);
    expect((await get(abandoned)).agents).toEqual([]);
  });
});
