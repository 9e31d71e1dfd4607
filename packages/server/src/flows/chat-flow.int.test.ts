import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatTenant,
  customerSocket,
  readyAgent,
  type Socket,
  startChat,
  urls,
  Socket as WidgetSocket,
} from '../chat/testing/chat-kit';
import type { Db } from '../db/database';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import {
  bindWidget,
  botTexts,
  lastText,
  type Msg,
  publishFlow,
  shopBot,
  startOrderService,
  untilMessages,
  visitorMessages,
} from './testing/chat-bot-kit';

/**
 * The chat bot on web chat end to end: a widget bound to a flow, the customer talking to it over the
 * widget socket, the http verb against a real server on 127.0.0.1, the FAQ, the hand-over to an agent
 * with the bot's transcript in the screen pop, a restart in the middle, and hostile input.
 */
describe.each(engines)('chat bot on %s', (engine) => {
  let tdb: TestDatabase;
  let db: Db;
  let server: TestServer;
  let orders: { base: string; port: number; server: Server };
  const sockets: Socket[] = [];
  let n = 0;
  const clientId = () => `bot-test-${++n}-${Date.now()}`;

  const boot = async () =>
    startTestServer(db, {
      chatLimits: { addressConversations: { burst: 1000, perSecond: 100 } },
      flowEgress: { allowPrivate: false, allowHosts: [`127.0.0.1:${orders.port}`] },
    }).then(async (s) => {
      await s.app.listen({ port: 0, host: '127.0.0.1' });
      return s;
    });

  beforeAll(async () => {
    orders = await startOrderService();
    tdb = await createTestDatabase(engine);
    db = await tdb.open();
    server = await boot();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.app.close();
    await db?.close();
    await tdb?.drop();
    orders?.server.close();
  });

  /** A tenant whose widget starts conversations in the shop bot. */
  const botTenant = async (flow: object = shopBot(orders.base)) => {
    const tenant = await chatTenant(server);
    const flowId = await publishFlow(tenant.t, flow);
    const bound = await bindWidget(tenant.t, flowId);
    expect(bound.statusCode, bound.body).toBe(200);
    expect(bound.json().flowId).toBe(flowId);
    return { ...tenant, flowId };
  };

  const say = async (s: Socket, text: string) => {
    const id = clientId();
    s.send({ type: 'send', clientId: id, text });
    await s.until((f) => f.some((x) => (x.type === 'ack' || x.type === 'error') && x.clientId === id));
    return s.frames.find((x) => (x.type === 'ack' || x.type === 'error') && x.clientId === id)!;
  };
  const open = async (chat: { conversationId: string; visitorToken: string }) => {
    const s = await customerSocket(server, chat);
    sockets.push(s);
    return s;
  };
  const botSaid = (text: string) => (m: Msg[]) => m.at(-1)?.author.kind === 'bot' && m.at(-1)?.text === text;

  it('greets, offers buttons, answers an order over http and the FAQ, then hands over with the transcript', async () => {
    const { t, slug } = await botTenant();
    const article = await t.request({
      method: 'POST',
      url: '/api/knowledge-base/articles',
      payload: { questions: ['How long does delivery take?'], answer: 'Delivery takes 2–4 working days.' },
    });
    expect(article.statusCode, article.body).toBe(201);

    const chat = await startChat(server, slug, {});
    expect(chat.status.status).toBe('bot');
    const first = await untilMessages(server, chat, botSaid('What do you need?'));
    expect(first.map((m) => [m.author.kind, m.text])).toEqual([
      ['bot', 'Hi! I am the shop bot.'],
      ['bot', 'What do you need?'],
    ]);
    // The bot speaks as the bot (no agent's name), and the menu comes as quick replies.
    expect(first[0]!.author).toEqual({ kind: 'bot', userId: null, name: '' });
    expect(first[1]!.buttons).toEqual([
      { key: '1', label: 'Order status' },
      { key: '2', label: 'A question' },
      { key: '3', label: 'An agent' },
    ]);
    const ix = await t.request({ method: 'GET', url: `/api/interactions/${chat.conversationId}` });
    expect(ix.json().state).toBe('in_flow');

    const s = await open(chat);
    // Pressing a button sends its label as the customer's message.
    expect((await say(s, 'Order status')).type).toBe('ack');
    await untilMessages(server, chat, botSaid('Your 6-digit order number?'));
    await say(s, '123456');
    await untilMessages(server, chat, botSaid('What do you need?'));
    expect(botTexts(await visitorMessages(server, chat))).toContain(
      'Order 123456 is shipped, expected 2026-12-01.',
    );
    // The widget socket got the bot's lines live, as bot messages.
    await s.until((f) =>
      f.some(
        (x) =>
          x.type === 'message' &&
          (x.message as Msg).author.kind === 'bot' &&
          (x.message as Msg).text.startsWith('Order 123456'),
      ),
    );

    await say(s, 'A question');
    await untilMessages(server, chat, botSaid('Ask your question.'));
    await say(s, 'how long does delivery take');
    await untilMessages(server, chat, botSaid('What do you need?'));
    expect(botTexts(await visitorMessages(server, chat))).toContain('Delivery takes 2–4 working days.');

    // The hand-over: an agent gets the offer with what the bot did.
    const agent = await readyAgent(t);
    await say(s, 'An agent');
    await s.until((f) =>
      f.some((x) => x.type === 'status' && (x.status as { status: string }).status !== 'bot'),
    );
    const offered = await t.request({
      method: 'GET',
      url: `/api/interactions/${chat.conversationId}`,
      token: agent.token,
    });
    expect(offered.statusCode, offered.body).toBe(200);
    const body = offered.json();
    expect(['queued', 'offered']).toContain(body.state);
    expect(body.data.bot.variables).toEqual({
      order_id: '123456',
      order_status: 'shipped',
      question: 'how long does delivery take',
    });
    const lines = body.data.bot.transcript.map((l: { from: string; text: string }) => `${l.from}: ${l.text}`);
    expect(lines).toContain('customer: 123456');
    expect(lines).toContain('bot: Order 123456 is shipped, expected 2026-12-01.');
    expect(body.data.topic).toBe('general');
    const session = await db.kysely
      .selectFrom('flow_sessions')
      .select(['status', 'last_action'])
      .where('interaction_id', '=', chat.conversationId)
      .executeTakeFirstOrThrow();
    expect(session.status).toBe('ended');
    expect(session.last_action).toMatchObject({ type: 'end', reason: 'handed_over' });
    const steps = await db.kysely
      .selectFrom('interaction_events')
      .select('data')
      .where('interaction_id', '=', chat.conversationId)
      .where('type', '=', 'interaction.state_changed')
      .orderBy('seq')
      .execute();
    expect(steps.slice(0, 2).map((e) => e.data)).toEqual([
      { from: 'new', to: 'in_flow', cause: 'flow_started' },
      { from: 'in_flow', to: 'queued', cause: 'queued' },
    ]);

    // From now on the customer's messages go to the agent, not the bot.
    await say(s, 'hello human');
    const after = await visitorMessages(server, chat);
    expect(lastText(after)).toBe('hello human');
  });

  it('takes the error branch for hostile http replies and never follows a redirect to a private host', async () => {
    const { slug } = await botTenant();
    const chat = await startChat(server, slug, {});
    await untilMessages(server, chat, botSaid('What do you need?'));
    const s = await open(chat);
    // HTML instead of JSON, a 300 kB reply, a reply after 3 s (timeout 1 s), a redirect to 169.254.169.254.
    for (const id of ['111111', '222222', '333333', '444444', '404404']) {
      await say(s, '1');
      await untilMessages(server, chat, botSaid('Your 6-digit order number?'));
      await say(s, id);
      await untilMessages(server, chat, botSaid('What do you need?'));
      expect(botTexts(await visitorMessages(server, chat))).toContain(
        `Sorry, I cannot check order ${id} now.`,
      );
    }
    const state = await db.kysely
      .selectFrom('flow_sessions')
      .select('state')
      .where('interaction_id', '=', chat.conversationId)
      .executeTakeFirstOrThrow();
    expect((state.state as { vars: Record<string, unknown> }).vars['http.status']).toBe(404);

    // The customer leaves while the bot waits for a slow reply: the late reply changes nothing.
    await say(s, '1');
    await untilMessages(server, chat, botSaid('Your 6-digit order number?'));
    await say(s, '333333');
    const left = await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${chat.conversationId}/end`,
      headers: { authorization: `Bearer ${chat.visitorToken}` },
    });
    expect(left.json().status).toBe('ended');
    const before = (await visitorMessages(server, chat)).length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await visitorMessages(server, chat)).toHaveLength(before);
    const ix = await db.kysely
      .selectFrom('interactions')
      .select('state')
      .where('id', '=', chat.conversationId)
      .executeTakeFirstOrThrow();
    expect(ix.state).toBe('abandoned');
  });

  it('keeps hostile customers in their lane: huge messages, overlong answers, another visitor’s chat', async () => {
    const { slug } = await botTenant();
    const chat = await startChat(server, slug, {});
    const other = await startChat(server, slug, { name: 'Mallory' });
    await untilMessages(server, chat, botSaid('What do you need?'));
    const s = await open(chat);

    const huge = await say(s, 'x'.repeat(4_001));
    expect(huge.type).toBe('error');
    expect(['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE']).toContain(huge.code);

    await say(s, 'A question');
    await untilMessages(server, chat, botSaid('Ask your question.'));
    // Over the question's 200 characters: stored, never crashes the bot, which carries on.
    expect((await say(s, 'y'.repeat(1_000))).type).toBe('ack');
    const afterLong = await untilMessages(server, chat, (m) => m.at(-1)?.author.kind === 'bot');
    expect(afterLong.some((m) => m.author.kind === 'customer' && m.text === 'y'.repeat(1_000))).toBe(true);
    expect(['Ask your question.', 'What do you need?']).toContain(lastText(afterLong));

    // Mallory's token does not open Ivan's conversation, neither over REST nor on the socket.
    const peek = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${chat.conversationId}/messages`,
      headers: { authorization: `Bearer ${other.visitorToken}` },
    });
    expect(peek.statusCode).toBe(404);
    const intruder = await WidgetSocket.open(urls(server).widgetWs);
    sockets.push(intruder);
    intruder.send({
      type: 'hello',
      token: other.visitorToken,
      conversationId: chat.conversationId,
      after: 0,
    });
    await intruder.until((f) => f.some((x) => x.type === 'error') || intruder.closed !== null);
    expect(intruder.frames.some((x) => x.type === 'welcome')).toBe(false);
    expect((await visitorMessages(server, chat)).some((m) => m.author.name === 'Mallory')).toBe(false);

    // Ivan leaves while the bot still has him: the flow ends (caller left), the chat is abandoned.
    const left = await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${chat.conversationId}/end`,
      headers: { authorization: `Bearer ${chat.visitorToken}` },
    });
    expect(left.statusCode, left.body).toBe(200);
    expect(left.json().status).toBe('ended');
    const row = await db.kysely
      .selectFrom('interactions as i')
      .innerJoin('flow_sessions as s', 's.interaction_id', 'i.id')
      .select(['i.state', 's.status', 's.last_action'])
      .where('i.id', '=', chat.conversationId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      state: 'abandoned',
      status: 'ended',
      last_action: { reason: 'caller_left' },
    });
  });

  it('runs the example FAQ bot in Russian and closes the chat when the customer is done', async () => {
    const example = JSON.parse(
      await readFile(new URL('../../../../examples/flows/faq-bot.flow.json', import.meta.url), 'utf8'),
    );
    const { t, slug } = await botTenant(example);
    for (const [questions, answer] of [
      [['Сколько идёт доставка?', 'Когда придёт заказ?'], 'Доставка занимает 2–4 рабочих дня.'],
      [['Как вернуть товар?', 'Возврат заказа'], 'Вернуть товар можно в течение 14 дней.'],
    ] as const) {
      const res = await t.request({
        method: 'POST',
        url: '/api/knowledge-base/articles',
        payload: { questions, answer, language: 'ru' },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const chat = await startChat(server, slug, { language: 'ru' });
    await untilMessages(server, chat, botSaid('Задайте вопрос.'));
    const s = await open(chat);
    await say(s, 'Подскажите, сколько дней идет доставка?');
    const answered = await untilMessages(server, chat, botSaid('Что-то ещё?'));
    expect(botTexts(answered)).toContain('Доставка занимает 2–4 рабочих дня.');
    expect(answered.at(-1)!.buttons).toEqual([
      { key: '1', label: 'Да' },
      { key: '2', label: 'Нет, спасибо' },
    ]);
    await say(s, 'Нет, спасибо');
    const done = await untilMessages(server, chat, (m) => m.at(-1)?.author.kind === 'system');
    expect(lastText(done)).toBe('Разговор завершён.');
    await s.until((f) =>
      f.some((x) => x.type === 'status' && (x.status as { status: string }).status === 'ended'),
    );
    const ix = await t.request({ method: 'GET', url: `/api/interactions/${chat.conversationId}` });
    expect(ix.json()).toMatchObject({ state: 'closed', closedAt: expect.any(String) });
    // An ended chat takes no more messages.
    const late = await say(s, 'ещё вопрос');
    expect(late).toMatchObject({ type: 'error', code: 'CONVERSATION_ENDED' });
  });

  it('sends the chat to its queue when the flow fails on its own', async () => {
    const broken = {
      id: 'broken',
      version: 1,
      entry: 'check',
      variables: { n: { type: 'number', default: 0 } },
      nodes: {
        check: { verb: 'condition', when: '1 / n == 1', next: { true: 'bye', false: 'bye' } },
        bye: { verb: 'end' },
      },
    };
    const { t, slug, queueId } = await botTenant(broken);
    const chat = await startChat(server, slug, {});
    const messages = await untilMessages(server, chat, (m) => m.some((x) => x.author.kind === 'system'));
    expect(messages.map((m) => m.text)).toEqual(['Connecting you with an agent…']);
    const ix = (await t.request({ method: 'GET', url: `/api/interactions/${chat.conversationId}` })).json();
    expect(ix).toMatchObject({ state: 'queued', queueId });
    const status = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${chat.conversationId}`,
      headers: { authorization: `Bearer ${chat.visitorToken}` },
    });
    expect(status.json()).toMatchObject({ status: 'queued', position: 1 });
  });

  it('continues a bot conversation after a restart, timers included', async () => {
    const { slug } = await botTenant();
    const timed = await botTenant(shopBot(orders.base, { menuTimeoutMs: 1_500 }));
    const chat = await startChat(server, slug, {});
    await untilMessages(server, chat, botSaid('What do you need?'));
    const s = await open(chat);
    await say(s, 'Order status');
    await untilMessages(server, chat, botSaid('Your 6-digit order number?'));
    const sleepy = await startChat(server, timed.slug, {});
    await untilMessages(server, sleepy, botSaid('What do you need?'));

    // A new server on the same database, as after a crash or a deploy.
    s.close();
    await server.app.close();
    server = await boot();

    const again = await open(chat);
    await say(again, '123456');
    await untilMessages(server, chat, botSaid('What do you need?'));
    expect(botTexts(await visitorMessages(server, chat))).toContain(
      'Order 123456 is shipped, expected 2026-12-01.',
    );
    // The menu's timer was re-armed from the database: silence asks again, then the flow ends.
    const ended = await untilMessages(server, sleepy, (m) => m.at(-1)?.author.kind === 'system', 15_000);
    expect(botTexts(ended).filter((x) => x === 'What do you need?')).toHaveLength(2);
    const status = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${sleepy.conversationId}`,
      headers: { authorization: `Bearer ${sleepy.visitorToken}` },
    });
    expect(status.json().status).toBe('ended');
    // (The tenant clients speak to the closed server; the database answers.)
    const ix = await db.kysely
      .selectFrom('interactions')
      .select(['state', 'closed_at'])
      .where('tenant_id', '=', timed.t.tenantId)
      .where('id', '=', sleepy.conversationId)
      .executeTakeFirstOrThrow();
    expect(ix.state).toBe('closed');
    expect(ix.closed_at).not.toBeNull();
  });

  it('binds flows to numbers and the widget within the tenant, and refuses to delete a bound flow', async () => {
    const a = await chatTenant(server);
    const b = await server.newTenant('Other');
    const flowA = await publishFlow(a.t, shopBot(orders.base));
    const flowB = await publishFlow(b, shopBot(orders.base));
    const trunk = await a.t.request({
      method: 'POST',
      url: '/api/trunks',
      payload: { name: `Carrier ${Date.now()}`, allowedCidrs: ['203.0.113.0/24'] },
    });
    expect(trunk.statusCode, trunk.body).toBe(201);
    const number = `+7495${String(Date.now()).slice(-7)}`;
    const numbers = (t: TenantClient, payload: unknown, id?: string) =>
      t.request({
        method: id ? 'PATCH' : 'POST',
        url: id ? `/api/phone-numbers/${id}` : '/api/phone-numbers',
        payload: payload as Record<string, unknown>,
      });

    const foreign = await numbers(a.t, { number, trunkId: trunk.json().id, flowId: flowB });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.code).toBe('INVALID_REFERENCE');
    const created = await numbers(a.t, { number, trunkId: trunk.json().id, flowId: flowA });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().flowId).toBe(flowA);

    const foreignWidget = await bindWidget(a.t, flowB);
    expect(foreignWidget.statusCode).toBe(400);
    expect(foreignWidget.json().error.code).toBe('INVALID_REFERENCE');
    expect((await bindWidget(a.t, flowA)).statusCode).toBe(200);

    const refused = await a.t.request({ method: 'DELETE', url: `/api/flows/${flowA}` });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('IN_USE');
    expect((await numbers(a.t, { flowId: null }, created.json().id)).json().flowId).toBeNull();
    expect((await a.t.request({ method: 'DELETE', url: `/api/flows/${flowA}` })).statusCode).toBe(409);
    expect((await bindWidget(a.t, null)).statusCode).toBe(200);
    expect((await a.t.request({ method: 'DELETE', url: `/api/flows/${flowA}` })).statusCode).toBe(204);
  });
});
