import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav, wavSamples } from '@hotline/media/audio/wav';
import type { BrowserPeer } from '@hotline/media/test-support/browser-peer';
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
  sippCall,
  until,
} from '../testing/sipp-caller';
import {
  carrier,
  carrierAnswersBye,
  carrierHangsUp,
  carrierLinesXml,
  carrierXml,
} from '../testing/sipp-carrier';
import type { TenantClient, TestServer } from '../testing/test-server';
import { framesOf, loud, talkingParty, toneShare } from '../testing/tone-party';
import {
  carrierTrunk,
  queueLine,
  startVoiceWorld,
  type VoiceWorld,
  voiceQueue,
} from '../testing/voice-world';

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
const EXTERNAL = '+74951117788';
const EXTERNAL_HZ = 1800;

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
    const trunkId = await carrierTrunk(a, { proxyPort: carrierPort, prefixes: ['7916', '7495'] });
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
    await queueLine(world, { number: DID, trunkId, queue: 'Callbacks' });
  }, 120_000);

  afterAll(async () => {
    for (const p of peers) await p.close().catch(() => {});
    await world?.close();
  });

  const ready = (token: string) =>
    a.request({ method: 'PUT', url: '/api/agent/state', token, payload: { state: 'ready' } });

  /** The newest voice interaction. */
  const newest = () =>
    server.db.kysely
      .selectFrom('interactions')
      .select(['id', 'state', 'agent_id', 'queue_id'])
      .where('tenant_id', '=', a.tenantId)
      .where('channel', '=', 'voice')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();

  /** A caller asks for a callback in the queue (key 5) and is hung up by us; the interaction waits. */
  async function callbackRequested(name: string) {
    const caller = await sippCall(dir, sip.ports.udp!, DID, name, {
      media: pcmuMedia('[media_port]'),
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="2500"/>
  <nop><action><exec play_pcap_audio="${DTMF_5}"/></action></nop>
${answerBye}`,
    });
    expectPassed(await caller.done, name);
    return until(newest, (ix) => ix.state === 'callback_scheduled', 10_000, 'callback scheduled');
  }

  it('agent 1 transfers to a queue: the customer waits on hold, agent 2 talks to them, agent 1 is let go', async () => {
    const agent1 = await softphoneAgent(a, wsUrl, { tabId: 'tab-agent001', toneHz: AGENT_1_HZ, peers });
    const agent2 = await softphoneAgent(a, wsUrl, { tabId: 'tab-agent002', toneHz: AGENT_2_HZ, peers });

    // The caller asks for a callback in the queue (key 5) and is hung up by us.
    const scheduled = await callbackRequested('callback caller');
    const interaction = newest;
    expect(scheduled.queue_id).toBe(callbacksQueue);
    const { id } = scheduled;

    // The carrier answers for the customer; the customer's RTP is the test's socket.
    const customer = await talkingParty(CUSTOMER_HZ);
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

  it('an agent hands the called-back customer to an outside number: they talk, the agent wraps up', async () => {
    // This queue's callbacks are recorded from now on: the recording must stop at the hand-off.
    const recorded = await a.request({
      method: 'PUT',
      url: `/api/queues/${callbacksQueue}/voice`,
      payload: { recording: 'always' },
    });
    expect(recorded.statusCode, recorded.body).toBe(200);
    const agent = await softphoneAgent(a, wsUrl, { tabId: 'tab-agent003', toneHz: AGENT_1_HZ, peers });
    const { id } = await callbackRequested('callback caller 2');

    // The carrier answers twice: the customer (who hangs up 12 s later), then the outside number, which
    // must be presented the customer's number.
    const customer = await talkingParty(CUSTOMER_HZ);
    const outside = await talkingParty(EXTERNAL_HZ);
    try {
      const far = await carrier(
        dir,
        carrierPort,
        carrierLinesXml([
          {
            to: CUSTOMER,
            from: DID,
            mediaPort: customer.port,
            after: `\n  <pause milliseconds="12000"/>${carrierHangsUp}`,
          },
          { to: EXTERNAL, from: CUSTOMER, mediaPort: outside.port, after: carrierAnswersBye },
        ]),
        2,
      );
      expect((await ready(agent.token)).statusCode).toBe(200);
      await until(newest, (ix) => ix.state === 'offered', 10_000, 'callback offered');
      const accept = await a.request({
        method: 'POST',
        url: `/api/agent/offers/${id}/accept`,
        token: agent.token,
      });
      expect(accept.statusCode, accept.body).toBeLessThan(300);
      await agent.ws.next((f) => f.type === 'phone.state' && f.mode === 'call');
      await until(
        async () => framesOf(agent.browser.heard, CUSTOMER_HZ),
        (n) => n > 25,
        15_000,
        'the agent hears the customer',
      );
      await until(
        async () => framesOf(customer.heard(), AGENT_1_HZ),
        (n) => n > 25,
        5_000,
        'the customer hears the agent',
      );
      await agent.ws.next((f) => f.type === 'phone.recording' && f.status === 'recording', 3_000);

      const from = agent.ws.frames.length;
      agent.ws.send({ type: 'phone.transfer', tabId: 'tab-agent003', number: EXTERNAL });
      await agent.ws.next((f) => f.type === 'phone.transfer' && f.status === 'dialling', 5_000, from);
      // The agent's phone lets go at once, before the number answers.
      await agent.ws.next((f) => f.type === 'phone.state' && f.mode === 'idle', 5_000, from);
      const heardByAgent = agent.browser.heard.length;
      const connected = await agent.ws.next(
        (f) => f.type === 'phone.transfer' && f.status !== 'dialling',
        15_000,
        from,
      );
      expect(connected).toMatchObject({ status: 'connected', number: EXTERNAL });
      const heardByCustomer = customer.heard().length;
      await until(
        async () => framesOf(customer.heard().slice(heardByCustomer), EXTERNAL_HZ),
        (n) => n > 50,
        10_000,
        'the customer hears the number',
      );
      await until(
        async () => framesOf(outside.heard(), CUSTOMER_HZ),
        (n) => n > 50,
        10_000,
        'the number hears the customer',
      );
      // The customer's keys reach the number (its IVR).
      customer.press('7');
      await until(
        async () => rtpDigits(outside.packets),
        (d) => d.length === 1,
        5_000,
        "the customer's key",
      );
      expect(rtpDigits(outside.packets)).toEqual(['7']);
      // The interaction is the agent's to wrap up; their phone hears nothing more of the call.
      const ix = await until(newest, (x) => x.state === 'wrap_up', 5_000, 'wrap-up');
      expect(ix.agent_id).toBe(agent.id);
      expect(
        framesOf(agent.browser.heard.slice(heardByAgent + 25), CUSTOMER_HZ),
        'customer heard by the agent',
      ).toBe(0);

      // The customer hangs up: we hang up the number.
      expectPassed(await far.done, 'carrier (the customer hangs up, then our BYE to the number)', 2);
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
      const record = (await a.request({ method: 'GET', url: `/api/calls/${cdr.id}` })).json() as CallRecord;
      expect(record).toMatchObject({
        toNumber: CUSTOMER,
        transferredTo: EXTERNAL,
        hangupSide: 'caller',
        hasRecording: true,
      });
      expect(record.agents.map((leg) => [leg.agentId, leg.queueId, leg.endReason])).toEqual([
        [agent.id, callbacksQueue, 'transferred'],
      ]);
      expect(Date.parse(record.endedAt!) - Date.parse(record.transferredAt!)).toBeGreaterThan(3000);

      // The recording holds the conversation with the agent only: it stopped at the hand-off.
      const wav = parseWav(readFileSync(join(dir, 'recordings', cdr.recording_path!)));
      if (!wav.ok) throw new Error(wav.reason);
      const stereo = wavSamples(wav.wav);
      const channel = (c: number) => {
        const frames: Int16Array[] = [];
        for (let at = 0; at + 320 <= stereo.length; at += 320)
          frames.push(Int16Array.from({ length: 160 }, (_, i) => stereo[at + 2 * i + c]!));
        return frames;
      };
      expect(framesOf(channel(0), CUSTOMER_HZ), 'customer on the left').toBeGreaterThan(25);
      expect(framesOf(channel(1), AGENT_1_HZ), 'agent on the right').toBeGreaterThan(25);
      expect(framesOf(channel(1), EXTERNAL_HZ), 'the number, after the hand-off').toBe(0);
      const withAgentSec = (Date.parse(record.transferredAt!) - Date.parse(record.agentAnsweredAt!)) / 1000;
      expect(stereo.length / 2 / 8000).toBeLessThan(withAgentSec + 1.5);

      const done = await a.request({
        method: 'POST',
        url: `/api/agent/interactions/${id}/wrap-up`,
        token: agent.token,
        payload: { notes: 'Handed to the partner' },
      });
      expect(done.statusCode, done.body).toBeLessThan(300);
    } finally {
      customer.close();
      outside.close();
    }
  }, 90_000);
});
