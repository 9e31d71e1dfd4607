import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ack,
  answerBye,
  CALLER,
  expectPassed,
  sippCall,
  until,
} from '../packages/server/src/testing/sipp-caller';
import { type Browser, ensureWebBuilt, launchBrowser, RestartableServer, signIn } from './harness';

/**
 * Voicemail end to end (issue 7): SIPp dials a number whose flow leaves a voicemail for the
 * **Messages** queue; the caller streams a 440 Hz tone through the prompt and the beep, then presses
 * `#` (SIPp's RFC 4733 capture). The message reaches the agent's desktop as a task offer through the
 * router; the agent accepts it and plays it in the browser (the server audits the playback and marks
 * it heard), then marks it handled. The CDR says the call ended in voicemail.
 *
 * Both SIPp's stream and its key press leave from its media port (`a=x-sipp-audio-port`), which the
 * server latches onto (see `voice-call.e2e.test.ts`).
 */
const DID = '+74951230088';
const POUND_PCAP = '/usr/share/sip-tester/dtmf_2833_pound.pcap';
const work = join(import.meta.dirname, '..', '.tmp', 'voicemail-e2e');
mkdirSync(work, { recursive: true });
const dir = mkdtempSync(join(work, 'run-'));
const callerWav = join(dir, 'caller-440hz-ulaw.wav');

const flow = {
  id: 'voicemail-e2e',
  version: 1,
  entry: 'record',
  nodes: {
    record: {
      verb: 'voicemail',
      mailbox: 'Messages',
      maxSeconds: 30,
      prompt: 'Оставьте сообщение после сигнала.',
      next: { done: 'thanks', failed: 'bye' },
    },
    thanks: { verb: 'say', text: 'Спасибо, до свидания.', next: { done: 'bye' } },
    bye: { verb: 'hangup' },
  },
};

/** What the test uses of the page's `<audio>` (the root tsconfig has no DOM types). */
interface AudioElement {
  readonly duration: number;
  readonly error: { readonly code: number } | null;
  play(): Promise<void>;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}

