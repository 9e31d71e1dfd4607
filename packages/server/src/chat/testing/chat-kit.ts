import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { TenantClient, TestServer } from '../../testing/test-server';

/**
 * Helpers for the chat integration tests: a tenant with a queue and a widget topic, ready agents,
 * started conversations, and WebSocket clients for both sides that collect frames.
 */
export interface Frame {
  type: string;
  [k: string]: unknown;
}

export class Socket {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  #waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)));
      for (const w of this.#waiters.splice(0)) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<Socket> {
    const ws = new WebSocket(url, { headers });
    const socket = new Socket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  of(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** Waits until `pred` holds over the frames received so far. */
  async until(pred: (frames: Frame[]) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.frames)) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting: ${this.dump()}`);
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${this.dump()}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async untilClosed(ms = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`not closed; frames: ${this.dump()}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return this.closed;
  }

  dump(): string {
    return JSON.stringify(this.frames).slice(0, 3000);
  }

  close(): void {
    this.ws.close();
  }
}

export interface ChatTenant {
  t: TenantClient;
  slug: string;
  queueId: string;
}

export function urls(server: TestServer) {
  const port = (server.app.server.address() as AddressInfo).port;
  return {
    widgetWs: `ws://127.0.0.1:${port}/api/widget/ws`,
    agentWs: `ws://127.0.0.1:${port}/api/ws`,
  };
}

/** A tenant with a queue and a widget whose first topic routes to it. */
export async function chatTenant(
  server: TestServer,
  opts: { queue?: Record<string, unknown>; settings?: Record<string, unknown> } = {},
): Promise<ChatTenant> {
  const t = await server.newTenant('Chat');
  const queue = await t.request({
    method: 'POST',
    url: '/api/queues',
    payload: { name: 'Web chat', wrapUpSeconds: 60, ...opts.queue },
  });
  expect(queue.statusCode, queue.body).toBe(201);
  const queueId = queue.json().id as string;
  const settings = await t.request({
    method: 'PUT',
    url: '/api/widget-settings',
    payload: {
      topics: [
        { key: 'general', label: { en: 'General', ru: 'Общие вопросы' }, queueId },
        { key: 'billing', label: { en: 'Billing', ru: 'Оплата' }, queueId },
      ],
      preChat: { name: 'required', email: 'optional', phone: 'hidden' },
      ...opts.settings,
    },
  });
  expect(settings.statusCode, settings.body).toBe(200);
  const me = await t.request({ method: 'GET', url: '/api/auth/me' });
  return { t, slug: me.json().tenant.slug as string, queueId };
}

/** An agent (or supervisor) logged in to routing and ready. */
export async function readyAgent(t: TenantClient, role: 'agent' | 'supervisor' = 'agent') {
  const agent = await t.userToken(role);
  const login = await t.request({ method: 'POST', url: '/api/agent/login', token: agent.token });
  expect(login.statusCode, login.body).toBe(200);
  const ready = await t.request({
    method: 'PUT',
    url: '/api/agent/state',
    token: agent.token,
    payload: { state: 'ready' },
  });
  expect(ready.statusCode, ready.body).toBe(200);
  return agent;
}

export async function startChat(
  server: TestServer,
  slug: string,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await server.app.inject({
    method: 'POST',
    url: `/api/widget/${slug}/conversations`,
    payload: { name: 'Ivan', email: 'ivan@example.com', ...body },
    headers,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as {
    conversationId: string;
    visitorToken: string;
    status: { status: string; position: number | null; ewtSeconds: number | null; agentName: string | null };
  };
}

/** A widget socket past its hello (welcome received). */
export async function customerSocket(
  server: TestServer,
  chat: { conversationId: string; visitorToken: string },
  after = 0,
) {
  const s = await Socket.open(urls(server).widgetWs);
  s.send({ type: 'hello', token: chat.visitorToken, conversationId: chat.conversationId, after });
  await s.until((f) => f.some((x) => x.type === 'welcome'));
  return s;
}

/** An agent socket watching a conversation (chat.watching received). */
export async function watchingSocket(server: TestServer, token: string, interactionId: string, after = 0) {
  const s = await Socket.open(urls(server).agentWs, { authorization: `Bearer ${token}` });
  s.send({ type: 'watch', interactionId, after });
  await s.until((f) => f.some((x) => x.type === 'chat.watching' && x.interactionId === interactionId));
  return s;
}

export const visitorHeaders = (token: string) => ({ authorization: `Bearer ${token}` });

export const messageTexts = (frames: Frame[], type: 'message' | 'chat.message') =>
  frames.filter((f) => f.type === type).map((f) => (f.message as { text: string }).text);

export function accept(t: TenantClient, token: string, interactionId: string) {
  return t.request({ method: 'POST', url: `/api/agent/offers/${interactionId}/accept`, token });
}

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
  'base64',
);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
/** The start of a Windows executable. */
export const EXE = Buffer.concat([
  Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1'),
  Buffer.alloc(200),
]);

/** A multipart/form-data body with one file field. */
export function multipart(
  fileName: string,
  content: Buffer,
  field = 'file',
  type = 'application/octet-stream',
) {
  const boundary = `----hotline${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, content, tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
