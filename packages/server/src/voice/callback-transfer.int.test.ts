import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseWav, wavSamples } from '@hotline/media/audio/wav';
import { decodeG711, encodeG711 } from '@hotline/media/codec/g711';
import { goertzelPower } from '@hotline/media/dtmf/goertzel';
import { parseRtp, serializeRtp } from '@hotline/media/rtp/rtp-packet';
import type { BrowserPeer } from '@hotline/media/test-support/browser-peer';
import { tones } from '@hotline/media/test-support/signals';
import type { CallRecord } from '@hotline/protocol/calls';
import { freePort } from '@hotline/sip/test-support/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipService } from '../sip/sip-service';
import { softphoneAgent } from '../testing/agent-softphone';
import {
  ack,
  answerBye,
  CALLER,
  expectPassed,
  pcmuMedia,
  rtpDigits,
  type SunkPacket,
  sippCall,
  until,
} from '../testing/sipp-caller';
import { carrier, carrierAnswersBye, carrierXml } from '../testing/sipp-carrier';
import type { TenantClient, TestServer } from '../testing/test-server';
import { queueLine, startVoiceWorld, type VoiceWorld, voiceQueue } from '../testing/voice-world';

/**
 * An agent transfers a callback while talking to the customer (issue 7, ADR 0010): a caller asks for a
 * callback in the queue and hangs up; agent 1 (a werift peer playing the softphone, a 1000 Hz tone as
 * their voice) takes it and the customer is dialled through the trunk (SIPp as the carrier, answering
 * with a socket of the test as its RTP port that speaks a 600 Hz tone). Agent 1 presses a key (the
 * customer receives it), then transfers the call to another queue where agent 2 (1400 Hz) is ready:
 * agent 1's phone lets go at once, the customer waits with music on hold, agent 2 answers, and they
 * hear each other; agent 2's keys reach the customer too, the call is recorded from then on by the
 * policy of the queue it came through (and agent 2's softphone shows it), and agent 2 ending the call
 * hangs the customer up. One outbound call, one customer leg, no new ICE.
 */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'voice-callback-transfer');
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, 'run-'));
const DTMF_5 = '/usr/share/sip-tester/dtmf_2833_5.pcap';
const DID = '+74950004455';
const CUSTOMER = `+${CALLER}`;
const AGENT_1_HZ = 1000;
const AGENT_2_HZ = 1400;
const CUSTOMER_HZ = 600;

const sumOfSquares = (frame: Int16Array) => frame.reduce((n, v) => n + v * v, 0);
/** Louder than about -40 dBFS. */
const loud = (frame: Int16Array) => Math.sqrt(sumOfSquares(frame) / Math.max(1, frame.length)) > 300;
/** Share of a loud frame's energy at `hz` (1 for a pure tone there); 0 for a quiet frame. */
function toneShare(frame: Int16Array, hz: number): number {
  if (!loud(frame)) return 0;
  return goertzelPower(frame, hz, 8000) / ((frame.length * sumOfSquares(frame)) / 2);
}
/** How many frames are mostly a tone of `hz`. */
const framesOf = (frames: readonly Int16Array[], hz: number) =>
  frames.filter((f) => toneShare(f, hz) > 0.6).length;

/**
 * The customer's RTP port behind the carrier: keeps what it receives (decoded audio, RFC 4733 events)
 * and answers with a steady tone, 20 ms a packet, to wherever our packets come from (symmetric RTP:
 * our leg latches to it in turn).
 */