describe('voicemail end to end: a message left on a call, played on the agent desktop', () => {
  let server: RestartableServer;
  let sipPort: number;
  let adminToken: string;
  let browser: Browser;
  let page: Page;
  const agent = { email: 'vic@example.com', password: 'agent-password-1' };

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
    for (const tool of ['sipp', 'sox', 'espeak-ng']) execFileSync('which', [tool]);
    execFileSync('sox', [
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-e',
      'u-law',
      callerWav,
      'synth',
      '20',
      'sine',
      '440',
      'vol',
      '0.5',
    ]);
    ensureWebBuilt();
    const rtp = 46_000 + Math.floor(Math.random() * 200) * 20;
    server = await RestartableServer.create('voicemail', {
      HOTLINE_RTP_PORT_MIN: String(rtp),
      HOTLINE_RTP_PORT_MAX: String(rtp + 199),
      LOG_LEVEL: 'info',
    });
    await server.start();
    const sip = await until(
      async () => /SIP on 127\.0\.0\.1 port (\d+)/.exec(server.output)?.[1],
      (p) => p !== undefined,
      10_000,
      'the SIP port in the server output',
    );
    sipPort = Number(sip);
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
    });
    adminToken = ((await login.json()) as { token: string }).token;
    await api('POST', '/queues', { name: 'Messages', offerTimeoutSeconds: 60 });
    await api('POST', '/disposition-codes', { code: 'called-back', name: 'Called back' });
    await api('POST', '/users', {
      email: agent.email,
      displayName: 'Vic Agent',
      password: agent.password,
      role: 'agent',
      locale: 'en',
    });
    const flowId = (await api('POST', '/flows', { name: 'Messages line' })).id;
    await api('PUT', `/flows/${flowId}/draft`, flow);
    await api('POST', `/flows/${flowId}/publish`);
    const trunkId = (await api('POST', '/trunks', { name: 'Carrier', allowedCidrs: ['127.0.0.1/32'] })).id;
    await api('POST', '/phone-numbers', { number: DID, trunkId, flowId });

    browser = await launchBrowser([
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
    ]);
    page = browser.page;
    page.on('pageerror', (e) => console.error('page error:', e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the caller, offers the task to the agent, plays it in the browser, audited', async () => {
    await page.goto(server.baseUrl);
    await signIn(page, agent.email, agent.password);
    await page.goto(`${server.baseUrl}/desktop`);
    await page.getByTestId('agent-desktop').waitFor();
    await page.getByTestId('agent-login').click();
    await page.getByTestId('agent-ready').click();
    await expect.poll(status).toBe('Ready');

    // The caller talks (440 Hz) from the answer on; 9 s later, well after the prompt and the beep, `#`.
    const run = await sippCall(
      dir,
      sipPort,
      DID,
      'voicemail e2e caller',
      {
        media: [
          'm=audio [media_port] RTP/AVP 0 101',
          'a=rtpmap:0 PCMU/8000',
          'a=rtpmap:101 telephone-event/8000',
          'a=fmtp:101 0-15',
          'a=x-sipp-audio-port:[media_port]',
        ],
        body: `
  <recv response="200" rtd="true"/>${ack()}
  <nop><action><exec rtp_stream="${callerWav},-1,0,PCMU/8000"/></action></nop>
  <pause milliseconds="9000"/>
  <nop><action><exec play_pcap_audio="${POUND_PCAP}"/></action></nop>
${answerBye.replace('<recv request="BYE"/>', '<recv request="BYE" timeout="30000"/>')}`,
      },
      60,
    );
    expectPassed(await run.done, 'caller');

    // The task rings on the desktop: the caller's number, then the voicemail in the work view.
    const card = page.getByTestId('offer-card');
    await card.waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain(`+${CALLER}`);
    await browser.shot('voicemail-01-offer');
    await page.getByTestId('offer-accept').click();
    await page.getByTestId('voicemail-card').waitFor();
    await expect.poll(() => page.getByTestId('voicemail-caller').textContent()).toContain(`+${CALLER}`);
    await expect.poll(() => page.getByTestId('voicemail-status').textContent()).toBe('New');

    // The browser plays it: the whole WAV loads (a few seconds of it) from the audio URL.
    const duration = await page.getByTestId('voicemail-audio').evaluate(
      (node) =>
        new Promise<number>((resolve, reject) => {
          const el = node as unknown as AudioElement;
          el.addEventListener('playing', () => resolve(el.duration), { once: true });
          el.addEventListener('error', () => reject(new Error(`audio error ${el.error?.code}`)), {
            once: true,
          });
          void el.play();
        }),
    );
    expect(duration).toBeGreaterThan(2);
    expect(duration).toBeLessThan(12);
    await expect.poll(() => page.getByTestId('voicemail-status').textContent()).toBe('Heard');
    await browser.shot('voicemail-02-playing');

    // Audited and marked heard by the playback; the agent marks it handled.
    const [vm] = (await api('GET', '/voicemails')).items;
    expect(vm).toMatchObject({ status: 'heard', caller: `+${CALLER}`, did: DID, queueName: 'Messages' });
    const audit = await api('GET', `/audit-log?entityType=voicemail&entityId=${vm.id}`);
    expect(audit.items.some((e: { action: string }) => e.action === 'access')).toBe(true);
    await page.getByTestId('voicemail-handled').click();
    await expect.poll(() => page.getByTestId('voicemail-status').textContent()).toBe('Handled');
    expect((await api('GET', `/voicemails/${vm.id}`)).status).toBe('handled');

    // The CDR: the call's interaction ended as voicemail.
    const [call] = (await api('GET', '/calls')).items;
    expect(call).toMatchObject({
      id: vm.callId,
      outcome: 'voicemail',
      interactionState: 'voicemail',
      fromNumber: `+${CALLER}`,
    });

    // A supervisor's list: every voicemail of the tenant, by status.
    await page.getByTestId('logout-button').click();
    await page.getByTestId('login-email').waitFor();
    await signIn(page, server.adminEmail, server.adminPassword);
    await page.goto(`${server.baseUrl}/voicemail`);
    await page.getByTestId('voicemail-status-filter').click();
    await page.getByRole('option', { name: 'Handled' }).click();
    await expect.poll(() => page.getByTestId('voicemails-row').count()).toBe(1);
    expect(await page.getByTestId('voicemails-row').textContent()).toContain(`+${CALLER}`);
    await browser.shot('voicemail-03-list');
  }, 120_000);
  it('keeps a message whose server was killed mid-recording: the next start delivers it', async () => {
    const before = (await api('GET', '/voicemails')).total as number;
    const root = join(server.dataDir, 'voicemail');
    const wavs = () =>
      (existsSync(root) ? readdirSync(root, { recursive: true, encoding: 'utf8' }) : []).filter((f) =>
        f.endsWith('.wav'),
      );
    const old = new Set(wavs());
    // The caller talks and never presses `#`; the server dies while recording.
    const run = await sippCall(
      dir,
      sipPort,
      DID,
      'voicemail e2e crash',
      {
        media: [
          'm=audio [media_port] RTP/AVP 0 101',
          'a=rtpmap:0 PCMU/8000',
          'a=rtpmap:101 telephone-event/8000',
          'a=x-sipp-audio-port:[media_port]',
        ],
        body: `
  <recv response="200" rtd="true"/>${ack()}
  <nop><action><exec rtp_stream="${callerWav},-1,0,PCMU/8000"/></action></nop>
  <pause milliseconds="25000"/>`,
      },
      60,
    );
    // At least 3 s of the new message on disk (the recorder fixes the WAV header every second).
    await until(
      async () => wavs().filter((f) => !old.has(f)),
      (fresh) => fresh.length === 1 && statSync(join(root, fresh[0]!)).size > 44 + 16_000 * 3,
      20_000,
      'three seconds of the new message on disk',
    );
    await server.kill('SIGKILL');
    await server.start();
    const delivered = await until(
      async () =>
        (await api('GET', '/voicemails')).items as { durationSec: number; taskInteractionId: string }[],
      (items) => items.length === before + 1,
      15_000,
      'the recovered voicemail',
    );
    const vm = delivered[0]!;
    expect(vm.durationSec).toBeGreaterThanOrEqual(3);
    const task = await api('GET', `/interactions/${vm.taskInteractionId}`);
    expect(task).toMatchObject({ channel: 'task', data: { kind: 'voicemail' } });
    expect(['queued', 'offered']).toContain(task.state);
    const [call] = (await api('GET', '/calls')).items;
    expect(call).toMatchObject({ outcome: 'voicemail', interactionState: 'voicemail', hangupCause: 'LOST' });
    await run.done;
  }, 120_000);
});
