import type { AddressInfo } from 'node:net';
import { type BrowserPeer, startBrowserPeer } from '@hotline/media/test-support/browser-peer';
import { tones } from '@hotline/media/test-support/signals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { type MediaRuntime, startMediaRuntime } from './media-runtime';

/**
 * The softphone's signalling end to end in one process: an agent's WebSocket carries the offer of a
 * werift peer playing the browser; the real media engine (two workers) answers; the audio check and
 * the agent's keys come back as frames. The phone stores nothing, so PGlite alone is enough here.
 */

interface Frame {
  type: string;
  tabId?: string;
  sdp?: string;
  state?: string;
  mode?: string;
  reason?: string;
  code?: string;
  digit?: string;
  result?: { micToneHz: number | null; micRmsDbfs: number; completed: boolean };
}

class WsClient {
  readonly frames: Frame[] = [];
  closed: number | null = null;
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(String(data))));
    socket.on('close', (code) => {
      this.closed = code;
    });
  }
  static async open(url: string, token: string): Promise<WsClient> {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const client = new WsClient(socket); // listening before 'open': the first frame may come with it
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }
  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  async next(pred: (f: Frame) => boolean, ms = 10_000): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(pred);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 1500)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async closeAndWait(): Promise<void> {
    this.socket.close();
    await new Promise((r) => this.socket.once('close', r));
  }
}

const TAB = 'tab-aaaaaaaa';
let tdb: TestDatabase;
let server: TestServer;
let media: MediaRuntime;
let tenant: TenantClient;
let wsUrl: string;
const peers: BrowserPeer[] = [];

beforeAll(async () => {
  media = await startMediaRuntime(
    { address: '127.0.0.1', portRange: { min: 42000, max: 42199 }, workers: 2 },
    { error: () => {} },
  );
  tdb = await createTestDatabase('pglite');
  server = await startTestServer(await tdb.open(), { media });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  wsUrl = `ws://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/api/ws`;
  tenant = await server.newTenant('Phones');
}, 60_000);
afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {});
  await server?.app.close();
  await media?.stop();
  await tdb?.drop();
});

async function peer(): Promise<BrowserPeer> {
  const p = await startBrowserPeer({ source: tones([1000], 1000, 6000) });
  peers.push(p);
  return p;
}

describe('agent phone over /api/ws', () => {
  it('gives the ICE servers, answers the offer, survives a reconnect, runs the audio check, reports keys, hangs up', async () => {
    const agent = await tenant.userToken('agent');
    const config = await tenant.request({ method: 'GET', url: '/api/agent/phone', token: agent.token });
    expect(config.statusCode).toBe(200);
    expect(config.json()).toEqual({ enabled: true, iceServers: [], iceTransportPolicy: 'all' });

    const ws = await WsClient.open(wsUrl, agent.token);
    const browser = await peer();
    ws.send({ type: 'phone.offer', tabId: TAB, sdp: browser.offer });
    const answer = await ws.next((f) => f.type === 'phone.answer');
    expect(answer.tabId).toBe(TAB);
    await browser.accept(answer.sdp!);
    await browser.connected();
    browser.start();
    await ws.next((f) => f.type === 'phone.state' && f.state === 'connected');

    // the WebSocket drops and comes back: the media stays, the new socket learns the state at once
    await ws.closeAndWait();
    const ws2 = await WsClient.open(wsUrl, agent.token);
    const state = await ws2.next((f) => f.type === 'phone.state');
    expect(state).toMatchObject({ tabId: TAB, state: 'connected', mode: 'idle' });
    expect(browser.pc.connectionState).toBe('connected');

    ws2.send({ type: 'phone.check', tabId: TAB, action: 'start' });
    await ws2.next((f) => f.type === 'phone.state' && f.mode === 'check');
    const done = await ws2.next((f) => f.type === 'phone.check-done', 15_000);
    expect(done.result?.micToneHz).toBeGreaterThanOrEqual(980);
    expect(done.result?.micToneHz).toBeLessThanOrEqual(1020);

    browser.sendDigits('5*');
    await ws2.next((f) => f.type === 'phone.dtmf' && f.digit === '*');
    expect(ws2.frames.filter((f) => f.type === 'phone.dtmf').map((f) => f.digit)).toEqual(['5', '*']);

    ws2.send({ type: 'phone.hangup', tabId: TAB });
    await ws2.next((f) => f.type === 'phone.state' && f.state === 'closed' && f.reason === 'hangup');
    ws2.send({ type: 'phone.check', tabId: TAB, action: 'start' });
    expect((await ws2.next((f) => f.type === 'phone.error')).code).toBe('PHONE_NOT_CONNECTED');
    await ws2.closeAndWait();
  }, 60_000);

  it('refuses bad offers and malformed frames with stable codes', async () => {
    const agent = await tenant.userToken('agent');
    const ws = await WsClient.open(wsUrl, agent.token);
    ws.send({ type: 'phone.offer', tabId: TAB, sdp: 'v=0\r\nnot really sdp' });
    expect((await ws.next((f) => f.type === 'phone.error')).code).toBe('BAD_OFFER');
    ws.send({ type: 'phone.offer', tabId: 'bad tab id!', sdp: 'v=0\r\n..........' });
    ws.send({ type: 'phone.check', tabId: TAB, action: 'explode' });
    ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(8000) })); // large frames: offers only
    await ws.next(
      (f) => f.type === 'error' && ws.frames.filter((g) => g.code === 'INVALID_FRAME').length >= 3,
    );
    ws.send({ type: 'phone.offer', tabId: TAB, sdp: `v=0\r\n${'a'.repeat(20_000)}` });
    await ws.next(() => ws.frames.filter((g) => g.code === 'INVALID_FRAME').length >= 4);
    await ws.closeAndWait();
  });

  it('closes the phone when the session ends (sign-out)', async () => {
    const agent = await tenant.userToken('agent');
    const ws = await WsClient.open(wsUrl, agent.token);
    const browser = await peer();
    ws.send({ type: 'phone.offer', tabId: TAB, sdp: browser.offer });
    await browser.accept((await ws.next((f) => f.type === 'phone.answer')).sdp!);
    await ws.next((f) => f.type === 'phone.state' && f.state === 'connected');
    const out = await tenant.request({ method: 'POST', url: '/api/auth/logout', token: agent.token });
    expect(out.statusCode).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 1500)); // the credential re-check runs every 200 ms in tests
    expect(ws.closed).toBe(4401);
    const phones = (await media.host.workerStats()).reduce((n, s) => n + s.phones, 0);
    expect(phones).toBe(0);
  });
});
