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
 * The other admin pages and the role-aware shell: a user with a team and skills, a business-hours
 * calendar, an API key shown once, the audit log, then the same UI as a supervisor and as an agent.
 */
describe('admin pages and roles', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => browser.shot(`pages-${name}`);
  const agent = { email: 'ann@example.com', password: 'agent-password-1' };
  const supervisor = { email: 'sam@example.com', password: 'supervisor-password-1' };

  const submitForm = async () => {
    await page.getByTestId('form-submit').click();
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });
  };
  const pick = async (testId: string, option: string) => {
    await page.getByTestId(testId).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer('pages');
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(server.baseUrl);
    await signIn(page, server.adminEmail, server.adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates an agent with a team, capacity and skills', async () => {
    await page.getByTestId('nav-teams').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-name').fill('Tier 1');
    await submitForm();
    await page.getByTestId('nav-skills').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-name').fill('Spanish');
    await submitForm();

    await page.getByTestId('nav-users').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-email').fill(agent.email);
    await page.getByTestId('field-display-name').fill('Ann Agent');
    await page.getByTestId('field-password').fill(agent.password);
    await pick('field-team', 'Tier 1');
    await page.getByTestId('field-capacity-chat').fill('5');
    await page.getByTestId('agent-skills-add').click();
    await pick('agent-skills-skill', 'Spanish');
    await page.getByTestId('agent-skills-level').fill('7');
    await shot('01-user-form');
    await submitForm();

    const row = page.getByTestId('users-row').filter({ hasText: 'Ann Agent' });
    expect(await row.textContent()).toContain('Tier 1');
    await row.getByTestId('edit-button').click();
    await expect.poll(() => page.getByTestId('agent-skills-level').inputValue()).toBe('7');
    expect(await page.getByTestId('field-capacity-chat').inputValue()).toBe('5');
    await page.keyboard.press('Escape');
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });

    await page.getByTestId('create-button').click();
    await page.getByTestId('field-email').fill(supervisor.email);
    await page.getByTestId('field-display-name').fill('Sam Supervisor');
    await page.getByTestId('field-password').fill(supervisor.password);
    await pick('field-role', 'Supervisor');
    await submitForm();
    await page.getByTestId('users-row').filter({ hasText: 'Sam Supervisor' }).waitFor();
    await shot('02-users');
  });

  it('creates a business-hours calendar', async () => {
    await page.getByTestId('nav-calendars').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-name').fill('Office hours');
    await page.getByRole('button', { name: 'Mon–Fri 09:00–18:00' }).click();
    await page.getByTestId('holiday-add').click();
    await page.getByTestId('holiday-row').getByLabel('Date').fill('2027-01-01');
    await page.getByTestId('holiday-row').getByLabel('Holiday name').fill('New Year');
    await shot('03-calendar-form');
    await submitForm();
    const row = page.getByTestId('calendars-row').filter({ hasText: 'Office hours' });
    expect(await row.textContent()).toContain('Mon–Fri 09:00–18:00');
  });

  it('shows a new API key once, and the key works', async () => {
    await page.getByTestId('nav-apiKeys').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-name').fill('CRM integration');
    await pick('field-role', 'Supervisor');
    await page.getByTestId('form-submit').click();
    const secret = (await page.getByTestId('api-key-secret').textContent()) ?? '';
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });
    await shot('04-api-key-secret');
    const me = await fetch(`${server.baseUrl}/api/auth/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ kind: 'api_key', role: 'supervisor' });

    await page.getByRole('button', { name: 'I have saved it' }).click();
    const row = page.getByTestId('api-keys-row').filter({ hasText: 'CRM integration' });
    await row.getByTestId('revoke-button').click();
    await page.getByTestId('confirm-button').click();
    await row.waitFor({ state: 'detached' });
    const after = await fetch(`${server.baseUrl}/api/auth/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(after.status).toBe(401);
  });

  it('binds a phone number on a trunk to a flow, and opens the empty call list', async () => {
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
    });
    const { token } = (await login.json()) as { token: string };
    const post = (path: string, body: unknown) =>
      fetch(`${server.baseUrl}/api${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/trunks', { name: 'Carrier A', allowedCidrs: ['198.51.100.0/24'] })).status).toBe(
      201,
    );
    expect((await post('/flows', { name: 'Main IVR' })).status).toBe(201);

    await page.getByTestId('nav-phoneNumbers').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-number').fill('+74951234567');
    await pick('field-trunk', 'Carrier A');
    await pick('field-flow', 'Main IVR');
    await submitForm();
    const row = page.getByTestId('phone-numbers-row').filter({ hasText: '+74951234567' });
    await expect.poll(() => row.textContent()).toContain('Main IVR');
    expect(await row.textContent()).toContain('Carrier A');
    await shot('06-phone-numbers');

    await page.getByTestId('nav-calls').click();
    await page.getByTestId('calls-table').waitFor();
    await page.getByTestId('calls-outcome').click();
    await page.getByRole('option', { name: 'Abandoned', exact: true }).click();
    await shot('07-calls');
  });

  it('lists changes in the audit log with before/after', async () => {
    await page.getByTestId('nav-auditLog').click();
    await page.getByTestId('audit-row').first().waitFor();
    const rows = await page.getByTestId('audit-row').allTextContents();
    expect(rows.join('\n')).toContain('Created');
    await page.getByTestId('audit-toggle').first().click();
    await page.getByTestId('audit-change').waitFor();
    await shot('05-audit-log');
  });

  it('shows configuration read-only to a supervisor', async () => {
    await page.getByTestId('logout-button').click();
    await signIn(page, supervisor.email, supervisor.password);
    await page.getByTestId('nav-queues').click();
    await page.getByTestId('read-only').waitFor();
    expect(await page.getByTestId('create-button').count()).toBe(0);
    expect(await page.getByTestId('nav-apiKeys').count()).toBe(0);
    expect(await page.getByTestId('nav-auditLog').count()).toBe(0);
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-row').filter({ hasText: 'Ann Agent' }).waitFor();
    expect(await page.getByTestId('edit-button').count()).toBe(0);
    await shot('06-supervisor');
  });

  it('gives an agent only the agent desktop', async () => {
    await page.getByTestId('logout-button').click();
    await signIn(page, agent.email, agent.password);
    await page.getByTestId('agent-desktop').waitFor();
    expect(new URL(page.url()).pathname).toBe('/desktop');
    expect(await page.getByTestId('nav-users').count()).toBe(0);
    await page.goto(`${server.baseUrl}/admin/users`);
    await page.getByTestId('agent-desktop').waitFor();
    await shot('07-agent');
  });
});
