import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav, wavSamples } from '@hotline/media/audio/wav';
import type { BrowserPeer } from '@hotline/media/test-support/browser-peer';
import type { CallRecord } from '@hotline/protocol/calls';
import { freePort } from '@hotline/sip/test-support/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipService } from '../sip/sip-service';
import { type SoftphoneAgent, softphoneAgent } from '../testing/agent-softphone';
import { ack, answerBye, bye, expectPassed, sippCall, until } from '../testing/sipp-caller';
import { carrier, carrierAnswersBye, carrierXml } from '../testing/sipp-carrier';
import type { TenantClient, TestServer } from '../testing/test-server';
import { framesOf, type TalkingParty, talkingParty } from '../testing/tone-party';
import {
  carrierTrunk,
  queueLine,
  startVoiceWorld,
  type VoiceWorld,
  voiceQueue,
} from '../testing/voice-world';

/**
 * An agent hands a phone call to an outside number from the softphone (a blind transfer): a SIPp
 * caller (its RTP a socket of the test speaking 600 Hz) reaches the agent (a werift peer playing the
 * browser, 1000 Hz); the agent sends `phone.transfer`; their phone lets go at once, the number is
 * dialled through the trunk (SIPp as the carrier, its customer a socket speaking 1400 Hz), and once it
 * answers the caller and the number hear each other while the agent wraps up. A busy number, or one
 * the dial plan refuses, brings the caller back to the agent.
 */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'voice-number-transfer');
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, 'run-'));
const DID = '+74950005566';
const EXTERNAL = '+74951117788';
const EXTERNAL_BUSY = '+74951117799';
const CALLER_HZ = 600;
const AGENT_HZ = 1000;
const EXTERNAL_HZ = 1400;

