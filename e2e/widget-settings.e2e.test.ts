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
 * The "Chat widget" admin page: the embed code, a refused save (an enabled widget without topics),
 * a topic with a queue and a skill, business hours, greetings and origins saved and read back after a
 * reload, and the same page read-only for a supervisor.
 */
describe('chat widget settings page', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let token: string;
  const shot = (name: string) => browser.shot(`widget-settings-${name}`);
  const supervisor = { email: 'sue@example.com', password: 'supervisor-password-1' };

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.baseUrl}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const pick = async (testId: string, option: string) => {
    await page.getByTestId(testId).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer('widget-settings');
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
    });
    token = ((await login.json()) as { token: string }).token;
    await api('POST', '/queues', { name: 'Sales' });
    await api('POST', '/skills', { name: 'German' });
    await api('POST', '/calendars', {
      name: 'Office hours',
      timeZone: 'Europe/Berlin',
      weekly: [{ day: 'mon', open: '09:00', close: '17:00' }],
    });
    await api('POST', '/users', {
      email: supervisor.email,
      displayName: 'Sue Supervisor',
      role: 'supervisor',
      password: supervisor.password,
    });
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(server.baseUrl);
    await signIn(page, server.adminEmail, server.adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the embed code for this server and tenant', async () => {
    await page.getByTestId('nav-widget').click();
    await page.getByTestId('widget-settings').waitFor();
    const me = await api('GET', '/auth/me');
    expect(await page.getByTestId('widget-snippet').textContent()).toBe(
      `<script src="${server.baseUrl}/widget.js" data-tenant="${me.tenant.slug}" async></script>`,
    );
    await page.getByTestId('widget-no-topics').waitFor();
    await shot('01-defaults');
  });

  it('refuses to save an enabled widget without topics, and says why', async () => {
    await page.getByTestId('widget-save').click();
    const alert = page.getByTestId('error-alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Some fields are invalid');
    expect(await alert.textContent()).toContain('at least one topic');
    expect(await api('GET', '/widget-settings')).toMatchObject({ topics: [] });
  });

  it('saves a topic, hours, greetings and origins, and reads them back after a reload', async () => {
    await page.getByTestId('widget-topic-add').click();
    // Without a queue the topic cannot be saved yet.
    expect(await page.getByTestId('widget-save').isDisabled()).toBe(true);
    await page.getByTestId('widget-topic-key').fill('sales');
    await page.getByTestId('widget-topic-label-en').fill('Buying something');
    await page.getByTestId('widget-topic-label-ru').fill('Покупка');
    await pick('widget-topic-queue', 'Sales');
    await page.getByTestId('widget-topic-skills-add').click();
    await pick('widget-topic-skills-skill', 'German');
    await page.getByTestId('widget-topic-skills-level').fill('4');
    await pick('widget-calendar', 'Office hours');
    await page.getByTestId('widget-origins').fill('https://shop.example/\nhttp://localhost:8080');
    await page.getByTestId('widget-greeting-en').fill('Hello! How can we help?');
    await page.getByTestId('widget-greeting-ru').fill('Здравствуйте! Чем помочь?');
    await page.getByTestId('widget-prechat-phone').getByText('Optional').click();
    await page.getByTestId('widget-offline-mode').getByText('Request a call back').click();
    await shot('02-filled');
    await page.getByTestId('widget-save').click();
    await page.getByTestId('widget-saved').waitFor();

    const [queue] = (await api('GET', '/queues')).items;
    const [skill] = (await api('GET', '/skills')).items;
    const [calendar] = (await api('GET', '/calendars')).items;
    expect(await api('GET', '/widget-settings')).toEqual({
      enabled: true,
      allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
      preChat: { name: 'required', email: 'optional', phone: 'optional' },
      topics: [
        {
          key: 'sales',
          label: { en: 'Buying something', ru: 'Покупка' },
          queueId: queue.id,
          skills: [{ skillId: skill.id, minLevel: 4 }],
        },
      ],
      calendarId: calendar.id,
      greeting: { en: 'Hello! How can we help?', ru: 'Здравствуйте! Чем помочь?' },
      offlineMode: 'callback',
      flowId: null,
    });

    // The queue list arrives after the settings: the form must not show the topic's queue as blank meanwhile.
    await page.route('**/api/queues?*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await page.reload();
    await page.getByTestId('widget-settings').waitFor();
    await page.unrouteAll({ behavior: 'wait' });
    expect(await page.getByTestId('widget-topic-key').inputValue()).toBe('sales');
    expect(await page.getByTestId('widget-topic-queue').inputValue()).toBe('Sales');
    expect(await page.getByTestId('widget-calendar').inputValue()).toBe('Office hours');
    expect(await page.getByTestId('widget-topic-skills-level').inputValue()).toBe('4');
    expect(await page.getByTestId('widget-origins').inputValue()).toBe(
      'https://shop.example\nhttp://localhost:8080',
    );
    await shot('03-saved');
  });

  it('shows the settings read-only to a supervisor', async () => {
    await page.getByTestId('logout-button').click();
    await signIn(page, supervisor.email, supervisor.password);
    await page.getByTestId('nav-widget').click();
    await page.getByTestId('read-only').waitFor();
    expect(await page.getByTestId('widget-save').count()).toBe(0);
    expect(await page.getByTestId('widget-topic-add').count()).toBe(0);
    expect(await page.getByTestId('widget-topic-key').isDisabled()).toBe(true);
    expect(await page.getByTestId('widget-greeting-en').inputValue()).toBe('Hello! How can we help?');
    await shot('04-supervisor');
  });
});
