import { createServer as createHttpServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopBot, startOrderService } from '../packages/server/src/flows/testing/chat-bot-kit';
import {
  type Browser,
  ensureWebBuilt,
  ensureWidgetBuilt,
  freePort,
  launchBrowser,
  outputDir,
  RestartableServer,
  signIn,
} from './harness';

/**
 * The chat bot in the browser: a website visitor talks to the tenant's flow in the widget (bot
 * messages, quick-reply buttons, an order looked up over http on 127.0.0.1 — allowed through
 * `HOTLINE_FLOW_HTTP_ALLOW`), asks for a human, and the agent's desktop rings with the bot's findings
 * on the offer card and the transcript in the customer panel. Screenshots: `test-output/e2e/bot-*.png`.
 */
describe('chat bot', () => {
  let hotline: RestartableServer;
  let orders: Awaited<ReturnType<typeof startOrderService>>;
  let host: Server;
  let hostOrigin: string;
  let browser: Browser;
  let desk: Page;
  let site: Page;
  let token: string;
  let flowId: string;
  let hostPort: number;
  const agent = { email: 'bella@example.com', password: 'agent-password-1' };

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${hotline.baseUrl}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const widget = () => site.locator('hotline-chat');

  beforeAll(async () => {
    ensureWidgetBuilt();
    ensureWebBuilt();
    orders = await startOrderService();
    hotline = await RestartableServer.create('chat-bot', {
      HOTLINE_FLOW_HTTP_ALLOW: `127.0.0.1:${orders.port}`,
    });
    await hotline.start();
    const login = await fetch(`${hotline.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: hotline.adminEmail, password: hotline.adminPassword }),
    });
    token = ((await login.json()) as { token: string }).token;
    const slug = (await api('GET', '/auth/me')).tenant.slug as string;

    const queue = await api('POST', '/queues', { name: 'Web chat', offerTimeoutSeconds: 120 });
    await api('POST', '/users', {
      email: agent.email,
      displayName: 'Bella Agent',
      password: agent.password,
      role: 'agent',
      locale: 'en',
    });
    const flow = await api('POST', '/flows', { name: 'Shop bot' });
    flowId = flow.id;
    await api('PUT', `/flows/${flow.id}/draft`, shopBot(orders.base));
    await api('POST', `/flows/${flow.id}/publish`);

    hostPort = await freePort();
    hostOrigin = `http://127.0.0.1:${hostPort}`;
    await api('PUT', '/widget-settings', {
      // The same page under a second name: a second visitor with their own storage in the same browser.
      allowedOrigins: [hostOrigin, `http://localhost:${hostPort}`],
      topics: [{ key: 'orders', label: { en: 'Orders', ru: 'Заказы' }, queueId: queue.id }],
      preChat: { name: 'required', email: 'optional', phone: 'hidden' },
      flowId: flow.id,
    });
    host = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>` +
          `<body><h1>Shop</h1><script src="${hotline.baseUrl}/widget.js" data-tenant="${slug}" async></script></body></html>`,
      );
    });
    await new Promise<void>((done) => host.listen(hostPort, '127.0.0.1', done));

    browser = await launchBrowser();
    desk = browser.page;
    site = await browser.context.newPage();
    site.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => host?.close(done));
    orders?.server.close();
    await hotline?.dispose();
  });

  it('lets the agent go ready on the desktop', async () => {
    await desk.goto(hotline.baseUrl);
    await signIn(desk, agent.email, agent.password);
    await desk.getByTestId('agent-desktop').waitFor();
    await desk.getByTestId('agent-login').click();
    await desk.getByTestId('agent-ready').click();
    await expect.poll(() => desk.getByTestId('agent-status').textContent()).toBe('Ready');
  });

  it('answers in the widget as the bot, with quick replies and an order looked up over http', async () => {
    await site.goto(hostOrigin);
    await widget().getByRole('button', { name: 'Chat with us' }).click();
    await widget().getByLabel('Name').fill('Vera');
    await widget().getByRole('button', { name: 'Start the chat' }).click();
    await widget().getByText('Hi! I am the shop bot.').waitFor();
    await widget().getByText('You are chatting with our assistant.').waitFor();
    const replies = widget().locator('.quick-reply');
    await expect.poll(() => replies.allTextContents()).toEqual(['Order status', 'A question', 'An agent']);
    // The bot's lines are signed by the bot, never as an agent.
    expect(await widget().locator('li.msg.theirs .author').allTextContents()).toEqual([
      'Assistant',
      'Assistant',
    ]);
    await site.screenshot({ path: join(outputDir, 'bot-01-menu.png') });

    await widget().getByRole('button', { name: 'Order status' }).click();
    await widget().getByText('Your 6-digit order number?').waitFor();
    await widget().getByLabel('Your message').fill('123456');
    await widget().getByLabel('Your message').press('Enter');
    await widget().getByText('Order 123456 is shipped, expected 2026-12-01.').waitFor();
    // Quick replies are shown under the newest bot message only.
    await expect.poll(() => replies.filter({ visible: true }).count()).toBe(3);
    await site.screenshot({ path: join(outputDir, 'bot-02-order.png') });
  });

  it('hands over to the agent with what the bot found on the offer card and in the customer panel', async () => {
    await widget().locator('.quick-reply', { hasText: 'An agent' }).last().click();
    const card = desk.getByTestId('offer-card');
    await card.waitFor();
    const summary = card.getByTestId('bot-summary');
    await expect.poll(() => summary.textContent()).toContain('order_id123456');
    expect(await summary.textContent()).toContain('shipped');
    await browser.shot('bot-03-offer');
    await desk.keyboard.press('Alt+KeyA');
    await desk.getByTestId('work-view').waitFor();
    const transcript = desk.getByTestId('customer-panel').getByTestId('bot-transcript');
    await expect.poll(() => transcript.textContent()).toContain('Customer: 123456');
    expect(await transcript.textContent()).toContain('Bot: Order 123456 is shipped, expected 2026-12-01.');
    await widget().getByText('You are chatting with Bella Agent.').waitFor();
    await browser.shot('bot-04-accepted');
  });

  it('serves the next conversation from a newly published version (an outage notice) while a running one keeps its version', async () => {
    // A visitor already talking to the bot (version 1)…
    const before = await browser.context.newPage();
    before.setDefaultTimeout(15_000);
    await before.goto(`http://localhost:${hostPort}`);
    const chatBefore = before.locator('hotline-chat');
    await chatBefore.getByRole('button', { name: 'Chat with us' }).click();
    await chatBefore.getByLabel('Name').fill('Oleg');
    await chatBefore.getByRole('button', { name: 'Start the chat' }).click();
    await chatBefore.getByText('What do you need?').waitFor();

    // …when the admin publishes an outage announcement in front of the menu, without any restart.
    const notice = 'Deliveries are delayed by one day because of a warehouse outage.';
    const v1 = shopBot(orders.base);
    const v2 = {
      ...v1,
      entry: 'outage',
      nodes: {
        outage: { verb: 'say', text: { en: notice, ru: notice }, next: { done: v1.entry } },
        ...v1.nodes,
        // Changed further on too, so a running session that jumped versions would show it.
        ask_order: { ...v1.nodes.ask_order, prompt: 'Which order (6 digits)?' },
      },
    };
    await api('PUT', `/flows/${flowId}/draft`, v2);
    const published = await api('POST', `/flows/${flowId}/publish`);
    expect(published.version).toBe(2);

    // The next new conversation hears the notice first.
    const other = await launchBrowser();
    try {
      const page = other.page;
      page.setDefaultTimeout(15_000);
      await page.goto(hostOrigin);
      const chat = page.locator('hotline-chat');
      await chat.getByRole('button', { name: 'Chat with us' }).click();
      await chat.getByLabel('Name').fill('Nina');
      await chat.getByRole('button', { name: 'Start the chat' }).click();
      await chat.getByText('What do you need?').waitFor();
      const lines = await chat.locator('li.msg.theirs .bubble').allTextContents();
      expect(lines.join('\n')).toContain(notice);
      expect(lines.findIndex((l) => l.includes(notice))).toBeLessThan(
        lines.findIndex((l) => l.includes('Hi! I am the shop bot.')),
      );
      await page.screenshot({ path: join(outputDir, 'bot-05-outage-notice.png') });
    } finally {
      await other.close();
    }

    // The conversation that started on version 1 goes on on version 1: no notice appears there.
    await chatBefore.getByRole('button', { name: 'Order status' }).click();
    await chatBefore.getByText('Your 6-digit order number?').waitFor();
    expect(await chatBefore.getByText(notice).count()).toBe(0);
    expect(await chatBefore.getByText('Which order (6 digits)?').count()).toBe(0);
    await before.close();
  });
});
