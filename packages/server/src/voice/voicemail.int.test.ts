import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav, wavSamples } from '@hotline/media/audio/wav';
import { decodeG711, encodeG711 } from '@hotline/media/codec/g711';
import { goertzelPower } from '@hotline/media/dtmf/goertzel';
import { eventCodeOf, serializeTelephoneEvent } from '@hotline/media/dtmf/rfc4733';
import { parseRtp, serializeRtp } from '@hotline/media/rtp/rtp-packet';
import { tones } from '@hotline/media/test-support/signals';
import { hasCommand } from '@hotline/sip/test-support/net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipService } from '../sip/sip-service';
import { systemClock } from '../system';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { ack, answerBye, expectPassed, pcmuMedia, sippCall, until } from '../testing/sipp-caller';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { type MediaRuntime, startMediaRuntime } from './media-runtime';

/**
 * Voicemail end to end on 127.0.0.1, on both storage engines: SIPp dials a DID whose flow's
 * `voicemail` verb (or a queue overflowing to voicemail) speaks the prompt and a 1 kHz beep; this test,
 * standing in for the caller's RTP endpoint, waits for the beep, speaks a 440 Hz tone and presses `#`
 * (RFC 4733), all from the address the server latched onto. Then: the mono WAV on disk (duration, the
 * tone by Goertzel), the `voicemails` row, the `task` interaction queued in the mailbox's queue with
 * the voicemail in its data, the call's interaction ended as `voicemail`, the API (list, one, audio
 * with ranges and its audit entry before any byte, status), and another tenant's 404s. Silence is
 * discarded; overflow `voicemail` records for the queue the caller waited in.
 */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'voicemail');
mkdirSync(scratch, { recursive: true });

const DID_FLOW = '+74950002211';
const DID_NIGHT = '+74950002222';

