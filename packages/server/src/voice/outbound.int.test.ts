import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeG711 } from '@hotline/media/codec/g711';
import { parseRtp } from '@hotline/media/rtp/rtp-packet';
import { readPcapUdp } from '@hotline/media/test-support/pcap';
import { freePort, hasCommand } from '@hotline/sip/test-support/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipService } from '../sip/sip-service';
import { systemClock } from '../system';
import { createTestDatabase, type TestDatabase } from '../testing/databases';
import {
  ack,
  answerBye,
  bye,
  CALLER,
  expectPassed,
  pcmuMedia,
  rtpSink,
  sippCall,
  until,
} from '../testing/sipp-caller';
import { carrier, carrierAnswersBye, carrierHangsUp, carrierXml } from '../testing/sipp-carrier';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { type MediaRuntime, startMediaRuntime } from './media-runtime';

/**
 * Outbound legs through a trunk, against SIPp as the carrier on 127.0.0.1 (issue 7):
 * - a flow's `transfer` to an external number: our INVITE reaches the carrier at the trunk's proxy with
 *   the number in the Request-URI and the caller's number as From; the caller hears ringback, then the
 *   far end's audio (SIPp plays a G.711 A-law capture; the caller receives it nearly byte for byte);
 *   the CDR says transferred, to whom; a busy number takes the flow's `failed` branch;
 * - the queue's callback offer: a caller presses the key, hears the confirmation and is hung up, yet
 *   keeps their place ahead of a caller who came later; the agent who becomes ready is offered the
 *   callback first, accepts, and the customer's number is dialled through the trunk (From: the DID).
 */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'voice-outbound');
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, 'run-'));
const FAR_AUDIO = '/usr/share/sip-tester/g711a.pcap';
const DTMF_5 = '/usr/share/sip-tester/dtmf_2833_5.pcap';

const CALLER_MEDIA = pcmuMedia('[media_port]');
const DID_TRANSFER = '+74950002211';
const DID_BUSY = '+74950002222';
const DID_QUEUE = '+74950002233';
const DID_FORWARD = '+74950002244';
const DID_LATER = '+74950002255';
const DID_ABROAD = '+74950002266';
const EXTERNAL = '+74951112233';
const EXTERNAL_BUSY = '+74951112244';

