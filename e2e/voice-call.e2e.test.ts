import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ack,
  answerBye,
  bye,
  CALLER,
  DTMF_1_PCAP,
  expectPassed,
  rms,
  rtpSink,
  sippCall,
  until,
} from '../packages/server/src/testing/sipp-caller';
import {
  carrier,
  carrierAnswersBye,
  carrierHangsUp,
  carrierXml,
} from '../packages/server/src/testing/sipp-carrier';
import { freePort } from '../packages/sip/src/test-support/net';
import { type Browser, ensureWebBuilt, launchBrowser, RestartableServer, root, signIn } from './harness';

/**
 * Voice end to end (issue 7): a real SIP call answered by a real browser. SIPp dials a number on a
 * trunk of the real server process; the number's published IVR greets the caller (espeak-ng), the
 * caller presses 1 (SIPp's RFC 4733 capture) and waits in the queue with music; the agent's desktop
 * in headless Chromium rings, the agent answers in the softphone (WebRTC, the fake microphone a 1 kHz
 * WAV), they talk, the caller hangs up, the agent wraps up with a disposition. Then the call's record
 * (`/api/calls`), its stereo recording (caller left at 440 Hz, agent right at 1 kHz) and the
 * supervisor's queue figures are checked. Then the queue's other recording policies: `on_demand` (the
 * file starts when the agent presses Record; the agent hangs up) and `never` (nothing to press, no
 * file); a call nobody answers is abandoned; and a caller who presses 5 in the queue is called back
 * through the trunk (SIPp as the carrier) once the agent takes the callback in the browser.
 *
 * How the caller's side is heard: the caller's SDP advertises a UDP socket of this test as its RTP
 * address, so what the server sends before it latches onto SIPp's first packet (the key press) — the
 * greeting — arrives here and is measured. `a=x-sipp-audio-port:[media_port]` makes SIPp open its
 * media socket, so its key press and its 440 Hz stream both leave from that one port (without it
 * the capture is replayed from port 0, which the server rightly ignores).
 */

const DID = '+74951230077';
const MIC_HZ = 1000;
const CALLER_HZ = 440;
const work = join(root, '.tmp', 'voice-e2e');
mkdirSync(work, { recursive: true });
const dir = mkdtempSync(join(work, 'run-'));
const micWav = join(dir, 'mic-1khz.wav');
const callerWav = join(dir, 'caller-440hz-ulaw.wav');

const flow = {
  id: 'voice-e2e',
  version: 1,
  entry: 'welcome',
  nodes: {
    welcome: {
      verb: 'say',
      text: { en: 'Hello! You have reached the test line.', ru: 'Здравствуйте! Это тестовая линия.' },
      next: { done: 'main' },
    },
    main: {
      verb: 'menu',
      prompt: { en: 'For support, press 1.', ru: 'Поддержка — нажмите один.' },
      options: [{ key: '1', label: { en: 'Support', ru: 'Поддержка' } }],
      retries: 2,
      timeoutMs: 8000,
      next: { '1': 'queue', failed: 'bye' },
    },
    queue: { verb: 'enqueue', queue: 'Support', next: { error: 'bye' } },
    bye: { verb: 'hangup' },
  },
};

/**
 * The caller: SDP towards `sinkPort`; after `pressAfterMs` presses 1, then streams 440 Hz until it hangs
 * up `hangUpAfterMs` later, or (`'agent'`) until the server's BYE (the agent hung up; at most 60 s).
 */
