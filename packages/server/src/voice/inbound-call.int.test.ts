import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTelephoneEvent } from '@hotline/media/dtmf/rfc4733';
import { parseRtp } from '@hotline/media/rtp/rtp-packet';
import { readPcapUdp } from '@hotline/media/test-support/pcap';
import { hasCommand } from '@hotline/sip/test-support/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipService } from '../sip/sip-service';
import { systemClock } from '../system';
import { createTestDatabase, type TestDatabase } from '../testing/databases';
import {
  ack,
  answerBye,
  bye,
  CALLER,
  DTMF_1_PCAP,
  expectPassed,
  frames,
  nearlyEqual,
  pcmuMedia,
  rms,
  rtpSink,
  type ScenarioOptions,
  sippCall,
  ulawData,
  until,
} from '../testing/sipp-caller';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { type MediaRuntime, startMediaRuntime } from './media-runtime';
import { announcementText, defaultAnnouncementSettings } from './queue-announcements';
import { TtsCache } from './tts-cache';

/**
 * Inbound calls end to end on 127.0.0.1: SIPp dials a DID on a trunk; the server answers, runs the
 * number's flow over voice (speech from espeak-ng through the TTS cache, a menu answered with SIPp's
 * RFC 4733 capture), queues the call with the screen-pop fields, and a BYE while queued abandons it.
 * Also: no common codec → 488, unknown number → 404, a number without a flow → 480, hostile SDP → 400
 * (and the next call still works), overflow "close" when nobody is logged in → message and our BYE.
 *
 * The caller's SDP advertises a plain UDP socket of this test as its RTP address: what the server
 * sends there before it latches onto SIPp's DTMF packets is the greeting, decoded and measured here.
 */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'voice-inbound');
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, 'run-'));
const DTMF_PCAP = DTMF_1_PCAP;

const DID = '+74950001122';
const DID_OVERFLOW = '+74950001133';
const DID_NO_FLOW = '+74950001144';
const DID_QUEUE = '+74950001155';
const DID_SILENT = '+74950001166';
const DID_OUTAGE = '+74950001177';
const sipp = (port: number, to: string, name: string, o: ScenarioOptions, timeoutSec = 30) =>
  sippCall(dir, port, to, name, o, timeoutSec);

const GREETING = 'Здравствуйте! Вы позвонили на тестовую линию компании.';

