import { type BrowserPeer, startBrowserPeer } from '@hotline/media/test-support/browser-peer';
import { tones } from '@hotline/media/test-support/signals';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { TenantClient } from './test-server';

/**
 * An agent at the desktop for voice tests in one process: a WebSocket on `/api/ws` that keeps every
 * frame, and a werift peer playing the browser's softphone (a steady tone as the microphone, every
 * frame heard kept), connected through the WebSocket and signed in to routing.
 */

export interface Frame {
  type: string;
  state?: string;
  mode?: string;
  sdp?: string;
  digit?: string;
  status?: string;
  number?: string;
  code?: string;
  message?: string;
}

export class WsFrames {
  readonly frames: Frame[] = [];
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(String(data))));
  }
  static async open(url: string, token: string): Promise<WsFrames> {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const ws = new WsFrames(socket); // listening before 'open': the first frame may come with it
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return ws;
  }
  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }
  /** The first frame from index `from` on that matches. */
  async next(pred: (f: Frame) => boolean, ms = 10_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.slice(from).find(pred);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export interface SoftphoneAgent {
  readonly id: string;
  readonly token: string;
  readonly ws: WsFrames;
  readonly browser: BrowserPeer;
}

/**
 * A new agent of `tenant` with a connected softphone whose microphone plays `toneHz`, signed in to
 * routing (not ready yet). The caller closes `browser` (pushed to `peers` for that).
 */
export async function softphoneAgent(
  tenant: TenantClient,
  wsUrl: string,
  o: { tabId: string; toneHz: number; peers: BrowserPeer[] },
): Promise<SoftphoneAgent> {
  const agent = await tenant.userToken('agent');
  const ws = await WsFrames.open(wsUrl, agent.token);
  const browser = await startBrowserPeer({ source: tones([o.toneHz], 1000, 3000), keepHeard: true });
  o.peers.push(browser);
  ws.send({ type: 'phone.offer', tabId: o.tabId, sdp: browser.offer });
  await browser.accept((await ws.next((f) => f.type === 'phone.answer')).sdp!);
  await browser.connected();
  browser.start();
  await ws.next((f) => f.type === 'phone.state' && f.state === 'connected');
  const login = await tenant.request({ method: 'POST', url: '/api/agent/login', token: agent.token });
  expect(login.statusCode, login.body).toBe(200);
  return { id: agent.id, token: agent.token, ws, browser };
}