describe('outbound legs through a trunk: transfer and callback (SIPp as the carrier)', () => {
  let tdb: TestDatabase;
  let server: TestServer;
  let sip: SipService;
  let media: MediaRuntime;
  let port: number;
  let carrierPort: number;
  let a: TenantClient;
  let queueId: string;
  let laterQueueId: string;
  let agentToken: string;
  /** The test agent finishes any wrap-up and is Ready. */
  const agentReady = async () => {
    const wrapping = await server.db.kysely
      .selectFrom('interactions')
      .select('id')
      .where('tenant_id', '=', a.tenantId)
      .where('state', '=', 'wrap_up')
      .execute();
    for (const w of wrapping) {
      const done = await a.request({
        method: 'POST',
        url: `/api/agent/interactions/${w.id}/wrap-up`,
        token: agentToken,
        payload: {},
      });
      expect(done.statusCode, done.body).toBeLessThan(300);
    }
    const ready = await a.request({
      method: 'PUT',
      url: '/api/agent/state',
      token: agentToken,
      payload: { state: 'ready' },
    });
    expect(ready.statusCode, ready.body).toBe(200);
  };
  const logs: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const capture = (level: string) => (fields: object, message: string) =>
    logs.push({ level, fields: fields as Record<string, unknown>, message });

  const publishFlow = async (name: string, doc: object): Promise<string> => {
    const created = await a.request({ method: 'POST', url: '/api/flows', payload: { name } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const draft = await a.request({ method: 'PUT', url: `/api/flows/${id}/draft`, payload: doc });
    expect(draft.statusCode, draft.body).toBeLessThan(300);
    const published = await a.request({ method: 'POST', url: `/api/flows/${id}/publish` });
    expect(published.statusCode, published.body).toBeLessThan(300);
    return id;
  };

  /** The call records of a number once its first call has ended. */
  const endedCalls = (did: string, what: string) =>
    until(
      () => callsOf(did),
      (rows) => rows[0]?.ended_at != null,
      5_000,
      what,
    );

  const callsOf = (did: string) =>
    server.db.kysely
      .selectFrom('voice_calls')
      .selectAll()
      .where('tenant_id', '=', a.tenantId)
      .where('did', '=', did)
      .orderBy('arrived_at')
      .execute();

  beforeAll(async () => {
    for (const tool of ['sipp', 'espeak-ng', 'sox'])
      if (!hasCommand(tool)) throw new Error(`${tool} is not installed (npm test installs it as root)`);
    tdb = await createTestDatabase('pglite');
    const db = await tdb.open();
    sip = new SipService({
      db: db.kysely,
      clock: systemClock,
      log: { info: capture('info'), warn: capture('warn'), error: capture('error') },
      realm: 'hotline.test',
      listen: { host: '127.0.0.1', port: 0 },
    });
    const base = 34_000 + Math.floor(Math.random() * 300) * 20;
    media = await startMediaRuntime(
      { address: '127.0.0.1', portRange: { min: base, max: base + 199 }, workers: 1 },
      { error: capture('error') },
    );
    server = await startTestServer(db, { sip, media, voiceDir: join(dir, 'voice') });
    await sip.start();
    port = sip.ports.udp!;
    carrierPort = await freePort();
    a = await server.newTenant('Outbound');

    // One trunk both ways: calls come from 127.0.0.1 and leave through the carrier's proxy.
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
      payload: { allowedPrefixes: ['7495', '7916'], maxConcurrentCalls: 5, maxCallsPerMinute: 20 },
    });
    expect(plan.statusCode, plan.body).toBe(200);
    const queue = await a.request({ method: 'POST', url: '/api/queues', payload: { name: 'Callbacks' } });
    expect(queue.statusCode, queue.body).toBe(201);
    queueId = queue.json().id;
    const voice = await a.request({
      method: 'PUT',
      url: `/api/queues/${queueId}/voice`,
      payload: { announceIntervalSeconds: 0, recording: 'never', callbackDigit: '5' },
    });
    expect(voice.statusCode, voice.body).toBe(200);
    expect(voice.json()).toMatchObject({ callbackDigit: '5' });

    const transferTo = (number: string) => ({
      id: 'transfer',
      version: 1,
      entry: 'out',
      nodes: {
        out: { verb: 'transfer', number, next: { failed: 'sorry' } },
        sorry: { verb: 'say', text: 'The line is busy. Goodbye.', next: { done: 'bye' } },
        bye: { verb: 'hangup' },
      },
    });
    const later = await a.request({ method: 'POST', url: '/api/queues', payload: { name: 'Later' } });
    expect(later.statusCode, later.body).toBe(201);
    laterQueueId = later.json().id;
    const forward = await a.request({
      method: 'POST',
      url: '/api/queues',
      payload: {
        name: 'Forwarded',
        overflow: [{ whenNoAgents: true, action: { type: 'external', number: EXTERNAL } }],
      },
    });
    expect(forward.statusCode, forward.body).toBe(201);
    const toForward = await publishFlow('Forwarded', {
      id: 'forwarded',
      version: 1,
      entry: 'q',
      nodes: { q: { verb: 'enqueue', queue: 'Forwarded', next: { error: 'bye' } }, bye: { verb: 'hangup' } },
    });
    const toQueue = await publishFlow('Queue', {
      id: 'queue',
      version: 1,
      entry: 'q',
      nodes: { q: { verb: 'enqueue', queue: 'Callbacks', next: { error: 'bye' } }, bye: { verb: 'hangup' } },
    });
    for (const [number, flowId] of [
      [DID_TRANSFER, await publishFlow('Transfer', transferTo(EXTERNAL))],
      [DID_BUSY, await publishFlow('Transfer busy', transferTo(EXTERNAL_BUSY))],
      [DID_ABROAD, await publishFlow('Transfer abroad', transferTo('+442079460958'))],
      [DID_QUEUE, toQueue],
      [DID_FORWARD, toForward],
      [
        DID_LATER,
        await publishFlow('Call me later', {
          id: 'later',
          version: 1,
          entry: 'cb',
          nodes: {
            cb: {
              verb: 'callback',
              queue: 'Later',
              at: 'sys.now + 3600000',
              next: { scheduled: 'thanks', failed: 'bye' },
            },
            thanks: { verb: 'say', text: 'We will call you back in an hour.', next: { done: 'bye' } },
            bye: { verb: 'hangup' },
          },
        }),
      ],
    ] as const) {
      const n = await a.request({
        method: 'POST',
        url: '/api/phone-numbers',
        payload: { number, trunkId: trunk.json().id, flowId },
      });
      expect(n.statusCode, n.body).toBe(201);
    }
    await sip.reload();
  }, 120_000);

  afterAll(async () => {
    if (process.env.DEBUG_OUTBOUND) console.log(JSON.stringify(logs.slice(-60), null, 1));
    await sip?.close();
    await server?.app.close();
    await media?.stop();
    await server?.db.close();
    await tdb?.drop();
  });

  it('transfers a call to an external number: the carrier gets the INVITE, the caller hears the far end', async () => {
    const far = carrier(
      dir,
      carrierPort,
      carrierXml({
        to: EXTERNAL,
        from: `+${CALLER}`,
        answer: true,
        pt: 8,
        after: `
  <nop><action><exec play_pcap_audio="${FAR_AUDIO}"/></action></nop>
${carrierAnswersBye}`,
      }),
    );
    await far;
    const sink = await rtpSink();
    try {
      const call = await sippCall(dir, port, DID_TRANSFER, 'transfer', {
        media: [
          `m=audio ${sink.port} RTP/AVP 8 101`,
          'a=rtpmap:8 PCMA/8000',
          'a=rtpmap:101 telephone-event/8000',
        ],
        body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="9000"/>${bye}`,
      });
      expectPassed(await call.done, 'caller');
      expectPassed(await (await far).done, 'carrier');
      // The far end's audio (an A-law capture in 30 ms packets) reached the caller through the bridge,
      // re-framed into 20 ms on the receive grid: the loud frames the caller received are found byte for
      // byte in what the carrier sent (A-law → linear → A-law is exact).
      const sent = Buffer.concat(
        readPcapUdp(readFileSync(FAR_AUDIO))
          .map((d) => parseRtp(d.payload))
          .flatMap((r) => (r.ok && r.packet.payloadType === 8 ? [Buffer.from(r.packet.payload)] : [])),
      );
      const loud = sink.packets.filter((p) => p.pt === 8 && rms(decodeG711('PCMA', p.payload)) > 300);
      const found = loud.filter((p) => sent.indexOf(Buffer.from(p.payload)) >= 0);
      // 236 packets of 30 ms: 350 frames of 20 ms, most of them speech; the others heard are our
      // ringback (425 Hz, 1 s on) before the answer.
      expect(found.length, 'far-end frames the caller heard').toBeGreaterThan(200);
      expect(found.length / loud.length, 'share of loud frames that are the far end').toBeGreaterThan(0.8);

      const [cdr] = await until(
        () => callsOf(DID_TRANSFER),
        (rows) => rows[0]?.ended_at !== null && rows[0] !== undefined,
        5_000,
        'transfer CDR ended',
      );
      expect(cdr).toMatchObject({ transferred_to: EXTERNAL, hangup_side: 'caller', hangup_cause: 'BYE' });
      expect(cdr!.transferred_at).not.toBeNull();
      const ix = await server.db.kysely
        .selectFrom('interactions')
        .select('state')
        .where('tenant_id', '=', a.tenantId)
        .where('id', '=', cdr!.interaction_id)
        .executeTakeFirstOrThrow();
      expect(ix.state).toBe('transferred');
      const list = await a.request({ method: 'GET', url: '/api/calls?outcome=transferred' });
      expect(list.json().items.map((c: { id: string }) => c.id)).toContain(cdr!.id);
    } finally {
      sink.socket.close();
    }
  }, 60_000);

  it('a busy external number takes the flow’s failed branch', async () => {
    const far = await carrier(
      dir,
      carrierPort,
      carrierXml({ to: EXTERNAL_BUSY, from: `+${CALLER}`, answer: false, after: '' }),
    );
    const call = await sippCall(dir, port, DID_BUSY, 'busy', {
      media: CALLER_MEDIA,
      body: `
  <recv response="200" rtd="true"/>${ack()}
${answerBye}`,
    });
    expectPassed(await call.done, 'caller hung up by us after the apology');
    expectPassed(await far.done, 'carrier said busy');
    const [cdr] = await endedCalls(DID_BUSY, 'busy CDR ended');
    expect(cdr).toMatchObject({ transferred_to: null, hangup_side: 'system', hangup_cause: 'FLOW_HANGUP' });
  }, 60_000);

  it('a number the dial plan does not allow is never dialled: the flow’s failed branch', async () => {
    const call = await sippCall(dir, port, DID_ABROAD, 'abroad', {
      media: CALLER_MEDIA,
      body: `
  <recv response="200" rtd="true"/>${ack()}
${answerBye}`,
    });
    expectPassed(await call.done, 'caller hung up by us after the apology');
    const [cdr] = await endedCalls(DID_ABROAD, 'CDR ended');
    expect(cdr).toMatchObject({ transferred_to: null, hangup_side: 'system', hangup_cause: 'FLOW_HANGUP' });
    // The SIP side counted the refusal (toll-fraud containment), and no INVITE left: no carrier ran.
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/hotline_sip_dial_blocked_total\{reason="DIAL_PREFIX_NOT_ALLOWED"\} [1-9]/);
  }, 60_000);

  it('the caller hangs up while the external number rings: we CANCEL it, nothing is left open', async () => {
    const far = await carrier(
      dir,
      carrierPort,
      carrierXml({ to: EXTERNAL, from: `+${CALLER}`, answer: 'never', after: '' }),
    );
    const call = await sippCall(dir, port, DID_TRANSFER, 'impatient', {
      media: CALLER_MEDIA,
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="2500"/>${bye}`,
    });
    expectPassed(await call.done, 'caller');
    expectPassed(await far.done, 'carrier cancelled');
    const rows = await until(
      () => callsOf(DID_TRANSFER),
      (r) => r.length === 2 && r[1]!.ended_at != null,
      5_000,
      'second transfer CDR ended',
    );
    expect(rows[1]).toMatchObject({ transferred_to: null, hangup_side: 'caller', hangup_cause: 'BYE' });
  }, 60_000);

  it('overflows a queue nobody staffs to an external number: the caller is connected to it', async () => {
    const far = await carrier(
      dir,
      carrierPort,
      carrierXml({ to: EXTERNAL, from: `+${CALLER}`, answer: true, after: carrierAnswersBye }),
    );
    const call = await sippCall(dir, port, DID_FORWARD, 'forwarded', {
      media: CALLER_MEDIA,
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="4000"/>${bye}`,
    });
    expectPassed(await call.done, 'caller');
    expectPassed(await far.done, 'carrier');
    const [cdr] = await endedCalls(DID_FORWARD, 'forwarded CDR ended');
    expect(cdr).toMatchObject({ transferred_to: EXTERNAL, hangup_side: 'caller' });
    expect(cdr!.queued_at).not.toBeNull();
    const ix = await server.db.kysely
      .selectFrom('interactions')
      .select(['state', 'queue_id'])
      .where('tenant_id', '=', a.tenantId)
      .where('id', '=', cdr!.interaction_id)
      .executeTakeFirstOrThrow();
    expect(ix.state).toBe('transferred');
    // Enqueued and overflowed in one router command: the queue is still on the interaction (the CDR's).
    expect(ix.queue_id).not.toBeNull();
    const list = await a.request({ method: 'GET', url: `/api/calls?outcome=transferred` });
    expect(list.json().items.find((c: { id: string }) => c.id === cdr!.id)).toMatchObject({
      queueName: 'Forwarded',
    });
  }, 60_000);

  it('the flow’s callback verb schedules a callback for later on the call’s own interaction', async () => {
    const call = await sippCall(dir, port, DID_LATER, 'later', {
      media: CALLER_MEDIA,
      body: `
  <recv response="200" rtd="true"/>${ack()}
${answerBye}`,
    });
    expectPassed(await call.done, 'caller hung up by the flow');
    const [cdr] = await endedCalls(DID_LATER, 'CDR ended');
    expect(cdr).toMatchObject({ hangup_side: 'system', hangup_cause: 'CALLBACK_SCHEDULED' });
    const ix = await server.db.kysely
      .selectFrom('interactions')
      .select(['state', 'data', 'queue_id'])
      .where('tenant_id', '=', a.tenantId)
      .where('id', '=', cdr!.interaction_id)
      .executeTakeFirstOrThrow();
    expect(ix).toMatchObject({
      state: 'callback_scheduled',
      queue_id: laterQueueId,
      data: { callback: { number: `+${CALLER}`, via: 'flow' } },
    });
    const list = await a.request({ method: 'GET', url: '/api/calls?outcome=callback_requested' });
    expect(list.json().items.map((c: { id: string }) => c.id)).toContain(cdr!.id);
  }, 60_000);

  it('a caller who asks for a callback keeps their place and is called back through the trunk', async () => {
    // First caller: waits, presses 5, hears the confirmation, is hung up by us.
    const first = await sippCall(dir, port, DID_QUEUE, 'callback caller', {
      media: CALLER_MEDIA,
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="2500"/>
  <nop><action><exec play_pcap_audio="${DTMF_5}"/></action></nop>
${answerBye}`,
    });
    const queued = () =>
      server.db.kysely
        .selectFrom('interactions')
        .select(['id', 'state', 'data'])
        .where('tenant_id', '=', a.tenantId)
        .where('queue_id', '=', queueId)
        .orderBy('created_at')
        .execute();
    await until(queued, (rows) => rows.length === 1, 10_000, 'first caller queued');
    // Second caller: comes later and stays on the line.
    const second = await sippCall(
      dir,
      port,
      DID_QUEUE,
      'second caller',
      {
        media: CALLER_MEDIA,
        body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="30000"/>${bye}`,
      },
      45,
    );
    expectPassed(await first.done, 'first caller');
    const rows = await until(
      queued,
      (r) => r.length === 2 && r[0]!.state === 'callback_scheduled' && r[1]!.state === 'queued',
      10_000,
      'callback scheduled, second queued',
    );
    expect(rows[0]!.data).toMatchObject({ callback: { number: `+${CALLER}`, via: 'queue' } });
    const [inbound] = await until(
      () => callsOf(DID_QUEUE),
      (r) => r[0]?.ended_at != null,
      5_000,
      'first call ended',
    );
    expect(inbound).toMatchObject({ hangup_side: 'system', hangup_cause: 'CALLBACK_SCHEDULED' });

    // The carrier answers the callback, talks 3 s and hangs up.
    const far = await carrier(
      dir,
      carrierPort,
      carrierXml({
        to: `+${CALLER}`,
        from: DID_QUEUE,
        answer: true,
        after: '\n  <pause milliseconds="3000"/>' + carrierHangsUp,
      }),
    );
    const agent = await a.userToken('agent');
    agentToken = agent.token;
    expect(
      (await a.request({ method: 'POST', url: '/api/agent/login', token: agent.token })).statusCode,
    ).toBe(200);
    await agentReady();
    // The callback is offered first: it kept its place ahead of the caller still on the line.
    const offered = await until(queued, (r) => r.some((x) => x.state === 'offered'), 5_000, 'an offer');
    expect(offered.find((x) => x.state === 'offered')!.id).toBe(rows[0]!.id);
    const accept = await a.request({
      method: 'POST',
      url: `/api/agent/offers/${rows[0]!.id}/accept`,
      token: agent.token,
    });
    expect(accept.statusCode, accept.body).toBeLessThan(300);
    expectPassed(await far.done, 'carrier (the customer called back)');
    const outbound = await until(
      async () =>
        server.db.kysely
          .selectFrom('voice_calls')
          .selectAll()
          .where('tenant_id', '=', a.tenantId)
          .where('interaction_id', '=', rows[0]!.id)
          .where('direction', '=', 'outbound')
          .executeTakeFirst(),
      (c) => c?.ended_at != null,
      8_000,
      'callback CDR ended',
    );
    expect(outbound).toMatchObject({
      from_number: DID_QUEUE,
      to_number: `+${CALLER}`,
      agent_id: agent.id,
      hangup_side: 'caller',
      hangup_cause: 'BYE',
    });
    expect(outbound!.answered_at).not.toBeNull();
    await until(queued, (r) => r[0]!.state === 'wrap_up', 5_000, 'callback in wrap-up');
    expectPassed(await second.done, 'second caller');
  }, 90_000);

  it('a customer who does not answer the callback is tried again later (attempt 2, same number)', async () => {
    const caller = await sippCall(dir, port, DID_QUEUE, 'callback again', {
      media: CALLER_MEDIA,
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="2500"/>
  <nop><action><exec play_pcap_audio="${DTMF_5}"/></action></nop>
${answerBye}`,
    });
    expectPassed(await caller.done, 'caller');
    const scheduled = () =>
      server.db.kysely
        .selectFrom('interactions')
        .select(['id', 'state', 'data', 'subject'])
        .where('tenant_id', '=', a.tenantId)
        .where('queue_id', '=', queueId)
        .where('state', '=', 'callback_scheduled')
        .orderBy('created_at')
        .execute();
    const [first] = await until(scheduled, (r) => r.length === 1, 10_000, 'callback scheduled');
    const far = await carrier(
      dir,
      carrierPort,
      carrierXml({ to: `+${CALLER}`, from: DID_QUEUE, answer: false, after: '' }),
    );
    await agentReady();
    const stateOf = async (id: string) =>
      (
        await server.db.kysely
          .selectFrom('interactions')
          .select('state')
          .where('tenant_id', '=', a.tenantId)
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).state;
    await until(
      () => stateOf(first!.id),
      (st) => st === 'offered',
      10_000,
      'callback offered',
    );
    const accept = await a.request({
      method: 'POST',
      url: `/api/agent/offers/${first!.id}/accept`,
      token: agentToken,
    });
    expect(accept.statusCode, accept.body).toBeLessThan(300);
    expectPassed(await far.done, 'carrier said busy');
    const failed = await until(
      async () =>
        server.db.kysely
          .selectFrom('voice_calls')
          .selectAll()
          .where('tenant_id', '=', a.tenantId)
          .where('interaction_id', '=', first!.id)
          .where('direction', '=', 'outbound')
          .executeTakeFirst(),
      (c) => c?.ended_at != null,
      8_000,
      'failed attempt ended',
    );
    expect(failed).toMatchObject({
      hangup_side: 'system',
      hangup_cause: 'CALLBACK_FAILED',
      answered_at: null,
    });
    expect(await stateOf(first!.id)).toBe('wrap_up');
    // The next attempt waits as a new callback interaction (5 minutes later by default), same number.
    const [retry] = await until(
      scheduled,
      (r) => r.length === 1 && r[0]!.id !== first!.id,
      5_000,
      'the next attempt scheduled',
    );
    expect(retry!.data).toMatchObject({ callback: { number: `+${CALLER}`, attempt: 2 } });
    expect(retry!.subject).toContain('attempt 2');
  }, 90_000);
});

/** RMS of linear samples. */
function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const v of pcm) sum += v * v;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}