describe('inbound calls: DID → flow over voice → queue (SIPp on 127.0.0.1)', () => {
  let tdb: TestDatabase;
  let server: TestServer;
  let sip: SipService;
  let media: MediaRuntime;
  let port: number;
  let a: TenantClient;
  let queueId: string;
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
    const base = 30_000 + Math.floor(Math.random() * 400) * 20;
    media = await startMediaRuntime(
      { address: '127.0.0.1', portRange: { min: base, max: base + 199 }, workers: 1 },
      { error: capture('error') },
    );
    server = await startTestServer(db, { sip, media, voiceDir: join(dir, 'voice') });
    await sip.start();
    port = sip.ports.udp!;
    a = await server.newTenant('Voice');

    const trunk = await a.request({
      method: 'POST',
      url: '/api/trunks',
      payload: { name: 'Carrier', allowedCidrs: ['127.0.0.1/32'] },
    });
    expect(trunk.statusCode, trunk.body).toBe(201);
    const queue = await a.request({ method: 'POST', url: '/api/queues', payload: { name: 'Sales' } });
    expect(queue.statusCode, queue.body).toBe(201);
    queueId = queue.json().id;
    const closing = await a.request({
      method: 'POST',
      url: '/api/queues',
      payload: {
        name: 'Night',
        overflow: [{ whenNoAgents: true, action: { type: 'close', message: 'Мы закрыты. До свидания.' } }],
      },
    });
    expect(closing.statusCode, closing.body).toBe(201);

    const ivr = await publishFlow('IVR', {
      id: 'ivr',
      version: 1,
      entry: 'welcome',
      variables: { choice: { type: 'string', default: '' } },
      nodes: {
        welcome: {
          verb: 'say',
          text: GREETING,
          next: { done: 'main' },
        },
        main: {
          verb: 'menu',
          prompt: 'Продажи — нажмите один. Поддержка — нажмите два.',
          options: [
            { key: '1', label: 'Продажи' },
            { key: '2', label: 'Поддержка' },
          ],
          into: 'choice',
          retries: 1,
          timeoutMs: 8000,
          next: { '1': 'sales', '2': 'support', failed: 'goodbye' },
        },
        sales: { verb: 'say', text: 'Соединяю с отделом продаж.', next: { done: 'queue' } },
        support: { verb: 'say', text: 'Соединяю с поддержкой.', next: { done: 'queue' } },
        queue: { verb: 'enqueue', queue: queueId, next: { error: 'goodbye' } },
        goodbye: { verb: 'say', text: 'До свидания.', next: { done: 'bye' } },
        bye: { verb: 'hangup' },
      },
    });
    const night = await publishFlow('Night line', {
      id: 'night',
      version: 1,
      entry: 'queue',
      nodes: {
        queue: { verb: 'enqueue', queue: 'Night', next: { error: 'bye' } },
        bye: { verb: 'hangup' },
      },
    });
    const straight = await publishFlow('Straight to sales', {
      id: 'straight',
      version: 1,
      entry: 'queue',
      nodes: {
        queue: { verb: 'enqueue', queue: 'Sales', next: { error: 'bye' } },
        bye: { verb: 'hangup' },
      },
    });
    const silent = await publishFlow('Account number', {
      id: 'silent',
      version: 1,
      entry: 'ask',
      variables: { account: { type: 'string', default: '' } },
      nodes: {
        ask: {
          verb: 'gather',
          prompt: 'Введите номер счёта.',
          into: 'account',
          maxLength: 6,
          retries: 0,
          timeoutMs: 1500,
          next: { ok: 'thanks', failed: 'bye' },
        },
        thanks: { verb: 'say', text: 'Спасибо.', next: { done: 'bye' } },
        bye: { verb: 'hangup' },
      },
    });
    for (const [number, flowId] of [
      [DID_SILENT, silent],
      [DID_QUEUE, straight],
      [DID, ivr],
      [DID_OVERFLOW, night],
      [DID_NO_FLOW, null],
    ] as const) {
      const n = await a.request({
        method: 'POST',
        url: '/api/phone-numbers',
        payload: { number, trunkId: trunk.json().id, flowId },
      });
      expect(n.statusCode, n.body).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await sip?.close();
    await server?.app.close();
    await media?.stop();
    await server?.db.close();
    await tdb?.drop();
  });

  const interactionsOf = async (number: string) =>
    server.db.kysely
      .selectFrom('interactions')
      .selectAll()
      .where('tenant_id', '=', a.tenantId)
      .where('channel', '=', 'voice')
      .where(({ ref }) => ref('data', '->>').key('did'), '=', number)
      .orderBy('created_at')
      .execute();

  const sessionOf = (interactionId: string) =>
    server.db.kysely
      .selectFrom('flow_sessions')
      .selectAll()
      .where('tenant_id', '=', a.tenantId)
      .where('interaction_id', '=', interactionId)
      .executeTakeFirstOrThrow();

  it('reads digit 1 from the SIPp capture the caller sends', () => {
    const events = readPcapUdp(readFileSync(DTMF_PCAP))
      .map((d) => parseRtp(d.payload))
      .flatMap((r) => (r.ok ? [parseTelephoneEvent(r.packet.payload)] : []));
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e?.event))).toEqual(new Set([1]));
  });

  it('answers and speaks the greeting: the caller hears speech, not silence; a hang-up in the flow closes it', async () => {
    const sink = await rtpSink();
    try {
      const call = await sipp(port, DID, 'greeting', {
        media: pcmuMedia(sink.port),
        body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="6500"/>${bye}`,
      });
      expectPassed(await call.done, 'greeting call');
      const heard = sink.packets.filter((p) => p.pt === 0);
      expect(heard.length, 'RTP packets received during the greeting').toBeGreaterThan(100);
      // The greeting itself reached the caller: its speech frames (from the TTS file, 20 ms each)
      // arrive (µ-law in, µ-law out: nearly byte for byte) — silence or another prompt would not match.
      const file = new TtsCache({ dir: join(dir, 'voice', 'tts') }).pathOf('ru', GREETING);
      const speech = frames(ulawData(file)).filter((f) => rms(f) > 500);
      expect(speech.length, 'speech frames in the greeting file').toBeGreaterThan(50);
      const arrived = speech.filter((f) => heard.some((p) => nearlyEqual(f, p.payload)));
      expect(arrived.length / speech.length, 'share of the greeting heard').toBeGreaterThan(0.9);

      const [ix] = await until(
        () => interactionsOf(DID),
        (rows) => rows[0]?.state === 'closed',
        5_000,
        'interaction closed',
      );
      const cdr = await server.db.kysely
        .selectFrom('voice_calls')
        .selectAll()
        .where('tenant_id', '=', a.tenantId)
        .where('interaction_id', '=', ix!.id)
        .executeTakeFirstOrThrow();
      expect(cdr).toMatchObject({ hangup_side: 'caller', hangup_cause: 'BYE', queued_at: null });
      const session = await sessionOf(ix!.id);
      expect(session.last_action).toMatchObject({ type: 'end', reason: 'caller_left' });
    } finally {
      sink.socket.close();
    }
  }, 40_000);

  it('plays a newly published version to the next caller at once (an outage announcement), no restart', async () => {
    const trunkId = (await a.request({ method: 'GET', url: '/api/trunks' })).json().items[0].id as string;
    const line = (text: string) => ({
      id: 'line',
      version: 1,
      entry: 'hello',
      nodes: { hello: { verb: 'say', text, next: { done: 'bye' } }, bye: { verb: 'hangup' } },
    });
    const usual = 'Добрый день. Все операторы работают в обычном режиме.';
    const outage = 'Внимание: из-за аварии на складе доставка задерживается на один день.';
    const flowId = await publishFlow('Outage line', line(usual));
    const bound = await a.request({
      method: 'POST',
      url: '/api/phone-numbers',
      payload: { number: DID_OUTAGE, trunkId, flowId },
    });
    expect(bound.statusCode, bound.body).toBe(201);
    const tts = new TtsCache({ dir: join(dir, 'voice', 'tts') });

    /** The share of the prompt's speech frames a caller received on this call. */
    const share = async (text: string, name: string): Promise<number> => {
      const sink = await rtpSink();
      try {
        const call = await sipp(port, DID_OUTAGE, name, {
          media: pcmuMedia(sink.port),
          body: `
  <recv response="200" rtd="true"/>${ack()}
${answerBye}`,
        });
        expectPassed(await call.done, name);
        const heard = sink.packets.filter((p) => p.pt === 0);
        const speech = frames(ulawData(tts.pathOf('ru', text))).filter((f) => rms(f) > 500);
        expect(speech.length, `speech frames of "${text}"`).toBeGreaterThan(30);
        return speech.filter((f) => heard.some((p) => nearlyEqual(f, p.payload))).length / speech.length;
      } finally {
        sink.socket.close();
      }
    };

    expect(await share(usual, 'before the outage')).toBeGreaterThan(0.9);
    const draft = await a.request({
      method: 'PUT',
      url: `/api/flows/${flowId}/draft`,
      payload: line(outage),
    });
    expect(draft.statusCode, draft.body).toBeLessThan(300);
    const published = await a.request({ method: 'POST', url: `/api/flows/${flowId}/publish` });
    expect(published.json()).toMatchObject({ version: 2, state: 'published' });
    expect(await share(outage, 'during the outage')).toBeGreaterThan(0.9);
  }, 60_000);

  it('takes the branch of the RFC 4733 key, queues with the screen pop, and a BYE while queued abandons', async () => {
    const before = new Set((await interactionsOf(DID)).map((r) => r.id));
    const call = await sipp(port, DID, 'ivr call', {
      media: pcmuMedia('[media_port]'),
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="6000"/>
  <nop><action><exec play_pcap_audio="${DTMF_PCAP}"/></action></nop>
  <pause milliseconds="8000"/>${bye}`,
    });
    const fresh = async () => (await interactionsOf(DID)).filter((r) => !before.has(r.id));
    // While the caller waits in the queue: the interaction is queued, with the screen-pop fields.
    const [queued] = await until(fresh, (rows) => rows[0]?.state === 'queued', 13_000, 'interaction queued');
    expect(queued).toMatchObject({ channel: 'voice', queue_id: queueId });
    expect(queued!.data).toMatchObject({ caller: `+${CALLER}`, did: DID, variables: { choice: '1' } });
    expect(queued!.contact).toEqual({ phone: `+${CALLER}` });

    expectPassed(await call.done, 'IVR call');
    const [ix] = await until(fresh, (rows) => rows[0]?.state === 'abandoned', 5_000, 'interaction abandoned');

    // The flow took the branch of the key pressed, and handed the call over.
    const session = await sessionOf(ix!.id);
    expect((session.state as { trail: string[] }).trail).toEqual(['welcome', 'main', 'sales', 'queue']);
    expect(session).toMatchObject({ status: 'ended', last_action: { type: 'end', reason: 'handed_over' } });

    // The CDR facts, written as the call went.
    const cdr = await server.db.kysely
      .selectFrom('voice_calls')
      .selectAll()
      .where('tenant_id', '=', a.tenantId)
      .where('interaction_id', '=', ix!.id)
      .executeTakeFirstOrThrow();
    expect(cdr).toMatchObject({
      from_number: `+${CALLER}`,
      did: DID,
      codec: 'PCMU',
      hangup_side: 'caller',
      hangup_cause: 'BYE',
      flow_session_id: session.id,
    });
    expect(cdr.queued_at!.getTime()).toBeGreaterThan(cdr.answered_at!.getTime());
    expect(cdr.ended_at!.getTime()).toBeGreaterThan(cdr.queued_at!.getTime());
    const events = await server.db.kysely
      .selectFrom('interaction_events')
      .select(['type', 'data'])
      .where('tenant_id', '=', a.tenantId)
      .where('interaction_id', '=', ix!.id)
      .orderBy('at')
      .execute();
    const states = events
      .filter((e) => e.type === 'interaction.state_changed')
      .map((e) => (e.data as { to: string }).to);
    expect(states).toEqual(['in_flow', 'queued', 'abandoned']);
  }, 60_000);

  it('takes a key pressed during the greeting as the answer to the menu that follows (type-ahead)', async () => {
    const before = new Set((await interactionsOf(DID)).map((r) => r.id));
    const call = await sipp(port, DID, 'type-ahead', {
      media: pcmuMedia('[media_port]'),
      body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="1200"/>
  <nop><action><exec play_pcap_audio="${DTMF_PCAP}"/></action></nop>
  <pause milliseconds="9000"/>${bye}`,
    });
    expectPassed(await call.done, 'type-ahead call');
    const fresh = async () => (await interactionsOf(DID)).filter((r) => !before.has(r.id));
    const [ix] = await until(fresh, (rows) => rows[0]?.state === 'abandoned', 5_000, 'interaction abandoned');
    const session = await sessionOf(ix!.id);
    expect((session.state as { trail: string[] }).trail).toEqual(['welcome', 'main', 'sales', 'queue']);
  }, 40_000);

  it('refuses an offer without a common codec with 488, before taking any media', async () => {
    const before = server.db.kysely
      .selectFrom('voice_calls')
      .select((eb) => eb.fn.countAll<string>().as('n'));
    const count = async () => Number((await before.executeTakeFirstOrThrow()).n);
    const n0 = await count();
    const run = await sipp(port, DID, 'g729 only', {
      media: ['m=audio [media_port] RTP/AVP 18', 'a=rtpmap:18 G729/8000'],
      body: `
  <recv response="488"/>${ack()}`,
    });
    expectPassed(await run.done, 'G.729-only offer');
    expect(await count()).toBe(n0);
  }, 30_000);

  it('answers 404 for an unknown number (logged) and 480 for a number without a flow', async () => {
    const unknown = await sipp(port, '+74959999999', 'unknown', {
      media: pcmuMedia('[media_port]'),
      body: `
  <recv response="404"/>${ack()}`,
    });
    expectPassed(await unknown.done, 'unknown number');
    expect(logs.some((l) => l.fields.reason === 'UNKNOWN_NUMBER' && l.fields.number === '+74959999999')).toBe(
      true,
    );
    const noFlow = await sipp(port, DID_NO_FLOW, 'no flow', {
      media: pcmuMedia('[media_port]'),
      body: `
  <recv response="480"/>${ack()}`,
    });
    expectPassed(await noFlow.done, 'number without a flow');
  }, 30_000);

  it('refuses hostile SDP without falling over, and takes the next call', async () => {
    const garbage = await sipp(port, DID, 'bad sdp', {
      media: [],
      rawSdp: 'v=0\n      o=x\n      m=audio 99999999 RTP/AVP 0\n      c=IN IP4 999.1.1.1',
      body: `
  <recv response="400"/>${ack()}`,
    });
    expectPassed(await garbage.done, 'malformed SDP');
    const multicast = await sipp(port, DID, 'multicast', {
      media: [],
      rawSdp:
        'v=0\n      o=x 1 1 IN IP4 127.0.0.1\n      s=-\n      c=IN IP4 224.0.0.1\n      t=0 0\n      m=audio 4000 RTP/AVP 0',
      body: `
  <recv response="488"/>${ack()}`,
    });
    expectPassed(await multicast.done, 'multicast SDP');
    // Still alive: the overflow call below is answered normally.
  }, 30_000);

  it('carries out the overflow "close" when nobody is logged in: the message, then our BYE', async () => {
    const sink = await rtpSink();
    try {
      const run = await sipp(port, DID_OVERFLOW, 'overflow', {
        media: pcmuMedia(sink.port),
        body: `
  <recv response="200" rtd="true"/>${ack()}${answerBye}`,
      });
      expectPassed(await run.done, 'overflow close');
      const loud = sink.packets.filter((p) => p.pt === 0 && rms(p.payload) > 500);
      expect(loud.length, 'frames of the closing message').toBeGreaterThan(25);
      const [ix] = await until(
        () => interactionsOf(DID_OVERFLOW),
        (rows) => rows[0]?.state === 'missed',
        5_000,
        'interaction missed',
      );
      const cdr = await server.db.kysely
        .selectFrom('voice_calls')
        .selectAll()
        .where('tenant_id', '=', a.tenantId)
        .where('interaction_id', '=', ix!.id)
        .executeTakeFirstOrThrow();
      expect(cdr).toMatchObject({ hangup_side: 'system', hangup_cause: 'OVERFLOW_CLOSE' });
    } finally {
      sink.socket.close();
    }
  }, 40_000);

  it('keeps a queued caller on music and tells them their place (position and wait from the router)', async () => {
    const sink = await rtpSink();
    try {
      const started = Date.now();
      const call = await sipp(port, DID_QUEUE, 'queued', {
        media: pcmuMedia(sink.port),
        body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="7000"/>${bye}`,
      });
      expectPassed(await call.done, 'queued call');
      // Music from the start of the wait (the flow enqueues at once), before the first announcement.
      const music = sink.packets.filter((p) => p.pt === 0 && p.at - started > 500 && p.at - started < 2_800);
      expect(music.filter((p) => rms(p.payload) > 300).length, 'frames of music on hold').toBeGreaterThan(40);
      expect(existsSync(join(dir, 'voice', 'music', 'music-on-hold.wav'))).toBe(true);
      // The announcement spoken 3 s in: first in the queue, nobody staffed (no estimate).
      const text = announcementText('ru', defaultAnnouncementSettings, 1, null)!;
      expect(text).toContain('один');
      expect(existsSync(new TtsCache({ dir: join(dir, 'voice', 'tts') }).pathOf('ru', text))).toBe(true);
      await until(
        () => interactionsOf(DID_QUEUE),
        (rows) => rows[0]?.state === 'abandoned',
        5_000,
        'queued call abandoned',
      );
    } finally {
      sink.socket.close();
    }
  }, 40_000);

  it("a caller who never presses a key leaves by the flow's timeout path: our BYE", async () => {
    const run = await sipp(port, DID_SILENT, 'silent', {
      media: pcmuMedia('[media_port]'),
      body: `
  <recv response="200" rtd="true"/>${ack()}${answerBye}`,
    });
    expectPassed(await run.done, 'silent caller');
    const [ix] = await until(
      () => interactionsOf(DID_SILENT),
      (rows) => rows[0]?.state === 'closed',
      5_000,
      'interaction closed',
    );
    const session = await sessionOf(ix!.id);
    expect((session.state as { trail: string[] }).trail).toEqual(['ask', 'bye']);
    const cdr = await server.db.kysely
      .selectFrom('voice_calls')
      .selectAll()
      .where('tenant_id', '=', a.tenantId)
      .where('interaction_id', '=', ix!.id)
      .executeTakeFirstOrThrow();
    expect(cdr).toMatchObject({ hangup_side: 'system', hangup_cause: 'FLOW_HANGUP', queued_at: null });
  }, 30_000);

  it('ends the calls a dead process left open at the next start: in the flow closed, queued abandoned', async () => {
    const kysely = server.db.kysely;
    const now = new Date();
    const open = async (state: 'in_flow' | 'queued') => {
      const id = randomUUID();
      await kysely
        .insertInto('interactions')
        .values({
          id,
          tenant_id: a.tenantId,
          channel: 'voice',
          state,
          queue_id: state === 'queued' ? queueId : null,
          enqueued_at: state === 'queued' ? now : null,
          queued_at: state === 'queued' ? now : null,
          route_seq: state === 'queued' ? 1 : null,
          data: JSON.stringify({ did: '+74950000000' }),
          created_by: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const callId = randomUUID();
      await kysely
        .insertInto('voice_calls')
        .values({
          id: callId,
          tenant_id: a.tenantId,
          interaction_id: id,
          sip_call_id: `lost-${id}`,
          from_number: `+${CALLER}`,
          to_number: DID,
          did: DID,
          trunk_id: null,
          codec: 'PCMU',
          arrived_at: now,
          answered_at: now,
          queued_at: state === 'queued' ? now : null,
        })
        .execute();
      return { id, callId };
    };
    const inFlow = await open('in_flow');
    const queued = await open('queued');
    // A new process on the same database: its voice side recovers when the server is ready.
    const sip2 = new SipService({
      db: kysely,
      clock: systemClock,
      log: { info: capture('info'), warn: capture('warn'), error: capture('error') },
      realm: 'hotline.test',
      listen: { host: '127.0.0.1', port: 0 },
    });
    const second = await startTestServer(server.db, { sip: sip2, media, voiceDir: join(dir, 'voice') });
    try {
      const state = async (id: string) =>
        (
          await kysely
            .selectFrom('interactions')
            .select('state')
            .where('tenant_id', '=', a.tenantId)
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).state;
      expect(await state(inFlow.id)).toBe('closed');
      expect(await state(queued.id)).toBe('abandoned');
      const cdrs = await kysely
        .selectFrom('voice_calls')
        .select(['id', 'hangup_side', 'hangup_cause', 'ended_at'])
        .where('tenant_id', '=', a.tenantId)
        .where('id', 'in', [inFlow.callId, queued.callId])
        .execute();
      expect(cdrs).toHaveLength(2);
      for (const c of cdrs) expect(c).toMatchObject({ hangup_side: 'system', hangup_cause: 'LOST' });
    } finally {
      await second.app.close();
    }
  }, 30_000);

  it('counts inbound outcomes on /metrics', async () => {
    const m = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
    // The calls the tests above made, in the order they run (the whole file).
    expect(m).toMatch(/hotline_sip_inbound_calls_total\{outcome="ANSWERED"\} 8/);
    expect(m).toMatch(/hotline_sip_inbound_calls_total\{outcome="BAD_SDP"\} 1/);
    expect(m).toMatch(/hotline_sip_inbound_calls_total\{outcome="NO_COMMON_CODEC"\} 1/);
    expect(m).toMatch(/hotline_sip_inbound_calls_total\{outcome="NOT_ROUTED_YET"\} 1/);
    expect(m).toMatch(/hotline_sip_inbound_calls_total\{outcome="UNKNOWN_NUMBER"\} 1/);
  });
});
