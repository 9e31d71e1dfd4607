import { mkdirSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserPeer } from '@hotline/media/test-support/browser-peer';
import { hasCommand } from '@hotline/sip/test-support/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipService } from '../sip/sip-service';
import { systemClock } from '../system';
import { softphoneAgent } from '../testing/agent-softphone';
import { createTestDatabase, type TestDatabase } from '../testing/databases';
import {
  ack,
  bye,
  expectPassed,
  pcmuMedia,
  rtpDigits,
  rtpSink,
  sippCall,
  until,
} from '../testing/sipp-caller';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { type MediaRuntime, startMediaRuntime } from './media-runtime';

/**
 * The agent's keypad reaches the far end (issue 7): an agent talking to a caller presses keys on the
 * softphone (RFC 4733 from a werift peer playing the browser) and the caller's RTP port receives them
 * as RFC 4733 events of those digits, as from any phone — to work an IVR the agent reached, or enter a
 * code. (Callbacks: `callback-transfer.int.test.ts`.)
 */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'voice-keypad');
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, 'run-'));
const DID = '+74950003344';

describe("an agent's keypad on a call", () => {
  let tdb: TestDatabase;
  let server: TestServer;
  let sip: SipService;
  let media: MediaRuntime;
  let a: TenantClient;
  let wsUrl: string;
  let queueId: string;
  const peers: BrowserPeer[] = [];

  beforeAll(async () => {
    for (const tool of ['sipp', 'espeak-ng', 'sox'])
      if (!hasCommand(tool)) throw new Error(`${tool} is not installed (npm test installs it as root)`);
    tdb = await createTestDatabase('pglite');
    const db = await tdb.open();
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    sip = new SipService({
      db: db.kysely,
      clock: systemClock,
      log: quiet,
      realm: 'hotline.test',
      listen: { host: '127.0.0.1', port: 0 },
    });
    const base = 32_000 + Math.floor(Math.random() * 100) * 20;
    media = await startMediaRuntime(
      { address: '127.0.0.1', portRange: { min: base, max: base + 199 }, workers: 2 },
      { error: () => {} },
    );
    server = await startTestServer(db, { sip, media, voiceDir: join(dir, 'voice') });
    await sip.start();
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    wsUrl = `ws://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/api/ws`;
    a = await server.newTenant('Keypad');
    const trunk = await a.request({
      method: 'POST',
      url: '/api/trunks',
      payload: { name: 'Carrier', allowedCidrs: ['127.0.0.1/32'] },
    });
    expect(trunk.statusCode, trunk.body).toBe(201);
    const queue = await a.request({ method: 'POST', url: '/api/queues', payload: { name: 'Support' } });
    queueId = queue.json().id;
    const voice = await a.request({
      method: 'PUT',
      url: `/api/queues/${queueId}/voice`,
      payload: { announceIntervalSeconds: 0, recording: 'never' },
    });
    expect(voice.statusCode, voice.body).toBe(200);
    const flow = await a.request({ method: 'POST', url: '/api/flows', payload: { name: 'Queue' } });
    const flowId = flow.json().id as string;
    await a.request({
      method: 'PUT',
      url: `/api/flows/${flowId}/draft`,
      payload: {
        id: 'q',
        version: 1,
        entry: 'q',
        nodes: { q: { verb: 'enqueue', queue: 'Support', next: { error: 'bye' } }, bye: { verb: 'hangup' } },
      },
    });
    expect((await a.request({ method: 'POST', url: `/api/flows/${flowId}/publish` })).statusCode).toBe(200);
    const number = await a.request({
      method: 'POST',
      url: '/api/phone-numbers',
      payload: { number: DID, trunkId: trunk.json().id, flowId },
    });
    expect(number.statusCode, number.body).toBe(201);
    await sip.reload();
  }, 120_000);

  afterAll(async () => {
    for (const p of peers) await p.close().catch(() => {});
    await sip?.close();
    await server?.app.close();
    await media?.stop();
    await server?.db.close();
    await tdb?.drop();
  });

  it('the keys the agent presses while talking reach the caller as RFC 4733 events', async () => {
    const agent = await softphoneAgent(a, wsUrl, { tabId: 'tab-keypad01', toneHz: 1000, peers });
    const ready = await a.request({
      method: 'PUT',
      url: '/api/agent/state',
      token: agent.token,
      payload: { state: 'ready' },
    });
    expect(ready.statusCode, ready.body).toBe(200);
    // The caller's SDP names a plain socket as its RTP port: whatever we send the caller lands there.
    const sink = await rtpSink();
    try {
      const call = await sippCall(
        dir,
        sip.ports.udp!,
        DID,
        'caller',
        {
          media: pcmuMedia(sink.port),
          body: `\n  <recv response="200" rtd="true"/>${ack()}\n  <pause milliseconds="12000"/>${bye}`,
        },
        40,
      );
      const interaction = () =>
        server.db.kysely
          .selectFrom('interactions')
          .select(['id', 'state'])
          .where('tenant_id', '=', a.tenantId)
          .where('queue_id', '=', queueId)
          .executeTakeFirst();
      const offered = await until(interaction, (ix) => ix?.state === 'offered', 15_000, 'offered');
      const accept = await a.request({
        method: 'POST',
        url: `/api/agent/offers/${offered!.id}/accept`,
        token: agent.token,
      });
      expect(accept.statusCode, accept.body).toBeLessThan(300);
      await agent.ws.next((f) => f.type === 'phone.state' && f.mode === 'call');
      // Pressed before the bridge would go nowhere: the caller's leg is bridged once the agent's audio arrives.
      await until(
        async () => sink.packets.filter((p) => p.pt === 0).length,
        (n) => n > 10,
        5_000,
        'the caller hears the agent',
      );

      agent.browser.sendDigits('7#');
      const digits = await until(
        async () => rtpDigits(sink.packets),
        (d) => d.length >= 2,
        5_000,
        'the digits at the caller',
      );
      expect(digits).toEqual(['7', '#']);
      // The agent's desktop still sees its own keys.
      await agent.ws.next((f) => f.type === 'phone.dtmf' && f.digit === '#');
      expectPassed(await call.done, 'caller');
    } finally {
      sink.socket.close();
    }
  }, 60_000);
});
