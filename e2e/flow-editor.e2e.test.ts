import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  ensureWebBuilt,
  launchBrowser,
  type RunningServer,
  root,
  signIn,
  startServer,
} from './harness';

/**
 * The flow editor and the knowledge base in the browser: an admin opens the order-status flow, adds a
 * node and connects it by dragging, saves (the validator's issue is listed and marked on the graph),
 * fixes it, test-runs a conversation with a fake HTTP reply, publishes; then edits a KB article and
 * tries a question.
 */
describe('flow editor and knowledge base', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let flowId: string;
  const shot = (name: string) => browser.shot(`flow-editor-${name}`);
  const orderStatus = JSON.parse(readFileSync(join(root, 'examples/flows/order-status.flow.json'), 'utf8'));

  /** Drags from an outcome handle to the target handle of a node, as a mouse would. */
  const connect = async (from: Locator, to: string) => {
    const target = page.locator(`[data-node-id="${to}"] .react-flow__handle.target`);
    const a = await from.boundingBox();
    const b = await target.boundingBox();
    if (!a || !b) throw new Error('handle not visible');
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + 30, a.y + 40, { steps: 5 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 15 });
    await page.mouse.up();
  };

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer('flow-editor');
    browser = await launchBrowser();
    page = browser.page;
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(server.baseUrl);
    await signIn(page, server.adminEmail, server.adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates a flow and opens the order-status document as a graph', async () => {
    await page.getByTestId('nav-flows').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('field-name').fill('Order status');
    await page.getByTestId('form-submit').click();
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });
    const row = page.getByTestId('flows-row').filter({ hasText: 'Order status' });
    await row.waitFor();
    // The document itself comes from the example, saved through the API with the admin's session.
    const list = await page.request.get(`${server.baseUrl}/api/flows`);
    const flows = (await list.json()).items as { id: string; name: string }[];
    flowId = flows.find((f) => f.name === 'Order status')?.id ?? '';
    const saved = await page.request.put(`${server.baseUrl}/api/flows/${flowId}/draft`, {
      data: orderStatus,
    });
    expect(saved.status()).toBe(200);
    await page.reload();
    await page.getByTestId('flows-row').filter({ hasText: 'Order status' }).getByText('v1').waitFor();
    await shot('01-list');

    await page.getByTestId('flows-row').filter({ hasText: 'Order status' }).getByTestId('flow-link').click();
    await page.getByTestId('flow-editor').waitFor();
    await expect
      .poll(() => page.getByTestId('flow-node').count())
      .toBe(Object.keys(orderStatus.nodes).length);
    expect(await page.getByTestId('flow-state').textContent()).toContain('v1');
    const start = page.locator('[data-node-id="greet"]');
    expect(await start.getByTestId('flow-node-start').count()).toBe(1);
    expect(await page.locator('.react-flow__edge').count()).toBe(14);
    await page.locator('[data-node-id="ask_order"]').click();
    await page.getByTestId('node-properties').waitFor();
    expect(await page.getByTestId('field-into').inputValue()).toBe('order_id');
    await shot('02-graph');
  });

  it('adds a node, connects it, sees the validation issue and fixes it', async () => {
    await page.getByTestId('palette-say').click();
    const added = page.locator('[data-node-id="say"]');
    await added.waitFor();
    await page.getByTestId('field-text-en').fill('Let me look that up.');
    await connect(page.getByTestId('handle-say-done'), 'tell');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(15);
    await page.getByTestId('flow-save').click();
    // Nothing leads to the new node yet: the server refuses the draft and says where.
    const issue = page.getByTestId('issue').filter({ hasText: 'UNREACHABLE_NODE' });
    await issue.waitFor();
    expect(await issue.getAttribute('data-node')).toBe('say');
    expect(await added.getAttribute('data-issue')).toBe('true');
    expect(await page.getByTestId('flow-notice').textContent()).toContain('not saved');
    await shot('03-validation');

    // The outcome's edge moves: known → tell becomes known → say.
    await connect(page.getByTestId('handle-known-true'), 'say');
    await expect.poll(() => page.locator('.react-flow__edge.selected, .react-flow__edge').count()).toBe(15);
    expect(await page.locator('.react-flow__edge').count()).toBe(15);
    await page.getByTestId('flow-save').click();
    await expect.poll(() => page.getByTestId('flow-notice').textContent()).toContain('Draft saved');
    expect(await page.getByTestId('issues-none').count()).toBe(1);
    expect(await page.locator('[data-node-id="say"]').getAttribute('data-issue')).toBeNull();
    await shot('03b-fixed');
    const stored = await (await page.request.get(`${server.baseUrl}/api/flows/${flowId}`)).json();
    expect(stored.draft.document.nodes.known.next).toEqual({ true: 'say', false: 'to_agent' });
    expect(stored.draft.document.nodes.say).toEqual({
      verb: 'say',
      text: { en: 'Let me look that up.', ru: 'Здравствуйте!' },
      next: { done: 'tell' },
    });
    expect(stored.draft.document.ui.positions.say).toEqual({ x: expect.any(Number), y: expect.any(Number) });
  });

  it('test-runs a conversation with a fake HTTP reply', async () => {
    await page.getByTestId('panel-test').click();
    await page.getByTestId('test-start').click();
    const messages = page.getByTestId('test-message');
    await expect
      .poll(() => messages.allTextContents())
      .toEqual(['Hi! I can tell you where your order is.', 'Please type your 6-digit order number.']);
    expect(await page.locator('[data-node-id="ask_order"]').getAttribute('data-current')).toBe('true');
    await page.getByTestId('test-input').fill('123456');
    await page.getByTestId('test-send').click();
    await page.getByTestId('test-http').waitFor();
    expect(await page.getByTestId('test-http').textContent()).toContain(
      'https://shop.example.com/api/orders/123456',
    );
    expect(await page.locator('[data-node-id="lookup"]').getAttribute('data-current')).toBe('true');
    await page
      .getByTestId('test-http-body')
      .fill('{"order": {"status": "shipped", "delivery": {"eta": "2025-01-03"}}}');
    await shot('04-test-run-http');
    await page.getByTestId('test-http-reply').click();
    await page.getByTestId('test-ended').waitFor();
    expect(await messages.allTextContents()).toEqual([
      'Hi! I can tell you where your order is.',
      'Please type your 6-digit order number.',
      '123456',
      'Let me look that up.',
      'Order 123456 is shipped; expected on 2025-01-03.',
    ]);
    expect(await page.getByTestId('test-ended').textContent()).toContain('self_service');
    await shot('05-test-run-done');
  });

  it('publishes the draft after a confirmation', async () => {
    await page.getByTestId('flow-publish').click();
    await page.getByTestId('confirm-button').click();
    await expect
      .poll(() => page.getByTestId('flow-notice').textContent())
      .toContain('Version 1 is published');
    expect(await page.getByTestId('flow-state').textContent()).toContain('Published');
    const stored = await (await page.request.get(`${server.baseUrl}/api/flows/${flowId}`)).json();
    expect(stored.published.version).toBe(1);
    expect(stored.draft).toBeNull();
  });

  it('shows and applies the raw JSON', async () => {
    await page.getByTestId('tab-json').click();
    const text = await page.getByTestId('json-text').inputValue();
    expect(JSON.parse(text).nodes.say.next).toEqual({ done: 'tell' });
    await page.getByTestId('json-text').fill(text.replace('"Let me look that up."', '"One moment."'));
    await shot('05b-json');
    await page.getByTestId('json-apply').click();
    await page.getByTestId('tab-graph').click();
    await expect.poll(() => page.locator('[data-node-id="say"]').textContent()).toContain('One moment.');
    expect(await page.getByTestId('flow-dirty').count()).toBe(1);

    // A node added by mistake goes with the Delete key, its edges with it.
    await page.getByTestId('palette-hangup').click();
    const extra = page.locator('[data-node-id="hangup"]');
    await extra.click();
    await page.keyboard.press('Delete');
    await extra.waitFor({ state: 'detached' });
    await page.getByTestId('flow-discard').click();
    await expect
      .poll(() => page.locator('[data-node-id="say"]').textContent())
      .toContain('Let me look that up.');
  });

  it('edits a knowledge-base article and tries a question', async () => {
    await page.getByTestId('nav-knowledgeBase').click();
    await page.getByTestId('create-button').click();
    await page.getByTestId('kb-questions').fill('How do I reset my password?\nI forgot my password');
    await page.getByTestId('kb-keywords').fill('password, login');
    await page.getByTestId('kb-answer').fill('Use the reset link on the sign-in page.');
    await page.getByTestId('form-submit').click();
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });
    const row = page.getByTestId('kb-row').filter({ hasText: 'How do I reset my password?' });
    await row.getByTestId('edit-button').click();
    await expect
      .poll(() => page.getByTestId('kb-answer').inputValue())
      .toBe('Use the reset link on the sign-in page.');
    await page.getByTestId('kb-answer').fill('Open the sign-in page and choose “Forgot password”.');
    await page.waitForTimeout(400); // the modal's opening transition, for the screenshot only
    await shot('06-kb-edit');
    await page.getByTestId('form-submit').click();
    await page.getByTestId('entity-form').waitFor({ state: 'hidden' });
    await expect.poll(() => row.textContent()).toContain('Forgot password');

    await page.getByTestId('kb-try-question').fill('forgot password');
    await page.getByTestId('kb-try-submit').click();
    await page.getByTestId('kb-try-result').waitFor();
    expect(await page.getByTestId('kb-try-result').textContent()).toContain('Would answer');
    expect(await page.getByTestId('kb-try-score').textContent()).toMatch(/Score (0\.\d\d|1\.00)/);
    await shot('07-kb-try');
  });

  it('speaks Russian too', async () => {
    await page.getByTestId('language-switch').getByText('RU').click();
    await page.getByTestId('nav-flows').click();
    await page.getByTestId('flows-row').filter({ hasText: 'Order status' }).getByTestId('flow-link').click();
    await page.getByTestId('flow-editor').waitFor();
    expect(await page.getByTestId('flow-save').textContent()).toBe('Сохранить черновик');
    expect(await page.getByTestId('palette-gather').textContent()).toBe('Запросить ввод');
    await page.locator('[data-node-id="lookup"]').click();
    expect(await page.getByTestId('node-properties').textContent()).toContain('Сохранить из ответа');
    await shot('08-ru');
  });
});
