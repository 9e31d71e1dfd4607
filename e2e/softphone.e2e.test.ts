import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, freePort, outputDir, type RunningServer, signIn, startServer } from './harness';

/**
 * The agent's softphone in headless Chromium against the real server and its media workers: the agent
 * logs in to routing and the phone connects by itself (WebRTC over the agent's WebSocket, G.711,
 * DTLS-SRTP on 127.0.0.1); "Check audio" plays a 440 Hz tone the page hears (an AnalyserNode on the
 * received track, and getStats' audioLevel) while the server measures the fake microphone — a 1 kHz
 * WAV made by sox — and reports its frequency; the keypad's digits reach the server as RFC 4733
 * events; a browser that refuses the microphone shows what to do.
 */

const MIC_HZ = 1000;
const TONE_HZ = 440;

async function launch(
  args: string[],
): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'hotline-e2e-softphone-'));
  const context = await chromium.launchPersistentContext(profile, {
    headless: true,
    executablePath: '/usr/bin/chromium',
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      ...args,
    ],
  });
  // Keep every RTCPeerConnection and WebSocket the page makes, so the test can listen to what it
  // receives and drop the realtime socket. (Page scripts are strings: the test's tsconfig has no DOM.)
  await context.addInitScript(RECORD_CONNECTIONS);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const RECORD_CONNECTIONS = `
  (() => {
    const NativePc = window.RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = class extends NativePc {
      constructor(config) { super(config); window.__pcs.push(this); }
    };
    const NativeWs = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends NativeWs {
      constructor(url, protocols) { super(url, protocols); window.__sockets.push(this); }
    };
  })();
`;

/** The strongest frequency (Hz) and the level the page receives on its phone connection, over ~600 ms. */
const LISTEN = `
  (async () => {
    const pc = window.__pcs[window.__pcs.length - 1];
    const track = pc.getReceivers().find((r) => r.track.kind === 'audio').track;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    await new Promise((r) => setTimeout(r, 600));
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let best = 1;
    for (let i = 2; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    let audioLevel = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audioLevel = s.audioLevel ?? 0;
    });
    await ctx.close();
    return { peakHz: (best * ctx.sampleRate) / analyser.fftSize, peakDb: bins[best], audioLevel };
  })()
`;

/** Waits for the phone to connect; on failure says what the page's connection was doing. */
async function waitConnected(page: Page): Promise<void> {
  try {
    await page
      .locator('[data-testid="softphone-status"][data-status="connected"]')
      .waitFor({ timeout: 30_000 });
  } catch (error) {
    const status = await page
      .getByTestId('softphone-status')
      .getAttribute('data-status')
      .catch(() => null);
    const pcs = await page
      .evaluate(
        'window.__pcs.map((pc) => [pc.signalingState, pc.iceGatheringState, pc.iceConnectionState, pc.connectionState])',
      )
      .catch(() => null);
    await page.screenshot({ path: join(outputDir, 'softphone-not-connected.png'), fullPage: true });
    throw new Error(`softphone not connected: status ${status}, peer connections ${JSON.stringify(pcs)}`, {
      cause: error,
    });
  }
}

function listen(page: Page): Promise<{ peakHz: number; peakDb: number; audioLevel: number }> {
  return page.evaluate(LISTEN) as Promise<{ peakHz: number; peakDb: number; audioLevel: number }>;
}

const agent = { email: 'sam@example.com', password: 'agent-password-1' };

/** The fake microphone: a known tone, 16-bit PCM as Chromium's file capture wants it. */
function makeMicWav(path: string): void {
  execFileSync('sox', [
    '-n',
    '-r',
    '48000',
    '-c',
    '1',
    '-b',
    '16',
    path,
    'synth',
    '60',
    'sine',
    String(MIC_HZ),
    'vol',
    '0.5',
  ]);
}

