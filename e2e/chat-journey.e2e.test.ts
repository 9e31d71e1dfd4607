import { createServer as createHttpServer, type Server } from 'node:http';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdf, png } from './files';
import {
  type Browser,
  ensureWebBuilt,
  ensureWidgetBuilt,
  freePort,
  launchSharedBrowser,
  RestartableServer,
  signIn,
} from './harness';

/**
 * The whole web chat journey through the real UIs, one Chromium with four isolated contexts: a
 * customer on a shop page served from another origin (the widget), two agents (the desktop) and a
 * supervisor (the live view). The API is used only to set the tenant up.
 *
 * pre-chat → queued with its position → agent 1 accepts → messages both ways → a PNG from the
 * customer, a PDF from the agent → transfer to agent 2 with a note → agent 2 sees the whole history
 * and the note → the server is killed (SIGKILL) mid-conversation and started again on the same port
 * and data: the widget and the desktop reconnect by themselves and what both sides wrote meanwhile
 * (kept in their outboxes) arrives once → end, wrap-up with a disposition → the customer rates →
 * the wallboard and the agent grid show the day's counts.
 * Screenshots: `test-output/e2e/journey-<who>-<step>.png`.
 */

const QUEUE = 'Web chat';
const anna = { email: 'anna@example.com', password: 'anna-password-1', name: 'Anna Agent' };
const boris = { email: 'boris@example.com', password: 'boris-password-1', name: 'Boris Agent' };
const sue = { email: 'sue@example.com', password: 'sue-password-1', name: 'Sue Supervisor' };
const NOTE = 'VIP: refund approved by finance, please send the return label <b>today</b>';