function caller(sipPort: number, sinkPort: number, pressAfterMs: number, hangUpAfterMs: number | 'agent') {
  const end =
    hangUpAfterMs === 'agent'
      ? answerBye.replace('<recv request="BYE"/>', '<recv request="BYE" timeout="60000"/>')
      : `\n  <pause milliseconds="${hangUpAfterMs}"/>${bye}`;
  return sippCall(
    dir,
    sipPort,
    DID,
    'voice e2e caller',
    {
      media: [
        `m=audio ${sinkPort} RTP/AVP 0 101`,
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-15',
        'a=x-sipp-audio-port:[media_port]',
      ],
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="${pressAfterMs}"/>
  <nop><action><exec play_pcap_audio="${DTMF_1_PCAP}"/></action></nop>
  <pause milliseconds="400"/>
  <nop><action><exec rtp_stream="${callerWav},-1,0,PCMU/8000"/></action></nop>${end}`,
    },
    90,
  );
}

/** Goertzel power at `hz` over `pcm` (8 kHz). */
function goertzel(pcm: Int16Array, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of pcm) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/** The strongest frequency between 100 and 2000 Hz (5 Hz steps), and the signal's RMS. */
function dominant(pcm: Int16Array): { hz: number; rms: number } {
  let best = 0;
  let bestPower = -1;
  for (let hz = 100; hz <= 2000; hz += 5) {
    const p = goertzel(pcm, hz);
    if (p > bestPower) {
      bestPower = p;
      best = hz;
    }
  }
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return { hz: best, rms: Math.sqrt(sum / Math.max(1, pcm.length)) };
}

/** A 16-bit PCM WAV's format and its channels, de-interleaved. */
function readWav(bytes: Buffer): { channels: number; rate: number; bits: number; data: Int16Array[] } {
  expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
  expect(bytes.toString('latin1', 8, 12)).toBe('WAVE');
  let fmt: { channels: number; rate: number; bits: number } | null = null;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ')
      fmt = {
        channels: bytes.readUInt16LE(at + 10),
        rate: bytes.readUInt32LE(at + 12),
        bits: bytes.readUInt16LE(at + 22),
      };
    if (id === 'data' && fmt) {
      const end = Math.min(bytes.length, at + 8 + size);
      const frames = Math.floor((end - at - 8) / (2 * fmt.channels));
      const data = Array.from({ length: fmt.channels }, () => new Int16Array(frames));
      for (let i = 0; i < frames; i++)
        for (let c = 0; c < fmt.channels; c++)
          data[c]![i] = bytes.readInt16LE(at + 8 + (i * fmt.channels + c) * 2);
      return { ...fmt, data };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no fmt/data chunk in the recording');
}

describe('voice end to end: a SIP call answered in the browser', () => {
  let server: RestartableServer;
  let sipPort: number;
  let adminToken: string;
  let agentId: string;
  let queueId: string;
  let browser: Browser;
  let page: Page;
  const agent = { email: 'vera@example.com', password: 'agent-password-1', name: 'Vera Agent' };

  const api = async (method: string, path: string, body?: unknown, token = adminToken) => {
    const response = await fetch(`${server.baseUrl}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const status = () => page.getByTestId('agent-status').textContent();
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers checked by the assertions
  const calls = async (): Promise<any[]> => (await api('GET', '/calls')).items;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers checked by the assertions
  const supportFigures = async (): Promise<any> =>
    (await api('GET', '/supervisor/queues')).items.find((q: { queueId: string }) => q.queueId === queueId);

  beforeAll(async () => {
    for (const tool of ['sipp', 'sox', 'espeak-ng']) execFileSync('which', [tool]);
    // the agent's fake microphone (16-bit PCM, as Chromium's file capture wants it) and the caller's voice
    execFileSync('sox', [
      '-n',
      '-r',
      '48000',
      '-c',
      '1',
      '-b',
      '16',
      micWav,
      'synth',
      '90',
      'sine',
      `${MIC_HZ}`,
      'vol',
      '0.5',
    ]);
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
      '10',
      'sine',
      `${CALLER_HZ}`,
      'vol',
      '0.5',
    ]);
    ensureWebBuilt();
    const rtp = 44_000 + Math.floor(Math.random() * 250) * 20;
    server = await RestartableServer.create('voice-call', {
      HOTLINE_RTP_PORT_MIN: String(rtp),
      HOTLINE_RTP_PORT_MAX: String(rtp + 199),
      LOG_LEVEL: 'info',
    });
    await server.start();
    // main prints "SIP on 127.0.0.1 port N (UDP, TCP)" once SIP listens (SIP_PORT=0: a free port)
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
    queueId = (await api('POST', '/queues', { name: 'Support', offerTimeoutSeconds: 60, wrapUpSeconds: 120 }))
      .id;
    const voice = await api('PUT', `/queues/${queueId}/voice`, {
      announceIntervalSeconds: 0,
      recording: 'always',
    });
    expect(voice.recording).toBe('always');
    await api('POST', '/disposition-codes', { code: 'solved', name: 'Solved' });
    agentId = (
      await api('POST', '/users', {
        email: agent.email,
        displayName: agent.name,
        password: agent.password,
        role: 'agent',
        locale: 'en',
      })
    ).id;
    const flowId = (await api('POST', '/flows', { name: 'Test line' })).id;
    await api('PUT', `/flows/${flowId}/draft`, flow);
    await api('POST', `/flows/${flowId}/publish`);
    const trunkId = (await api('POST', '/trunks', { name: 'Carrier', allowedCidrs: ['127.0.0.1/32'] })).id;
    await api('POST', '/phone-numbers', { number: DID, trunkId, flowId });

    browser = await launchBrowser([
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
    ]);
    page = browser.page;
    page.on('pageerror', (e) => console.error('page error:', e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rings the agent, records both sides, and leaves an answered CDR the supervisor counts', async () => {
    await page.goto(server.baseUrl);
    await signIn(page, agent.email, agent.password);
    await page.goto(`${server.baseUrl}/desktop`);
    await page.getByTestId('agent-desktop').waitFor();
    await page.getByTestId('agent-login').click();
    await page
      .locator('[data-testid="softphone-status"][data-status="connected"]')
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('agent-ready').click();
    await expect.poll(status).toBe('Ready');

    const sink = await rtpSink();
    let run: Awaited<ReturnType<typeof caller>> | undefined;
    try {
      // 4 s of greeting, then 1; then the caller stays on until 30 s after the key (queue + talk)
      run = await caller(sipPort, sink.port, 4_000, 30_000);

      // the desktop rings: the offer card and the softphone
      await page.getByTestId('offer-card').waitFor({ timeout: 30_000 });
      await page.getByTestId('softphone-ringing').waitFor();
      expect(await page.getByTestId('offer-card').textContent()).toContain(`+${CALLER}`);
      await browser.shot('voice-01-ringing');

      // before the key press the caller heard the greeting (speech, not silence) on its RTP address
      const spoken = sink.packets.filter((p) => p.pt === 0 && rms(p.payload) > 300);
      expect(spoken.length, 'loud 20 ms frames the caller received before pressing 1').toBeGreaterThan(25);

      await page.getByTestId('softphone-answer').click();
      await expect.poll(status, { timeout: 10_000 }).toBe('Busy');
      await page.getByTestId('softphone-timer').waitFor();
      // `always`: the recording runs from the answer, and the agent sees it
      await page.getByTestId('softphone-recording').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('softphone-record').count()).toBe(0);
      await page.waitForTimeout(5_000);
      await browser.shot('voice-02-talking');

      // the caller hangs up (SIPp's BYE): the agent sees the end and wraps up with a disposition
      expectPassed(await run.done, 'caller');
      run = undefined;
      await page.getByTestId('wrap-up-form').waitFor({ timeout: 15_000 });
      await expect.poll(() => page.getByTestId('softphone-timer').count()).toBe(0);
      await browser.shot('voice-03-wrap-up');
      await page.getByTestId('wrap-up-disposition').click();
      await page.getByRole('option', { name: 'solved — Solved' }).click();
      await page.getByTestId('wrap-up-notes').fill('Caller asked about the test line.');
      await page.getByTestId('wrap-up-submit').click();
      await page.getByTestId('work-view').waitFor({ state: 'detached' });
      await expect.poll(status).toBe('Ready');
      await browser.shot('voice-04-ready-again');
    } finally {
      sink.socket.close();
      if (run) await run.done;
    }

    // the call detail record
    const [cdr] = await until(
      calls,
      (items) => items[0]?.disposition !== null && items[0]?.endedAt !== null,
      10_000,
      'the ended, wrapped-up CDR',
    );
    expect(cdr).toMatchObject({
      direction: 'inbound',
      fromNumber: `+${CALLER}`,
      toNumber: DID,
      did: DID,
      trunkName: 'Carrier',
      queueId,
      queueName: 'Support',
      agentId,
      agentName: agent.name,
      agents: [{ agentId, agentName: agent.name, queueId, queueName: 'Support', endReason: 'call_ended' }],
      outcome: 'answered',
      hangupSide: 'caller',
      hangupCause: 'BYE',
      codec: 'PCMU',
      hasRecording: true,
      disposition: { code: 'solved', label: 'Solved' },
    });
    const moments = ['arrivedAt', 'answeredAt', 'queuedAt', 'agentAnsweredAt', 'endedAt'].map((k) =>
      Date.parse(cdr[k]),
    );
    for (const m of moments) expect(Number.isNaN(m)).toBe(false);
    expect([...moments].sort((x, y) => x - y)).toEqual(moments);
    expect(cdr.durations.talkSec).toBeGreaterThanOrEqual(5);

    // the recording: stereo 8 kHz, the caller (440 Hz) left, the agent's microphone (1 kHz) right
    const response = await fetch(`${server.baseUrl}/api/calls/${cdr.id}/recording?download=1`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(200);
    const wav = readWav(Buffer.from(await response.arrayBuffer()));
    expect({ channels: wav.channels, rate: wav.rate, bits: wav.bits }).toEqual({
      channels: 2,
      rate: 8000,
      bits: 16,
    });
    const [left, right] = wav.data as [Int16Array, Int16Array];
    expect(left.length / 8000, 'recorded seconds').toBeGreaterThan(5);
    // one second from the middle of the conversation
    const mid = Math.floor(left.length / 2);
    const l = dominant(left.subarray(mid - 4000, mid + 4000));
    const r = dominant(right.subarray(mid - 4000, mid + 4000));
    expect(l.rms, 'left channel level').toBeGreaterThan(300);
    expect(r.rms, 'right channel level').toBeGreaterThan(100);
    expect(Math.abs(l.hz - CALLER_HZ), `left channel at ${l.hz} Hz`).toBeLessThanOrEqual(20);
    expect(Math.abs(r.hz - MIC_HZ), `right channel at ${r.hz} Hz`).toBeLessThanOrEqual(20);

    // the supervisor's figures of the day
    const figures = await until(supportFigures, (q) => q?.answeredToday === 1, 10_000, 'answered today');
    expect(figures).toMatchObject({ answeredToday: 1, abandonedToday: 0 });
  }, 180_000);

  it('records on demand, from the moment the agent presses Record; the agent hangs up', async () => {
    await api('PUT', `/queues/${queueId}/voice`, { announceIntervalSeconds: 0, recording: 'on_demand' });
    await expect.poll(status).toBe('Ready');
    const sink = await rtpSink();
    let run: Awaited<ReturnType<typeof caller>> | undefined;
    let pressedAt = 0;
    try {
      run = await caller(sipPort, sink.port, 3_000, 'agent');
      await page.getByTestId('softphone-ringing').waitFor({ timeout: 30_000 });
      await page.getByTestId('softphone-answer').click();
      await page.getByTestId('softphone-timer').waitFor();
      // not recorded until the agent asks for it
      const record = page.getByTestId('softphone-record');
      await record.waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('softphone-recording').count()).toBe(0);
      await browser.shot('voice-05-record-on-demand');
      await page.waitForTimeout(4_000);
      await record.click();
      pressedAt = Date.now();
      await page.getByTestId('softphone-recording').waitFor({ timeout: 10_000 });
      expect(await record.count()).toBe(0);
      await browser.shot('voice-06-recording-on-demand');
      await page.waitForTimeout(4_000);
      // the agent hangs up: the server sends the caller a BYE
      await page.getByTestId('softphone-hangup').click();
      expectPassed(await run.done, 'caller (hung up by the agent)');
      run = undefined;
      await page.getByTestId('wrap-up-form').waitFor({ timeout: 15_000 });
      await page.getByTestId('wrap-up-disposition').click();
      await page.getByRole('option', { name: 'solved — Solved' }).click();
      await page.getByTestId('wrap-up-submit').click();
      await expect.poll(status).toBe('Ready');
    } finally {
      sink.socket.close();
      if (run) await run.done;
    }
    const [cdr] = await until(
      calls,
      (items) => items.length === 2 && items[0]?.disposition !== null,
      10_000,
      'the second CDR',
    );
    expect(cdr).toMatchObject({
      outcome: 'answered',
      hangupSide: 'agent',
      hangupCause: 'AGENT_ENDED',
      agentId,
      hasRecording: true,
    });
    const response = await fetch(`${server.baseUrl}/api/calls/${cdr.id}/recording`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const wav = readWav(Buffer.from(await response.arrayBuffer()));
    // the file starts at the press, not at the answer: it is shorter than the talk by the wait before it
    const recordedMs = (wav.data[0]!.length / 8000) * 1000;
    const afterPressMs = Date.parse(cdr.endedAt) - pressedAt;
    const talkMs = Date.parse(cdr.endedAt) - Date.parse(cdr.agentAnsweredAt);
    expect(recordedMs).toBeLessThan(talkMs - 3_000);
    expect(
      Math.abs(recordedMs - afterPressMs),
      `recorded ${recordedMs} ms, ${afterPressMs} ms after the press`,
    ).toBeLessThan(2_000);
    const mid = Math.floor(wav.data[0]!.length / 2);
    expect(
      Math.abs(dominant(wav.data[0]!.subarray(mid - 4000, mid + 4000)).hz - CALLER_HZ),
    ).toBeLessThanOrEqual(20);
    expect(Math.abs(dominant(wav.data[1]!.subarray(mid - 4000, mid + 4000)).hz - MIC_HZ)).toBeLessThanOrEqual(
      20,
    );
  }, 120_000);

  it('never records a queue set to never: no Record button, no file', async () => {
    await api('PUT', `/queues/${queueId}/voice`, { announceIntervalSeconds: 0, recording: 'never' });
    await expect.poll(status).toBe('Ready');
    const sink = await rtpSink();
    let run: Awaited<ReturnType<typeof caller>> | undefined;
    try {
      run = await caller(sipPort, sink.port, 3_000, 'agent');
      await page.getByTestId('softphone-ringing').waitFor({ timeout: 30_000 });
      await page.getByTestId('softphone-answer').click();
      await page.getByTestId('softphone-timer').waitFor();
      // the server has decided (the status arrived), and there is nothing to press
      await page
        .locator('[data-testid="softphone"][data-recording="unavailable"]')
        .waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('softphone-record').count()).toBe(0);
      expect(await page.getByTestId('softphone-recording').count()).toBe(0);
      await page.waitForTimeout(2_000);
      await page.getByTestId('softphone-hangup').click();
      expectPassed(await run.done, 'caller (hung up by the agent)');
      run = undefined;
      await page.getByTestId('wrap-up-form').waitFor({ timeout: 15_000 });
      await page.getByTestId('wrap-up-disposition').click();
      await page.getByRole('option', { name: 'solved — Solved' }).click();
      await page.getByTestId('wrap-up-submit').click();
      await expect.poll(status).toBe('Ready');
    } finally {
      sink.socket.close();
      if (run) await run.done;
    }
    const [cdr] = await until(
      calls,
      (items) => items.length === 3 && items[0]?.disposition !== null,
      10_000,
      'the third CDR',
    );
    expect(cdr).toMatchObject({ outcome: 'answered', hangupSide: 'agent', hasRecording: false });
  }, 120_000);

  it('abandons a call nobody answers: the caller hangs up while queued', async () => {
    const agentLogin = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: agent.email, password: agent.password }),
    });
    const agentToken = ((await agentLogin.json()) as { token: string }).token;
    await api('PUT', '/agent/state', { state: 'not_ready' }, agentToken);
    await expect.poll(status).toBe('Not ready');
    const sink = await rtpSink();
    try {
      const run = await caller(sipPort, sink.port, 3_000, 8_000);
      await until(supportFigures, (q) => q?.waiting === 1, 20_000, 'the call waiting in Support');
      expect(await page.getByTestId('offer-card').count()).toBe(0);
      await browser.shot('voice-07-waiting-not-ready');
      expectPassed(await run.done, 'caller');
    } finally {
      sink.socket.close();
    }
    const [cdr] = await until(
      calls,
      (items) => items.length === 4 && items[0]?.endedAt !== null,
      10_000,
      'the abandoned CDR',
    );
    expect(cdr).toMatchObject({
      outcome: 'abandoned',
      hangupSide: 'caller',
      queueName: 'Support',
      agentId: null,
      agentAnsweredAt: null,
      hasRecording: false,
    });
    const figures = await until(supportFigures, (q) => q?.abandonedToday === 1, 10_000, 'abandoned today');
    expect(figures).toMatchObject({ answeredToday: 3, abandonedToday: 1, waiting: 0 });
  }, 90_000);

  /** The carrier's SIP port behind the outbound trunk (set up by the callback test). */
  let carrierPort = 0;

  it('calls back a caller who pressed 5 in the queue once the agent takes the callback', async () => {
    // An outbound trunk to SIPp playing the carrier, a dial plan that allows the caller's country, and
    // the queue's callback key.
    carrierPort = await freePort();
    await api('POST', '/trunks', {
      name: 'Carrier out',
      proxy: `127.0.0.1:${carrierPort}`,
      transport: 'udp',
      keepAliveSec: 0,
    });
    await api('PUT', '/dial-plan', { allowedPrefixes: ['7'], maxConcurrentCalls: 5, maxCallsPerMinute: 10 });
    await api('PUT', `/queues/${queueId}/voice`, {
      announceIntervalSeconds: 0,
      recording: 'always',
      callbackDigit: '5',
    });
    await expect.poll(status).toBe('Not ready');

    // The caller: the IVR's 1, then 5 while waiting; we confirm and hang up.
    const sink = await rtpSink();
    try {
      const run = await sippCall(
        dir,
        sipPort,
        DID,
        'callback caller',
        {
          media: [
            `m=audio ${sink.port} RTP/AVP 0 101`,
            'a=rtpmap:0 PCMU/8000',
            'a=rtpmap:101 telephone-event/8000',
            'a=fmtp:101 0-15',
            'a=x-sipp-audio-port:[media_port]',
          ],
          body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="4000"/>
  <nop><action><exec play_pcap_audio="${DTMF_1_PCAP}"/></action></nop>
  <pause milliseconds="4000"/>
  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_5.pcap"/></action></nop>
${answerBye.replace('<recv request="BYE"/>', '<recv request="BYE" timeout="40000"/>')}`,
        },
        90,
      );
      expectPassed(await run.done, 'caller (hung up by us after the confirmation)');
    } finally {
      sink.socket.close();
    }
    const [requested] = await until(
      calls,
      (items) => items.length === 5 && items[0]?.endedAt !== null,
      10_000,
      'the callback request CDR',
    );
    expect(requested).toMatchObject({ outcome: 'callback_requested', hangupCause: 'CALLBACK_SCHEDULED' });
    expect(await supportFigures()).toMatchObject({ waiting: 1 });

    // The carrier answers our call to the caller's number (From: the DID they called), streams 440 Hz
    // as the customer's voice for 8 s, then hangs up.
    const far = await carrier(
      dir,
      carrierPort,
      carrierXml({
        to: `+${CALLER}`,
        from: DID,
        answer: true,
        after: `
  <nop><action><exec rtp_stream="${callerWav},-1,0,PCMU/8000"/></action></nop>
  <pause milliseconds="8000"/>${carrierHangsUp}`,
      }),
    );
    await page.getByTestId('agent-ready').click();
    await page.getByTestId('offer-card').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('offer-callback').textContent()).toContain(`+${CALLER}`);
    await page.getByTestId('softphone-ringing').waitFor();
    await browser.shot('voice-08-callback-offered');
    await page.getByTestId('softphone-answer').click();
    await expect.poll(status, { timeout: 10_000 }).toBe('Busy');
    await page.getByTestId('softphone-timer').waitFor();
    await browser.shot('voice-09-callback-talking');
    expectPassed(await far.done, 'carrier (the customer called back)');
    await page.getByTestId('wrap-up-form').waitFor({ timeout: 15_000 });
    await page.getByTestId('wrap-up-disposition').click();
    await page.getByRole('option', { name: 'solved — Solved' }).click();
    await page.getByTestId('wrap-up-submit').click();
    await expect.poll(status).toBe('Ready');

    const [back] = await until(
      calls,
      (items) => items.length === 6 && items[0]?.endedAt !== null && items[0]?.disposition !== null,
      10_000,
      'the callback CDR',
    );
    expect(back).toMatchObject({
      direction: 'outbound',
      fromNumber: DID,
      toNumber: `+${CALLER}`,
      interactionId: requested.interactionId,
      agentId,
      outcome: 'answered',
      hangupSide: 'caller',
      hasRecording: true,
      disposition: { code: 'solved', label: 'Solved' },
    });
    // The recording: the customer called back (440 Hz from the carrier) left, the agent right.
    const response = await fetch(`${server.baseUrl}/api/calls/${back.id}/recording?download=1`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const wav = readWav(Buffer.from(await response.arrayBuffer()));
    const [left, right] = wav.data as [Int16Array, Int16Array];
    const mid = Math.floor(left.length / 2);
    expect(Math.abs(dominant(left.subarray(mid - 4000, mid + 4000)).hz - CALLER_HZ)).toBeLessThanOrEqual(20);
    expect(Math.abs(dominant(right.subarray(mid - 4000, mid + 4000)).hz - MIC_HZ)).toBeLessThanOrEqual(20);
  }, 150_000);

  it('lets the agent hand a caller to an outside number from the softphone', async () => {
    expect(carrierPort).not.toBe(0);
    await expect.poll(status).toBe('Ready');
    const EXTERNAL = '+74951117788';
    const far = await carrier(
      dir,
      carrierPort,
      carrierXml({ to: EXTERNAL, from: `+${CALLER}`, answer: true, after: carrierAnswersBye }),
    );
    const sink = await rtpSink();
    try {
      const run = await caller(sipPort, sink.port, 3_000, 14_000);
      await page.getByTestId('softphone-ringing').waitFor({ timeout: 30_000 });
      await page.getByTestId('softphone-answer').click();
      await page.getByTestId('softphone-timer').waitFor();
      await page.getByTestId('softphone-transfer-number').fill('+7 495 111-77-88');
      await browser.shot('voice-10-transfer-number');
      await page.getByTestId('softphone-transfer').click();
      await page
        .locator('[data-testid="softphone-transfer-status"][data-status="connected"]')
        .waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('softphone-transfer-status').textContent()).toContain(EXTERNAL);
      // The agent is off the call at once and wraps up while the caller talks to the number.
      await page.getByTestId('wrap-up-form').waitFor({ timeout: 15_000 });
      await browser.shot('voice-11-transferred');
      await page.getByTestId('wrap-up-disposition').click();
      await page.getByRole('option', { name: 'solved — Solved' }).click();
      await page.getByTestId('wrap-up-submit').click();
      await expect.poll(status).toBe('Ready');
      expectPassed(await run.done, 'caller');
      expectPassed(await far.done, 'carrier (the number; our BYE after the caller left)');
    } finally {
      sink.socket.close();
    }
    const [moved] = await until(
      calls,
      (items) => items.length === 7 && items[0]?.endedAt !== null,
      10_000,
      'the transferred call CDR',
    );
    expect(moved).toMatchObject({
      outcome: 'answered',
      agentId,
      transferredTo: EXTERNAL,
      hangupSide: 'caller',
      agents: [{ agentId, endReason: 'transferred' }],
    });
  }, 120_000);

  it('shows the manager every call, who had it, and its recording', async () => {
    await page.getByTestId('logout-button').click();
    await signIn(page, server.adminEmail, server.adminPassword);
    await page.getByTestId('nav-calls').click();
    await page.getByTestId('calls-table').waitFor();
    const answered = page.getByTestId('calls-row').filter({ hasText: 'Answered' });
    await expect.poll(() => answered.count()).toBeGreaterThanOrEqual(2);
    expect(await answered.first().textContent()).toContain(agent.name);
    await answered.first().getByTestId('call-toggle').click();
    const legs = page.getByTestId('call-agents');
    await legs.waitFor();
    expect(await legs.textContent()).toContain(agent.name);
    // The newest answered call is the one the agent handed to a number.
    expect(await legs.textContent()).toContain('Transferred it');
    expect(await page.getByTestId('call-details').textContent()).toContain('+74951117788');
    await page.getByTestId('call-recording').waitFor();
    await browser.shot('voice-12-calls');
  });
});
