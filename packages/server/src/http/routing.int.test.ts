import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';

/**
 * The routing API end to end in one process: task channel → router → agent over HTTP and the
 * realtime WebSocket, with the state stored in PGlite or PostgreSQL.
 */

interface Frame {
  type: string;
  seq?: string;
  event?: { type: string; interactionId?: string; agentIds?: string[]; [k: string]: unknown };
  items?: unknown[];
  code?: string;
}

class WsClient {
  readonly frames: Frame[] = [];
  closed: { code: number } | null = null;
  #waiters: (() => void)[] = [];
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)));
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('close', (code) => {
      this.closed = { code };
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  static async open(url: string, token: string): Promise<WsClient> {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WsClient(socket);
  }
  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  events(): NonNullable<Frame['event']>[] {
    return this.frames.filter((f) => f.type === 'event').map((f) => f.event!);
  }
  async until(pred: (frames: Frame[]) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.frames)) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting`);
      if (Date.now() > deadline)
        throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
  close(): void {
    this.socket.close();
  }
}

describe.each(engines)('routing API on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  let wsUrl: string;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open());
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    wsUrl = `ws://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/api/ws`;
  });
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  async function setup(queue: Record<string, unknown> = {}) {
    const t = await server.newTenant('Routing');
    const res = await t.request({
      method: 'POST',
      url: '/api/queues',
      payload: { name: 'Support', wrapUpSeconds: 30, ...queue },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { t, queueId: res.json().id as string };
  }

  async function readyAgent(t: TenantClient) {
    const agent = await t.userToken('agent');
    const login = await t.request({ method: 'POST', url: '/api/agent/login', token: agent.token });
    expect(login.json()).toMatchObject({ status: 'not_ready' });
    const ready = await t.request({
      method: 'PUT',
      url: '/api/agent/state',
      token: agent.token,
      payload: { state: 'ready' },
    });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toMatchObject({ presence: 'ready' });
    return agent;
  }

  const task = (t: TenantClient, queueId: string, extra: Record<string, unknown> = {}) =>
    t.request({
      method: 'POST',
      url: '/api/interactions',
      payload: {
        queueId,
        subject: 'Call me back about my order',
        contact: { name: 'Ivan', phone: '+79990001122' },
        ...extra,
      },
    });

  it('routes a task to a ready agent, who accepts, ends and wraps up with a disposition', async () => {
    const { t, queueId } = await setup();
    const code = (
      await t.request({
        method: 'POST',
        url: '/api/disposition-codes',
        payload: { code: 'DONE', name: 'Done' },
      })
    ).json();
    const agent = await readyAgent(t);
    const ws = await WsClient.open(wsUrl, agent.token);
    ws.send({ type: 'subscribe' });
    await ws.until((f) => f.some((x) => x.type === 'ready'));

    const created = await task(t, queueId);
    expect(created.statusCode, created.body).toBe(201);
    const ix = created.json();
    expect(ix).toMatchObject({ state: 'offered', channel: 'task', queueId, contact: { name: 'Ivan' } });
    await ws.until(() => ws.events().some((e) => e.type === 'routing.offered'));
    expect(ws.events().find((e) => e.type === 'routing.offered')).toMatchObject({
      interactionId: ix.id,
      agentIds: [agent.id],
    });

    const accepted = await t.request({
      method: 'POST',
      url: `/api/agent/offers/${ix.id}/accept`,
      token: agent.token,
    });
    expect(accepted.json()).toMatchObject({
      status: 'busy',
      work: [{ interactionId: ix.id, phase: 'connected' }],
    });
    const again = await t.request({
      method: 'POST',
      url: `/api/agent/offers/${ix.id}/accept`,
      token: agent.token,
    });
    expect(again.statusCode, 'double accept is idempotent').toBe(200);
    // The answer time is stored, so a restart keeps counting handle time from it.
    const row = await server.db.kysely
      .selectFrom('interactions')
      .select('connected_at')
      .where('id', '=', ix.id)
      .executeTakeFirstOrThrow();
    expect(row.connected_at).toBeInstanceOf(Date);

    const ended = await t.request({
      method: 'POST',
      url: `/api/agent/interactions/${ix.id}/end`,
      token: agent.token,
    });
    expect(ended.json()).toMatchObject({ status: 'wrap_up', work: [{ phase: 'wrap_up' }] });
    const wrapped = await t.request({
      method: 'POST',
      url: `/api/agent/interactions/${ix.id}/wrap-up`,
      token: agent.token,
      payload: { dispositionCodeId: code.id, notes: 'refund issued' },
    });
    expect(wrapped.statusCode, wrapped.body).toBe(200);
    expect(wrapped.json()).toMatchObject({ status: 'ready', work: [], handledToday: 1 });

    const stored = (await t.request({ method: 'GET', url: `/api/interactions/${ix.id}` })).json();
    expect(stored).toMatchObject({
      state: 'closed',
      agentId: agent.id,
      dispositionCodeId: code.id,
      notes: 'refund issued',
    });
    expect(stored.closedAt).toEqual(expect.any(String));

    const why = (await t.request({ method: 'GET', url: `/api/interactions/${ix.id}/routing` })).json();
    expect(why.decisions).toHaveLength(1);
    expect(why.decisions[0]).toMatchObject({ trigger: 'interaction', chosen: [agent.id] });
    expect(why.decisions[0].explanation.candidates[0]).toMatchObject({
      agentId: agent.id,
      strategy: 'longest_idle',
    });

    await ws.until(() =>
      ws.events().some((e) => e.type === 'interaction.state_changed' && e.to === 'closed'),
    );
    const seqs = ws.frames.filter((f) => f.type === 'event').map((f) => BigInt(f.seq!));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(seqs).size).toBe(seqs.length);
    ws.close();
  });

  it('queues while nobody is ready, shows positions, and serves by priority then time', async () => {
    const { t, queueId } = await setup();
    const ids: string[] = [];
    for (const extra of [{}, {}, { priority: 50 }]) {
      const res = await task(t, queueId, extra);
      expect(res.json()).toMatchObject({ state: 'queued' });
      ids.push(res.json().id);
    }
    const positions = [];
    for (const id of ids)
      positions.push((await t.request({ method: 'GET', url: `/api/interactions/${id}` })).json().position);
    expect(positions).toEqual([2, 3, 1]);
    const agent = await readyAgent(t);
    const me = (await t.request({ method: 'GET', url: '/api/agent/me', token: agent.token })).json();
    expect(me).toMatchObject({ status: 'reserved', work: [{ interactionId: ids[2], phase: 'offered' }] });
    const live = (await t.request({ method: 'GET', url: '/api/supervisor/queues' })).json();
    expect(live.items).toEqual([
      expect.objectContaining({
        queueId,
        waiting: 2,
        loggedIn: 1,
        offeredToday: 3,
        answeredToday: 0,
        ewtSeconds: expect.any(Number),
      }),
    ]);
    const grid = (await t.request({ method: 'GET', url: '/api/supervisor/agents' })).json();
    expect(grid.items.find((a: { agentId: string }) => a.agentId === agent.id)).toMatchObject({
      status: 'reserved',
    });
  });

  it('refuses bad input and other people’s work with stable codes', async () => {
    const { t, queueId } = await setup();
    const a1 = await readyAgent(t);
    const a2 = await t.userToken('agent');
    const ix = (await task(t, queueId)).json();
    expect(ix.state).toBe('offered');

    const err = async (
      res: Promise<{ statusCode: number; json(): unknown }>,
      status: number,
      code: string,
    ) => {
      const r = await res;
      expect(r.statusCode).toBe(status);
      expect(r.json()).toMatchObject({ error: { code } });
    };
    await err(
      t.request({ method: 'POST', url: `/api/agent/offers/${ix.id}/accept`, token: a2.token }),
      409,
      'NOT_YOUR_OFFER',
    );
    await err(task(t, '00000000-0000-4000-8000-000000000000'), 400, 'INVALID_REFERENCE');
    await err(
      task(t, queueId, { skills: [{ skillId: '00000000-0000-4000-8000-000000000000', minLevel: 3 }] }),
      400,
      'INVALID_REFERENCE',
    );
    await err(task(t, queueId, { priority: 1000 }), 400, 'VALIDATION_FAILED');
    await err(task(t, queueId, { contact: { name: 'x', evil: 1 } }), 400, 'VALIDATION_FAILED');
    await err(
      t.request({ method: 'POST', url: `/api/agent/interactions/${ix.id}/end`, token: a2.token }),
      403,
      'FORBIDDEN',
    );
    await err(
      t.request({ method: 'PUT', url: '/api/agent/state', token: a2.token, payload: { state: 'ready' } }),
      409,
      'ILLEGAL_TRANSITION',
    );
    await err(
      t.request({ method: 'GET', url: `/api/interactions/${ix.id}`, token: a2.token }),
      404,
      'NOT_FOUND',
    );

    // Another tenant cannot see, accept or end A's interaction, even with the id.
    const other = await server.newTenant('Other');
    const b = await other.userToken('agent');
    await other.request({ method: 'POST', url: '/api/agent/login', token: b.token });
    await err(
      other.request({ method: 'POST', url: `/api/agent/offers/${ix.id}/accept`, token: b.token }),
      404,
      'NOT_FOUND',
    );
    await err(
      other.request({ method: 'POST', url: `/api/agent/offers/${ix.id}/decline`, token: b.token }),
      404,
      'NOT_FOUND',
    );
    await err(
      other.request({ method: 'POST', url: `/api/agent/interactions/${ix.id}/end`, token: b.token }),
      404,
      'NOT_FOUND',
    );
    await err(
      other.request({
        method: 'POST',
        url: `/api/agent/interactions/${ix.id}/wrap-up`,
        token: b.token,
        payload: {},
      }),
      403,
      'FORBIDDEN',
    );
    await err(
      other.request({
        method: 'POST',
        url: `/api/agent/interactions/${ix.id}/transfer`,
        token: b.token,
        payload: { queueId },
      }),
      404,
      'NOT_FOUND',
    );
    await err(other.request({ method: 'GET', url: `/api/interactions/${ix.id}` }), 404, 'NOT_FOUND');
    for (const [method, url] of [
      ['GET', '/api/agent/me'],
      ['POST', '/api/agent/logout'],
      ['GET', '/api/supervisor/agents'],
    ] as const) {
      const res = await other.request({
        method,
        url,
        ...(url.startsWith('/api/agent') ? { token: b.token } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(200);
      for (const secret of [a1.id, a2.id, ix.id, queueId, t.tenantId]) expect(res.body).not.toContain(secret);
    }
    await err(other.request({ method: 'GET', url: `/api/interactions/${ix.id}/routing` }), 404, 'NOT_FOUND');
    await err(
      other.request({ method: 'POST', url: '/api/interactions', payload: { queueId } }),
      400,
      'INVALID_REFERENCE',
    );
    await err(
      other.request({
        method: 'PUT',
        url: `/api/supervisor/agents/${a1.id}/state`,
        payload: { state: 'logged_out' },
      }),
      404,
      'NOT_FOUND',
    );
    const bQueues = (await other.request({ method: 'GET', url: '/api/supervisor/queues' })).json();
    expect(JSON.stringify(bQueues)).not.toContain(queueId);
    // A is untouched.
    expect((await t.request({ method: 'GET', url: `/api/interactions/${ix.id}` })).json()).toMatchObject({
      state: 'offered',
    });
    // An agent may not use supervisor powers.
    await err(t.request({ method: 'GET', url: '/api/supervisor/queues', token: a1.token }), 403, 'FORBIDDEN');
  });

  it('transfers a connected interaction to another agent, then closes it there', async () => {
    const { t, queueId } = await setup({ wrapUpSeconds: 0 });
    const first = await readyAgent(t);
    const ix = (await task(t, queueId)).json();
    await t.request({ method: 'POST', url: `/api/agent/offers/${ix.id}/accept`, token: first.token });
    const second = await readyAgent(t);
    const moved = await t.request({
      method: 'POST',
      url: `/api/agent/interactions/${ix.id}/transfer`,
      token: first.token,
      payload: { queueId, agentId: second.id, note: 'VIP' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ work: [] });
    const there = (await t.request({ method: 'GET', url: '/api/agent/me', token: second.token })).json();
    expect(there).toMatchObject({ status: 'reserved', work: [{ interactionId: ix.id, phase: 'offered' }] });
    await t.request({ method: 'POST', url: `/api/agent/offers/${ix.id}/accept`, token: second.token });
    // The next agent reads the note (kept in the interaction's events), with who wrote it.
    const seen = (
      await t.request({ method: 'GET', url: `/api/interactions/${ix.id}`, token: second.token })
    ).json();
    expect(seen.transferNotes).toEqual([
      { at: expect.any(String), fromAgentId: first.id, fromName: 'A agent', note: 'VIP' },
    ]);
    const events = await server.db.kysely
      .selectFrom('interaction_events')
      .select(['type', 'data'])
      .where('interaction_id', '=', ix.id)
      .where('type', '=', 'interaction.transfer_note')
      .execute();
    expect(events).toEqual([
      {
        type: 'interaction.transfer_note',
        data: expect.objectContaining({ note: 'VIP', toQueueId: queueId, toAgentId: second.id }),
      },
    ]);
    await t.request({ method: 'POST', url: `/api/agent/interactions/${ix.id}/end`, token: second.token });
    expect((await t.request({ method: 'GET', url: `/api/interactions/${ix.id}` })).json()).toMatchObject({
      state: 'closed',
      agentId: second.id,
    });
  });

  it('a late wrap-up after a transfer never overwrites the final disposition', async () => {
    const { t, queueId } = await setup({ wrapUpSeconds: 120 });
    const code = async (name: string) =>
      (
        await t.request({
          method: 'POST',
          url: '/api/disposition-codes',
          payload: { code: name.toUpperCase().replace(' ', '_'), name },
        })
      ).json().id as string;
    const [mine, final] = [await code('Passed on'), await code('Resolved')];
    const first = await readyAgent(t);
    const ix = (await task(t, queueId)).json();
    await t.request({ method: 'POST', url: `/api/agent/offers/${ix.id}/accept`, token: first.token });
    const second = await readyAgent(t);
    const moved = await t.request({
      method: 'POST',
      url: `/api/agent/interactions/${ix.id}/transfer`,
      token: first.token,
      payload: { queueId, agentId: second.id },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await t.request({ method: 'POST', url: `/api/agent/offers/${ix.id}/accept`, token: second.token });
    const wrap = (token: string, dispositionCodeId: string, notes: string) =>
      t.request({
        method: 'POST',
        url: `/api/agent/interactions/${ix.id}/wrap-up`,
        token,
        payload: { dispositionCodeId, notes },
      });
    expect((await wrap(second.token, final, 'fixed')).statusCode).toBe(200);
    const firstWork = (await t.request({ method: 'GET', url: '/api/agent/me', token: first.token })).json()
      .work;
    if (firstWork.some((w: { interactionId: string }) => w.interactionId === ix.id)) {
      expect((await wrap(first.token, mine, 'handed over')).statusCode).toBe(200);
    }
    expect((await t.request({ method: 'GET', url: `/api/interactions/${ix.id}` })).json()).toMatchObject({
      dispositionCodeId: final,
      notes: 'fixed',
    });
    const wrapUps = await server.db.kysely
      .selectFrom('interaction_events')
      .select('data')
      .where('interaction_id', '=', ix.id)
      .where('type', '=', 'interaction.wrap_up')
      .orderBy('seq')
      .execute();
    expect(wrapUps.map((e) => e.data)).toEqual([
      expect.objectContaining({ agentId: second.id, dispositionCodeId: final, final: true }),
      expect.objectContaining({
        agentId: first.id,
        dispositionCodeId: mine,
        notes: 'handed over',
        final: false,
      }),
    ]);
  });

  it('a transfer without a note, or refused, stores no note', async () => {
    const { t, queueId } = await setup({ wrapUpSeconds: 0 });
    const first = await readyAgent(t);
    const second = await t.userToken('agent');
    const ix = (await task(t, queueId)).json();
    await t.request({ method: 'POST', url: `/api/agent/offers/${ix.id}/accept`, token: first.token });
    const notMine = await t.request({
      method: 'POST',
      url: `/api/agent/interactions/${ix.id}/transfer`,
      token: second.token,
      payload: { queueId, note: 'not mine to pass on' },
    });
    expect(notMine.statusCode).toBe(403);
    const blank = await t.request({
      method: 'POST',
      url: `/api/agent/interactions/${ix.id}/transfer`,
      token: first.token,
      payload: { queueId, note: '   ' },
    });
    expect(blank.statusCode, blank.body).toBe(200);
    expect(
      (await t.request({ method: 'GET', url: `/api/interactions/${ix.id}` })).json().transferNotes,
    ).toEqual([]);
  });

  it('shows an agent their capacity per channel and what they hold of it', async () => {
    const { t, queueId } = await setup();
    const agent = await readyAgent(t);
    const idle = (await t.request({ method: 'GET', url: '/api/agent/me', token: agent.token })).json();
    expect(idle.capacity.chat).toEqual({ max: expect.any(Number), used: 0 });
    expect(Object.keys(idle.capacity).sort()).toEqual(['chat', 'email', 'messenger', 'sms', 'task', 'voice']);
    const ix = (await task(t, queueId)).json();
    const offered = (await t.request({ method: 'GET', url: '/api/agent/me', token: agent.token })).json();
    expect(offered.capacity.task).toEqual({ max: idle.capacity.task.max, used: 1 });
    const accepted = await t.request({
      method: 'POST',
      url: `/api/agent/offers/${ix.id}/accept`,
      token: agent.token,
    });
    expect(accepted.json().capacity.task.used).toBe(1);
    expect(accepted.json().capacity.chat.used).toBe(0);
    // Supervisors see the same figures in the agent grid.
    const grid = (await t.request({ method: 'GET', url: '/api/supervisor/agents' })).json();
    expect(grid.items.find((a: { agentId: string }) => a.agentId === agent.id).capacity.task.used).toBe(1);
  });

  it('lists colleagues for a transfer: names, status and free chats only, own tenant only', async () => {
    const { t } = await setup();
    const other = await server.newTenant('Elsewhere');
    const stranger = await other.userToken('agent');
    const ready = await readyAgent(t);
    const asker = await t.userToken('agent');
    const res = await t.request({ method: 'GET', url: '/api/agent/directory', token: asker.token });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as Record<string, unknown>[];
    const byId = new Map(items.map((i) => [i.agentId, i]));
    expect(byId.get(ready.id)).toEqual({
      agentId: ready.id,
      displayName: 'A agent',
      status: 'ready',
      freeChats: expect.any(Number),
    });
    expect(byId.get(ready.id)!.freeChats).toBeGreaterThan(0);
    expect(byId.get(asker.id)).toMatchObject({ status: 'logged_out', freeChats: 0 });
    expect(byId.has(stranger.id)).toBe(false);
    // Only what a colleague may see.
    for (const item of items)
      expect(Object.keys(item).sort()).toEqual(['agentId', 'displayName', 'freeChats', 'status']);
    expect(res.body).not.toContain('@example.com');
    // The full user list stays with supervisors.
    expect((await t.request({ method: 'GET', url: '/api/users', token: asker.token })).statusCode).toBe(403);
    expect(
      (await t.request({ method: 'GET', url: '/api/agent/directory', token: 'hls_bogus' })).statusCode,
    ).toBe(401);
  });

  it('takes a deactivated agent out of routing at once', async () => {
    const { t, queueId } = await setup();
    const gone = await readyAgent(t);
    const stays = await readyAgent(t);
    const off = await t.request({
      method: 'PATCH',
      url: `/api/users/${gone.id}`,
      payload: { active: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    const grid = (await t.request({ method: 'GET', url: '/api/supervisor/agents' })).json();
    expect(grid.items.find((a: { agentId: string }) => a.agentId === gone.id)).toMatchObject({
      presence: 'logged_out',
    });
    for (let i = 0; i < 2; i++) {
      const ix = (await task(t, queueId)).json();
      const why = (await t.request({ method: 'GET', url: `/api/interactions/${ix.id}/routing` })).json();
      for (const d of why.decisions) expect(d.chosen).not.toContain(gone.id);
    }
    const me = (await t.request({ method: 'GET', url: '/api/agent/me', token: stays.token })).json();
    expect(me.status).toBe('reserved');
  });

  it('resumes the event stream after a reconnect: nothing missed, nothing twice', async () => {
    const { t, queueId } = await setup();
    const agent = await readyAgent(t);
    const first = await WsClient.open(wsUrl, agent.token);
    first.send({ type: 'subscribe', after: '0' });
    await first.until((f) => f.some((x) => x.type === 'ready'));
    const ix1 = (await task(t, queueId)).json();
    await first.until(() => first.events().some((e) => e.type === 'routing.offered'));
    const lastSeen = first.frames.filter((f) => f.type === 'event').at(-1)!.seq!;
    first.close();

    // While disconnected: decline, a second task, accept it.
    await t.request({ method: 'POST', url: `/api/agent/offers/${ix1.id}/decline`, token: agent.token });
    const ix2 = (await task(t, queueId)).json();
    await t.request({ method: 'POST', url: `/api/agent/offers/${ix2.id}/accept`, token: agent.token });

    const second = await WsClient.open(wsUrl, agent.token);
    second.send({ type: 'subscribe', after: lastSeen });
    await second.until((f) => f.some((x) => x.type === 'ready'));
    const replayed = second.frames.filter((f) => f.type === 'event');
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed.every((f) => BigInt(f.seq!) > BigInt(lastSeen))).toBe(true);
    const types = replayed.map((f) => `${f.event!.type}:${f.event!.interactionId ?? ''}`);
    expect(types).toContain(`routing.offer_withdrawn:${ix1.id}`);
    expect(types).toContain(`routing.offered:${ix2.id}`);
    expect(types).toContain(`routing.accepted:${ix2.id}`);
    expect(new Set(replayed.map((f) => f.seq)).size).toBe(replayed.length);
    // Then live: an end arrives once, after the replay.
    await t.request({ method: 'POST', url: `/api/agent/interactions/${ix2.id}/end`, token: agent.token });
    await second.until(() => second.events().some((e) => e.type === 'interaction.ended'));
    expect(second.events().filter((e) => e.type === 'interaction.ended')).toHaveLength(1);
    second.close();
  });

  it('rejects unauthenticated sockets and bad frames', async () => {
    const { t } = await setup();
    const agent = await t.userToken('agent');
    await expect(WsClient.open(wsUrl, 'hls_forged')).rejects.toThrow(/401/);
    const ws = await WsClient.open(wsUrl, agent.token);
    ws.send('not json');
    ws.send({ type: 'subscribe', after: 'DROP TABLE' });
    await ws.until((f) => f.filter((x) => x.type === 'error').length === 2);
    expect(ws.frames[0]).toMatchObject({ type: 'error', code: 'INVALID_FRAME' });
    for (let i = 0; i < 10; i++) ws.send('{');
    await new Promise<void>((r) => ws.socket.once('close', () => r()));
    expect(ws.closed?.code).toBe(1008);
  });

  it('closes a socket whose session was signed out', async () => {
    const { t } = await setup();
    const agent = await t.userToken('agent');
    const ws = await WsClient.open(wsUrl, agent.token);
    ws.send({ type: 'subscribe' });
    await ws.until((f) => f.some((x) => x.type === 'ready'));
    const out = await t.request({ method: 'POST', url: '/api/auth/logout', token: agent.token });
    expect(out.statusCode).toBe(204);
    await new Promise<void>((r) => (ws.closed ? r() : ws.socket.once('close', () => r())));
    expect(ws.closed?.code).toBe(4401);
  });

  it('supervisors get every event of their tenant and the live queue figures', async () => {
    const { t, queueId } = await setup();
    const ws = await WsClient.open(wsUrl, t.token);
    ws.send({ type: 'subscribe' });
    await ws.until((f) => f.some((x) => x.type === 'queues'));
    const agent = await readyAgent(t);
    await task(t, queueId);
    await ws.until(() => ws.events().some((e) => e.type === 'routing.offered'));
    await ws.until((f) =>
      f.filter((x) => x.type === 'queues').some((x) => JSON.stringify(x.items).includes('"offeredToday":1')),
    );
    const forced = await t.request({
      method: 'PUT',
      url: `/api/supervisor/agents/${agent.id}/state`,
      payload: { state: 'not_ready' },
    });
    expect(forced.json()).toMatchObject({ presence: 'not_ready', reason: 'supervisor', work: [] });
    ws.close();
  });
});
