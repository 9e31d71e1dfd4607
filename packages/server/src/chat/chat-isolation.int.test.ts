import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TestServer } from '../testing/test-server';
import {
  accept,
  chatTenant,
  customerSocket,
  EXE,
  messageTexts,
  multipart,
  PDF,
  PNG,
  readyAgent,
  Socket,
  startChat,
  urls,
  visitorHeaders,
  watchingSocket,
} from './testing/chat-kit';

/**
 * Web chat against hostile and careless callers: other tenants, other visitors, forged ids and
 * tokens, lying uploads, floods and malformed frames. Each must get a stable error and no data.
 */
describe.each(engines)('web chat isolation and bad input on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  const sockets: Socket[] = [];
  const track = (s: Socket) => {
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open(), {
      chatLimits: {
        addressConversations: { burst: 1000, perSecond: 100 },
        visitorMessages: { burst: 5, perSecond: 0.01 },
        addressMessages: { burst: 1000, perSecond: 100 },
      },
    });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  /** Tenant A with a connected chat holding a message and a customer's upload. */
  async function connectedChat() {
    const a = await chatTenant(server);
    const agent = await readyAgent(a.t);
    const chat = await startChat(server, a.slug, { message: 'my secret order 777' });
    await accept(a.t, agent.token, chat.conversationId);
    const body = multipart('photo.png', PNG);
    const up = await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${chat.conversationId}/attachments`,
      headers: { ...visitorHeaders(chat.visitorToken), ...body.headers },
      payload: body.payload,
    });
    expect(up.statusCode, up.body).toBe(201);
    return { ...a, agent, chat, attachmentId: up.json().id as string };
  }

  it('keeps every chat operation to its own tenant', async () => {
    const { t, agent, chat, attachmentId } = await connectedChat();
    const id = chat.conversationId;
    const b = await server.newTenant('B');
    const bAgent = await readyAgent(b);
    const bSupervisor = await b.userToken('supervisor');
    const sameTenantAgent = await t.userToken('agent');
    const ops = [
      ['GET', `/api/interactions/${id}/messages`, undefined],
      ['POST', `/api/interactions/${id}/messages`, { clientId: 'intruder-001', text: 'hi' }],
      ['GET', `/api/interactions/${id}/attachments/${attachmentId}`, undefined],
      ['POST', `/api/supervisor/interactions/${id}/whisper`, { clientId: 'intruder-002', text: 'psst' }],
      ['POST', `/api/supervisor/interactions/${id}/take-over`, undefined],
    ] as const;
    for (const token of [b.token, bAgent.token, bSupervisor.token]) {
      for (const [method, url, payload] of ops) {
        const res = await b.request({ method, url, token, ...(payload ? { payload } : {}) });
        const what = `B ${method} ${url}`;
        expect(res.statusCode, `${what}: ${res.body}`).toBe(
          url.includes('/supervisor/') && token === bAgent.token ? 403 : 404,
        );
        expect(res.body, what).not.toContain('secret order');
      }
      const up = await b.request({
        method: 'POST',
        url: `/api/interactions/${id}/attachments`,
        token,
        ...multipart('x.png', PNG),
      });
      expect(up.statusCode).toBe(404);
    }
    // Within A: an agent who does not handle the chat sees nothing of it either.
    for (const [method, url, payload] of ops.slice(0, 3)) {
      const res = await t.request({
        method,
        url,
        token: sameTenantAgent.token,
        ...(payload ? { payload } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    // Forged ids.
    const forged = '00000000-0000-4000-8000-000000000000';
    expect((await t.request({ method: 'GET', url: `/api/interactions/${forged}/messages` })).statusCode).toBe(
      404,
    );
    expect(
      (
        await t.request({
          method: 'GET',
          url: `/api/interactions/${id}/attachments/${forged}`,
          token: agent.token,
        })
      ).statusCode,
    ).toBe(404);
    // A non-chat interaction has no conversation.
    const task = await t.request({
      method: 'POST',
      url: '/api/interactions',
      payload: { queueId: (await t.request({ method: 'GET', url: '/api/queues' })).json().items[0].id },
    });
    expect(
      (await t.request({ method: 'GET', url: `/api/interactions/${task.json().id}/messages` })).statusCode,
    ).toBe(404);
    // Over the realtime socket: B's supervisor cannot watch A's chat.
    const ws = track(
      await Socket.open(urls(server).agentWs, { authorization: `Bearer ${bSupervisor.token}` }),
    );
    ws.send({ type: 'watch', interactionId: id });
    await ws.until((f) => f.some((x) => x.type === 'error'));
    expect(ws.frames).toEqual([expect.objectContaining({ type: 'error', code: 'NOT_FOUND' })]);
    // Nothing was stored by the intruders.
    const log = await t.request({ method: 'GET', url: `/api/interactions/${id}/messages` });
    expect(log.json().items.map((m: { text: string }) => m.text)).toEqual(['my secret order 777']);
  });

  it('keeps each visitor to their own conversations', async () => {
    const { slug, chat, attachmentId } = await connectedChat();
    const other = await startChat(server, slug, { name: 'Mallory', email: 'mallory@example.com' });
    const b = await chatTenant(server);
    const bVisitor = await startChat(server, b.slug);
    const id = chat.conversationId;
    const visitorOps = [
      ['GET', `/api/widget/conversations/${id}`],
      ['GET', `/api/widget/conversations/${id}/messages`],
      ['GET', `/api/widget/conversations/${id}/attachments/${attachmentId}`],
      ['POST', `/api/widget/conversations/${id}/end`],
      ['POST', `/api/widget/conversations/${id}/rating`],
      ['GET', `/api/widget/conversations/${id}/transcript`],
    ] as const;
    for (const [method, url] of visitorOps) {
      for (const token of [other.visitorToken, bVisitor.visitorToken]) {
        const res = await server.app.inject({
          method,
          url,
          headers: visitorHeaders(token),
          ...(url.endsWith('rating') ? { payload: { score: 1 } } : {}),
        });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json().error.code).toBe('NOT_FOUND');
        expect(res.body).not.toContain('secret order');
      }
      for (const headers of [
        {},
        visitorHeaders('hlv_forged'),
        visitorHeaders(chat.visitorToken.slice(0, -2)),
      ]) {
        const res = await server.app.inject({ method, url, headers });
        expect(res.statusCode, `${method} ${url} with ${JSON.stringify(headers)}`).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHENTICATED');
      }
    }
    // An upload into someone else's conversation.
    const body = multipart('x.png', PNG);
    const up = await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${id}/attachments`,
      headers: { ...visitorHeaders(other.visitorToken), ...body.headers },
      payload: body.payload,
    });
    expect(up.statusCode).toBe(404);
    // The conversation is untouched.
    const status = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${id}`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(status.json()).toMatchObject({ status: 'connected', rated: false });

    // Unknown tenants and disabled widgets look the same: not found.
    for (const [method, url] of [
      ['GET', '/api/widget/no-such-tenant/config'],
      ['POST', '/api/widget/no-such-tenant/conversations'],
      ['POST', '/api/widget/no-such-tenant/offline-messages'],
    ] as const) {
      const res = await server.app.inject({
        method,
        url,
        ...(method === 'POST' ? { payload: { name: 'X', email: 'x@example.com', message: 'hi' } } : {}),
      });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    const off = await b.t.request({
      method: 'PUT',
      url: '/api/widget-settings',
      payload: { enabled: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: `/api/widget/${b.slug}/config` })).statusCode).toBe(
      404,
    );
  });

  it('answers CORS for allowed origins only, and refuses other origins', async () => {
    const { t, slug, queueId } = await chatTenant(server, {
      settings: { allowedOrigins: ['https://shop.example'] },
    });
    void queueId;
    const preflight = (origin: string, url: string) =>
      server.app.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const ok = await preflight('https://shop.example', `/api/widget/${slug}/conversations`);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(String(ok.headers['access-control-allow-methods'])).toContain('POST');
    const evil = await preflight('https://evil.example', `/api/widget/${slug}/conversations`);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const config = await server.app.inject({
      method: 'GET',
      url: `/api/widget/${slug}/config`,
      headers: { origin: 'https://evil.example' },
    });
    expect(config.statusCode).toBe(403);
    const started = await startChat(server, slug, {}, { origin: 'https://shop.example' });
    const fromEvil = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${started.conversationId}`,
      headers: { ...visitorHeaders(started.visitorToken), origin: 'https://evil.example' },
    });
    expect(fromEvil.statusCode).toBe(403);
    const fromShop = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${started.conversationId}`,
      headers: { ...visitorHeaders(started.visitorToken), origin: 'https://shop.example' },
    });
    expect(fromShop.statusCode).toBe(200);
    expect(fromShop.headers['access-control-allow-origin']).toBe('https://shop.example');
    // Other API paths get no CORS at all.
    const api = await preflight('https://shop.example', '/api/queues');
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
    void t;
  });

  it('decides attachment types by content, limits their size, and lets only the conversation download them', async () => {
    const { t, agent, chat, attachmentId } = await connectedChat();
    const id = chat.conversationId;
    const upload = (name: string, content: Buffer, headers = visitorHeaders(chat.visitorToken)) => {
      const body = multipart(name, content);
      return server.app.inject({
        method: 'POST',
        url: `/api/widget/conversations/${id}/attachments`,
        headers: { ...headers, ...body.headers },
        payload: body.payload,
      });
    };
    const renamed = await upload('invoice.pdf', PNG);
    expect(renamed.statusCode, renamed.body).toBe(201);
    expect(renamed.json()).toMatchObject({ fileName: 'invoice.png', mime: 'image/png', size: PNG.length });
    const exe = await upload('cat.png', EXE);
    expect(exe.statusCode).toBe(415);
    expect(exe.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const text = await upload('notes.pdf', Buffer.from('just text, not a pdf'));
    expect(text.statusCode).toBe(415);
    const huge = await upload('big.png', Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const notMultipart = await server.app.inject({
      method: 'POST',
      url: `/api/widget/conversations/${id}/attachments`,
      headers: visitorHeaders(chat.visitorToken),
      payload: { file: 'x' },
    });
    expect(notMultipart.statusCode).toBe(415);
    const stored = await server.db.kysely
      .selectFrom('attachments')
      .select(['mime'])
      .where('interaction_id', '=', id)
      .execute();
    expect(stored.map((r) => r.mime).sort()).toEqual(['image/png', 'image/png']);

    // The customer sends the photo; the agent receives and downloads it.
    const desk = track(await watchingSocket(server, agent.token, id));
    const customer = track(await customerSocket(server, chat));
    customer.send({ type: 'send', clientId: 'with-photo-01', attachmentId });
    await desk.until((f) =>
      f.some((x) => x.type === 'chat.message' && (x.message as { attachment: unknown }).attachment),
    );
    const download = await t.request({
      method: 'GET',
      url: `/api/interactions/${id}/attachments/${attachmentId}`,
      token: agent.token,
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.rawPayload.equals(PNG)).toBe(true);

    // The agent's PDF: internal first (the customer cannot fetch it), then public (now they can).
    const agentUpload = async () => {
      const body = multipart('terms.pdf', PDF);
      const res = await t.request({
        method: 'POST',
        url: `/api/interactions/${id}/attachments`,
        token: agent.token,
        ...body,
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ mime: 'application/pdf' });
      return res.json().id as string;
    };
    const internalPdf = await agentUpload();
    await t.request({
      method: 'POST',
      url: `/api/interactions/${id}/messages`,
      token: agent.token,
      payload: { clientId: 'internal-pdf-1', attachmentId: internalPdf, visibility: 'internal' },
    });
    const hidden = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${id}/attachments/${internalPdf}`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(hidden.statusCode).toBe(404);
    const publicPdf = await agentUpload();
    const sent = await t.request({
      method: 'POST',
      url: `/api/interactions/${id}/messages`,
      token: agent.token,
      payload: { clientId: 'public-pdf-01', text: 'our terms', attachmentId: publicPdf },
    });
    expect(sent.json()).toMatchObject({
      attachment: { id: publicPdf, fileName: 'terms.pdf', mime: 'application/pdf' },
    });
    await customer.until((f) => messageTexts(f, 'message').includes('our terms'));
    const shown = await server.app.inject({
      method: 'GET',
      url: `/api/widget/conversations/${id}/attachments/${publicPdf}`,
      headers: visitorHeaders(chat.visitorToken),
    });
    expect(shown.statusCode).toBe(200);
    expect(shown.rawPayload.equals(PDF)).toBe(true);
    // The customer cannot send the agent's file as their own, nor a file of another conversation.
    customer.send({ type: 'send', clientId: 'steal-file-01', attachmentId: internalPdf });
    await customer.until((f) => f.some((x) => x.type === 'error' && x.clientId === 'steal-file-01'));
    expect(customer.of('error').at(-1)).toMatchObject({ code: 'INVALID_REFERENCE' });
  });

  it('limits messages per visitor: refused ones are not stored, accepted ones are all there', async () => {
    const { chat, t, agent } = await connectedChat();
    const customer = track(await customerSocket(server, chat));
    for (let i = 0; i < 8; i++)
      customer.send({ type: 'send', clientId: `flood-${i}-0000`, text: `flood ${i}` });
    await customer.until((f) => f.filter((x) => x.type === 'ack' || x.type === 'error').length === 8);
    const acked = customer.of('ack').map((f) => f.clientId);
    const limited = customer.of('error').filter((f) => f.code === 'RATE_LIMITED');
    expect(acked).toHaveLength(5);
    expect(limited).toHaveLength(3);
    expect(limited.every((f) => typeof f.clientId === 'string')).toBe(true);
    const log = await t.request({
      method: 'GET',
      url: `/api/interactions/${chat.conversationId}/messages`,
      token: agent.token,
    });
    const stored = log
      .json()
      .items.filter((m: { clientId: string | null }) => m.clientId?.startsWith('flood-'));
    expect(stored.map((m: { clientId: string }) => m.clientId).sort()).toEqual([...acked].sort());
    expect(new Set(stored.map((m: { seq: number }) => m.seq)).size).toBe(5);
  });

  it('refuses oversize messages and frames, and closes a socket after ten bad frames', async () => {
    const { chat, t } = await connectedChat();
    const customer = track(await customerSocket(server, chat));
    customer.send({ type: 'send', clientId: 'too-long-0001', text: 'x'.repeat(4_001) });
    await customer.until((f) => f.some((x) => x.type === 'error'));
    expect(customer.of('error')[0]).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', clientId: 'too-long-0001' });
    customer.send(JSON.stringify({ type: 'typing', active: true, pad: 'y'.repeat(30_000) }));
    await customer.until((f) => f.filter((x) => x.type === 'error').length === 2);
    expect(customer.of('error')[1]).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    for (const bad of [
      'nope',
      '{"type":"send"}',
      '{"type":"mark","mark":"seen","seq":1}',
      '[]',
      '{"type":"hello"}',
    ]) {
      customer.send(bad);
    }
    customer.send({ type: 'send', clientId: 'ok-message-01', text: 'still fine' });
    await customer.until((f) => f.some((x) => x.type === 'ack'));
    for (let i = 0; i < 3; i++) customer.send('{');
    expect((await customer.untilClosed()).code).toBe(1008);
    const log = await t.request({ method: 'GET', url: `/api/interactions/${chat.conversationId}/messages` });
    const texts = log.json().items.map((m: { text: string }) => m.text);
    expect(texts).toEqual(['my secret order 777', 'still fine']);
  });

  it('limits new conversations per address', async () => {
    const tight = await startTestServer(server.db, {
      chatLimits: { addressConversations: { burst: 2, perSecond: 0.001 } },
    });
    try {
      const { slug } = await chatTenant(tight);
      await startChat(tight, slug);
      await startChat(tight, slug);
      const third = await tight.app.inject({
        method: 'POST',
        url: `/api/widget/${slug}/conversations`,
        payload: { name: 'Ivan' },
      });
      expect(third.statusCode).toBe(429);
      expect(third.json().error.code).toBe('RATE_LIMITED');
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      const other = await tight.app.inject({
        method: 'POST',
        url: `/api/widget/${slug}/conversations`,
        payload: { name: 'Ivan' },
        remoteAddress: '10.0.0.9',
      });
      expect(other.statusCode).toBe(201);
    } finally {
      await tight.app.close();
    }
  });
});