function shopPage(scriptSrc: string, slug: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme Shop</title></head>
<body style="font-family: serif; background: #fdf6e3; padding: 40px">
<main><h1>Acme Shop</h1><p>Order tracking, returns and refunds.</p></main>
<script src="${scriptSrc}" data-tenant="${slug}" async></script>
</body>
</html>`;
}

describe('web chat journey: widget, two agents, supervisor, and a crash', () => {
  let hotline: RestartableServer;
  let shop: Server;
  let shopOrigin: string;
  let browser: Awaited<ReturnType<typeof launchSharedBrowser>>;
  let customer: Browser;
  let agent1: Browser;
  let agent2: Browser;
  let supervisor: Browser;
  let adminToken: string;
  let conversationId: string;
  let resolvedCode: string;
  const pageErrors: string[] = [];

  const api = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${hotline.baseUrl}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const widget = () => customer.page.locator('hotline-chat');
  /** Texts of the widget's message bubbles, pending ones included, in order. */
  const widgetTexts = () =>
    widget()
      .locator('li.msg .bubble')
      .evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
  /** Texts of the desktop's message bubbles (stored and pending), in order. */
  const desktopTexts = (page: Page) =>
    page
      .getByTestId('message-list')
      .locator('[data-testid="message-text"], [data-testid="message-pending-text"]')
      .evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
  const statusOf = (page: Page) => page.getByTestId('agent-status').textContent();
  const wallboardCell = (testId: string) =>
    supervisor.page.locator(`[data-testid="wallboard-row"][data-queue="${QUEUE}"] [data-testid="${testId}"]`);
  const connection = (page: Page) => page.getByTestId('connection-status').first();

  async function openDesktop(who: Browser, user: typeof anna): Promise<void> {
    await who.page.goto(hotline.baseUrl);
    await signIn(who.page, user.email, user.password);
    await who.page.getByTestId('agent-desktop').waitFor();
    await expect.poll(() => statusOf(who.page)).toBe('Logged out');
    await who.page.getByTestId('agent-login').click();
    await expect.poll(() => statusOf(who.page)).toBe('Not ready');
  }

  async function acceptOffer(who: Browser, customerName: string): Promise<void> {
    const card = who.page.getByTestId('offer-card');
    await card.waitFor();
    await expect.poll(() => who.page.getByTestId('offer-customer').textContent()).toBe(customerName);
    await who.page.getByTestId('offer-accept').click();
    await who.page.getByTestId('work-view').waitFor();
    await expect.poll(() => statusOf(who.page)).toBe('Busy');
  }

  /** Sends from the desktop composer (Enter). */
  async function agentSays(who: Browser, text: string): Promise<void> {
    const box = who.page.getByTestId('composer-input');
    await box.fill(text);
    await box.press('Enter');
  }

  async function customerSays(text: string): Promise<void> {
    const box = widget().getByLabel('Your message');
    await box.fill(text);
    await box.press('Enter');
  }

  const naturalWidth = (img: unknown) => (img as { naturalWidth: number }).naturalWidth;
  const count = (texts: string[], text: string) => texts.filter((t) => t === text).length;

  beforeAll(async () => {
    ensureWebBuilt();
    ensureWidgetBuilt();
    // No SIP: this journey needs none, and its fixed port must not clash with other servers.
    hotline = await RestartableServer.create('journey', {
      HOTLINE_TENANT_NAME: 'Acme Shop',
      SIP_ENABLED: 'false',
    });
    await hotline.start();
    const login = await fetch(`${hotline.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: hotline.adminEmail, password: hotline.adminPassword }),
    });
    adminToken = ((await login.json()) as { token: string }).token;
    const slug = (await api<{ tenant: { slug: string } }>('GET', '/auth/me')).tenant.slug;

    // Setup through the API: the queue, codes, the widget (only the shop may embed it), three users.
    const queue = await api<{ id: string }>('POST', '/queues', {
      name: QUEUE,
      offerTimeoutSeconds: 60,
      wrapUpSeconds: 120,
    });
    resolvedCode = (
      await api<{ id: string }>('POST', '/disposition-codes', { code: 'resolved', name: 'Resolved' })
    ).id;
    await api('POST', '/disposition-codes', { code: 'transferred', name: 'Passed on' });
    const shopPort = await freePort();
    shopOrigin = `http://127.0.0.1:${shopPort}`;
    await api('PUT', '/widget-settings', {
      allowedOrigins: [shopOrigin],
      topics: [
        { key: 'orders', label: { en: 'Orders and delivery', ru: 'Заказы' }, queueId: queue.id },
        { key: 'billing', label: { en: 'Billing', ru: 'Оплата' }, queueId: queue.id },
      ],
      preChat: { name: 'required', email: 'optional', phone: 'hidden' },
      greeting: { en: 'Hi! We usually answer within a minute.', ru: 'Здравствуйте!' },
    });
    for (const [user, role] of [
      [anna, 'agent'],
      [boris, 'agent'],
      [sue, 'supervisor'],
    ] as const) {
      await api('POST', '/users', {
        email: user.email,
        displayName: user.name,
        password: user.password,
        role,
        locale: 'en',
      });
    }

    shop = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(shopPage(`${hotline.baseUrl}/widget.js`, slug));
    });
    await new Promise<void>((done) => shop.listen(shopPort, '127.0.0.1', done));

    browser = await launchSharedBrowser();
    customer = await browser.session('journey-customer');
    agent1 = await browser.session('journey-agent1');
    agent2 = await browser.session('journey-agent2');
    supervisor = await browser.session('journey-supervisor');
    for (const [name, b] of Object.entries({ customer, agent1, agent2, supervisor })) {
      b.page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (shop ? shop.close(done) : done(undefined)));
    await hotline?.dispose();
  });

  it('the supervisor opens the live view: nothing offered or answered yet', async () => {
    await supervisor.page.goto(hotline.baseUrl);
    await signIn(supervisor.page, sue.email, sue.password);
    // A supervisor lands on configuration and may also open the desktop (they hold `agent.work`).
    await supervisor.page.getByTestId('nav-desktop').waitFor();
    await supervisor.page.getByTestId('nav-supervisor').click();
    await supervisor.page.getByTestId('wallboard').waitFor();
    await expect.poll(() => wallboardCell('queue-offered').textContent()).toBe('0');
    expect(await wallboardCell('queue-answered').textContent()).toBe('0');
    await connection(supervisor.page).and(supervisor.page.locator('[data-status="live"]')).waitFor();
  });

  it('pre-chat → queued with its position while the agent is not ready yet', async () => {
    // Somebody is logged in (not ready): the widget offers a chat, not the offline form.
    await openDesktop(agent1, anna);
    await customer.page.goto(shopOrigin);
    await widget().getByRole('button', { name: 'Chat with us' }).click();
    await widget().getByText('Hi! We usually answer within a minute.').waitFor();
    await widget().getByLabel('Name').fill('Ivan Petrov');
    await widget().getByLabel('E-mail (optional)').fill('ivan@example.com');
    await widget().getByLabel('Topic').selectOption('orders');
    await widget().getByLabel('How can we help? (optional)').fill('Hi, where is my order 42?');
    await customer.shot('01-prechat');
    await widget().locator('form').getByRole('button', { name: 'Start the chat' }).click();
    await widget().getByText('You are next in the queue.').waitFor();
    await expect.poll(widgetTexts).toEqual(['Hi, where is my order 42?']);
    await customer.shot('02-queued');

    // The wallboard sees it waiting.
    await expect.poll(() => supervisor.page.getByTestId('stat-waiting').textContent()).toBe('1');
    await expect.poll(() => wallboardCell('queue-offered').textContent()).toBe('1');
    await supervisor.shot('01-waiting');
  });

  it('agent 1 goes ready and accepts in the desktop; messages go both ways', async () => {
    await agent1.page.getByTestId('agent-ready').click();
    await acceptOffer(agent1, 'Ivan Petrov');
    await widget().getByText(`You are chatting with ${anna.name}.`).waitFor();
    await expect.poll(() => desktopTexts(agent1.page)).toEqual(['Hi, where is my order 42?']);
    // Capacity: this chat is one of the agent's three.
    await expect
      .poll(() => agent1.page.getByTestId('agent-chat-capacity').textContent())
      .toBe('Chats: 1 of 3');

    await customerSays('My order 42 is a week late');
    await expect
      .poll(() => desktopTexts(agent1.page))
      .toEqual(['Hi, where is my order 42?', 'My order 42 is a week late']);
    await agentSays(agent1, 'Sorry about that, Ivan. Let me check.');
    await expect
      .poll(widgetTexts)
      .toEqual([
        'Hi, where is my order 42?',
        'My order 42 is a week late',
        'Sorry about that, Ivan. Let me check.',
      ]);
    // The widget keeps its conversation in the shop page's localStorage.
    const storage = await customer.context.storageState();
    const saved = storage.origins
      .find((o) => o.origin === shopOrigin)
      ?.localStorage.find((entry) => entry.name.startsWith('hotline-widget:'));
    conversationId = String(saved ? JSON.parse(saved.value).conversationId : null);
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('attachments both ways: a PNG from the customer, a PDF from the agent', async () => {
    await widget()
      .locator('input[type=file]')
      .setInputFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: png(160, 100, [36, 86, 211]) });
    await widget().getByRole('button', { name: 'Open parcel.png' }).waitFor();
    // The agent sees the picture itself (loaded with the agent's session), not only its name.
    const preview = agent1.page.getByTestId('attachment-preview');
    await preview.waitFor();
    await expect.poll(() => preview.evaluate(naturalWidth)).toBe(160);

    await agent1.page
      .getByTestId('composer')
      .locator('input[type=file]')
      .setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: pdf });
    await expect.poll(() => agent1.page.getByTestId('composer-attachment').textContent()).toBe('invoice.pdf');
    await agentSays(agent1, 'Here is your invoice');
    await widget().getByRole('button', { name: 'Open invoice.pdf' }).waitFor();
    await expect.poll(() => agent1.page.getByTestId('message-attachment').count()).toBe(2);
    await customer.shot('03-attachments');
    await agent1.shot('01-conversation');
  });

  it('transfers to agent 2 with a note; agent 2 sees the whole history and the note', async () => {
    await openDesktop(agent2, boris);
    await agent2.page.getByTestId('agent-ready').click();
    await expect.poll(() => statusOf(agent2.page)).toBe('Ready');

    await agent1.page.getByTestId('transfer-button').click();
    await agent1.page.getByTestId('transfer-form').waitFor();
    // The colleague list comes from the agent directory (agents may not list users).
    await agent1.page.getByTestId('transfer-agent').click();
    const option = agent1.page.getByRole('option', { name: `${boris.name} · Ready · free chats: 3` });
    await option.waitFor();
    await agent1.shot('02-transfer-dialog');
    await option.click();
    await agent1.page.getByTestId('transfer-note').fill(NOTE);
    await agent1.page.getByTestId('transfer-submit').click();
    await agent1.page.getByTestId('transfer-form').waitFor({ state: 'detached' });

    // The customer waits again, then chats with agent 2.
    await acceptOffer(agent2, 'Ivan Petrov');
    await widget().getByText(`You are chatting with ${boris.name}.`).waitFor();
    const history = [
      'Hi, where is my order 42?',
      'My order 42 is a week late',
      'Sorry about that, Ivan. Let me check.',
      'Here is your invoice',
      NOTE,
    ];
    await expect.poll(() => desktopTexts(agent2.page)).toEqual(history);
    const note = agent2.page.getByTestId('message-internal');
    await expect.poll(() => note.textContent()).toContain(anna.name);
    expect(await agent2.page.getByTestId('message-attachment').count()).toBe(2);
    await expect.poll(() => agent2.page.getByTestId('attachment-preview').evaluate(naturalWidth)).toBe(160);
    // The note is for agents only.
    expect(await widgetTexts()).not.toContain(NOTE);
    await agent2.shot('01-history-and-note');

    // Agent 1 wraps the passed-on chat up.
    const wrap = agent1.page.getByTestId('wrap-up-form');
    await wrap.waitFor();
    await agent1.page.getByTestId('wrap-up-disposition').click();
    await agent1.page.getByRole('option', { name: 'transferred — Passed on' }).click();
    await agent1.page.getByTestId('wrap-up-submit').click();
    await wrap.waitFor({ state: 'detached' });
    await expect.poll(() => statusOf(agent1.page)).toBe('Ready');

    await agentSays(agent2, 'Hi Ivan, Boris here. Your refund is approved.');
    await widget().getByText('Hi Ivan, Boris here. Your refund is approved.').waitFor();
  });

  it('survives kill -9 mid-conversation: both sides reconnect, the outboxes arrive once, nothing twice', async () => {
    await hotline.kill('SIGKILL');
    await widget().getByText('Connection lost. Reconnecting…').waitFor({ timeout: 30_000 });
    await connection(agent2.page).and(agent2.page.locator('[data-status="reconnecting"]')).waitFor();

    const fromCustomer = ['Sent while the server was down', 'And a second one'];
    const fromAgent = 'Typed by Boris during the outage';
    for (const text of fromCustomer) await customerSays(text);
    await agentSays(agent2, fromAgent);
    await expect.poll(() => widget().locator('li.msg.mine .tick.sending').count()).toBe(2);
    await agent2.page.getByTestId('message-pending').waitFor();
    // Pending, not failed: the desktop's outbox keeps it for when the server is back.
    await expect.poll(() => agent2.page.getByTestId('message-pending').textContent()).toContain(fromAgent);
    expect(await agent2.page.getByText('Not sent').count()).toBe(0);
    await customer.shot('04-server-down');
    await agent2.shot('02-server-down');

    await hotline.start();
    await expect
      .poll(() => widget().getByText('Connection lost. Reconnecting…').isVisible(), { timeout: 60_000 })
      .toBe(false);
    await connection(agent2.page)
      .and(agent2.page.locator('[data-status="live"]'))
      .waitFor({ timeout: 60_000 });
    await expect
      .poll(() => widget().locator('li.msg.mine .tick.sending').count(), { timeout: 30_000 })
      .toBe(0);
    await expect.poll(() => agent2.page.getByTestId('message-pending').count(), { timeout: 30_000 }).toBe(0);
    // The outage's "cannot reach the server" goes once the conversation is watched again.
    await expect.poll(() => agent2.page.getByTestId('work-view').getByTestId('error-alert').count()).toBe(0);

    // Stored once each, in the order written per side.
    const stored = await api<{ items: { text: string; visibility: string }[] }>(
      'GET',
      `/interactions/${conversationId}/messages?after=0&limit=500`,
    );
    const storedTexts = stored.items.map((m) => m.text);
    for (const text of [...fromCustomer, fromAgent]) expect(count(storedTexts, text)).toBe(1);
    expect(storedTexts.indexOf(fromCustomer[0]!)).toBeLessThan(storedTexts.indexOf(fromCustomer[1]!));

    // Shown once each on both sides: every public message (and the note on the desktop).
    const publicTexts = stored.items
      .filter((m) => m.visibility === 'public' && m.text !== '')
      .map((m) => m.text);
    await expect.poll(widgetTexts, { timeout: 30_000 }).toEqual(publicTexts);
    const agentSide = stored.items.filter((m) => m.text !== '').map((m) => m.text);
    await expect.poll(() => desktopTexts(agent2.page), { timeout: 30_000 }).toEqual(agentSide);
    for (const text of agentSide) expect(count(await desktopTexts(agent2.page), text)).toBe(1);
    for (const text of publicTexts) expect(count(await widgetTexts(), text)).toBe(1);

    // And the conversation goes on.
    await agentSays(agent2, 'Welcome back! The label is on its way.');
    await widget().getByText('Welcome back! The label is on its way.').waitFor();
    await customerSays('Thanks!');
    await expect.poll(async () => count(await desktopTexts(agent2.page), 'Thanks!')).toBe(1);
    await customer.shot('05-after-restart');
    await agent2.shot('03-after-restart');
  });

  it('closes with a disposition after the wrap-up; the customer rates it', async () => {
    await agent2.page.getByTestId('end-button').click();
    await agent2.page.getByTestId('wrap-up-form').waitFor();
    await agent2.page.getByTestId('wrap-up-timer').waitFor();
    await expect.poll(() => statusOf(agent2.page)).toBe('Wrap-up');
    await widget().getByText('How would you rate this chat?').waitFor();

    await agent2.page.getByTestId('wrap-up-disposition').click();
    await agent2.page.getByRole('option', { name: 'resolved — Resolved' }).click();
    await agent2.page.getByTestId('wrap-up-notes').fill('Refund approved, return label sent.');
    await agent2.shot('04-wrap-up');
    await agent2.page.getByTestId('wrap-up-submit').click();
    await agent2.page.getByTestId('work-view').waitFor({ state: 'detached' });
    await expect.poll(() => statusOf(agent2.page)).toBe('Ready');

    await widget().locator('.star label').filter({ hasText: '5 of 5' }).click();
    await widget().getByLabel('Comment (optional)').fill('Quick and kind, thank you');
    await widget().getByRole('button', { name: 'Send rating' }).click();
    await widget().getByText('Thank you for your feedback!').waitFor();
    await customer.shot('06-rated');

    const closed = await api<{ state: string; dispositionCodeId: string; notes: string; agentId: string }>(
      'GET',
      `/interactions/${conversationId}`,
    );
    expect(closed).toMatchObject({
      state: 'closed',
      dispositionCodeId: resolvedCode,
      notes: 'Refund approved, return label sent.',
    });
  });

  it('the supervisor sees the day: offered and answered for the queue, handled per agent', async () => {
    // Live over the same socket that reconnected after the crash.
    await connection(supervisor.page).and(supervisor.page.locator('[data-status="live"]')).waitFor();
    // The transfer put the chat in the queue a second time: offered twice, answered twice.
    await expect.poll(() => wallboardCell('queue-offered').textContent(), { timeout: 30_000 }).toBe('2');
    await expect.poll(() => wallboardCell('queue-answered').textContent()).toBe('2');
    expect(await supervisor.page.getByTestId('stat-waiting').textContent()).toBe('0');
    await supervisor.shot('02-wallboard');

    await supervisor.page.getByTestId('tab-agents').click();
    const handled = (name: string): Locator =>
      supervisor.page.locator(
        `[data-testid="agent-row"][data-agent="${name}"] [data-testid="agent-row-handled"]`,
      );
    await expect.poll(() => handled(boris.name).textContent(), { timeout: 30_000 }).toBe('1');
    await expect.poll(() => handled(anna.name).textContent()).toBe('1');
    await supervisor.shot('03-agents');
    expect(pageErrors).toEqual([]);
  });
});