describe('an agent transfers a phone call to an outside number', () => {
  let world: VoiceWorld;
  let server: TestServer;
  let sip: SipService;
  let a: TenantClient;
  let wsUrl: string;
  let queueId: string;
  let carrierPort: number;
  let agent: SoftphoneAgent;
  const peers: BrowserPeer[] = [];

  beforeAll(async () => {
    world = await startVoiceWorld({
      tenant: 'Number transfers',
      dir,
      rtpBase: 38_000 + Math.floor(Math.random() * 100) * 20,
    });
    ({ server, sip, a, wsUrl } = world);
    carrierPort = await freePort();
    const trunkId = await carrierTrunk(a, { proxyPort: carrierPort, prefixes: ['7495'] });
    queueId = await voiceQueue(a, 'Support', { announceIntervalSeconds: 0, recording: 'always' });
    await queueLine(world, { number: DID, trunkId, queue: 'Support' });
    agent = await softphoneAgent(a, wsUrl, { tabId: 'tab-transfer1', toneHz: AGENT_HZ, peers });
  }, 120_000);

  afterAll(async () => {
    for (const p of peers) await p.close().catch(() => {});
    await world?.close();
  });

  const interaction = () =>
    server.db.kysely
      .selectFrom('interactions')
      .select(['id', 'state', 'agent_id'])
      .where('tenant_id', '=', a.tenantId)
      .where('channel', '=', 'voice')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();

  /** A caller speaking `CALLER_HZ` for `seconds`, then hanging up (or hung up by us: `endedByUs`). */
  async function callIn(caller: TalkingParty, name: string, seconds: number, endedByUs = false) {
    return sippCall(
      dir,
      sip.ports.udp!,
      DID,
      name,
      {
        media: [
          `m=audio ${caller.port} RTP/AVP 0 101`,
          'a=rtpmap:0 PCMU/8000',
          'a=rtpmap:101 telephone-event/8000',
        ],
        body: endedByUs
          ? `
  <recv response="200" rtd="true"/>${ack()}
${answerBye}`
          : `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="${seconds * 1000}"/>${bye}`,
      },
      60,
    );
  }

  /** Ready, offered the caller, accepts; the agent and the caller hear each other. */
  async function answer(caller: TalkingParty): Promise<string> {
    const ready = await a.request({
      method: 'PUT',
      url: '/api/agent/state',
      token: agent.token,
      payload: { state: 'ready' },
    });
    expect(ready.statusCode, ready.body).toBe(200);
    const offered = await until(interaction, (ix) => ix?.state === 'offered', 15_000, 'offered');
    const from = agent.ws.frames.length;
    const accept = await a.request({
      method: 'POST',
      url: `/api/agent/offers/${offered!.id}/accept`,
      token: agent.token,
    });
    expect(accept.statusCode, accept.body).toBeLessThan(300);
    await agent.ws.next((f) => f.type === 'phone.state' && f.mode === 'call', 10_000, from);
    const heard = agent.browser.heard.length;
    await until(
      async () => framesOf(agent.browser.heard.slice(heard), CALLER_HZ),
      (n) => n > 25,
      10_000,
      'the agent hears the caller',
    );
    await until(
      async () => framesOf(caller.heard(), AGENT_HZ),
      (n) => n > 25,
      5_000,
      'the caller hears the agent',
    );
    return offered!.id;
  }

  const transferFrame = (from: number, status: string) =>
    agent.ws.next((f) => f.type === 'phone.transfer' && f.status === status, 15_000, from);

  it('the number answers: caller and number talk, the agent is let go and wraps up, the CDR says so', async () => {
    const caller = await talkingParty(CALLER_HZ);
    const outside = await talkingParty(EXTERNAL_HZ);
    try {
      const far = await carrier(
        dir,
        carrierPort,
        carrierXml({
          to: EXTERNAL,
          from: '+79161234567',
          answer: true,
          mediaPort: outside.port,
          after: carrierAnswersBye,
        }),
      );
      const call = await callIn(caller, 'transferred caller', 16);
      const id = await answer(caller);
      await new Promise((r) => setTimeout(r, 1000)); // a second of conversation, recorded

      const from = agent.ws.frames.length;
      agent.ws.send({ type: 'phone.transfer', tabId: 'tab-transfer1', number: '+7 495 111-77-88' });
      expect((await transferFrame(from, 'dialling')).number).toBe(EXTERNAL);
      // The agent's phone lets go at once, before the number answers.
      await agent.ws.next((f) => f.type === 'phone.state' && f.mode === 'idle', 5_000, from);
      const heardByAgent = agent.browser.heard.length;
      const connected = await transferFrame(from, 'connected');
      expect(connected.number).toBe(EXTERNAL);
      const heardByCaller = caller.heard().length;
      await until(
        async () => framesOf(caller.heard().slice(heardByCaller), EXTERNAL_HZ),
        (n) => n > 50,
        10_000,
        'the caller hears the number',
      );
      await until(
        async () => framesOf(outside.heard(), CALLER_HZ),
        (n) => n > 50,
        10_000,
        'the number hears the caller',
      );
      // The interaction is the agent's to wrap up; their phone hears nothing more of the call.
      const ix = await until(interaction, (x) => x?.state === 'wrap_up', 5_000, 'wrap-up');
      expect(ix!.agent_id).toBe(agent.id);
      expect(
        framesOf(agent.browser.heard.slice(heardByAgent + 25), CALLER_HZ),
        'caller heard by the agent',
      ).toBe(0);
      expect(
        framesOf(agent.browser.heard.slice(heardByAgent + 25), EXTERNAL_HZ),
        'number heard by the agent',
      ).toBe(0);

      // The caller hangs up: we hang up the number.
      expectPassed(await call.done, 'caller');
      expectPassed(await far.done, 'carrier (our BYE after the caller left)');
      const record = await until(
        async () => {
          const res = await a.request({ method: 'GET', url: `/api/calls?agentId=${agent.id}` });
          return (res.json() as { items: CallRecord[] }).items.find((c) => c.interactionId === id);
        },
        (c) => c?.endedAt != null,
        5_000,
        'the ended CDR',
      );
      expect(record).toMatchObject({
        outcome: 'answered',
        agentId: agent.id,
        transferredTo: EXTERNAL,
        hangupSide: 'caller',
        hasRecording: true,
      });
      expect(record!.agents.map((l) => [l.agentId, l.queueId, l.endReason])).toEqual([
        [agent.id, queueId, 'transferred'],
      ]);
      // The agent's leg ends when the number answered; the caller and the number talked after it.
      expect(Date.parse(record!.agents[0]!.endedAt!)).toBeLessThanOrEqual(
        Date.parse(record!.transferredAt!) + 1000,
      );
      expect(Date.parse(record!.endedAt!) - Date.parse(record!.transferredAt!)).toBeGreaterThan(3000);

      // The recording holds the conversation with the agent only: it stopped at the transfer.
      const path = await server.db.kysely
        .selectFrom('voice_calls')
        .select('recording_path')
        .where('tenant_id', '=', a.tenantId)
        .where('id', '=', record!.id)
        .executeTakeFirstOrThrow();
      const wav = parseWav(readFileSync(join(dir, 'recordings', path.recording_path!)));
      if (!wav.ok) throw new Error(wav.reason);
      const stereo = wavSamples(wav.wav);
      const channel = (c: number) => {
        const frames: Int16Array[] = [];
        for (let at = 0; at + 320 <= stereo.length; at += 320)
          frames.push(Int16Array.from({ length: 160 }, (_, i) => stereo[at + 2 * i + c]!));
        return frames;
      };
      expect(framesOf(channel(0), CALLER_HZ), 'caller on the left').toBeGreaterThan(25);
      expect(framesOf(channel(1), AGENT_HZ), 'agent on the right').toBeGreaterThan(25);
      expect(framesOf(channel(1), EXTERNAL_HZ), 'the number, after the transfer').toBe(0);
      const recordedSec = stereo.length / 2 / 8000;
      const withAgentSec = (Date.parse(record!.transferredAt!) - Date.parse(record!.agentAnsweredAt!)) / 1000;
      expect(recordedSec).toBeLessThan(withAgentSec + 1.5);

      const done = await a.request({
        method: 'POST',
        url: `/api/agent/interactions/${id}/wrap-up`,
        token: agent.token,
        payload: { notes: 'Sent to the partner' },
      });
      expect(done.statusCode, done.body).toBeLessThan(300);
    } finally {
      caller.close();
      outside.close();
    }
  }, 90_000);

  it('a number the dial plan refuses, then a busy one: the caller is back with the agent each time', async () => {
    const caller = await talkingParty(CALLER_HZ);
    try {
      const call = await callIn(caller, 'returned caller', 0, true);
      const id = await answer(caller);

      // Not in the dial plan (only +7495…): refused before anything is dialled.
      let from = agent.ws.frames.length;
      agent.ws.send({ type: 'phone.transfer', tabId: 'tab-transfer1', number: '+442079460958' });
      const refused = await transferFrame(from, 'failed');
      expect(refused).toMatchObject({ number: '+442079460958', code: 'DIAL_REFUSED' });
      await agent.ws.next((f) => f.type === 'phone.state' && f.mode === 'call', 10_000, from);
      let heard = agent.browser.heard.length;
      await until(
        async () => framesOf(agent.browser.heard.slice(heard), CALLER_HZ),
        (n) => n > 25,
        10_000,
        'the agent hears the caller again',
      );

      // Busy: the carrier says 486.
      const far = await carrier(
        dir,
        carrierPort,
        carrierXml({ to: EXTERNAL_BUSY, from: '+79161234567', answer: false, after: '' }),
      );
      from = agent.ws.frames.length;
      agent.ws.send({ type: 'phone.transfer', tabId: 'tab-transfer1', number: EXTERNAL_BUSY });
      await transferFrame(from, 'dialling');
      expect(await transferFrame(from, 'failed')).toMatchObject({ number: EXTERNAL_BUSY, code: 'BUSY' });
      expectPassed(await far.done, 'carrier (busy)');
      await agent.ws.next((f) => f.type === 'phone.state' && f.mode === 'call', 10_000, from);
      heard = agent.browser.heard.length;
      const heardByCaller = caller.heard().length;
      await until(
        async () => framesOf(agent.browser.heard.slice(heard), CALLER_HZ),
        (n) => n > 25,
        10_000,
        'the agent hears the caller after the busy number',
      );
      await until(
        async () => framesOf(caller.heard().slice(heardByCaller), AGENT_HZ),
        (n) => n > 25,
        5_000,
        'the caller hears the agent after the busy number',
      );
      expect((await interaction())?.state).toBe('connected');

      // A number that is not E.164 never reaches the server's phone: the frame is refused.
      from = agent.ws.frames.length;
      agent.ws.send({ type: 'phone.transfer', tabId: 'tab-transfer1', number: '8-800-CALL-NOW' });
      expect(
        await agent.ws.next((f) => f.type === 'error' && f.code === 'INVALID_FRAME', 5_000, from),
      ).toBeTruthy();

      // The agent ends the call: the caller is hung up; the CDR has no transfer.
      const end = await a.request({
        method: 'POST',
        url: `/api/agent/interactions/${id}/end`,
        token: agent.token,
      });
      expect(end.statusCode, end.body).toBe(200);
      expectPassed(await call.done, 'caller (hung up by us)');
      const record = await until(
        async () => {
          const res = await a.request({ method: 'GET', url: `/api/calls?agentId=${agent.id}` });
          return (res.json() as { items: CallRecord[] }).items.find((c) => c.interactionId === id);
        },
        (c) => c?.endedAt != null,
        5_000,
        'the ended CDR',
      );
      expect(record).toMatchObject({ transferredTo: null, hangupSide: 'agent', hangupCause: 'AGENT_ENDED' });
      expect(record!.agents.map((l) => l.endReason)).toEqual(['call_ended']);
    } finally {
      caller.close();
    }
  }, 90_000);
});
