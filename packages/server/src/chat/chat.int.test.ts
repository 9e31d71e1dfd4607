import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TestServer } from '../testing/test-server';
import {
  accept,
  chatTenant,
  customerSocket,
  type Frame,
  messageTexts,
  readyAgent,
  Socket,
  startChat,
  urls,
  visitorHeaders,
  watchingSocket,
} from './testing/chat-kit';

/**
 * Web chat end to end in one process: the widget API and socket on one side, the agent's REST and
 * realtime socket on the other, routing in between, stored in PGlite or PostgreSQL.
 */
describe.each(engines)('web chat on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  const sockets: Socket[] = [];
  const track = <S extends Socket>(s: S) => {
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open(), {
      chatLimits: { addressConversations: { burst: 1000, perSecond: 100 } },
      widgetHelloTimeoutMs: 500,
    });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  const statusOf = (f: Frame) =>
    f.status as { status: string; position: number | null; agentName: string | null };

  it('shows the widget offline until someone is logged in, then starts a queued chat with a contact', async () => {
    const { t, slug, queueId } = await chatTenant(server);
    const offline = await server.app.inject({ method: 'GET', url: `/api/widget/${slug}/config?lang=ru` });
    expect(offline.statusCode, offline.body).toBe(200);
    expect(offline.json()).toMatchObject({
      online: false,
      offlineReason: 'nobody_available',
      topics: [
        { key: 'general', label: 'Общие вопросы' },
        { key: 'billing', label: 'Оплата' },
      ],
      preChat: { name: 'required' },
      limits: { maxMessageChars: 4000 },
    });
    expect(offline.body).not.toContain(queueId);

    const started = await startChat(server, slug, {
      topic: 'billing',
      message: 'Where is my refund?',
      page: 'https://shop.example/cart',
    });
    expect(started.visitorToken).toMatch(/^hlv_[A-Za-z0-9_-]{43}$/);
    expect(started.status).toMatchObject({ status: 'queued', position: 1, ewtSeconds: null, lastSeq: 1 });
    // The token is stored only as its hash.
    const stored = await server.db.kysely.selectFrom('widget_visitors').select('token_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(started.visitorToken);

    const ix = (
      await t.request({ method: 'GET', url: `/api/interactions/${started.conversationId}` })
    ).json();
    expect(ix).toMatchObject({
      channel: 'chat',
      state: 'queued',
      queueId,
      subject: 'Billing: Where is my refund?',
      contact: { name: 'Ivan', email: 'ivan@example.com' },
      data: { topic: 'billing', page: 'https://shop.example/cart', language: 'en' },
      contactId: expect.any(String),
      position: 1,
    });

    await readyAgent(t);
    const online = await server.app.inject({ method: 'GET', url: `/api/widget/${slug}/config` });
    expect(online.json()).toMatchObject({ online: true, offlineReason: null });

    // The same browser again: same visitor, same contact; another browser with the same e-mail: same contact.
    const again = await startChat(server, slug, {
      visitorToken: started.visitorToken,
      email: 'other@example.com',
    });
    expect(again.visitorToken).toBe(started.visitorToken);
    const other = await startChat(server, slug, { email: 'IVAN@example.com' });
    expect(other.visitorToken).not.toBe(started.visitorToken);
    const contactOf = async (id: string) =>
      (await t.request({ method: 'GET', url: `/api/interactions/${id}` })).json().contactId;
    expect(await contactOf(again.conversationId)).toBe(ix.contactId);
    expect(await contactOf(other.conversationId)).toBe(ix.contactId);
    const visitors = await server.db.kysely
      .selectFrom('widget_visitors')
      .select('id')
      .where('tenant_id', '=', t.tenantId)
      .execute();
    expect(visitors).toHaveLength(2);

    // A required pre-chat field missing, an unknown topic.
    const noName = await server.app.inject({
      method: 'POST',
      url: `/api/widget/${slug}/conversations`,
      payload: { email: 'a@example.com' },
    });
    expect(noName.statusCode).toBe(400);
    expect(noName.json().error.code).toBe('VALIDATION_FAILED');
    const badTopic = await server.app.inject({
      method: 'POST',
      url: `/api/widget/${slug}/conversations`,
      payload: { name: 'A', topic: 'nope' },
    });
    expect(badTopic.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('shows the widget closed outside its calendar, even with agents ready', async () => {
    const { t, slug, queueId } = await chatTenant(server);
    await readyAgent(t);
    const never = await t.request({
      method: 'POST',
      url: '/api/calendars',
      payload: { name: 'Never open', timeZone: 'UTC', weekly: [] },
    });
    const always = await t.request({
      method: 'POST',
      url: '/api/calendars',
      payload: {
        name: 'Always open',
        timeZone: 'UTC',
        weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({
          day,
          open: '00:00',
          close: '24:00',
        })),
      },
    });
    const config = async (calendarId: string) => {
      const put = await t.request({
        method: 'PUT',
        url: '/api/widget-settings',
        payload: { calendarId, topics: [{ key: 'general', label: { en: 'General', ru: 'Общие' }, queueId }] },
      });
      expect(put.statusCode, put.body).toBe(200);
      return (await server.app.inject({ method: 'GET', url: `/api/widget/${slug}/config` })).json();
    };
    expect(await config(never.json().id)).toMatchObject({ online: false, offlineReason: 'closed' });
    expect(await config(always.json().id)).toMatchObject({ online: true, offlineReason: null });
  });

  it('carries messages both ways live, with acks, idempotent resends and visibility rules', async () => {
    const { t, slug } = await chatTenant(server);
    const agent = await readyAgent(t);
    const chat = await startChat(server, slug, { message: 'Hello?' });
    const customer = track(await customerSocket(server, chat));
    expect(statusOf(customer.of('welcome')[0]!)).toMatchObject({ status: 'queued' });
    await customer.until((f) => messageTexts(f, 'message').length > 0);
    expect(messageTexts(customer.frames, 'message')).toEqual(['Hello?']);

    // Offered: the agent may read (not whispers), not write.
    const early = await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-msg-0001', text: 'too early' },
    });
    expect(early.statusCode).toBe(403);
    expect((await accept(t, agent.token, chat.conversationId)).statusCode).toBe(200);
    await customer.until((f) =>
      f.some(
        (x) =>
          x.type === 'status' && statusOf(x).status === 'connected' && statusOf(x).agentName === 'A agent',
      ),
    );

    const desk = track(await watchingSocket(server, agent.token, chat.conversationId));
    expect(messageTexts(desk.frames, 'chat.message')).toEqual(['Hello?']);
    expect(desk.of('chat.watching')[0]).toMatchObject({ lastSeq: 1, readByCustomerSeq: 0 });

    customer.send({ type: 'send', clientId: 'cust-msg-0001', text: 'My order 42 is late' });
    await customer.until((f) => f.some((x) => x.type === 'ack' && x.clientId === 'cust-msg-0001'));
    expect(customer.of('ack')[0]).toMatchObject({ seq: 2, id: expect.any(String) });
    await desk.until((f) => messageTexts(f, 'chat.message').includes('My order 42 is late'));
    // The same clientId again (a reconnect resend): acked with the stored message, not stored twice.
    customer.send({ type: 'send', clientId: 'cust-msg-0001', text: 'My order 42 is late' });
    await customer.until((f) => f.filter((x) => x.type === 'ack').length === 2);
    expect(customer.of('ack')[1]).toEqual(customer.of('ack')[0]);

    const reply = await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-msg-0001', text: 'Checking, one moment' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json()).toMatchObject({
      seq: 3,
      author: { kind: 'agent', userId: agent.id, name: 'A agent' },
      visibility: 'public',
    });
    const resent = await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-msg-0001', text: 'Checking, one moment' },
    });
    expect(resent.statusCode).toBe(200);
    expect(resent.json().id).toBe(reply.json().id);
    const note = await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-note-001', text: 'customer sounds upset', visibility: 'internal' },
    });
    expect(note.statusCode).toBe(201);
    const supervisor = await t.userToken('supervisor');
    const whisper = await t.request({
      method: 'POST',
      url: `/api/supervisor/interactions/${chat.conversationId}/whisper`,
      token: supervisor.token,
      payload: { clientId: 'whisper-00001', text: 'offer a voucher' },
    });
    expect(whisper.statusCode, whisper.body).toBe(201);
    expect(whisper.json()).toMatchObject({ visibility: 'whisper', author: { kind: 'supervisor' } });

    await desk.until((f) => messageTexts(f, 'chat.message').includes('offer a voucher'));
    expect(messageTexts(desk.frames, 'chat.message')).toEqual([
      'Hello?',
      'My order 42 is late',
      'Checking, one moment',
      'customer sounds upset',
      'offer a voucher',
    ]);
    await customer.until((f) => messageTexts(f, 'message').includes('Checking, one moment'));
    customer.send({ type: 'ping' });
    await customer.until((f) => f.some((x) => x.type === 'pong'));
    // Public only, each once, in seq order.
    expect(messageTexts(customer.frames, 'message')).toEqual([
      'Hello?',
      'My order 42 is late',
      'Checking, one moment',
    ]);

    // History over REST: the customer sees public only; the agent everything; `after` pages.
    const widgetLog = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${chat.conversationId}/messages?after=1`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(widgetLog.json().items.map((m: { seq: number }) => m.seq)).toEqual([2, 3]);
    const agentLog = await t.request({
      method: 'GET',
      url: `/api/interactions/${chat.conversationId}/messages?after=2`,
      token: agent.token,
    });
    expect(agentLog.json().items.map((m: { visibility: string }) => m.visibility)).toEqual([
      'public',
      'internal',
      'whisper',
    ]);

    // Typing and read marks, both ways.
    customer.send({ type: 'typing', active: true });
    await desk.until((f) => f.some((x) => x.type === 'chat.typing' && x.active === true));
    desk.send({ type: 'typing', interactionId: chat.conversationId, active: true });
    await customer.until((f) => f.some((x) => x.type === 'typing' && x.active === true));
    customer.send({ type: 'mark', mark: 'read', seq: 3 });
    await desk.until((f) => f.some((x) => x.type === 'chat.mark' && x.seq === 3 && x.mark === 'read'));
    desk.send({ type: 'mark', interactionId: chat.conversationId, mark: 'read', seq: 2 });
    await customer.until((f) => f.some((x) => x.type === 'mark' && x.by === 'agent' && x.seq === 2));
    const stored = await server.db.kysely
      .selectFrom('conversations')
      .select(['read_by_customer_seq', 'read_by_agent_seq', 'last_seq'])
      .where('interaction_id', '=', chat.conversationId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ read_by_customer_seq: 3, read_by_agent_seq: 2, last_seq: 5 });
    const status = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${chat.conversationId}`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(status.json()).toMatchObject({
      status: 'connected',
      lastSeq: 5,
      readByAgentSeq: 2,
      agentName: 'A agent',
    });
  });

  it('resumes after a reconnect from the last seq seen: nothing missed, nothing twice', async () => {
    const { t, slug } = await chatTenant(server);
    const agent = await readyAgent(t);
    const chat = await startChat(server, slug, { message: 'one' });
    await accept(t, agent.token, chat.conversationId);
    const first = await customerSocket(server, chat);
    first.close();
    for (const text of ['two', 'three']) {
      await t.request({
        method: 'POST',
        url: `/api/interactions/${chat.conversationId}/messages`,
        token: agent.token,
        payload: { clientId: `agent-${text}-0001`, text },
      });
    }
    const second = track(await customerSocket(server, chat, 1));
    await second.until((f) => messageTexts(f, 'message').length === 2);
    expect(messageTexts(second.frames, 'message')).toEqual(['two', 'three']);
    const desk = track(await watchingSocket(server, agent.token, chat.conversationId, 2));
    expect(messageTexts(desk.frames, 'chat.message')).toEqual(['three']);
    await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-four-0001', text: 'four' },
    });
    await second.until((f) => messageTexts(f, 'message').includes('four'));
    await desk.until((f) => messageTexts(f, 'chat.message').includes('four'));
    expect(messageTexts(second.frames, 'message')).toEqual(['two', 'three', 'four']);
    expect(messageTexts(desk.frames, 'chat.message')).toEqual(['three', 'four']);
  });

  it('ends for both sides: the customer ends a connected chat (agent to wrap-up) or a queued one (abandoned)', async () => {
    const { t, slug } = await chatTenant(server);
    const agent = await readyAgent(t);
    const chat = await startChat(server, slug);
    await accept(t, agent.token, chat.conversationId);
    const customer = track(await customerSocket(server, chat));
    const ended = await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${chat.conversationId}/end`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toMatchObject({ status: 'ended' });
    await customer.until((f) => f.some((x) => x.type === 'status' && statusOf(x).status === 'ended'));
    const me = (await t.request({ method: 'GET', url: '/api/agent/me', token: agent.token })).json();
    expect(me.work).toEqual([
      expect.objectContaining({ interactionId: chat.conversationId, phase: 'wrap_up' }),
    ]);
    // Nothing more can be sent, by either side; an internal note in wrap-up still can.
    customer.send({ type: 'send', clientId: 'after-the-end', text: 'hello?' });
    await customer.until((f) => f.some((x) => x.type === 'error' && x.clientId === 'after-the-end'));
    expect(customer.of('error')[0]).toMatchObject({ code: 'CONVERSATION_ENDED' });
    const late = await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-late-01', text: 'still there?' },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('CONVERSATION_ENDED');
    const wrapNote = await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-note-01', text: 'left angry', visibility: 'internal' },
    });
    expect(wrapNote.statusCode).toBe(201);
    // Ending twice is harmless.
    const again = await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${chat.conversationId}/end`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(again.statusCode).toBe(200);

    const { t: t2, slug: slug2 } = await chatTenant(server);
    const waiting = await startChat(server, slug2);
    await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${waiting.conversationId}/end`,
      headers: visitorHeaders(waiting.visitorToken),
    });
    const gone = (
      await t2.request({ method: 'GET', url: `/api/interactions/${waiting.conversationId}` })
    ).json();
    expect(gone.state).toBe('abandoned');
  });

  it('tells the customer when the agent ends, then takes a rating once and gives a transcript', async () => {
    const { t, slug } = await chatTenant(server);
    const agent = await readyAgent(t);
    const xss = '<img src=x onerror=alert(1)>';
    const chat = await startChat(server, slug, { name: `Eve ${xss}`, message: `hi ${xss}` });
    await accept(t, agent.token, chat.conversationId);
    const customer = track(await customerSocket(server, chat));
    const early = await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${chat.conversationId}/rating`,
      headers: visitorHeaders(chat.visitorToken),
      payload: { score: 5 },
    });
    expect(early.statusCode).toBe(409);
    await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-bye-0001', text: 'Glad to help\nBye' },
    });
    await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
      payload: { clientId: 'agent-note-0001', text: 'SECRET NOTE', visibility: 'internal' },
    });
    const end = await t.request({
      method: 'POST',
      url: `/api/agent/interactions/${chat.conversationId}/end`,
      token: agent.token,
    });
    expect(end.statusCode, end.body).toBe(200);
    await customer.until((f) => f.some((x) => x.type === 'status' && statusOf(x).status === 'ended'));

    const rate = (payload: unknown) =>
      server.app.inject({
        method: 'POST',
        url: `/api/widget/conversations/${chat.conversationId}/rating`,
        headers: visitorHeaders(chat.visitorToken),
        payload: payload as object,
      });
    expect((await rate({ score: 9 })).statusCode).toBe(400);
    const rated = await rate({ score: 4, comment: 'quick' });
    expect(rated.statusCode, rated.body).toBe(200);
    expect(rated.json()).toMatchObject({ rated: true, status: 'ended' });
    expect((await rate({ score: 1 })).json().error.code).toBe('DUPLICATE');
    const row = await server.db.kysely
      .selectFrom('interactions')
      .select(['rating', 'rating_comment'])
      .where('id', '=', chat.conversationId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ rating: 4, rating_comment: 'quick' });

    const transcript = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${chat.conversationId}/transcript`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(transcript.statusCode).toBe(200);
    expect(transcript.headers['content-type']).toMatch(/^text\/plain/);
    expect(transcript.headers['content-disposition']).toMatch(/^attachment;/);
    const text = transcript.body;
    expect(text).toContain(`Eve ${xss}: hi ${xss}`);
    expect(text).toMatch(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] A agent: Glad to help\n {4}Bye/);
    expect(text).not.toContain('SECRET NOTE');
    // Stored verbatim and returned as JSON text, never altered or rendered.
    const log = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${chat.conversationId}/messages`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(log.headers['content-type']).toMatch(/^application\/json/);
    expect(log.json().items[0]).toMatchObject({
      text: `hi ${xss}`,
      author: { kind: 'customer', name: `Eve ${xss}` },
    });
  });

  it('transfers: the customer sees queued then the new agent; the new agent sees everything, the old one loses it', async () => {
    const { t, slug, queueId } = await chatTenant(server);
    const first = await readyAgent(t);
    const chat = await startChat(server, slug, { message: 'start' });
    await accept(t, first.token, chat.conversationId);
    const customer = track(await customerSocket(server, chat));
    const oldDesk = track(await watchingSocket(server, first.token, chat.conversationId));
    await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: first.token,
      payload: { clientId: 'first-agent-01', text: 'passing you on' },
    });
    const second = await readyAgent(t);
    const moved = await t.request({
      method: 'POST',
      url: `/api/agent/interactions/${chat.conversationId}/transfer`,
      token: first.token,
      payload: { queueId, agentId: second.id, note: 'Wants a refund <b>today</b>' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await customer.until((f) => f.some((x) => x.type === 'status' && statusOf(x).status === 'queued'));
    await accept(t, second.token, chat.conversationId);
    await customer.until((f) =>
      f.some(
        (x) => x.type === 'status' && statusOf(x).status === 'connected' && x !== customer.of('status')[0],
      ),
    );
    const statuses = customer.of('status').map((f) => statusOf(f).status);
    expect(statuses.slice(statuses.indexOf('queued'))).toEqual(['queued', 'connected']);

    const newDesk = track(await watchingSocket(server, second.token, chat.conversationId));
    // The whole history, and the transfer note as an internal message from the first agent.
    expect(messageTexts(newDesk.frames, 'chat.message')).toEqual([
      'start',
      'passing you on',
      'Wants a refund <b>today</b>',
    ]);
    const note = newDesk.frames
      .filter((f) => f.type === 'chat.message')
      .map((f) => (f as unknown as { message: { visibility: string; author: unknown } }).message)
      .at(-1);
    expect(note).toMatchObject({ visibility: 'internal', author: { kind: 'agent', userId: first.id } });
    // Never shown to the customer.
    const customerLog = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${chat.conversationId}/messages`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(customerLog.body).not.toContain('refund');
    expect(messageTexts(customer.frames, 'message')).not.toContain('Wants a refund <b>today</b>');
    // The previous agent can neither write nor read any more, and gets no new messages.
    const stale = await t.request({
      method: 'POST',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: first.token,
      payload: { clientId: 'first-agent-02', text: 'me again' },
    });
    expect(stale.statusCode).toBe(404);
    customer.send({ type: 'send', clientId: 'cust-after-xfer', text: 'hello new agent' });
    await newDesk.until((f) => messageTexts(f, 'chat.message').includes('hello new agent'));
    await new Promise((r) => setTimeout(r, 200));
    expect(messageTexts(oldDesk.frames, 'chat.message')).not.toContain('hello new agent');
  });

  it('turns an offline message into a chat that waits for the next agent', async () => {
    const { t, slug } = await chatTenant(server);
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/widget/${slug}/offline-messages`,
      payload: {
        name: 'Olga',
        phone: '+7 999 000 11 22'.replace(/ /g, ''),
        message: 'Call me about the invoice',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { conversationId } = res.json();
    expect(res.json().status).toMatchObject({ status: 'queued', lastSeq: 1 });
    const agent = await readyAgent(t);
    const me = (await t.request({ method: 'GET', url: '/api/agent/me', token: agent.token })).json();
    expect(me.work).toEqual([expect.objectContaining({ interactionId: conversationId, phase: 'offered' })]);
    await accept(t, agent.token, conversationId);
    const log = await t.request({
      method: 'GET',
      url: `/api/interactions/${conversationId}/messages`,
      token: agent.token,
    });
    expect(log.json().items).toEqual([
      expect.objectContaining({
        seq: 1,
        text: 'Call me about the invoice',
        author: expect.objectContaining({ name: 'Olga' }),
      }),
    ]);
    const bad = await server.app.inject({
      method: 'POST',
      url: `/api/widget/${slug}/offline-messages`,
      payload: { name: 'Olga', message: 'no way to answer' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('lets a supervisor watch read-only, whisper, then take the chat over from the agent', async () => {
    const { t, slug } = await chatTenant(server);
    const agent = await readyAgent(t);
    const chat = await startChat(server, slug, { message: 'I need a manager' });
    await accept(t, agent.token, chat.conversationId);
    const customer = track(await customerSocket(server, chat));
    const supervisor = await t.userToken('supervisor');
    const watch = track(await watchingSocket(server, supervisor.token, chat.conversationId));
    expect(messageTexts(watch.frames, 'chat.message')).toEqual(['I need a manager']);
    const send = (token: string, clientId: string, text: string) =>
      t.request({
        method: 'POST',
        url: `/api/interactions/${chat.conversationId}/messages`,
        token,
        payload: { clientId, text },
      });
    // Watching is read-only: a supervisor writes to the customer only after a take-over.
    const early = await send(supervisor.token, 'sup-early-0001', 'hello from above');
    expect(early.statusCode).toBe(403);
    expect(early.json().error.code).toBe('FORBIDDEN');
    // Agents may not take over.
    const other = await t.userToken('agent');
    expect(
      (
        await t.request({
          method: 'POST',
          url: `/api/supervisor/interactions/${chat.conversationId}/take-over`,
          token: other.token,
        })
      ).statusCode,
    ).toBe(403);

    const took = await t.request({
      method: 'POST',
      url: `/api/supervisor/interactions/${chat.conversationId}/take-over`,
      token: supervisor.token,
    });
    expect(took.statusCode, took.body).toBe(200);
    expect(took.json()).toMatchObject({
      agentId: supervisor.id,
      presence: 'ready',
      work: [expect.objectContaining({ interactionId: chat.conversationId, phase: 'connected' })],
    });
    await customer.until((f) =>
      f.some(
        (x) =>
          x.type === 'status' &&
          statusOf(x).status === 'connected' &&
          statusOf(x).agentName === 'A supervisor',
      ),
    );
    const previous = (await t.request({ method: 'GET', url: '/api/agent/me', token: agent.token })).json();
    expect(previous.work).toEqual([
      expect.objectContaining({ interactionId: chat.conversationId, phase: 'wrap_up' }),
    ]);
    expect((await send(agent.token, 'agent-late-0001', 'me again')).statusCode).toBe(404);
    const now = await send(supervisor.token, 'sup-reply-0001', 'I am the manager');
    expect(now.statusCode, now.body).toBe(201);
    expect(now.json().author).toMatchObject({ kind: 'agent', userId: supervisor.id, name: 'A supervisor' });
    await customer.until((f) => messageTexts(f, 'message').includes('I am the manager'));
    const ix = (await t.request({ method: 'GET', url: `/api/interactions/${chat.conversationId}` })).json();
    expect(ix).toMatchObject({ state: 'connected', agentId: supervisor.id });
    // Taking over again is a no-op; a chat that is not connected cannot be taken over.
    expect(
      (
        await t.request({
          method: 'POST',
          url: `/api/supervisor/interactions/${chat.conversationId}/take-over`,
          token: supervisor.token,
        })
      ).statusCode,
    ).toBe(200);
    const waiting = await startChat(server, slug);
    await t.request({
      method: 'PUT',
      url: '/api/agent/state',
      token: agent.token,
      payload: { state: 'not_ready' },
    });
    const notConnected = await t.request({
      method: 'POST',
      url: `/api/supervisor/interactions/${waiting.conversationId}/take-over`,
      token: supervisor.token,
    });
    expect(notConnected.statusCode).toBe(409);
    expect(notConnected.json().error.code).toBe('ILLEGAL_TRANSITION');
  });

  it('refuses a socket without hello in time, with a wrong token, or for another visitor’s conversation', async () => {
    const { slug } = await chatTenant(server);
    const mine = await startChat(server, slug, { message: 'private words' });
    const theirs = await startChat(server, slug, { message: 'their secret' });
    const { widgetWs } = urls(server);

    const silent = track(await Socket.open(widgetWs));
    expect((await silent.untilClosed()).code).toBe(4401);
    expect(silent.frames).toEqual([expect.objectContaining({ type: 'error', code: 'UNAUTHENTICATED' })]);

    const forged = track(await Socket.open(widgetWs));
    forged.send({ type: 'hello', token: 'hlv_forged', conversationId: mine.conversationId });
    expect((await forged.untilClosed()).code).toBe(4401);
    const wrong = track(await Socket.open(widgetWs));
    wrong.send({ type: 'hello', token: theirs.visitorToken, conversationId: mine.conversationId });
    expect((await wrong.untilClosed()).code).toBe(4404);
    const early = track(await Socket.open(widgetWs));
    early.send({ type: 'send', clientId: 'sneaky-0001', text: 'hi' });
    expect((await early.untilClosed()).code).toBe(4401);
    for (const s of [silent, forged, wrong, early]) {
      expect(s.frames.map((f) => f.type)).toEqual(['error']);
      expect(JSON.stringify(s.frames)).not.toContain('private words');
    }
  });
});