/** The caller's media: one UDP socket the SDP advertises; receives the server's RTP, sends ours back. */
async function callerMedia() {
  const socket: Socket = createSocket('udp4');
  const heard: { at: number; pcm: Int16Array }[] = [];
  let server: RemoteInfo | null = null;
  socket.on('message', (msg, rinfo) => {
    const rtp = parseRtp(msg);
    if (!rtp.ok || rtp.packet.payloadType !== 0) return;
    server ??= rinfo;
    heard.push({ at: Date.now(), pcm: decodeG711('PCMU', rtp.packet.payload) });
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const ssrc = randomInt(1, 2 ** 31);
  let seq = randomInt(0, 30_000);
  let ts = randomInt(0, 2 ** 30);
  const send = (payloadType: number, payload: Uint8Array, timestamp: number, marker = false) => {
    if (!server) throw new Error('no RTP from the server yet');
    const packet = serializeRtp({
      payloadType,
      sequenceNumber: seq++ & 0xffff,
      timestamp,
      ssrc,
      payload,
      marker,
    });
    socket.send(packet, server.port, server.address);
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    port: (socket.address() as { port: number }).port,
    heard,
    /** Speaks `pcm` in real time, 20 ms a packet. */
    async speak(pcm: Int16Array) {
      const start = Date.now();
      for (let i = 0; i + 160 <= pcm.length; i += 160) {
        send(0, encodeG711('PCMU', pcm.subarray(i, i + 160)), ts);
        ts += 160;
        const due = start + ((i + 160) / 8000) * 1000;
        await sleep(Math.max(0, due - Date.now()));
      }
    },
    /** One key as RFC 4733 events (payload type 101 as offered): three updates, three ends. */
    async press(digit: string) {
      const event = eventCodeOf(digit);
      const at = ts;
      for (let i = 1; i <= 6; i++) {
        const end = i > 3;
        send(
          101,
          serializeTelephoneEvent({ event, end, volume: 10, duration: Math.min(i, 4) * 400 }),
          at,
          i === 1,
        );
        await sleep(20);
      }
      ts += 1600;
    },
    close: () => socket.close(),
  };
}

const wavFiles = (root: string): string[] =>
  existsSync(root)
    ? readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.wav'))
    : [];

/** Share of a block's energy at `freq` (1 for a pure sine at it). */
function toneShare(block: Int16Array, freq: number): number {
  let energy = 0;
  for (const s of block) energy += s * s;
  return energy === 0 ? 0 : goertzelPower(block, freq, 8000) / ((block.length / 2) * energy);
}

/** Waits until the caller has heard the beep (1 kHz) and it ended; resolves at its end. */
async function beepHeard(heard: { at: number; pcm: Int16Array }[], ms: number): Promise<void> {
  const end = Date.now() + ms;
  let seen = -1;
  for (;;) {
    const i = heard.findIndex((f, n) => n > seen && toneShare(f.pcm, 1000) > 0.8);
    if (i >= 0) {
      // The beep is 0.4 s: wait for a frame after it that is not the beep.
      const after = heard.slice(i).findIndex((f) => toneShare(f.pcm, 1000) < 0.3);
      if (after > 0) return;
    }
    if (Date.now() > end) throw new Error(`no beep heard in ${ms} ms (${heard.length} frames)`);
    await new Promise((r) => setTimeout(r, 20));
    seen = Math.max(seen, i - 1);
  }
}

describe.each(engines)('voicemail on phone calls (SIPp on 127.0.0.1) on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;
  let sip: SipService;
  let media: MediaRuntime;
  let port: number;
  let a: TenantClient;
  let b: TenantClient;
  let mailboxId: string;
  let nightId: string;
  const dir = mkdtempSync(join(scratch, `${engine}-`));
  const voicemailDir = join(dir, 'voicemail');
  const noLog = () => {};

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
    tdb = await createTestDatabase(engine);
    const db = await tdb.open();
    sip = new SipService({
      db: db.kysely,
      clock: systemClock,
      log: { info: noLog, warn: noLog, error: noLog },
      realm: 'hotline.test',
      listen: { host: '127.0.0.1', port: 0 },
    });
    const base = 30_000 + Math.floor(Math.random() * 400) * 20;
    media = await startMediaRuntime(
      { address: '127.0.0.1', portRange: { min: base, max: base + 199 }, workers: 1 },
      { error: noLog },
    );
    server = await startTestServer(db, { sip, media, voiceDir: join(dir, 'voice'), voicemailDir });
    await sip.start();
    port = sip.ports.udp!;
    a = await server.newTenant('Voicemail');
    b = await server.newTenant('Other');

    const trunk = await a.request({
      method: 'POST',
      url: '/api/trunks',
      payload: { name: 'Carrier', allowedCidrs: ['127.0.0.1/32'] },
    });
    expect(trunk.statusCode, trunk.body).toBe(201);
    const mailbox = await a.request({ method: 'POST', url: '/api/queues', payload: { name: 'Messages' } });
    expect(mailbox.statusCode, mailbox.body).toBe(201);
    mailboxId = mailbox.json().id;
    const night = await a.request({
      method: 'POST',
      url: '/api/queues',
      payload: { name: 'Night', overflow: [{ whenNoAgents: true, action: { type: 'voicemail' } }] },
    });
    expect(night.statusCode, night.body).toBe(201);
    nightId = night.json().id;

    const leaveMessage = await publishFlow('Leave a message', {
      id: 'vm',
      version: 1,
      entry: 'record',
      nodes: {
        record: {
          verb: 'voicemail',
          mailbox: 'Messages',
          maxSeconds: 20,
          prompt: 'Оставьте сообщение после сигнала.',
          next: { done: 'thanks', failed: 'sorry' },
        },
        thanks: { verb: 'say', text: 'Спасибо.', next: { done: 'bye' } },
        sorry: { verb: 'say', text: 'Сообщение не записано.', next: { done: 'bye' } },
        bye: { verb: 'hangup' },
      },
    });
    const nightLine = await publishFlow('Night line', {
      id: 'night',
      version: 1,
      entry: 'queue',
      nodes: {
        queue: { verb: 'enqueue', queue: 'Night', next: { error: 'bye' } },
        bye: { verb: 'hangup' },
      },
    });
    for (const [number, flowId] of [
      [DID_FLOW, leaveMessage],
      [DID_NIGHT, nightLine],
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

  /** One call to `did`: after the beep the caller says `pcm` then presses `#`; the server hangs up. */
  const leave = async (did: string, name: string, pcm: Int16Array) => {
    const caller = await callerMedia();
    try {
      const call = await sippCall(
        dir,
        port,
        did,
        name,
        {
          media: pcmuMedia(caller.port),
          body: `\n  <recv response="200" rtd="true"/>${ack()}\n${answerBye}`,
        },
        45,
      );
      await beepHeard(caller.heard, 30_000);
      await caller.speak(pcm);
      await caller.press('#');
      expectPassed(await call.done, name);
    } finally {
      caller.close();
    }
  };

  const voicemailsOf = (tenantId: string) =>
    server.db.kysely
      .selectFrom('voicemails')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();

  const cdrEnded = (callId: string) =>
    until(
      () =>
        server.db.kysely
          .selectFrom('voice_calls')
          .selectAll()
          .where('tenant_id', '=', a.tenantId)
          .where('id', '=', callId)
          .executeTakeFirstOrThrow(),
      (row) => row.ended_at !== null,
      5_000,
      'the call ended in the CDR',
    );

  const interaction = (id: string) =>
    server.db.kysely
      .selectFrom('interactions')
      .selectAll()
      .where('tenant_id', '=', a.tenantId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('records a message in the flow: the WAV holds the caller’s 440 Hz tone; a task waits in the mailbox', async () => {
    await leave(DID_FLOW, 'flow voicemail', tones([440], 3000, 8000));
    const [vm] = await until(
      () => voicemailsOf(a.tenantId),
      (r) => r.length === 1,
      10_000,
      'voicemail row',
    );
    expect(vm).toMatchObject({ queue_id: mailboxId, status: 'new', caller: '+79161234567', did: DID_FLOW });
    // 3 s spoken; the recording starts at the end of the beep and stops at `#` (network and tick slack).
    expect(vm!.duration_ms).toBeGreaterThan(2500);
    expect(vm!.duration_ms).toBeLessThan(4500);

    const path = join(voicemailDir, vm!.file_path);
    expect(existsSync(path), path).toBe(true);
    const wav = parseWav(readFileSync(path));
    if (!wav.ok) throw new Error(wav.reason);
    expect(wav.wav).toMatchObject({ channels: 1, sampleRate: 8000 });
    const samples = wavSamples(wav.wav);
    expect(Math.abs(samples.length / 8 - vm!.duration_ms)).toBeLessThan(50);
    const blocks = Array.from({ length: Math.floor(samples.length / 160) }, (_, i) =>
      samples.subarray(i * 160, i * 160 + 160),
    );
    const toneBlocks = blocks.filter((blk) => toneShare(blk, 440) > 0.8);
    expect(toneBlocks.length * 20, 'ms of 440 Hz in the file').toBeGreaterThan(2500);

    // The call's interaction ended as voicemail; the CDR is closed; the task waits in the mailbox.
    expect((await interaction(vm!.interaction_id)).state).toBe('voicemail');
    // The BYE reached the caller just before the end of the call is written.
    const cdr = await cdrEnded(vm!.call_id);
    expect(cdr).toMatchObject({ hangup_side: 'system', hangup_cause: 'FLOW_HANGUP' });
    const record = await a.request({ method: 'GET', url: `/api/calls/${vm!.call_id}` });
    expect(record.statusCode, record.body).toBe(200);
    expect(record.json()).toMatchObject({
      outcome: 'voicemail',
      interactionState: 'voicemail',
      queueId: null,
    });
    const byOutcome = await a.request({ method: 'GET', url: '/api/calls?outcome=voicemail' });
    expect(byOutcome.json()).toMatchObject({ total: 1, items: [{ id: vm!.call_id }] });
    const task = await interaction(vm!.task_interaction_id!);
    expect(task).toMatchObject({
      channel: 'task',
      queue_id: mailboxId,
      state: 'queued',
      subject: '+79161234567',
    });
    expect(task.data).toMatchObject({ kind: 'voicemail', voicemailId: vm!.id, caller: '+79161234567' });
    expect(task.contact).toEqual({ phone: '+79161234567' });
  }, 90_000);

  it('serves it: list and filters, the audio with ranges, audited before any byte; status; other tenants get 404', async () => {
    const [vm] = await voicemailsOf(a.tenantId);
    const list = await a.request({ method: 'GET', url: `/api/voicemails?status=new&queueId=${mailboxId}` });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({
      total: 1,
      items: [{ id: vm!.id, queueName: 'Messages', status: 'new' }],
    });
    const none = await a.request({ method: 'GET', url: `/api/voicemails?queueId=${nightId}` });
    expect(none.json().total).toBe(0);

    const audits = () =>
      server.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('tenant_id', '=', a.tenantId)
        .where('entity_type', '=', 'voicemail')
        .where('action', '=', 'access')
        .execute();
    expect(await audits()).toHaveLength(0);
    const audio = await a.request({ method: 'GET', url: `/api/voicemails/${vm!.id}/audio` });
    expect(audio.statusCode).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/wav');
    expect(audio.rawPayload.length).toBe(readFileSync(join(voicemailDir, vm!.file_path)).length);
    expect(await audits()).toMatchObject([{ entity_id: vm!.id, after: { how: 'play' } }]);
    const part = await a.request({
      method: 'GET',
      url: `/api/voicemails/${vm!.id}/audio`,
      headers: { range: 'bytes=44-1043' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.length).toBe(1000);
    expect(await audits()).toHaveLength(1); // a seek is not another access
    expect((await a.request({ method: 'GET', url: `/api/voicemails/${vm!.id}` })).json().status).toBe(
      'heard',
    );

    const handled = await a.request({
      method: 'PATCH',
      url: `/api/voicemails/${vm!.id}`,
      payload: { status: 'handled' },
    });
    expect(handled.statusCode, handled.body).toBe(200);
    expect(handled.json().status).toBe('handled');
    for (const payload of [{ status: 'deleted' }, { status: 'new', filePath: '/etc/passwd' }, {}]) {
      const bad = await a.request({ method: 'PATCH', url: `/api/voicemails/${vm!.id}`, payload });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await a.request({ method: 'GET', url: '/api/voicemails/not-an-id/audio' })).statusCode).toBe(400);
    expect((await a.request({ method: 'GET', url: '/api/voicemails?status=gone' })).statusCode).toBe(400);

    // Another tenant, and an agent who does not hold the task: not found, nothing audited.
    for (const url of [`/api/voicemails/${vm!.id}`, `/api/voicemails/${vm!.id}/audio`]) {
      const other = await b.request({ method: 'GET', url });
      expect(other.statusCode, url).toBe(404);
      expect(other.json().error.code).toBe('NOT_FOUND');
    }
    expect((await b.request({ method: 'GET', url: '/api/voicemails' })).json().total).toBe(0);
    const hijack = await b.request({
      method: 'PATCH',
      url: `/api/voicemails/${vm!.id}`,
      payload: { status: 'new' },
    });
    expect(hijack.statusCode).toBe(404);
    expect((await a.request({ method: 'GET', url: `/api/voicemails/${vm!.id}` })).json().status).toBe(
      'handled',
    );
    const agent = await a.userToken('agent');
    expect(
      (await a.request({ method: 'GET', url: `/api/voicemails/${vm!.id}/audio`, token: agent.token }))
        .statusCode,
    ).toBe(404);
    expect((await a.request({ method: 'GET', url: '/api/voicemails', token: agent.token })).statusCode).toBe(
      403,
    );
    expect(await audits()).toHaveLength(1);
  }, 30_000);

  it('discards silence: no row, no task, no file; the call’s interaction closes as usual', async () => {
    const before = (await voicemailsOf(a.tenantId)).length;
    await leave(DID_FLOW, 'silent voicemail', new Int16Array(8000 * 2));
    await new Promise((r) => setTimeout(r, 500));
    expect(await voicemailsOf(a.tenantId)).toHaveLength(before);
    // The discarded file is gone: only the kept messages' files remain.
    expect(wavFiles(voicemailDir)).toHaveLength(before);
    await until(
      () =>
        server.db.kysely
          .selectFrom('interactions')
          .select('state')
          .where('tenant_id', '=', a.tenantId)
          .where('channel', '=', 'voice')
          .orderBy('created_at', 'desc')
          .executeTakeFirstOrThrow(),
      (row) => row.state === 'closed',
      5_000,
      'the silent call closed',
    );
  }, 90_000);

  it('overflow to voicemail records for the queue the caller waited in; the task is not overflowed again', async () => {
    await leave(DID_NIGHT, 'overflow voicemail', tones([440], 2000, 8000));
    const rows = await until(
      () => voicemailsOf(a.tenantId),
      (r) => r.some((v) => v.queue_id === nightId),
      10_000,
      'overflow voicemail row',
    );
    const vm = rows.find((v) => v.queue_id === nightId)!;
    expect(vm.duration_ms).toBeGreaterThan(1500);
    expect(vm.duration_ms).toBeLessThan(3500);
    expect((await interaction(vm.interaction_id)).state).toBe('voicemail');
    const task = await interaction(vm.task_interaction_id!);
    expect(task).toMatchObject({ channel: 'task', queue_id: nightId, state: 'queued' });
    const cdr = await cdrEnded(vm.call_id);
    expect(cdr).toMatchObject({ hangup_side: 'system', hangup_cause: 'OVERFLOW_VOICEMAIL' });
    const record = await a.request({ method: 'GET', url: `/api/calls/${vm.call_id}` });
    expect(record.json()).toMatchObject({
      outcome: 'voicemail',
      interactionState: 'voicemail',
      hangupCause: 'OVERFLOW_VOICEMAIL',
    });
    expect(cdr.queued_at).not.toBeNull();
  }, 90_000);
});