/** Signs the admin in and adds the agent; returns the agent's user id. */
async function addAgent(server: RunningServer): Promise<string> {
  const login = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
  });
  const { token } = (await login.json()) as { token: string };
  const response = await fetch(`${server.baseUrl}/api/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      email: agent.email,
      displayName: 'Sam Agent',
      password: agent.password,
      role: 'agent',
      locale: 'en',
    }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST /users → ${response.status} ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

/** The agent signs in and opens the desktop, logged in to routing: the phone then connects by itself. */
async function openDesktop(page: Page, server: RunningServer): Promise<void> {
  await page.goto(server.baseUrl);
  await signIn(page, agent.email, agent.password);
  await page.goto(`${server.baseUrl}/desktop`);
  await page.getByTestId('agent-desktop').waitFor();
  // the phone connects once the agent is logged in to routing (a later test finds them logged in)
  await page.getByTestId('agent-status').waitFor();
  if ((await page.getByTestId('agent-status').textContent()) === 'Logged out') {
    await page.getByTestId('agent-login').click();
  }
}

/** Presses "Check audio" and returns the microphone's frequency (Hz) as the server measured it. */
async function checkAudio(page: Page): Promise<number> {
  await page.getByTestId('softphone-check').click();
  const result = page.getByTestId('softphone-check-result');
  await result.waitFor({ timeout: 20_000 });
  return Number(await result.getAttribute('data-tone-hz'));
}

describe('softphone', () => {
  let server: RunningServer;
  const workDir = mkdtempSync(join(tmpdir(), 'hotline-e2e-softphone-audio-'));
  const micWav = join(workDir, 'mic-1khz.wav');

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    makeMicWav(micWav);
    ensureWebBuilt();
    server = await startServer('softphone');
    await addAgent(server);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('connects at login, checks the audio both ways and sends the keypad as RFC 4733', async () => {
    const browser = await launch([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
    ]);
    const { page } = browser;
    try {
      await openDesktop(page, server);
      await waitConnected(page);
      await page.screenshot({ path: join(outputDir, 'softphone-connected.png'), fullPage: true });

      // idle: the server sends nothing
      const idle = await listen(page);
      expect(idle.peakDb).toBeLessThan(-70);

      await page.getByTestId('softphone-check').click();
      await page.getByTestId('softphone-checking').waitFor();
      await page.waitForTimeout(300);
      const tone = await listen(page);
      expect(tone.peakHz).toBeGreaterThan(TONE_HZ - 15);
      expect(tone.peakHz).toBeLessThan(TONE_HZ + 15);
      expect(tone.audioLevel).toBeGreaterThan(0.05);
      await page.screenshot({ path: join(outputDir, 'softphone-checking.png'), fullPage: true });

      // then the loop-back: the page hears its own microphone (1 kHz) back through the server
      await page.waitForTimeout(1500);
      const echo = await listen(page);
      expect(echo.peakHz).toBeGreaterThan(MIC_HZ - 15);
      expect(echo.peakHz).toBeLessThan(MIC_HZ + 15);

      // the server's measurement of the microphone
      const result = page.getByTestId('softphone-check-result');
      await result.waitFor({ timeout: 15_000 });
      const heardHz = Number(await result.getAttribute('data-tone-hz'));
      expect(heardHz).toBeGreaterThanOrEqual(MIC_HZ - 20);
      expect(heardHz).toBeLessThanOrEqual(MIC_HZ + 20);

      for (const key of ['1', '2', 'hash']) {
        await page.getByTestId(`softphone-key-${key}`).click();
        await page.waitForTimeout(250);
      }
      await expect
        .poll(() => page.getByTestId('softphone-keys-heard').textContent(), { timeout: 10_000 })
        .toContain('12#');
      await page.screenshot({ path: join(outputDir, 'softphone-check-done.png'), fullPage: true });

      // mute: the browser keeps sending, but silence
      await page.getByTestId('softphone-mute').click();
      await expect.poll(() => page.getByTestId('softphone-mute').getAttribute('aria-pressed')).toBe('true');
    } finally {
      await browser.close();
    }
  });

  it('keeps the media when the WebSocket reconnects', async () => {
    const browser = await launch([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
    ]);
    const { page } = browser;
    try {
      await openDesktop(page, server);
      await waitConnected(page);
      // the realtime socket drops (as on a network blip); the client reconnects and resumes
      await page.evaluate(`for (const s of window.__sockets) s.close(4000, 'test drop')`);
      await page.locator('[data-testid="connection-status"]:not([data-status="live"])').waitFor();
      await page
        .locator('[data-testid="connection-status"][data-status="live"]')
        .waitFor({ timeout: 20_000 });
      expect(await checkAudio(page)).toBeGreaterThan(MIC_HZ - 20);
      expect(await page.getByTestId('softphone-status').getAttribute('data-status')).toBe('connected');
      expect(await page.evaluate('window.__pcs.length')).toBe(1);
    } finally {
      await browser.close();
    }
  });

  it('says what to do when the microphone is denied', async () => {
    const browser = await launch(['--use-fake-device-for-media-stream', '--deny-permission-prompts']);
    const { page } = browser;
    try {
      await openDesktop(page, server);
      const alert = page.getByTestId('softphone-mic-error');
      await alert.waitFor();
      expect(await alert.getAttribute('data-problem')).toBe('denied');
      expect(await alert.textContent()).toContain('not allowed to use your microphone');
      await page.screenshot({ path: join(outputDir, 'softphone-mic-denied.png'), fullPage: true });
      // the same in Russian
      await page.getByTestId('language-switch').getByText('RU').click();
      await expect.poll(() => alert.textContent()).toContain('Браузеру не разрешено использовать микрофон');
      await page.screenshot({ path: join(outputDir, 'softphone-mic-denied-ru.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

/** The connection's selected ICE candidate pair, as the page's `getStats` reports it. */
const SELECTED_PAIR = `
  (async () => {
    const pc = window.__pcs[window.__pcs.length - 1];
    const stats = await pc.getStats();
    let pair;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    });
    const local = pair && stats.get(pair.localCandidateId);
    return {
      localType: local ? local.candidateType : null,
      relayProtocol: local ? local.relayProtocol ?? null : null,
      bytesSent: pair ? pair.bytesSent : 0,
      bytesReceived: pair ? pair.bytesReceived : 0,
    };
  })()
