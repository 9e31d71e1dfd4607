import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserPeer } from '@hotline/media/test-support/browser-peer';
import type { CallRecord } from '@hotline/protocol/calls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipService } from '../sip/sip-service';
import { softphoneAgent } from '../testing/agent-softphone';
import { ack, bye, expectPassed, sippCall, until } from '../testing/sipp-caller';
import type { TenantClient, TestServer } from '../testing/test-server';
import {
  carrierTrunk,
  queueLine,
  startVoiceWorld,
  type VoiceWorld,
  voiceQueue,
} from '../testing/voice-world';

/**
 * An agent transfers a connected phone call to another agent (issue 7 with issue 3's transfer): a SIPp
 * caller speaks (an A-law capture, looped) into a queue; agent A's softphone (a werift peer playing the
 * browser) takes the call and hears the caller; A transfers it to agent B; A's phone lets go at once
 * (idle, no more of the caller's voice), B's rings, B answers and hears the caller — one call, no new ICE.
 */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'voice-transfer');
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, 'run-'));
const SPEECH = '/usr/share/sip-tester/g711a.pcap';
const DID = '+74950003311';

/** Frames of speech (RMS above ~-40 dBFS) among decoded frames. */
const loud = (frames: readonly Int16Array[]) =>
  frames.filter((f) => {
    let sum = 0;
    for (const v of f) sum += v * v;
    return Math.sqrt(sum / Math.max(1, f.length)) > 300;
  }).length;

describe('an agent transfers a phone call to another agent', () => {
  let world: VoiceWorld;
  let server: TestServer;
  let sip: SipService;
  let a: TenantClient;
  let wsUrl: string;
  let queueId: string;
  const peers: BrowserPeer[] = [];

  beforeAll(async () => {
    world = await startVoiceWorld({
      tenant: 'Transfers',
      dir,
      rtpBase: 36_000 + Math.floor(Math.random() * 200) * 20,
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

  /** A signed-in agent with a connected softphone whose microphone plays a 1 kHz tone. */
  const agentWithPhone = (tabId: string) => softphoneAgent(a, wsUrl, { tabId, toneHz: 1000, peers });

  const ready = (token: string) =>
    a.request({ method: 'PUT', url: '/api/agent/state', token, payload: { state: 'ready' } });

  it('A takes the call, transfers it to B: A is let go at once, B hears the caller', async () => {
    const agentA = await agentWithPhone('tab-aaaaaaaa');
    const agentB = await agentWithPhone('tab-bbbbbbbb');
    expect((await ready(agentA.token)).statusCode).toBe(200);
    const play = `
  <nop><action><exec play_pcap_audio="${SPEECH}"/></action></nop>
  <pause milliseconds="7200"/>`;
    const call = await sippCall(
      dir,
      sip.ports.udp!,
      DID,
      'caller',
      {
        media: [
          'm=audio [media_port] RTP/AVP 8 101',
          'a=rtpmap:8 PCMA/8000',
          'a=rtpmap:101 telephone-event/8000',
        ],
        body: `
  <recv response="200" rtd="true"/>${ack()}${play.repeat(4)}${bye}`,
      },
      60,
    );
    const interaction = async () =>
      server.db.kysely
        .selectFrom('interactions')
        .select(['id', 'state'])
        .where('tenant_id', '=', a.tenantId)
        .where('queue_id', '=', queueId)
        .executeTakeFirst();
    const offered = await until(interaction, (ix) => ix?.state === 'offered', 15_000, 'offered to A');
    const id = offered!.id;
    const acceptA = await a.request({
      method: 'POST',
      url: `/api/agent/offers/${id}/accept`,
      token: agentA.token,
    });
    expect(acceptA.statusCode, acceptA.body).toBeLessThan(300);
    await agentA.ws.next((f) => f.type === 'phone.state' && f.mode === 'call');
    await until(
      async () => loud(agentA.browser.heard),
      (n) => n > 50,
      10_000,
      'A hears the caller',
    );

    expect((await ready(agentB.token)).statusCode).toBe(200);
    const fromA = agentA.ws.frames.length;
    const transfer = await a.request({
      method: 'POST',
      url: `/api/agent/interactions/${id}/transfer`,
      token: agentA.token,
      payload: { queueId, agentId: agentB.id, note: 'Billing question' },
    });
    expect(transfer.statusCode, transfer.body).toBeLessThan(300);
    const heardByA = agentA.browser.heard.length;
    // A's phone lets go of the call at once: idle again, and no more of the caller's voice.
    await agentA.ws.next((f) => f.type === 'phone.state' && f.mode === 'idle', 5_000, fromA);

    await until(interaction, (ix) => ix?.state === 'offered', 10_000, 'offered to B');
    const acceptB = await a.request({
      method: 'POST',
      url: `/api/agent/offers/${id}/accept`,
      token: agentB.token,
    });
    expect(acceptB.statusCode, acceptB.body).toBeLessThan(300);
    await agentB.ws.next((f) => f.type === 'phone.state' && f.mode === 'call');
    await until(
      async () => loud(agentB.browser.heard),
      (n) => n > 50,
      10_000,
      'B hears the caller',
    );
    // 25 frames (0.5 s) of grace for audio already on its way when A was let go.
    expect(loud(agentA.browser.heard.slice(heardByA + 25)), 'caller frames A heard after the transfer').toBe(
      0,
    );

    expectPassed(await call.done, 'caller');
    await until(interaction, (ix) => ix?.state === 'wrap_up', 5_000, 'B wraps up after the caller left');

    // The CDR: A answered, and both agents had the call in turn, B until the caller hung up.
    const record = await until(
      async () => {
        const list = await a.request({ method: 'GET', url: `/api/calls?agentId=${agentB.id}` });
        return (list.json() as { items: CallRecord[] }).items.find((c) => c.interactionId === id);
      },
      (c) => c?.endedAt != null,
      5_000,
      "the call in B's calls, ended",
    );
    expect(record!.agentId).toBe(agentA.id);
    expect(record!.agents.map((leg) => [leg.agentId, leg.queueId, leg.endReason])).toEqual([
      [agentA.id, queueId, 'transferred'],
      [agentB.id, queueId, 'call_ended'],
    ]);
    expect(record!.agents[0]!.endedAt! <= record!.agents[1]!.connectedAt).toBe(true);
    expect(record!.durations.talkSec).toBe(record!.agents[0]!.talkSec! + record!.agents[1]!.talkSec!);
  }, 90_000);
});
