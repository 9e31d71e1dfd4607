import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { TenantClient, TestServer } from '../../testing/test-server';

/**
 * Helpers for the chat bot integration tests: a small order service on 127.0.0.1 (the http verb's
 * counterpart, with hostile replies), a shop bot flow that uses it, and publishing a flow.
 */

/**
 * An order service: `/orders/123456` shipped, `/orders/404404` 404, and hostile ones: `111111` HTML,
 * `222222` a 300 kB JSON reply, `333333` answers after 3 s, `444444` redirects to a link-local host.
 */
export async function startOrderService(): Promise<{ base: string; port: number; server: Server }> {
  const server = createServer((req, res) => {
    const id = /^\/orders\/(\d+)$/.exec(req.url ?? '')?.[1];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (id) {
      case '123456':
        return json(200, { order: { status: 'shipped', eta: '2026-12-01' } });
      case '111111':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>not json</html>');
      case '222222':
        return json(200, { order: { status: 'shipped', pad: 'x'.repeat(300 * 1024) } });
      case '333333': {
        const t = setTimeout(() => json(200, { order: { status: 'late' } }), 3_000);
        req.on('close', () => clearTimeout(t));
        return;
      }
      case '444444':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return res.end();
      default:
        return json(404, { error: 'no such order' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port, server };
}

/** A shop bot: greeting, a menu (order status over http, a question for the FAQ, an agent). */
export function shopBot(base: string, opts: { menuTimeoutMs?: number } = {}) {
  return {
    id: 'shop-bot',
    version: 1,
    entry: 'greet',
    onError: 'oops',
    variables: {
      order_id: { type: 'string' },
      order_status: { type: 'string' },
      order_eta: { type: 'string' },
      question: { type: 'string' },
    },
    nodes: {
      greet: {
        verb: 'say',
        text: { en: 'Hi! I am the shop bot.', ru: 'Здравствуйте! Я бот магазина.' },
        next: { done: 'main' },
      },
      main: {
        verb: 'menu',
        prompt: { en: 'What do you need?', ru: 'Что вас интересует?' },
        options: [
          { key: '1', label: { en: 'Order status', ru: 'Статус заказа' } },
          { key: '2', label: { en: 'A question', ru: 'Вопрос' } },
          { key: '3', label: { en: 'An agent', ru: 'Оператор' } },
        ],
        retries: 1,
        timeoutMs: opts.menuTimeoutMs ?? 60_000,
        next: { '1': 'ask_order', '2': 'ask_q', '3': 'to_agent', failed: 'bye' },
      },
      ask_order: {
        verb: 'gather',
        prompt: 'Your 6-digit order number?',
        into: 'order_id',
        input: 'digits',
        minLength: 6,
        maxLength: 6,
        retries: 1,
        timeoutMs: 60_000,
        next: { ok: 'lookup', failed: 'main' },
      },
      lookup: {
        verb: 'http',
        url: `${base}/orders/{{order_id}}`,
        timeoutMs: 1_000,
        map: { order_status: 'order.status', order_eta: 'order.eta' },
        next: { ok: 'tell', error: 'no_check' },
      },
      tell: {
        verb: 'say',
        text: 'Order {{order_id}} is {{order_status}}, expected {{order_eta}}.',
        next: { done: 'main' },
      },
      no_check: {
        verb: 'say',
        text: 'Sorry, I cannot check order {{order_id}} now.',
        next: { done: 'main' },
      },
      ask_q: {
        verb: 'gather',
        prompt: 'Ask your question.',
        into: 'question',
        input: 'text',
        maxLength: 200,
        retries: 0,
        timeoutMs: 60_000,
        next: { ok: 'answer', failed: 'main' },
      },
      answer: { verb: 'faq', question: 'question', next: { answered: 'main', no_match: 'to_agent' } },
      to_agent: {
        verb: 'enqueue',
        queue: 'Web chat',
        variables: ['order_id', 'order_status', 'question'],
        next: { error: 'bye' },
      },
      oops: { verb: 'say', text: 'Something went wrong.', next: { done: 'to_agent' } },
      bye: { verb: 'end', outcome: 'self_service' },
    },
  };
}

/** Creates, drafts and publishes a flow; returns its id. */
export async function publishFlow(t: TenantClient, document: object, name = 'Shop bot'): Promise<string> {
  const created = await t.request({ method: 'POST', url: '/api/flows', payload: { name } });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  const draft = await t.request({ method: 'PUT', url: `/api/flows/${id}/draft`, payload: document });
  expect(draft.statusCode, draft.body).toBe(200);
  const published = await t.request({ method: 'POST', url: `/api/flows/${id}/publish` });
  expect(published.statusCode, published.body).toBe(200);
  return id;
}

/** Binds the widget of `t` to a flow (null: unbinds), keeping the other settings. */
export async function bindWidget(t: TenantClient, flowId: string | null) {
  const current = (await t.request({ method: 'GET', url: '/api/widget-settings' })).json();
  return t.request({ method: 'PUT', url: '/api/widget-settings', payload: { ...current, flowId } });
}

export interface Msg {
  seq: number;
  text: string;
  author: { kind: string; name: string };
  buttons?: { key: string; label: string }[];
}

/** The conversation's public messages as the visitor reads them. */
export async function visitorMessages(
  server: TestServer,
  chat: { conversationId: string; visitorToken: string },
): Promise<Msg[]> {
  const res = await server.app.inject({
    method: 'GET',
    url: `/api/widget/conversations/${chat.conversationId}/messages`,
    headers: { authorization: `Bearer ${chat.visitorToken}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

/** Polls the visitor's messages until `pred` holds. */
export async function untilMessages(
  server: TestServer,
  chat: { conversationId: string; visitorToken: string },
  pred: (messages: Msg[]) => boolean,
  ms = 10_000,
): Promise<Msg[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const messages = await visitorMessages(server, chat);
    if (pred(messages)) return messages;
    if (Date.now() > deadline)
      throw new Error(`timed out; messages: ${JSON.stringify(messages.map((m) => [m.author.kind, m.text]))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const botTexts = (messages: Msg[]) =>
  messages.filter((m) => m.author.kind === 'bot').map((m) => m.text);
export const lastText = (messages: Msg[]) => messages.at(-1)?.text;
