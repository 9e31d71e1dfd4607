import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startServerProcess, waitForOutput } from '../testing/server-process';

/**
 * Kill -9 with work queued, offered and connected, then start again: the queued interactions come
 * back in the same order and are routed, the connected one is still with its agent, the offer that
 * died with the process is made again, and nothing is lost or doubled. Runs the real server process.
 */

describe.each(engines)('routing survives kill -9 on %s', (engine) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('restores queued, offered and connected work in order, with nothing lost or doubled', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hotline-recovery-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = {
      PORT: '0',
      HOST: '127.0.0.1',
      HOTLINE_DATA_DIR: dataDir,
      HOTLINE_ADMIN_EMAIL: 'boss@example.com',
    };
    if (engine === 'postgres') {
      const tdb: TestDatabase = await createTestDatabase('postgres');
      cleanup.push(() => tdb.drop());
      if (tdb.target.kind === 'postgres') env.DATABASE_URL = tdb.target.url;
    }

    const first = startServerProcess(env);
    cleanup.push(async () => {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    });
    const [, url] = await waitForOutput(first, /running at (http:\/\/\S+\/)/);
    const [, password] = await waitForOutput(first, /Password: (\S+)\s+<- generated/);
    let base = url!.replace('localhost', '127.0.0.1');
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    };
    const login = async (email: string, pw: string) =>
      (await (
        await fetch(`${base}api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: pw }),
        })
      ).json()) as { token: string };
    const owner = (await login('boss@example.com', password!)).token;
    const queue = await call('POST', 'api/queues', owner, {
      name: 'Orders',
      wrapUpSeconds: 0,
      offerTimeoutSeconds: 600,
    });
    const agents: { id: string; token: string }[] = [];
    for (const n of [1, 2]) {
      const email = `agent${n}@example.com`;
      const user = await call('POST', 'api/users', owner, {
        email,
        displayName: `Agent ${n}`,
        role: 'agent',
        password: 'agent-password-1',
      });
      agents.push({ id: user.id, token: (await login(email, 'agent-password-1')).token });
    }
    const [a1, a2] = agents as [{ id: string; token: string }, { id: string; token: string }];
    const task = async (subject: string) =>
      (await call('POST', 'api/interactions', owner, { queueId: queue.id, subject })).id as string;

    await call('POST', 'api/agent/login', a1.token);
    await call('PUT', 'api/agent/state', a1.token, { state: 'ready' });
    // One handled before the crash: "handled today" must come back as 1.
    const t0 = await task('t0');
    await call('POST', `api/agent/offers/${t0}/accept`, a1.token);
    await call('POST', `api/agent/interactions/${t0}/end`, a1.token);
    const t1 = await task('t1');
    await call('POST', `api/agent/offers/${t1}/accept`, a1.token);
    await call('POST', 'api/agent/login', a2.token);
    await call('PUT', 'api/agent/state', a2.token, { state: 'ready' });
    const t2 = await task('t2');
    const waiting = [await task('t3'), await task('t4'), await task('t5')];
    expect((await call('GET', `api/interactions/${t2}`, owner)).state).toBe('offered');
    for (const [i, id] of waiting.entries())
      expect((await call('GET', `api/interactions/${id}`, owner)).position).toBe(i + 1);

    first.child.kill('SIGKILL');
    await first.exited;

    const second = startServerProcess(env);
    cleanup.push(async () => {
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
    });
    const [, url2] = await waitForOutput(second, /running at (http:\/\/\S+\/)/);
    base = url2!.replace('localhost', '127.0.0.1');

    // Connected work is still with its agent; the lost offer was made again; the queue kept its order.
    expect(await call('GET', 'api/agent/me', a1.token)).toMatchObject({
      status: 'busy',
      work: [{ interactionId: t1, phase: 'connected' }],
      handledToday: 1,
    });
    expect(await call('GET', 'api/agent/me', a2.token)).toMatchObject({
      status: 'reserved',
      work: [{ interactionId: t2, phase: 'offered' }],
    });
    for (const [i, id] of waiting.entries()) {
      expect(await call('GET', `api/interactions/${id}`, owner)).toMatchObject({
        state: 'queued',
        position: i + 1,
      });
    }
    const why = await call('GET', `api/interactions/${t2}/routing`, owner);
    expect(why.decisions.map((d: { chosen: string[] }) => d.chosen)).toEqual([[a2.id], [a2.id]]);

    // Work goes on in order: each freed agent takes the oldest waiting task.
    await call('POST', `api/interactions/${t1}/end`.replace('api/', 'api/agent/'), a1.token);
    expect(await call('GET', 'api/agent/me', a1.token)).toMatchObject({
      work: [{ interactionId: waiting[0], phase: 'offered' }],
      handledToday: 2,
    });
    await call('POST', `api/agent/offers/${t2}/accept`, a2.token);
    await call('POST', `api/agent/interactions/${t2}/end`, a2.token);
    expect(await call('GET', 'api/agent/me', a2.token)).toMatchObject({
      work: [{ interactionId: waiting[1], phase: 'offered' }],
    });
    expect(await call('GET', `api/interactions/${waiting[2]}`, owner)).toMatchObject({
      state: 'queued',
      position: 1,
    });
    expect(await call('GET', `api/interactions/${t1}`, owner)).toMatchObject({
      state: 'closed',
      agentId: a1.id,
    });

    const live = await call('GET', 'api/supervisor/queues', owner);
    expect(live.items).toEqual([expect.objectContaining({ waiting: 1, offeredToday: 6, answeredToday: 3 })]);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
