import { mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pdf, png } from './files';
import {
  type Browser,
  ensureWidgetBuilt,
  freePort,
  launchBrowser,
  outputDir,
  RestartableServer,
} from './harness';

/**
 * The website widget against the real server, in headless Chromium, embedded in a page served from
 * another origin (its own 127.0.0.1 port) whose stylesheet tries hard to break it. The agent side is
 * driven through the API (REST and the realtime WebSocket). Covers: pre-chat → queued with position →
 * accepted → messages, typing and read ticks both ways → attachments both ways → a server restart in
 * the middle (nothing lost, nothing twice) → a page reload → end, rating and transcript.
 * Screenshots: `test-output/e2e/widget-*.png`.
 */

/** A JSON client for the API with a bearer token. */
function apiClient(baseUrl: string, token?: string) {
  return async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
  };
}

async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await apiClient(baseUrl)<{ token: string }>('POST', '/api/auth/login', {
    email,
    password,
  });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  return response.json.token;
}

/** The host page: another origin, hostile global CSS, the one script tag. */
function hostPage(lang: string, scriptSrc: string, slug: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>Acme Shop</title>
<style>
  body, body * { all: unset !important; }
  div, section, form, button, ul, li, p { display: none !important; }
  html { font-size: 8px; }
  body { display: block; font: 40px/1 serif; color: red; background: #fdf6e3; padding: 40px; transform: none; }
  hotline-chat { display: none; }
  main { display: block !important; }
</style>
</head>
<body>
<main><h1>Acme Shop</h1><p>Everything outside the widget is styled to break it.</p></main>
<script src="${scriptSrc}" data-tenant="${slug}" async></script>
</body>
</html>`;
}

interface Message {
  seq: number;
  text: string;
  author: { kind: string; name: string };
  visibility: string;
  clientId: string | null;
  attachment: { id: string; fileName: string; mime: string; size: number } | null;
}

/** The agent's realtime socket, collecting frames. */
class AgentSocket {
  readonly frames: { type: string; [key: string]: unknown }[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data))));
  }

  static async open(baseUrl: string, token: string): Promise<AgentSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise<void>((done, fail) => {
      ws.once('open', () => done());
      ws.once('error', fail);
    });
    return new AgentSocket(ws);
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.ws.close();
  }
}

describe('website widget', () => {
  let hotline: RestartableServer;
  let host: Server;
  let hostOrigin: string;
  let browser: Browser;
  let page: Page;
  let admin: ReturnType<typeof apiClient>;
  let agent: ReturnType<typeof apiClient>;
  let agentToken: string;
  let slug: string;
  let conversationId: string;
  /** The offline message: an interaction waiting in the same queue, ahead of the chat. */
  let offlineId: string;
  const agentName = 'Anna <img src=x onerror="window.__xss=1">';
  const shot = async (name: string) => {
    await page.screenshot({ path: join(outputDir, `widget-${name}.png`) });
  };

  /** The widget's shadow root content as seen by the page (open shadow root). */
  const widget = () => page.locator('hotline-chat');
  const logTexts = () =>
    widget()
      .locator('li.msg .bubble')
      .evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
  /** What the widget keeps in the host page's localStorage. */
  const storedSession = async () => {
    const state = await page.context().storageState();
    const item = state.origins
      .find((o) => o.origin === hostOrigin)
      ?.localStorage.find((entry) => entry.name === `hotline-widget:${slug}`);
    return item ? (JSON.parse(item.value) as Record<string, unknown>) : {};
  };
  const serverMessages = async () => {
    const response = await agent<{ items: Message[] }>(
      'GET',
      `/api/interactions/${conversationId}/messages?after=0`,
    );
    expect(response.status, JSON.stringify(response.json)).toBe(200);
    return response.json.items;
  };

  beforeAll(async () => {
    ensureWidgetBuilt();
    mkdirSync(outputDir, { recursive: true });
    hotline = await RestartableServer.create('widget', { HOTLINE_TENANT_NAME: 'Acme Shop' });
    await hotline.start();

    const hostPort = await freePort();
    hostOrigin = `http://127.0.0.1:${hostPort}`;
    admin = apiClient(
      hotline.baseUrl,
      await login(hotline.baseUrl, hotline.adminEmail, hotline.adminPassword),
    );
    const me = await admin<{ tenant: { slug: string } }>('GET', '/api/auth/me');
    slug = me.json.tenant.slug;

    const queue = await admin<{ id: string }>('POST', '/api/queues', { name: 'Web chat', wrapUpSeconds: 30 });
    expect(queue.status, JSON.stringify(queue.json)).toBe(201);
    const settings = await admin('PUT', '/api/widget-settings', {
      allowedOrigins: [hostOrigin],
      topics: [
        {
          key: 'orders',
          label: { en: 'Orders and delivery', ru: 'Заказы и доставка' },
          queueId: queue.json.id,
        },
        { key: 'billing', label: { en: 'Billing', ru: 'Оплата' }, queueId: queue.json.id },
      ],
      preChat: { name: 'required', email: 'optional', phone: 'hidden' },
      greeting: {
        en: 'Hi! We usually answer within a minute.',
        ru: 'Здравствуйте! Обычно отвечаем за минуту.',
      },
    });
    expect(settings.status, JSON.stringify(settings.json)).toBe(200);
    const password = 'agent-password-123';
    const created = await admin('POST', '/api/users', {
      email: 'anna@example.com',
      displayName: agentName,
      role: 'agent',
      password,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    agentToken = await login(hotline.baseUrl, 'anna@example.com', password);
    agent = apiClient(hotline.baseUrl, agentToken);

    const script = `${hotline.baseUrl}/widget.js`;
    host = createHttpServer((request, response) => {
      const lang = request.url?.startsWith('/ru') ? 'ru' : 'en';
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(hostPage(lang, script, slug));
    });
    await new Promise<void>((done) => host.listen(hostPort, '127.0.0.1', done));
    browser = await launchBrowser();
    page = browser.page;
    page.on('pageerror', (error) => {
      throw error;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => host?.close(done));
    await hotline?.dispose();
  });

  it('with nobody logged in, offers the offline form; the message is stored', async () => {
    await page.goto(hostOrigin);
    await widget().getByRole('button', { name: 'Chat with us' }).click();
    await widget().getByText('Nobody is available to chat right now.').waitFor();
    await widget().getByRole('button', { name: 'Send the message' }).click();
    await widget().getByText('Please enter an e-mail or a phone number so that we can answer.').waitFor();
    await widget().getByLabel('Name').fill('Olga');
    await widget().getByLabel('E-mail (optional)').fill('olga@example.com');
    await widget().getByLabel('Message').fill('Please call me about my refund');
    await shot('00-offline-form');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/widget/${slug}/offline-messages`)),
      widget().getByRole('button', { name: 'Send the message' }).click(),
    ]);
    expect(response.status()).toBe(201);
    await widget().getByText('Thank you! We have your message and will answer soon.').waitFor();
    offlineId = ((await response.json()) as { conversationId: string }).conversationId;
    const stored = await admin<{ channel: string; state: string }>('GET', `/api/interactions/${offlineId}`);
    expect(stored.json).toMatchObject({ channel: 'chat' });
    // The token is kept: the chat later in this test is the same visitor.
    expect(await storedSession()).toMatchObject({
      visitorToken: expect.stringMatching(/^hlv_/),
      conversationId: null,
    });
    await page.evaluate(`localStorage.removeItem(${JSON.stringify(`hotline-widget:${slug}`)})`);
  });

  it('draws in Russian on a Russian page, untouched by the page CSS', async () => {
    expect((await agent('POST', '/api/agent/login')).status).toBe(200);
    await page.goto(`${hostOrigin}/ru`);
    const launcher = widget().getByRole('button', { name: 'Напишите нам' });
    await launcher.waitFor();
    const box = await launcher.boundingBox();
    expect(box).toMatchObject({ width: 60, height: 60 });
    await launcher.click();
    await widget().getByRole('button', { name: 'Начать чат' }).waitFor();
    expect(await widget().getByLabel('Тема').locator('option').allTextContents()).toEqual([
      'Заказы и доставка',
      'Оплата',
    ]);
    await widget().getByText('Здравствуйте! Обычно отвечаем за минуту.').waitFor();
    await shot('01-prechat-ru');
    // On a phone the panel takes the whole screen.
    await page.setViewportSize({ width: 390, height: 760 });
    expect(await widget().getByRole('dialog').boundingBox()).toMatchObject({
      x: 0,
      y: 0,
      width: 390,
      height: 760,
    });
    await shot('01-prechat-ru-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    // Nothing leaked into the page: no stylesheet or element of the widget's outside its shadow root.
    expect(await page.evaluate('document.styleSheets.length')).toBe(1);
    expect(await page.evaluate('document.body.children.length')).toBe(3); // main, script, hotline-chat
    await page.keyboard.press('Escape');
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');
  });

  it('pre-chat → queued with position', async () => {
    await page.goto(hostOrigin);
    await widget().getByRole('button', { name: 'Chat with us' }).click();
    const form = widget().locator('form');
    await widget().getByRole('button', { name: 'Start the chat' }).click();
    await widget().getByText('Please fill in this field.').waitFor(); // name is required
    await widget().getByLabel('Name').fill('Ivan <b>Petrov</b>');
    await widget().getByLabel('E-mail (optional)').fill('ivan@example.com');
    await widget().getByLabel('Topic').selectOption('orders');
    await widget().getByLabel('How can we help? (optional)').fill('Hi, where is my order?');
    await shot('02-prechat');
    await form.getByRole('button', { name: 'Start the chat' }).click();

    // Second: the offline message left earlier waits in the same queue.
    await widget().getByText('You are number 2 in the queue.').waitFor();
    conversationId = String((await storedSession()).conversationId);
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(logTexts).toEqual(['Hi, where is my order?']);
    await shot('03-queued');
  });

  it('the agent accepts; messages, typing and read ticks go both ways; agent text stays text', async () => {
    expect((await agent('PUT', '/api/agent/state', { state: 'ready' })).status).toBe(200);
    await expect
      .poll(
        async () => (await agent<{ state: string }>('GET', `/api/interactions/${conversationId}`)).json.state,
      )
      .toBe('offered');
    const accepted = await agent('POST', `/api/agent/offers/${conversationId}/accept`);
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(200);
    // The offline message is offered too (chat capacity 3); take it so that no offer times out.
    await expect
      .poll(async () => (await agent<{ state: string }>('GET', `/api/interactions/${offlineId}`)).json.state)
      .toBe('offered');
    expect((await agent('POST', `/api/agent/offers/${offlineId}/accept`)).status).toBe(200);
    await widget().getByText(`You are chatting with ${agentName}.`).waitFor();

    const desk = await AgentSocket.open(hotline.baseUrl, agentToken);
    try {
      desk.send({ type: 'watch', interactionId: conversationId, after: 0 });
      const composer = widget().getByLabel('Your message');
      await composer.fill('My order 42 is late');
      await expect
        .poll(() => desk.frames.some((f) => f.type === 'chat.typing' && f.active === true))
        .toBe(true);
      await composer.press('Enter');
      await expect
        .poll(async () => (await serverMessages()).map((m) => m.text))
        .toEqual(['Hi, where is my order?', 'My order 42 is late']);

      desk.send({ type: 'typing', interactionId: conversationId, active: true });
      await widget().getByText(`${agentName} is typing…`).waitFor();
      await shot('04-agent-typing');

      const xss = '<script>window.__xss=2</script><img src=x onerror="window.__xss=3"> Checking, one moment';
      const reply = await agent('POST', `/api/interactions/${conversationId}/messages`, {
        clientId: 'agent-reply-0001',
        text: xss,
      });
      expect(reply.status, JSON.stringify(reply.json)).toBe(201);
      await expect.poll(logTexts).toEqual(['Hi, where is my order?', 'My order 42 is late', xss]);
      await expect.poll(() => widget().getByText(`${agentName} is typing…`).count()).toBe(0);
      expect(await page.evaluate('window.__xss')).toBeUndefined();
      expect(await widget().locator('li.msg img, li.msg script').count()).toBe(0);

      // The widget marks the agent's message read (the panel is open); the agent marks ours read.
      await expect
        .poll(() => desk.frames.some((f) => f.type === 'chat.mark' && f.mark === 'read' && f.seq === 3))
        .toBe(true);
      desk.send({ type: 'mark', interactionId: conversationId, mark: 'read', seq: 2 });
      await expect.poll(() => widget().locator('li.msg.mine .tick.read').count()).toBe(2);
      await shot('05-messages');
    } finally {
      desk.close();
    }
  });

  it('attachments both ways: a client-side check, an image preview, a PDF from the agent', async () => {
    const fileInput = widget().locator('input[type=file]');
    await fileInput.setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello'),
    });
    await widget().getByText('Only images (PNG, JPEG, GIF, WebP) and PDF files can be sent.').waitFor();

    const image = png(160, 100, [36, 86, 211]);
    await fileInput.setInputFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: image });
    const thumb = widget().getByRole('button', { name: 'Open parcel.png' }).locator('img');
    await thumb.waitFor();
    await expect
      .poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(160);
    let stored: Message | undefined;
    await expect
      .poll(async () => {
        stored = (await serverMessages()).find((m) => m.attachment?.fileName === 'parcel.png');
        return stored?.attachment?.mime;
      })
      .toBe('image/png');
    const download = await fetch(
      `${hotline.baseUrl}/api/interactions/${conversationId}/attachments/${stored!.attachment!.id}`,
      { headers: { authorization: `Bearer ${agentToken}` } },
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(image)).toBe(true);

    const form = new FormData();
    form.append('file', new Blob([pdf]), 'invoice.pdf');
    const upload = await fetch(`${hotline.baseUrl}/api/interactions/${conversationId}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}` },
      body: form,
    });
    expect(upload.status, await upload.clone().text()).toBe(201);
    const attachment = (await upload.json()) as { id: string };
    const sent = await agent('POST', `/api/interactions/${conversationId}/messages`, {
      clientId: 'agent-reply-0002',
      text: 'Here is your invoice',
      attachmentId: attachment.id,
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    await widget().getByRole('button', { name: 'Open invoice.pdf' }).waitFor();
    expect(await widget().getByRole('button', { name: 'Open invoice.pdf' }).textContent()).toMatch(
      /invoice\.pdf · \d+ B/,
    );
    await shot('06-attachments');
  });

  it('survives a server restart: messages written meanwhile arrive once, nothing shows twice', async () => {
    await hotline.kill('SIGTERM');
    await widget().getByText('Connection lost. Reconnecting…').waitFor();
    const composer = widget().getByLabel('Your message');
    await composer.fill('Sent while the server was down');
    await composer.press('Enter');
    await composer.fill('And a second one');
    await composer.press('Enter');
    await expect.poll(() => widget().locator('li.msg.mine .tick.sending').count()).toBe(2);
    await shot('07-server-down');

    await hotline.start();
    await expect
      .poll(() => widget().getByText('Connection lost. Reconnecting…').isVisible(), { timeout: 60_000 })
      .toBe(false);
    await expect
      .poll(() => widget().locator('li.msg.mine .tick.sending').count(), { timeout: 15_000 })
      .toBe(0);
    const reply = await agent('POST', `/api/interactions/${conversationId}/messages`, {
      clientId: 'agent-reply-0003',
      text: 'Welcome back!',
    });
    expect(reply.status, JSON.stringify(reply.json)).toBe(201);

    const expected = (await serverMessages())
      .filter((m) => m.visibility === 'public' && m.text !== '')
      .map((m) => m.text);
    expect(expected.filter((t) => t === 'Sent while the server was down')).toHaveLength(1);
    expect(expected.filter((t) => t === 'And a second one')).toHaveLength(1);
    expect(expected.at(-1)).toBe('Welcome back!');
    await expect.poll(logTexts).toEqual(expected);
    await shot('08-after-restart');

    // A reload resumes the same conversation: the whole history once, no outbox left.
    await page.reload();
    await widget().getByText(`You are chatting with ${agentName}.`).waitFor();
    await expect.poll(logTexts).toEqual(expected);
    expect(await storedSession()).toMatchObject({ conversationId, outbox: [] });
  });

  it('ends with a rating and a transcript download', async () => {
    await widget().getByRole('button', { name: 'End chat' }).click();
    await widget().getByText('How would you rate this chat?').waitFor();
    await shot('09-rating');
    await widget().getByRole('button', { name: 'Send rating' }).click();
    await widget().getByRole('alert').getByText('Please choose a score from 1 to 5.').waitFor();
    await widget().locator('.star label').filter({ hasText: '4 of 5' }).click();
    expect(await widget().getByRole('radio', { name: '4 of 5' }).isChecked()).toBe(true);
    await widget().getByLabel('Comment (optional)').fill('Quick and friendly');
    await widget().getByRole('button', { name: 'Send rating' }).click();
    await widget().getByText('Thank you for your feedback!').waitFor();

    const token = (await storedSession()).visitorToken as string;
    const status = await apiClient(hotline.baseUrl, token)<{ status: string; rated: boolean }>(
      'GET',
      `/api/widget/conversations/${conversationId}`,
    );
    expect(status.json).toMatchObject({ status: 'ended', rated: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      widget().getByRole('button', { name: 'Download transcript' }).click(),
    ]);
    const path = join(outputDir, 'widget-transcript.txt');
    await download.saveAs(path);
    const transcript = readFileSync(path, 'utf8');
    expect(transcript).toContain('My order 42 is late');
    expect(transcript).toContain('Sent while the server was down');
    await shot('10-ended');

    await widget().getByRole('button', { name: 'Start a new chat' }).click();
    await widget().getByRole('button', { name: 'Start the chat' }).waitFor();
  });
});
