import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserPeer } from '@hotline/media/test-support/browser-peer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipService } from '../sip/sip-service';
import { softphoneAgent } from '../testing/agent-softphone';
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
import type { TenantClient, TestServer } from '../testing/test-server';
import {
  carrierTrunk,
  queueLine,
  startVoiceWorld,
  type VoiceWorld,
  voiceQueue,
} from '../testing/voice-world';

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
  let world: VoiceWorld;
  let server: TestServer;
  let sip: SipService;
  let a: TenantClient;
  let wsUrl: string;
  let queueId: string;
  const peers: BrowserPeer[] = [];

  beforeAll(async () => {
    world = await startVoiceWorld({
      tenant: 'Keypad',
      dir,
      rtpBase: 32_000 + Math.floor(Math.random() * 100) * 20,
    });
    ({ server, sip, a, wsUrl } = world);
    const trunkId = await carrierTrunk(a);
    queueId = await voiceQueue(a, 'Support', { announceIntervalSeconds: 0, recording: 'never' });
    await queueLine(world, { number: DID, trunkId, queue: 'Support' });
  }, 120_000);

  afterAll(async () => {
    for (const p of peers) await p.close().catch(() => {});
    await world?.close();
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
