import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  ensureWebBuilt,
  launchBrowser,
  type RunningServer,
  signIn,
  startServer,
} from './harness';

/**
 * The agent desktop on its own: an agent logs in to routing and goes ready, an interaction created
 * through the API rings on the desktop (offer card with countdown, pushed over the realtime socket),
 * Alt+A accepts it, the state follows, and closing it with a disposition frees the agent again.
 */
describe('agent desktop', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let adminToken: string;
  let queueId: string;
  const agent = { email: 'dana@example.com', password: 'agent-password-1' };

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const status = () => page.getByTestId('agent-status').textContent();

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer('desktop');
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
    });
    adminToken = ((await login.json()) as { token: string }).token;
    queueId = (
      await api('POST', '/queues', { name: 'Callbacks', strategy: 'longest_idle', offerTimeoutSeconds: 60 })
    ).id;
    await api('POST', '/disposition-codes', { code: 'done', name: 'Done' });
    await api('POST', '/users', {
      email: agent.email,
      displayName: 'Dana Agent',
      password: agent.password,
      role: 'agent',
      locale: 'en',
    });
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(server.baseUrl);
    await signIn(page, agent.email, agent.password);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('logs in to routing and goes ready', async () => {
    await page.getByTestId('agent-desktop').waitFor();
    await expect.poll(status).toBe('Logged out');
    await page.getByTestId('agent-login').click();
    await page.getByTestId('agent-ready').click();
    await expect.poll(status).toBe('Ready');
    await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor();
  });

  it('rings an offer pushed over the socket and accepts it with Alt+A', async () => {
    await api('POST', '/interactions', {
      queueId,
      subject: 'Call back about <b>invoice</b> 42',
      contact: { name: 'Erin Customer', phone: '+15551234567' },
    });
    const card = page.getByTestId('offer-card');
    await card.waitFor();
    await expect.poll(() => page.getByTestId('offer-customer').textContent()).toBe('Erin Customer');
    // Shown as text, not markup.
    expect(await card.textContent()).toContain('<b>invoice</b>');
    // The queue's offer timeout is 60 s: the countdown shows at most that, and is running.
    const [minutes, seconds] = (await page.getByTestId('offer-countdown').textContent())!
      .split(':')
      .map(Number);
    expect(minutes! * 60 + seconds!).toBeGreaterThan(30);
    expect(minutes! * 60 + seconds!).toBeLessThanOrEqual(60);
    expect(await status()).toBe('Offer ringing');
    await browser.shot('desktop-01-offer');

    await page.keyboard.press('Alt+KeyA');
    await page.getByTestId('work-view').waitFor();
    await expect.poll(status).toBe('Busy');
    expect(await page.getByTestId('offer-card').count()).toBe(0);
    await expect.poll(() => page.getByTestId('work-customer').textContent()).toBe('Erin Customer');
    await expect.poll(() => page.getByTestId('customer-panel').textContent()).toContain('+15551234567');
    await browser.shot('desktop-02-accepted');
  });

  it('closes with a disposition (Alt+C) and is ready again', async () => {
    await page.keyboard.press('Alt+KeyC');
    await page.getByTestId('wrap-up-form').waitFor();
    await page.getByTestId('wrap-up-disposition').click();
    await page.getByRole('option', { name: 'done — Done' }).click();
    await page.getByTestId('wrap-up-notes').fill('Called back, sorted.');
    await page.getByTestId('wrap-up-submit').click();
    await page.getByTestId('work-view').waitFor({ state: 'detached' });
    await expect.poll(status).toBe('Ready');
    expect(await page.getByTestId('agent-desktop').textContent()).toContain('Handled today: 1');
    await browser.shot('desktop-03-closed');

    const closed = await api('GET', `/supervisor/agents`);
    const me = closed.items.find((a: { handledToday: number }) => a.handledToday === 1);
    expect(me?.status).toBe('ready');
  });
});