async function talkingCustomer(hz: number) {
  const socket = createSocket('udp4');
  const packets: SunkPacket[] = [];
  let peer: { address: string; port: number } | null = null;
  socket.on('message', (msg, rinfo) => {
    const rtp = parseRtp(msg);
    if (!rtp.ok) return;
    peer ??= { address: rinfo.address, port: rinfo.port };
    const { payload, payloadType: pt, timestamp: ts } = rtp.packet;
    packets.push({ at: Date.now(), payload: Uint8Array.from(payload), pt, ts });
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let seq = 0;
  let sample = 0;
  const ssrc = 0x5eed;
  const timer = setInterval(() => {
    if (!peer) return;
    const payload = encodeG711('PCMU', tones([hz], 20, 3000, sample));
    const packet = serializeRtp({ payloadType: 0, sequenceNumber: seq, timestamp: sample, ssrc, payload });
    seq = (seq + 1) & 0xffff;
    sample += 160;
    socket.send(packet, peer.port, peer.address);
  }, 20);
  return {
    port: (socket.address() as AddressInfo).port,
    packets,
    heard: () => packets.filter((p) => p.pt === 0).map((p) => decodeG711('PCMU', p.payload)),
    close() {
      clearInterval(timer);
      socket.close();
    },
  };
}

describe('an agent transfers a callback while talking to the customer', () => {
  let world: VoiceWorld;
  let server: TestServer;
  let sip: SipService;
  let a: TenantClient;
  let wsUrl: string;
  let carrierPort: number;
  let callbacksQueue: string;
  let escalationsQueue: string;
  const peers: BrowserPeer[] = [];

  beforeAll(async () => {
    world = await startVoiceWorld({
      tenant: 'Callback transfers',
      dir,
      rtpBase: 30_000 + Math.floor(Math.random() * 100) * 20,
    });
    ({ server, sip, a, wsUrl } = world);
    carrierPort = await freePort();
    const trunk = await a.request({
      method: 'POST',
      url: '/api/trunks',
      payload: {
        name: 'Carrier',
        allowedCidrs: ['127.0.0.1/32'],
        proxy: `127.0.0.1:${carrierPort}`,
        transport: 'udp',
        keepAliveSec: 0,
      },
    });
    expect(trunk.statusCode, trunk.body).toBe(201);
    const plan = await a.request({
      method: 'PUT',
      url: '/api/dial-plan',
      payload: { allowedPrefixes: ['7916'], maxConcurrentCalls: 5, maxCallsPerMinute: 20 },
    });
    expect(plan.statusCode, plan.body).toBe(200);
    // Escalations are recorded, the first line's calls are not.
    callbacksQueue = await voiceQueue(a, 'Callbacks', {
      announceIntervalSeconds: 0,
      recording: 'never',
      callbackDigit: '5',
    });
    escalationsQueue = await voiceQueue(a, 'Escalations', {
      announceIntervalSeconds: 0,
      recording: 'always',
    });
    await queueLine(world, { number: DID, trunkId: trunk.json().id, queue: 'Callbacks' });
  }, 120_000);

  afterAll(async () => {
    for (const p of peers) await p.close().catch(() => {});
    await world?.close();
  });

  const ready = (token: string) =>
    a.request({ method: 'PUT', url: '/api/agent/state', token, payload: { state: 'ready' } });

  it('agent 1 transfers to a queue: the customer waits on hold, agent 2 talks to them, agent 1 is let go', async () => {
    const agent1 = await softphoneAgent(a, wsUrl, { tabId: 'tab-agent001', toneHz: AGENT_1_HZ, peers });
    const agent2 = await softphoneAgent(a, wsUrl, { tabId: 'tab-agent002', toneHz: AGENT_2_HZ, peers });

    // The caller asks for a callback in the queue (key 5) and is hung up by us.
    const caller = await sippCall(dir, sip.ports.udp!, DID, 'callback caller', {
      media: pcmuMedia('[media_port]'),
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="2500"/>
  <nop><action><exec play_pcap_audio="${DTMF_5}"/></action></nop>
${answerBye}`,
    });
    expectPassed(await caller.done, 'caller');
    const interaction = () =>
      server.db.kysely
        .selectFrom('interactions')
        .select(['id', 'state', 'agent_id', 'queue_id'])
        .where('tenant_id', '=', a.tenantId)
        .where('channel', '=', 'voice')
        .executeTakeFirstOrThrow();
    const scheduled = await until(
      interaction,
      (ix) => ix.state === 'callback_scheduled',
      10_000,
      'callback scheduled',
    );
    expect(scheduled.queue_id).toBe(callbacksQueue);
    const { id } = scheduled;

    // The carrier answers for the customer; the customer's RTP is the test's socket.
    const customer = await talkingCustomer(CUSTOMER_HZ);
    try {
      const far = await carrier(
        dir,
        carrierPort,
        carrierXml({
          to: CUSTOMER,
          from: DID,
          answer: true,
          mediaPort: customer.port,
          after: carrierAnswersBye,
        }),
      );
      expect((await ready(agent1.token)).statusCode).toBe(200);
      await until(interaction, (ix) => ix.state === 'offered', 10_000, 'callback offered to agent 1');
      const accept1 = await a.request({
        method: 'POST',
        url: `/api/agent/offers/${id}/accept`,
        token: agent1.token,
      });
      expect(accept1.statusCode, accept1.body).toBeLessThan(300);
      await agent1.ws.next((f) => f.type === 'phone.state' && f.mode === 'call');
      await until(
        async () => framesOf(agent1.browser.heard, CUSTOMER_HZ),
        (n) => n > 25,
        15_000,
        'agent 1 hears the customer',
      );
      await until(
        async () => framesOf(customer.heard(), AGENT_1_HZ),
        (n) => n > 25,
        5_000,
        'the customer hears agent 1',
      );
      // The first line's calls are not recorded: agent 1's softphone says so.
      await agent1.ws.next((f) => f.type === 'phone.recording' && f.status === 'unavailable');
      // Agent 1's keypad reaches the customer (their IVR, a code).
      agent1.browser.sendDigits('1');
      await until(
        async () => rtpDigits(customer.packets),
        (d) => d.length === 1,
        5_000,
        "agent 1's key",
      );
      expect(rtpDigits(customer.packets)).toEqual(['1']);

      // Agent 1 transfers the call to the Escalations queue, where agent 2 is ready.
      expect((await ready(agent2.token)).statusCode).toBe(200);
      const from1 = agent1.ws.frames.length;
      const transfer = await a.request({
        method: 'POST',
        url: `/api/agent/interactions/${id}/transfer`,
        token: agent1.token,
        payload: { queueId: escalationsQueue, note: 'Wants a refund' },
      });
      expect(transfer.statusCode, transfer.body).toBeLessThan(300);
      const heardBy1 = agent1.browser.heard.length;
      const heardByCustomer = customer.heard().length;
      await agent1.ws.next((f) => f.type === 'phone.state' && f.mode === 'idle', 5_000, from1);

      const offered2 = await until(interaction, (ix) => ix.state === 'offered', 10_000, 'offered to agent 2');
      expect(offered2.queue_id).toBe(escalationsQueue);
      // Waiting for agent 2, the customer hears the music on hold, not agent 1.
      await until(
        async () => customer.heard().slice(heardByCustomer + 25),
        (frames) => frames.filter((f) => loud(f) && toneShare(f, AGENT_1_HZ) < 0.3).length > 10,
        5_000,
        'music on hold',
      );
      const accept2 = await a.request({
        method: 'POST',
        url: `/api/agent/offers/${id}/accept`,
        token: agent2.token,
      });
      expect(accept2.statusCode, accept2.body).toBeLessThan(300);
      await agent2.ws.next((f) => f.type === 'phone.state' && f.mode === 'call');
      await until(
        async () => framesOf(agent2.browser.heard, CUSTOMER_HZ),
        (n) => n > 25,
        10_000,
        'agent 2 hears the customer',
      );
      await until(
        async () => framesOf(customer.heard(), AGENT_2_HZ),
        (n) => n > 25,
        5_000,
        'the customer hears agent 2',
      );
      // The call came through Escalations, which records: it is recorded from agent 2's answer, and
      // agent 2's softphone shows it (an agent must know they are recorded).
      await agent2.ws.next((f) => f.type === 'phone.recording' && f.status === 'recording', 3_000);
      // Agent 2's keys reach the customer as well.
      agent2.browser.sendDigits('#');
      await until(
        async () => rtpDigits(customer.packets),
        (d) => d.length === 2,
        5_000,
        "agent 2's key",
      );
      expect(rtpDigits(customer.packets)).toEqual(['1', '#']);
      // Agent 1 was let go: none of the customer's voice after the transfer (0.5 s of grace for audio on
      // its way), and the customer never heard agent 1 again.
      expect(
        framesOf(agent1.browser.heard.slice(heardBy1 + 25), CUSTOMER_HZ),
        'agent 1 after the transfer',
      ).toBe(0);
      expect(
        framesOf(customer.heard().slice(heardByCustomer + 25), AGENT_1_HZ),
        'customer hearing agent 1 after the transfer',
      ).toBe(0);

      // They talk a second more; then agent 2 ends the call: the customer is hung up, the interaction
      // is agent 2's to wrap up.
      await new Promise((r) => setTimeout(r, 1000));
      const end = await a.request({
        method: 'POST',
        url: `/api/agent/interactions/${id}/end`,
        token: agent2.token,
      });
      expect(end.statusCode, end.body).toBe(200);
      expectPassed(await far.done, 'carrier (the customer)');
      const ix = await until(interaction, (x) => x.state === 'wrap_up', 5_000, 'wrap-up');
      expect(ix.agent_id).toBe(agent2.id);
      const cdr = await until(
        () =>
          server.db.kysely
            .selectFrom('voice_calls')
            .selectAll()
            .where('tenant_id', '=', a.tenantId)
            .where('interaction_id', '=', id)
            .where('direction', '=', 'outbound')
            .executeTakeFirstOrThrow(),
        (c) => c.ended_at !== null,
        5_000,
        'callback CDR ended',
      );
      expect(cdr).toMatchObject({ to_number: CUSTOMER, hangup_side: 'agent', hangup_cause: 'AGENT_ENDED' });
      expect(cdr.answered_at).not.toBeNull();
      // The CDR names both agents in order: agent 1 (who handed the call on) and agent 2 (who ended it).
      const record = await a.request({ method: 'GET', url: `/api/calls/${cdr.id}` });
      expect(record.statusCode, record.body).toBe(200);
      const { agentId, agents, durations } = record.json() as CallRecord;
      expect(agentId).toBe(agent1.id);
      expect(agents.map((leg) => [leg.agentId, leg.queueId, leg.endReason])).toEqual([
        [agent1.id, callbacksQueue, 'transferred'],
        [agent2.id, escalationsQueue, 'call_ended'],
      ]);
      expect(agents[1]!.connectedAt >= agents[0]!.endedAt!).toBe(true);
      expect(agents[1]!.talkSec).toBeGreaterThanOrEqual(1);
      expect(durations.talkSec).toBe(agents[0]!.talkSec! + agents[1]!.talkSec!);
      const byAgent2 = await a.request({ method: 'GET', url: `/api/calls?agentId=${agent2.id}` });
      expect((byAgent2.json() as { items: CallRecord[] }).items.map((c) => c.id)).toContain(cdr.id);
      await agent2.ws.next((f) => f.type === 'phone.state' && f.mode === 'idle');
      // The recording holds the conversation with agent 2: the customer on the left, agent 2 on the right.
      expect(cdr.recording_path).not.toBeNull();
      const wav = parseWav(readFileSync(join(dir, 'recordings', cdr.recording_path!)));
      if (!wav.ok) throw new Error(wav.reason);
      expect(wav.wav.channels).toBe(2);
      const stereo = wavSamples(wav.wav);
      const channel = (c: number) => {
        const frames: Int16Array[] = [];
        for (let at = 0; at + 320 <= stereo.length; at += 320)
          frames.push(Int16Array.from({ length: 160 }, (_, i) => stereo[at + 2 * i + c]!));
        return frames;
      };
      expect(framesOf(channel(0), CUSTOMER_HZ), 'customer on the left').toBeGreaterThan(40);
      expect(framesOf(channel(1), AGENT_2_HZ), 'agent 2 on the right').toBeGreaterThan(40);
      expect(framesOf(channel(1), AGENT_1_HZ), 'agent 1 (before the transfer: not recorded)').toBe(0);
    } finally {
      customer.close();
    }
  }, 90_000);
});
