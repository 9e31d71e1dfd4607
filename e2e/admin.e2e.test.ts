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

/** The admin's first session: sign in, switch to Russian, configure a skill and a queue, sign out. */
describe('web admin', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => browser.shot(name);

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer('admin');
    browser = await launchBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in as the admin and switches to Russian', async () => {
    await page.goto(server.baseUrl);
    await page.getByTestId('login-page').waitFor();
    await shot('01-login');

    await signIn(page, server.adminEmail, server.adminPassword);
    expect(await page.getByTestId('user-role').textContent()).toBe('Owner');
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('Users');
    await shot('02-signed-in');

    await page.getByTestId('language-switch').getByText('RU', { exact: true }).click();
    await page.getByTestId('nav-skills').getByText('Навыки').waitFor();
    expect(await page.getByTestId('navbar').textContent()).toContain('Администрирование');
    await shot('03-russian');
  });

  it('creates a skill and a queue that requires it', async () => {
    await page.getByTestId('nav-skills').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-name').fill('Billing');
    await page.getByTestId('field-description').fill('Invoices and payments');
    await page.getByTestId('form-submit').click();
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });
    await page.getByTestId('skills-row').filter({ hasText: 'Billing' }).waitFor();
    await shot('04-skill-created');

    // A second skill with the same name: the server's DUPLICATE shows as a translated message.
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-name').fill('billing');
    await page.getByTestId('form-submit').click();
    await page
      .getByTestId('error-alert')
      .getByText('Объект с таким названием, кодом или адресом уже существует')
      .waitFor();
    await shot('05-duplicate-skill');
    await page.keyboard.press('Escape');
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });

    await page.getByTestId('nav-queues').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-name').fill('Billing support');
    await page.getByTestId('required-skills-add').click();
    await page.getByTestId('required-skills-skill').click();
    await page.getByRole('option', { name: 'Billing' }).click();
    await page.getByTestId('required-skills-level').fill('3');
    await page.getByTestId('field-offer-timeout').fill('45');
    await page.getByLabel('Звонок блокирует чаты и письма оператора').uncheck();
    await page.getByTestId('field-recording').click();
    await page.getByRole('option', { name: 'По кнопке оператора' }).click();
    await page.getByTestId('field-announce-interval').fill('60');
    await shot('06-queue-form');
    await page.getByTestId('form-submit').click();
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });
    const queueRow = page.getByTestId('queues-row').filter({ hasText: 'Billing support' });
    await queueRow.waitFor();
    expect(await queueRow.textContent()).toContain('Billing ≥ 3');
    const stored = (await page.evaluate(async () => (await fetch('/api/queues?limit=100')).json())) as {
      items: { id: string; name: string }[];
    };
    const billing = stored.items.find((q: { name: string }) => q.name === 'Billing support') as {
      id: string;
    };
    expect(billing).toMatchObject({ offerTimeoutSeconds: 45, blocksOtherChannels: false });
    const voice = await page.evaluate(
      async (id) => (await fetch(`/api/queues/${id}/voice`)).json(),
      billing.id,
    );
    expect(voice).toMatchObject({ recording: 'on_demand', announceIntervalSeconds: 60 });
    await shot('07-queue-created');

    await page.getByTestId('nav-skills').click();
    await page.getByTestId('skills-row').filter({ hasText: 'Billing' }).waitFor();
  });

  it('refuses to delete a skill that a queue requires (IN_USE)', async () => {
    await page.getByTestId('nav-skills').click();
    const skillRow = page.getByTestId('skills-row').filter({ hasText: 'Billing' });
    await skillRow.getByTestId('delete-button').click();
    try {
      await page.getByTestId('confirm-button').click();
      await page.getByTestId('error-alert').getByText('Объект используется, удалить его нельзя').waitFor();
      await shot('08-skill-in-use');
    } finally {
      await page.keyboard.press('Escape');
      await page.getByTestId('confirm-button').waitFor({ state: 'hidden' });
    }
    expect(await page.getByTestId('skills-row').count()).toBe(1);
  });

  it('opens the agent desktop from the navbar: an owner may take chats too', async () => {
    await page.getByTestId('nav-desktop').click();
    await page.getByTestId('agent-desktop').waitFor();
    await page.getByTestId('agent-login').click();
    await page.getByTestId('agent-ready').click();
    // The page is in Russian since the first test.
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('Готов');
    await shot('08b-owner-desktop');
    await page.getByTestId('agent-logout').click();
    await page.getByTestId('agent-login').waitFor();
  });

  it('signs out', async () => {
    await page.getByTestId('logout-button').click();
    await page.getByTestId('login-page').waitFor();
    expect(await page.getByTestId('login-submit').textContent()).toBe('Войти');
    await shot('09-signed-out');
  });
});