`;

/**
 * coturn on 127.0.0.1 as the agents' TURN server, with the shared secret the server derives time-limited
 * credentials from (TURN REST API), relaying to loopback peers (our server's media is on 127.0.0.1 here;
 * a real deployment never needs that flag).
 */
async function startCoturn(
  dir: string,
  secret: string,
): Promise<{ port: number; log: () => string; stop(): Promise<void> }> {
  const port = await freePort();
  const relayMin = 52_000 + Math.floor(Math.random() * 80) * 100;
  const child = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      `--min-port=${relayMin}`,
      `--max-port=${relayMin + 99}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=hotline.test',
      '--allow-loopback-peers',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--fingerprint',
      '--log-file=stdout',
      '--simple-log',
      '--verbose',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 15_000;
  while (!log.includes('Total General servers')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`coturn did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    log: () => log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      writeFileSync(join(outputDir, 'softphone-turn-coturn.log'), log);
    },
  };
}

describe('softphone behind a TURN server', () => {
  let server: RunningServer;
  let coturn: Awaited<ReturnType<typeof startCoturn>>;
  let agentId: string;
  const workDir = mkdtempSync(join(tmpdir(), 'hotline-e2e-softphone-turn-'));
  const micWav = join(workDir, 'mic-1khz.wav');

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    makeMicWav(micWav);
    ensureWebBuilt();
    const secret = randomBytes(16).toString('hex');
    coturn = await startCoturn(workDir, secret);
    server = await startServer('softphone-turn', {
      HOTLINE_TURN_URL: `turn:127.0.0.1:${coturn.port}?transport=udp`,
      HOTLINE_TURN_SECRET: secret,
      HOTLINE_TURN_POLICY: 'relay',
    });
    agentId = await addAgent(server);
  });

  afterAll(async () => {
    await server?.stop();
    await coturn?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('relays the phone through coturn with the credentials the server handed out', async () => {
    const browser = await launch([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
    ]);
    const { page } = browser;
    try {
      await openDesktop(page, server);
      await waitConnected(page);
      // Audio both ways: the page hears the server's check tone, the server hears the microphone.
      await page.getByTestId('softphone-check').click();
      await page.getByTestId('softphone-checking').waitFor();
      await page.waitForTimeout(300);
      const tone = await listen(page);
      expect(Math.abs(tone.peakHz - TONE_HZ)).toBeLessThan(15);
      expect(tone.audioLevel).toBeGreaterThan(0.05);
      const result = page.getByTestId('softphone-check-result');
      await result.waitFor({ timeout: 20_000 });
      expect(Math.abs(Number(await result.getAttribute('data-tone-hz')) - MIC_HZ)).toBeLessThanOrEqual(20);
      // …and every packet of it went through the relay (the policy leaves the browser no other path).
      const pair = (await page.evaluate(SELECTED_PAIR)) as {
        localType: string | null;
        relayProtocol: string | null;
        bytesSent: number;
        bytesReceived: number;
      };
      expect(pair).toMatchObject({ localType: 'relay', relayProtocol: 'udp' });
      expect(pair.bytesSent).toBeGreaterThan(10_000);
      expect(pair.bytesReceived).toBeGreaterThan(10_000);
      // coturn accepted the agent's time-limited username (expiry:userId) and relayed for it.
      expect(coturn.log()).toMatch(new RegExp(`user <\\d+:${agentId}>.*ALLOCATE processed, success`));
      await page.screenshot({ path: join(outputDir, 'softphone-turn.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
