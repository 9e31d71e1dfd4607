// Voice benchmark: `npm run bench:voice` (issue 7). How many bridged, recorded calls — a trunk's RTP leg
// on one side, an agent's WebRTC softphone on the other — this machine holds with packet loss < 0.5 %
// and added jitter p99 < 20 ms; how long an INVITE takes to ring a free agent; the server's peak RSS.
//
// The world is built in this process (so its RSS and CPU are the server's): PGlite in
// .tmp/bench-voice/run-<pid>, the media engine (`MediaHost`, one worker per core, as `main.ts` starts it),
// the SIP service on 127.0.0.1, and the whole HTTP/WebSocket app (`buildServer`), listening on a free
// port of 127.0.0.1. Through the ordinary API: a tenant, a queue with recording `always` (no
// announcements), a published flow whose entry is `enqueue` (no prompt: the media path is measured, not
// the IVR), a trunk allowing 127.0.0.1 and a number bound to the flow. Two forked load generators:
// - agents (this file with `--agents`): per agent (a user this process created and signed in through the
//   API, handing over the token) its WebSocket `/api/ws`,
//   a peer playing the browser (BENCH_VOICE_BROWSER: `native` — libdatachannel, `native-browser-peer.ts`,
//   the default: a third of werift's CPU, so the load generator does not starve the server on a small
//   machine; `werift` — `browser-peer.ts`; either: phone.offer → phone.answer, DTLS-SRTP, a 1 kHz
//   tone every 20 ms), routing login and Ready; on `routing.offered` it notes the time and accepts over
//   `POST /api/agent/offers/{id}/accept`, as the desktop's Answer button does; it counts the packets its
//   peers receive and the phones in mode `call` with `phone.recording` = `recording`;
// - callers (`--callers`): our own SIP user agent (`@hotline/sip`, so the moment each INVITE leaves is
//   known exactly) and one plain UDP socket per call as the caller's RTP port, sending a 20 ms PCMU packet
//   of 440 Hz every 20 ms (calls spread over four 5 ms sub-ticks, as real trunks are not in step) and
//   timestamping every packet that comes back.
// Both share the machine's cores with the server, so the figures are conservative. The server's agents'
// WebRTC transport is HOTLINE_WEBRTC's (ADR 0009; default `auto`: native when it loads), and its media
// threads run at HOTLINE_MEDIA_NICE (default −10, as `npm start` runs them; ADR 0012). The callers stand
// for the telephone network and measure what it would hear, so their own scheduling must not add to the
// jitter they measure: they run at BENCH_VOICE_CALLERS_NICE (default the same −10; the agents' browsers
// stay at normal priority: their loss is measured, not their timing). Both are printed; refused (no
// CAP_SYS_NICE), everything runs at normal priority and the figures say so.
//
// INVITE → ringing: before the ramp, BENCH_VOICE_RING_SAMPLES (20) calls one at a time to free agents:
// from the INVITE leaving the caller's UA to the agent's WebSocket delivering `routing.offered` (what makes
// the softphone ring); the caller then hangs up (the offer is withdrawn, the agent is free again).
//
// The ramp (BENCH_VOICE_STEPS, default 10,25,50,75,100,150,200,250,300,400 — on to the first failing
// step, so the figure is what the machine holds, not the target; or `--steps 5,10,20`): per step, agents
// are added up to the step's count, then calls (BENCH_VOICE_RATE per second, default 20) until every agent
// is on a bridged, recording call; calls stay up into the next step. After 2 s of warm-up,
// BENCH_VOICE_WINDOWS (3) windows of BENCH_VOICE_SECONDS (5) are measured; each of a step's figures is the
// median over its windows (as in `bench/media.ts`: a shared machine's other work moves single windows;
// every window is printed). Per window:
// - lossPct, at the caller's receive side: packets missing from each stream's sequence span over the
//   window (RFC 3550 "expected" − received) over expected; agentLossPct likewise at the agents' peers
//   (received over 50 per second per bridged phone);
// - jitterP99Ms: p99 over every received packet of RFC 3550's D = |(R_j − R_i) − (S_j − S_i)| between
//   consecutive packets of a stream at the caller (arrival gap minus timestamp gap; ideally 0) — the jitter
//   the server adds plus the caller process's own scheduling (an upper bound), not the smoothed J. Printed
//   beside it: the server's own share, the same D taken where its workers send (as `bench/media.ts`
//   measures it), and the callers' own send lateness, to tell a slow server from a starved load generator;
// - that the call is really bridged: the share of the packets the callers receive that carry the agent's
//   1 kHz tone (Goertzel), and of silent ones (underruns).
// A step passes with lossPct < 0.5, agentLossPct < 0.5, jitterP99Ms < 20, every call bridged into its
// agent's phone and recording, and the agent's tone in ≥ 90 % of what the callers hear; the ramp stops at
// the first failing step. Ends with one line of JSON:
// {"concurrentCalls","lossPct","jitterP99Ms","ringP50Ms","ringP99Ms","peakRssMb"} (the largest passing
// step; peakRssMb: this process's maximum resident set over the run, media workers included, load
// generators not — with PGlite, whose start dominates it, as `npm start` runs by default).
// The whole run is bounded (BENCH_VOICE_TIMEOUT_SEC, default 720); every child, socket and file it made is
// removed at the end, also on failure.
import { type ChildProcess, fork } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { decodeG711, encodeG711 } from '../packages/media/src/codec/g711';
import { serializeRtp } from '../packages/media/src/rtp/rtp-packet';
import { type SimulatedBrowser, startBrowserPeer } from '../packages/media/src/test-support/browser-peer';
import { tones } from '../packages/media/src/test-support/signals';
import { applyThreadNice, type ThreadPriority } from '../packages/media/src/worker/thread-priority';
import { buildServer } from '../packages/server/src/app';
import { DEFAULT_MEDIA_NICE } from '../packages/server/src/config';
import { openDatabase } from '../packages/server/src/db/database';
import { SipService } from '../packages/server/src/sip/sip-service';
import { AuthStore } from '../packages/server/src/stores/auth-store';
import { systemClock, uuidGen } from '../packages/server/src/system';
import { startMediaRuntime } from '../packages/server/src/voice/media-runtime';
import type { NegotiatedAudio } from '../packages/sip/src/sdp/negotiation';
import type { OutgoingCall } from '../packages/sip/src/ua/outgoing-call';
import { UserAgent } from '../packages/sip/src/ua/user-agent';
import { parseUri } from '../packages/sip/src/uri';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const STEPS = (arg('steps') ?? process.env.BENCH_VOICE_STEPS ?? '10,25,50,75,100,150,200,250,300,400')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const SECONDS = Number(process.env.BENCH_VOICE_SECONDS ?? 5);
const WINDOWS = Math.max(1, Number(process.env.BENCH_VOICE_WINDOWS ?? 3));
const RATE = Math.max(1, Number(process.env.BENCH_VOICE_RATE ?? 20));
const RING_SAMPLES = Number(process.env.BENCH_VOICE_RING_SAMPLES ?? 20);
const BROWSER = process.env.BENCH_VOICE_BROWSER === 'werift' ? 'werift' : 'native';
const WEBRTC =
  (['auto', 'native', 'werift'] as const).find((w) => w === process.env.HOTLINE_WEBRTC) ?? 'auto';
const TIMEOUT_SEC = Number(process.env.BENCH_VOICE_TIMEOUT_SEC ?? 720);
/** The callers' nice value (see the header): as high as the server's media threads by default. */
const CALLERS_NICE = Number(process.env.BENCH_VOICE_CALLERS_NICE ?? DEFAULT_MEDIA_NICE);
const WARMUP_MS = 2000;
const MAX_LOSS_PCT = 0.5;
const MAX_JITTER_P99_MS = 20;
/** Below this share of the agent's tone in what the callers hear, the bridge is not carrying the call. */
const MIN_TONE_PCT = 90;
const DID = '+74950009900';
const BUCKET_MS = 0.1;
const BUCKETS = 2000; // up to 200 ms
const SLOTS = 4;

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across our processes. */
const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

// ── callers (child process): our SIP UA + one RTP socket per call ─────────────────────────────────

type ToCallers =
  | { cmd: 'open'; sipPort: number }
  | { cmd: 'call'; id: number }
  | { cmd: 'hangup'; ids: number[] | 'all' }
  | { cmd: 'window' }
  | { cmd: 'report' }
  | { cmd: 'close' };
type FromCallers =
  | { type: 'ready' }
  | { type: 'opened'; priority: ThreadPriority }
  | { type: 'invited'; id: number; at: number }
  | { type: 'answered'; id: number }
  | { type: 'ended'; id: number; cause: string }
  | { type: 'hungup'; ended: number }
  | { type: 'window' }
  | { type: 'report'; report: CallersReport }
  | { type: 'closed' };

interface CallersReport {
  received: number;
  /** Received packets that carry the agent's 1 kHz tone: the bridge really connects the two sides. */
  toneFrames: number;
  /** Received packets of silence (the link or the jitter buffer had nothing: an underrun). */
  silentFrames: number;
  /** Calls whose caller mostly did not hear the agent (id: tone/silent/all packets). */
  withoutTone: string[];
  expected: number;
  histogram: number[];
  live: number;
  cpuMs: number;
  sendLateP99Ms: number;
}

interface CallerLeg {
  readonly id: number;
  readonly socket: Socket;
  readonly sip: OutgoingCall;
  remote: { address: string; port: number } | null;
  ended: boolean;
  sent: number;
  minSeq: number;
  maxSeq: number;
  count: number;
  toneFrames: number;
  silentFrames: number;
  cycles: number;
  lastArrival: number;
  lastTs: number;
}

/** Whether a 20 ms µ-law frame is mostly the agent's 1 kHz tone (Goertzel, 20 whole cycles in 160 samples). */
const pcm = new Int16Array(160);
function classify(payload: Buffer): 'tone' | 'silence' | 'other' {
  if (payload.length !== 160) return 'other';
  decodeG711('PCMU', payload, pcm);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of pcm) {
    const s0 = x + 2 * Math.cos(Math.PI / 4) * s1 - s2; // 2cos(2π·1000/8000)
    s2 = s1;
    s1 = s0;
    energy += x * x;
  }
  const power = s1 * s1 + s2 * s2 - 2 * Math.cos(Math.PI / 4) * s1 * s2;
  // a pure tone gives power = energy · N / 2; speech, music or silence far less
  if (energy < 160 * 100 * 100) return 'silence';
  return power > 0.5 * energy * 80 ? 'tone' : 'other';
}

async function runCallers(): Promise<void> {
  const send = (m: FromCallers) => process.send!(m);
  process.on('disconnect', () => process.exit(0)); // the bench went away: so do we
  let ua: UserAgent | undefined;
  let sipPort = 0;
  const legs = new Map<number, CallerLeg>();
  let histogram = new Array<number>(BUCKETS + 1).fill(0);
  let sendLate: number[] = [];
  let cpuAtWindow = process.cpuUsage();
  const audio = Array.from({ length: 50 }, (_, k) =>
    encodeG711(
      'PCMU',
      Int16Array.from({ length: 160 }, (_, i) =>
        Math.round(8000 * Math.sin((2 * Math.PI * 440 * (k * 160 + i)) / 8000)),
      ),
    ),
  );

  // one clock for every call: SLOTS sub-ticks per 20 ms, call i sends in slot i % SLOTS
  const start = performance.now();
  let k = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    sendLate.push(performance.now() - (start + (k * 20) / SLOTS));
    const slot = k % SLOTS;
    for (const leg of legs.values()) {
      if (leg.id % SLOTS !== slot || leg.remote === null || leg.ended) continue;
      const n = leg.sent++;
      leg.socket.send(
        serializeRtp({
          payloadType: 0,
          marker: n === 0,
          sequenceNumber: n & 0xffff,
          timestamp: (n * 160) >>> 0,
          ssrc: 7000 + leg.id,
          payload: audio[n % 50]!,
        }),
        leg.remote.port,
        leg.remote.address,
      );
    }
    k++;
    timer = setTimeout(tick, Math.max(0, start + (k * 20) / SLOTS - performance.now()));
  };
  tick();

  const onPacket = (leg: CallerLeg, msg: Buffer) => {
    // RTCP (to RTP port + 1, maybe another call's socket) is not audio
    if (msg.length < 12 || (msg[1]! >= 192 && msg[1]! <= 223)) return;
    const now = performance.now();
    const seq = msg.readUInt16BE(2);
    const ts = msg.readUInt32BE(4);
    if (leg.minSeq < 0) {
      leg.minSeq = seq;
      leg.maxSeq = seq;
    } else {
      const delta = (seq - leg.maxSeq) & 0xffff;
      if (delta > 0 && delta < 3000) {
        if (seq < leg.maxSeq) leg.cycles += 0x10000;
        leg.maxSeq = seq;
      }
      if (leg.lastArrival > 0) {
        const d = Math.abs(now - leg.lastArrival - (((ts - leg.lastTs) | 0) * 1000) / 8000);
        histogram[Math.min(BUCKETS, Math.floor(d / BUCKET_MS))]!++;
      }
    }
    leg.count++;
    if ((msg[0]! & 0x3f) === 0 && (msg[1]! & 0x7f) === 0) {
      const kind = classify(msg.subarray(12));
      if (kind === 'tone') leg.toneFrames++;
      else if (kind === 'silence') leg.silentFrames++;
    }
    leg.lastArrival = now;
    leg.lastTs = ts;
  };

  process.on('message', async (m: ToCallers) => {
    if (m.cmd === 'open') {
      sipPort = m.sipPort;
      ua = await UserAgent.listen({ host: '127.0.0.1', udp: { port: 0 }, onError: () => {} });
      send({ type: 'opened', priority: applyThreadNice(CALLERS_NICE) });
    } else if (m.cmd === 'call') {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
      socket.setRecvBufferSize(1 << 20);
      const port = (socket.address() as AddressInfo).port;
      const number = `7999${String(1_000_000 + m.id).slice(1)}`;
      const at = wallNow();
      const sip = ua!.call({
        to: parseUri(`sip:${DID.slice(1)}@127.0.0.1:${sipPort}`),
        from: `"Bench ${m.id}" <sip:${number}@127.0.0.1>`,
        media: { address: '127.0.0.1', port, codecs: ['PCMU'] },
      });
      const leg: CallerLeg = {
        id: m.id,
        socket,
        sip,
        remote: null,
        ended: false,
        sent: 0,
        minSeq: -1,
        maxSeq: -1,
        count: 0,
        toneFrames: 0,
        silentFrames: 0,
        cycles: 0,
        lastArrival: 0,
        lastTs: 0,
      };
      legs.set(m.id, leg);
      socket.on('message', (msg) => onPacket(leg, msg));
      sip.on('answered', (a: NegotiatedAudio | null) => {
        if (a) leg.remote = { address: a.remoteAddress, port: a.remotePort };
        send({ type: 'answered', id: m.id });
      });
      sip.on('ended', (end) => {
        leg.ended = true;
        socket.close();
        legs.delete(m.id);
        send({ type: 'ended', id: m.id, cause: String(end.cause) });
      });
      send({ type: 'invited', id: m.id, at });
    } else if (m.cmd === 'hangup') {
      const ids = m.ids === 'all' ? [...legs.keys()] : m.ids;
      const waits = ids.map((id) => {
        const leg = legs.get(id);
        if (!leg) return Promise.resolve();
        const ended = new Promise<void>((resolve) => leg.sip.on('ended', () => resolve()));
        leg.sip.hangUp();
        return Promise.race([ended, sleep(10_000)]);
      });
      await Promise.all(waits);
      send({ type: 'hungup', ended: ids.length });
    } else if (m.cmd === 'window') {
      histogram = new Array<number>(BUCKETS + 1).fill(0);
      sendLate = [];
      for (const leg of legs.values()) {
        leg.minSeq = -1;
        leg.count = 0;
        leg.toneFrames = 0;
        leg.silentFrames = 0;
        leg.cycles = 0;
        leg.lastArrival = 0;
      }
      cpuAtWindow = process.cpuUsage();
      send({ type: 'window' });
    } else if (m.cmd === 'report') {
      let received = 0;
      let toneFrames = 0;
      let silentFrames = 0;
      const withoutTone: string[] = [];
      let expected = 0;
      let live = 0;
      for (const leg of legs.values()) {
        if (leg.ended || leg.remote === null) continue;
        live++;
        if (leg.minSeq < 0) continue;
        received += leg.count;
        toneFrames += leg.toneFrames;
        if (leg.toneFrames < leg.count / 2)
          withoutTone.push(`${leg.id}: ${leg.toneFrames}/${leg.silentFrames}/${leg.count}`);
        silentFrames += leg.silentFrames;
        expected += leg.cycles + leg.maxSeq - leg.minSeq + 1;
      }
      const cpu = process.cpuUsage(cpuAtWindow);
      const sorted = [...sendLate].sort((a, b) => a - b);
      send({
        type: 'report',
        report: {
          received,
          toneFrames,
          silentFrames,
          withoutTone,
          expected,
          histogram,
          live,
          cpuMs: (cpu.user + cpu.system) / 1000,
          sendLateP99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
        },
      });
    } else if (m.cmd === 'close') {
      clearTimeout(timer);
      for (const leg of legs.values()) leg.socket.close();
      legs.clear();
      await ua?.close();
      send({ type: 'closed' });
      process.exit(0);
    }
  });
  send({ type: 'ready' });
}

// ── agents (child process): a WebSocket and a werift "browser" per agent ──────────────────────────

type ToAgents =
  | { cmd: 'add'; baseUrl: string; agents: { id: string; token: string }[] }
  | { cmd: 'accept'; on: boolean }
  | { cmd: 'count' }
  | { cmd: 'close' };
type FromAgents =
  | { type: 'ready' }
  | { type: 'added'; ok: number; failed: number; errors: string[]; ms: number }
  | { type: 'offered'; agentId: string; interactionId: string; at: number }
  | { type: 'accept-failed'; agentId: string; status: number; body: string }
  | { type: 'accept'; on: boolean }
  | {
      type: 'count';
      received: number;
      connected: number;
      onCall: number;
      recording: number;
      at: number;
      cpuUs: number;
    }
  | { type: 'closed' };

interface AgentSide {
  readonly id: string;
  readonly token: string;
  readonly ws: WebSocket;
  readonly peer: SimulatedBrowser;
  mode: string;
  recording: string | null;
}

async function runAgents(): Promise<void> {
  const send = (m: FromAgents) => process.send!(m);
  process.on('disconnect', () => process.exit(0));
  const agents: AgentSide[] = [];
  let accept = false;
  let baseUrl = '';
  const tone = tones([1000], 1000, 6000);
  const post = (path: string, token: string, body?: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method: body === undefined ? 'POST' : 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const addOne = async (a: { id: string; token: string }): Promise<AgentSide> => {
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/api/ws`, {
      headers: { authorization: `Bearer ${a.token}` },
    });
    const waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
    type Frame = Record<string, unknown> & { type: string };
    let side: AgentSide | undefined;
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as Frame;
      const event = f.event as { type: string; interactionId: string; agentIds: string[] } | undefined;
      if (f.type === 'event' && event?.type === 'routing.offered' && event.agentIds.includes(a.id)) {
        send({ type: 'offered', agentId: a.id, interactionId: event.interactionId, at: wallNow() });
        if (accept)
          void post(`/api/agent/offers/${event.interactionId}/accept`, a.token).then(async (r) => {
            if (r.status !== 200)
              send({ type: 'accept-failed', agentId: a.id, status: r.status, body: await r.text() });
          });
      }
      if (side && f.type === 'phone.state') side.mode = String(f.mode);
      if (side && f.type === 'phone.recording') side.recording = String(f.status);
      for (const w of [...waiters])
        if (w.pred(f)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(f);
        }
    });
    const next = (pred: (f: Frame) => boolean, ms = 30_000) =>
      new Promise<Frame>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no such frame in time')), ms);
        waiters.push({
          pred,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
        });
      });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const subscribed = next((f) => f.type === 'ready');
    ws.send(JSON.stringify({ type: 'subscribe' }));
    await subscribed;
    // libdatachannel as the offerer now and then (about 1 in 150 here) refuses the answer ("remote
    // candidate without ICE transport": the server's connectivity checks reached it first); the softphone
    // would offer again, so does the load generator: a new peer, a new phone.offer (replacing the phone)
    const negotiate = async (): Promise<{ peer: SimulatedBrowser; connected: Promise<Frame> }> => {
      const peer =
        BROWSER === 'native'
          ? await (
              await import('../packages/media/src/test-support/native-browser-peer')
            ).startNativeBrowserPeer({ source: tone, keepHeard: false })
          : await startBrowserPeer({ source: tone, keepHeard: false });
      const answered = next((f) => f.type === 'phone.answer' || f.type === 'phone.error');
      ws.send(JSON.stringify({ type: 'phone.offer', tabId, sdp: peer.offer }));
      const answer = await answered;
      if (answer.type !== 'phone.answer') throw new Error(`phone.offer refused: ${JSON.stringify(answer)}`);
      const connected = next((f) => f.type === 'phone.state' && f.state === 'connected');
      connected.catch(() => {});
      try {
        await peer.accept(String(answer.sdp));
        await peer.connected(30_000);
      } catch (e) {
        await peer.close().catch(() => {});
        throw e;
      }
      return { peer, connected };
    };
    const tabId = `tab-${a.id.slice(0, 8)}`;
    // (up to five offers: at hundreds of agents a second refusal in a row happens now and then)
    let negotiated: Awaited<ReturnType<typeof negotiate>> | undefined;
    for (let attempt = 1; !negotiated; attempt++) {
      try {
        negotiated = await negotiate();
      } catch (e) {
        if (attempt >= 5) throw e;
        process.stderr.write(
          `[bench:voice agents] agent ${a.id.slice(0, 8)}: ${String(e)}; offering again\n`,
        );
      }
    }
    const { peer, connected } = negotiated;
    peer.start();
    await connected;
    side = { id: a.id, token: a.token, ws, peer, mode: 'idle', recording: null };
    for (const [path, body] of [
      ['/api/agent/login', undefined],
      ['/api/agent/state', { state: 'ready' }],
    ] as const) {
      const r = await post(path, a.token, body);
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    }
    return side;
  };

  process.on('message', async (m: ToAgents) => {
    if (m.cmd === 'add') {
      baseUrl = m.baseUrl;
      const t0 = performance.now();
      const errors: string[] = [];
      // ten at a time: each is an offer, an answer from a media worker, ICE and a DTLS handshake
      for (let i = 0; i < m.agents.length; i += 10) {
        const batch = await Promise.allSettled(m.agents.slice(i, i + 10).map(addOne));
        for (const r of batch)
          if (r.status === 'fulfilled') agents.push(r.value);
          else errors.push(String(r.reason));
      }
      send({
        type: 'added',
        ok: m.agents.length - errors.length,
        failed: errors.length,
        errors: errors.slice(0, 3),
        ms: performance.now() - t0,
      });
    } else if (m.cmd === 'accept') {
      accept = m.on;
      send({ type: 'accept', on: accept });
    } else if (m.cmd === 'count') {
      const cpu = process.cpuUsage();
      send({
        type: 'count',
        received: agents.reduce((n, a) => n + a.peer.packetsReceived, 0),
        connected: agents.filter((a) => a.peer.connectionState === 'connected').length,
        onCall: agents.filter((a) => a.mode === 'call').length,
        recording: agents.filter((a) => a.mode === 'call' && a.recording === 'recording').length,
        at: performance.now(),
        cpuUs: cpu.user + cpu.system,
      });
    } else if (m.cmd === 'close') {
      await Promise.all(
        agents.map(async (a) => {
          a.ws.close();
          await a.peer.close().catch(() => {});
        }),
      );
      if (BROWSER === 'native')
        await (
          await import('../packages/media/src/test-support/native-browser-peer')
        ).releaseNativeBrowserPeers();
      send({ type: 'closed' });
      process.exit(0);
    }
  });
  send({ type: 'ready' });
}

// ── the server and the orchestration (this process) ───────────────────────────────────────────────

/** A child speaking one of the two protocols above: `ask` sends and waits for a reply of a given type. */
class Child<To, From extends { type: string }> {
  readonly #listeners = new Set<(m: From) => void>();
  private constructor(readonly process: ChildProcess) {
    process.on('message', (m: From) => {
      for (const l of [...this.#listeners]) l(m);
    });
  }
  static async start<To, From extends { type: string }>(
    role: string,
    readyType: From['type'],
  ): Promise<Child<To, From>> {
    const child = new Child<To, From>(
      fork(fileURLToPath(import.meta.url), [`--${role}`], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    await child.wait(readyType, 60_000);
    return child;
  }
  on(listener: (m: From) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  wait<T extends From['type']>(
    type: T,
    ms: number,
    pred: (m: Extract<From, { type: T }>) => boolean = () => true,
  ): Promise<Extract<From, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${type} from the child in ${ms} ms`));
      }, ms);
      const off = this.on((m) => {
        if (m.type !== type || !pred(m as Extract<From, { type: T }>)) return;
        clearTimeout(timer);
        off();
        resolve(m as Extract<From, { type: T }>);
      });
    });
  }
  ask<T extends From['type']>(m: To, type: T, ms = 60_000): Promise<Extract<From, { type: T }>> {
    const reply = this.wait(type, ms);
    this.process.send(m as object);
    return reply;
  }
  tell(m: To): void {
    if (this.process.connected) this.process.send(m as object);
  }
}

interface Step {
  calls: number;
  bridged: number;
  recording: number;
  lossPct: number;
  agentLossPct: number;
  jitterP99Ms: number;
  /** The server's own share of the jitter: p99 of D where its workers send (media.ts's jitterP99Ms). */
  engineJitterP99Ms: number;
  skippedTicks: number;
  /** Share of the packets the callers received that carry the agent's tone. */
  tonePct: number;
  silencePct: number;
  serverCpuPct: number;
  callersCpuPct: number;
  agentsCpuPct: number;
  callersSendLateP99Ms: number;
  rssMb: number;
  cpuPressurePct: number | null;
  setupMs: number;
  pass: boolean;
  note?: string;
  windows: { lossPct: number; agentLossPct: number; jitterP99Ms: number; cpuPressurePct: number | null }[];
}

function percentile(histogram: number[], p: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= total * p) return i * BUCKET_MS;
  }
  return BUCKETS * BUCKET_MS;
}

function sortedPercentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!;
}

/** Total µs that runnable tasks waited for a CPU (Linux PSI): how busy the rest of the machine was. */
function cpuStallUs(): number | undefined {
  try {
    const some = readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0] ?? '';
    return Number(/total=(\d+)/.exec(some)?.[1]);
  } catch {
    return undefined;
  }
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `node ${process.version}, ${process.platform}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at start (the load generators share these cores)`,
  );
  console.log(
    `steps ${STEPS.join(',')}; ${WINDOWS} × ${SECONDS} s windows per step; calls placed at ${RATE}/s; ` +
      `${RING_SAMPLES} ring samples; agents' browsers ${BROWSER}; server WebRTC ${WEBRTC}`,
  );
  const progress = (msg: string) =>
    process.stderr.write(`[bench:voice ${((performance.now() - started) / 1000).toFixed(1)} s] ${msg}\n`);
  const dir = join(process.cwd(), '.tmp', 'bench-voice', `run-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => progress(`clean-up: ${String(e)}`));
    cleanups.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  const watchdog = setTimeout(() => {
    progress(`timed out after ${TIMEOUT_SEC} s: cleaning up`);
    void cleanUp().finally(() => process.exit(3));
  }, TIMEOUT_SEC * 1000);
  watchdog.unref();

  const steps: Step[] = [];
  const rings: number[] = [];
  try {
    // the server, as main.ts builds it (minus the config and the demo line)
    const db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'pglite') });
    cleanups.push(() => db.close());
    const workers = availableParallelism();
    const media = await startMediaRuntime(
      {
        address: '127.0.0.1',
        portRange: { min: 47000, max: 47000 + 4 * Math.max(...STEPS) + 400 },
        workers,
        webrtc: WEBRTC,
      },
      {
        error: (o, msg) => progress(`media: ${msg} ${JSON.stringify(o)}`),
        info: (o, msg) => progress(`media: ${msg} ${JSON.stringify(o)}`),
      },
    );
    cleanups.push(() => media.stop());
    const quiet = {
      info: () => {},
      warn: () => {},
      error: (o: object, msg: string) =>
        progress(`sip: ${msg} ${String((o as { err?: unknown }).err ?? '')}`),
    };
    const sip = new SipService({
      db: db.kysely,
      clock: systemClock,
      log: quiet,
      realm: 'bench',
      listen: { host: '127.0.0.1', port: 0 },
      // every call comes from 127.0.0.1: the per-source defence would throttle the ramp itself
      rateLimit: { ratePerSecond: 100_000, burst: 100_000, maxTrackedSources: 100 },
    });
    const app = await buildServer({
      db,
      clock: systemClock,
      ids: uuidGen,
      sessionTtlMs: 3_600_000,
      logger: { level: 'error' },
      sip,
      media,
      voiceDir: join(dir, 'voice'),
      recordingsDir: join(dir, 'recordings'),
    });
    cleanups.push(() => sip.close());
    cleanups.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    await sip.start();
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    progress(`server on ${baseUrl}, SIP on 127.0.0.1:${sip.ports.udp}, ${workers} media workers`);

    // the tenant, its queue, flow, trunk and number, through the API
    const auth = new AuthStore({ db: db.kysely, clock: systemClock, ids: uuidGen });
    const ownerPassword = 'bench-owner-password';
    await auth.createTenantWithOwner({
      tenantName: 'Bench',
      slug: 'bench',
      email: 'owner@bench.local',
      password: ownerPassword,
      displayName: 'Owner',
    });
    const login = async (email: string, password: string): Promise<string> => {
      const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
      if (r.statusCode !== 200) throw new Error(`login ${email}: ${r.statusCode} ${r.body}`);
      return r.json().token;
    };
    const owner = await login('owner@bench.local', ownerPassword);
    const api = async (method: 'POST' | 'PUT', url: string, payload: unknown, token = owner) => {
      const r = await app.inject({
        method,
        url,
        payload: payload as object,
        headers: { authorization: `Bearer ${token}` },
      });
      if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
      return r.body ? r.json() : undefined;
    };
    const queueId = (
      await api('POST', '/api/queues', { name: 'Bench', offerTimeoutSeconds: 60, wrapUpSeconds: 0 })
    ).id;
    await api('PUT', `/api/queues/${queueId}/voice`, { announceIntervalSeconds: 0, recording: 'always' });
    const flowId = (await api('POST', '/api/flows', { name: 'Straight to the queue' })).id;
    await api('PUT', `/api/flows/${flowId}/draft`, {
      id: 'bench',
      version: 1,
      entry: 'queue',
      nodes: { queue: { verb: 'enqueue', queue: 'Bench', next: { error: 'bye' } }, bye: { verb: 'hangup' } },
    });
    await api('POST', `/api/flows/${flowId}/publish`, {});
    const trunkId = (await api('POST', '/api/trunks', { name: 'Local', allowedCidrs: ['127.0.0.1/32'] })).id;
    await api('POST', '/api/phone-numbers', { number: DID, trunkId, flowId });

    const callers = await Child.start<ToCallers, FromCallers>('callers', 'ready');
    cleanups.push(async () => {
      if (!callers.process.connected) return;
      await callers.ask({ cmd: 'hangup', ids: 'all' }, 'hungup', 20_000).catch(() => {});
      await callers.ask({ cmd: 'close' }, 'closed', 10_000).catch(() => callers.process.kill());
    });
    const { priority } = await callers.ask({ cmd: 'open', sipPort: sip.ports.udp! }, 'opened');
    progress(
      `callers at nice ${priority.nice}: ${priority.applied ? 'applied' : `not applied (${priority.reason})`}; ` +
        `media threads: ${JSON.stringify(media.host.threadPriority)}`,
    );
    const agentsChild = await Child.start<ToAgents, FromAgents>('agents', 'ready');
    cleanups.push(async () => {
      if (!agentsChild.process.connected) return;
      await agentsChild.ask({ cmd: 'close' }, 'closed', 20_000).catch(() => agentsChild.process.kill());
    });
    const acceptFailures: string[] = [];
    agentsChild.on((m) => {
      if (m.type === 'accept-failed') acceptFailures.push(`${m.status} ${m.body}`);
    });

    let agentCount = 0;
    const addAgents = async (upTo: number) => {
      const made: { id: string; token: string }[] = [];
      for (let i = agentCount; i < upTo; i++) {
        const email = `agent-${i}@bench.local`;
        const password = 'bench-agent-password';
        const { id } = await api('POST', '/api/users', {
          email,
          displayName: `Agent ${i}`,
          password,
          role: 'agent',
          locale: 'en',
        });
        made.push({ id, token: await login(email, password) });
      }
      const added = await agentsChild.ask(
        { cmd: 'add', baseUrl, agents: made },
        'added',
        120_000 + upTo * 2000,
      );
      agentCount = upTo;
      if (added.failed > 0)
        throw new Error(`${added.failed} agents' phones failed: ${added.errors.join('; ')}`);
      return added.ms;
    };

    // INVITE → ringing, one call at a time, free agents, nobody answers (the caller hangs up at the ring)
    let callId = 0;
    await addAgents(Math.min(STEPS[0]!, 5));
    await agentsChild.ask({ cmd: 'accept', on: false }, 'accept');
    progress(`ring latency: ${RING_SAMPLES} calls one at a time`);
    for (let i = 0; i < RING_SAMPLES; i++) {
      const id = callId++;
      const offered = agentsChild.wait('offered', 15_000);
      const { at } = await callers.ask({ cmd: 'call', id }, 'invited');
      const offer = await offered;
      rings.push(offer.at - at);
      await callers.ask({ cmd: 'hangup', ids: [id] }, 'hungup', 15_000);
      await sleep(300); // the withdrawal reaches the router: the agent is free again
    }
    const ringP50 = sortedPercentile(rings, 0.5)!;
    const ringP99 = sortedPercentile(rings, 0.99)!;
    console.log(
      `INVITE → agent ringing (routing.offered on the agent's WebSocket): p50 ${round(ringP50)} ms, ` +
        `p99 ${round(ringP99)} ms, max ${round(Math.max(...rings))} ms over ${rings.length} calls`,
    );

    console.log(
      `RSS after set-up and the ring calls, no call up: ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
    );
    // the ramp: calls stay up; each step adds agents and calls
    await agentsChild.ask({ cmd: 'accept', on: true }, 'accept');
    const live = new Set<number>();
    callers.on((m) => {
      if (m.type === 'ended') live.delete(m.id);
    });
    const count = () => agentsChild.ask({ cmd: 'count' }, 'count');
    for (const target of STEPS) {
      const t0 = performance.now();
      progress(`${target} calls: ${target - agentCount} more agents`);
      try {
        if (target > agentCount) await addAgents(target);
      } catch (e) {
        // phones that cannot connect under this load: the step fails, the figures so far stand
        console.log(`${String(target).padStart(4)} calls: FAIL (set-up: ${String(e)})`);
        break;
      }
      progress(`${target} calls: ${target - live.size} more calls at ${RATE}/s`);
      for (let i = live.size; i < target; i++) {
        const id = callId++;
        live.add(id);
        callers.tell({ cmd: 'call', id });
        await sleep(1000 / RATE);
      }
      // every call bridged into an agent's phone and recording (or a deadline: then the step fails)
      const deadline = performance.now() + 20_000 + target * 200;
      let c = await count();
      while ((c.onCall < target || c.recording < target) && performance.now() < deadline) {
        await sleep(250);
        c = await count();
      }
      const setupMs = performance.now() - t0;
      progress(
        `${target} calls: ${c.onCall} bridged, ${c.recording} recording after ${Math.round(setupMs)} ms`,
      );
      await sleep(WARMUP_MS);
      const windows: Step['windows'] = [];
      const rows: Step[] = [];
      for (let w = 0; w < WINDOWS; w++) {
        const a0 = await count();
        const engine0 = await media.host.workerStats();
        await callers.ask({ cmd: 'window' }, 'window');
        const cpu0 = process.cpuUsage();
        const stall0 = cpuStallUs();
        const wall0 = performance.now();
        await sleep(SECONDS * 1000);
        const { report } = await callers.ask({ cmd: 'report' }, 'report');
        const a1 = await count();
        const engine1 = await media.host.workerStats();
        const sent = new Array<number>(BUCKETS + 1).fill(0);
        engine1.forEach((w, i) => {
          w.sendJitterHistogram.forEach((n, bucket) => {
            sent[bucket]! += n - (engine0[i]?.sendJitterHistogram[bucket] ?? 0);
          });
        });
        const wallMs = performance.now() - wall0;
        const cpuUsed = process.cpuUsage(cpu0);
        const stall1 = cpuStallUs();
        const lossPct = (100 * Math.max(0, report.expected - report.received)) / Math.max(1, report.expected);
        const agentExpected = (Math.min(a0.onCall, a1.onCall) * (a1.at - a0.at)) / 20;
        const agentLossPct =
          (100 * Math.max(0, agentExpected - (a1.received - a0.received))) / Math.max(1, agentExpected);
        const jitterP99Ms = percentile(report.histogram, 0.99);
        if (report.withoutTone.length > 0)
          progress(`calls without the agent's tone: ${report.withoutTone.join(', ')}`);
        const cpuPressurePct =
          stall0 === undefined || stall1 === undefined
            ? null
            : round((100 * (stall1 - stall0)) / 1000 / wallMs);
        windows.push({
          lossPct: round(lossPct, 3),
          agentLossPct: round(agentLossPct, 3),
          jitterP99Ms: round(jitterP99Ms),
          cpuPressurePct,
        });
        const row: Step = {
          calls: target,
          bridged: Math.min(a1.onCall, report.live),
          recording: a1.recording,
          lossPct: round(lossPct, 3),
          agentLossPct: round(agentLossPct, 3),
          jitterP99Ms: round(jitterP99Ms),
          engineJitterP99Ms: round(percentile(sent, 0.99)),
          skippedTicks:
            engine1.reduce((n, w) => n + w.skippedTicks, 0) - engine0.reduce((n, w) => n + w.skippedTicks, 0),
          tonePct: round((100 * report.toneFrames) / Math.max(1, report.received)),
          silencePct: round((100 * report.silentFrames) / Math.max(1, report.received)),
          serverCpuPct: round((100 * (cpuUsed.user + cpuUsed.system)) / 1000 / wallMs),
          callersCpuPct: round((100 * report.cpuMs) / wallMs),
          agentsCpuPct: round((a1.cpuUs - a0.cpuUs) / 10 / (a1.at - a0.at)),
          callersSendLateP99Ms: round(report.sendLateP99Ms),
          rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
          cpuPressurePct,
          setupMs: Math.round(setupMs),
          pass: false,
          windows,
        };
        rows.push(row);
      }
      // each figure is the median over the windows (as in bench/media.ts: a shared machine's other work
      // moves single windows; all are printed); a call not bridged or not recording in any window counts
      const median = (f: (r: Step) => number) =>
        rows.map(f).sort((x, y) => x - y)[Math.floor(rows.length / 2)]!;
      const min = (f: (r: Step) => number) => Math.min(...rows.map(f));
      const step: Step = {
        ...rows.at(-1)!,
        lossPct: median((r) => r.lossPct),
        agentLossPct: median((r) => r.agentLossPct),
        jitterP99Ms: median((r) => r.jitterP99Ms),
        engineJitterP99Ms: median((r) => r.engineJitterP99Ms),
        serverCpuPct: median((r) => r.serverCpuPct),
        callersSendLateP99Ms: median((r) => r.callersSendLateP99Ms),
        skippedTicks: rows.reduce((n, r) => n + r.skippedTicks, 0),
        bridged: min((r) => r.bridged),
        recording: min((r) => r.recording),
        tonePct: median((r) => r.tonePct),
        silencePct: median((r) => r.silencePct),
      };
      const complete = step.bridged >= target && step.recording >= target && step.tonePct >= MIN_TONE_PCT;
      step.pass =
        complete &&
        step.lossPct < MAX_LOSS_PCT &&
        step.agentLossPct < MAX_LOSS_PCT &&
        step.jitterP99Ms < MAX_JITTER_P99_MS;
      if (!complete)
        step.note = `${step.bridged} bridged, ${step.recording} recording, agent's tone in ${step.tonePct} % of packets`;
      if (acceptFailures.length > 0)
        step.note = `${step.note ?? ''} accept failures: ${acceptFailures.slice(0, 2).join('; ')}`;
      steps.push(step);
      console.log(
        `${String(target).padStart(4)} calls: loss ${step.lossPct.toFixed(3)} % at the callers, ` +
          `${step.agentLossPct.toFixed(3)} % at the agents; jitter p99 ${step.jitterP99Ms} ms at the callers ` +
          `(${step.engineJitterP99Ms} ms where the server sends; ${step.skippedTicks} ticks skipped); ` +
          `${step.bridged} bridged, ${step.recording} recording, the agent's tone in ${step.tonePct} % of the ` +
          `packets the callers got (silence in ${step.silencePct} %); server CPU ${step.serverCpuPct} % ` +
          `(${round(step.serverCpuPct / target, 2)} %/call), callers ${step.callersCpuPct} % (send late p99 ` +
          `${step.callersSendLateP99Ms} ms), agents ${step.agentsCpuPct} %; RSS ${step.rssMb} MB; ` +
          `machine CPU pressure ${step.cpuPressurePct ?? '?'} %; set-up ${step.setupMs} ms → ` +
          `${step.pass ? 'pass' : 'FAIL'}${step.note ? ` (${step.note})` : ''}; windows (loss callers/agents, ` +
          `jitter, pressure) ${step.windows
            .map((w) => `${w.lossPct}/${w.agentLossPct} %, ${w.jitterP99Ms} ms, ${w.cpuPressurePct} %`)
            .join('; ')}`,
      );
      if (!step.pass) break;
    }
  } finally {
    progress('cleaning up');
    await cleanUp();
    clearTimeout(watchdog);
  }
  const best = [...steps].reverse().find((s) => s.pass);
  console.log(
    `largest passing step: ${best?.calls ?? 0} calls; peak RSS ${peakRssMb()} MB over the run ` +
      `(the largest sampled during the ramp: ${Math.max(0, ...steps.map((x) => x.rssMb))} MB; PGlite's start ` +
      'weighs in the peak); ' +
      `whole run ${Math.round((performance.now() - started) / 1000)} s`,
  );
  console.log(
    JSON.stringify({
      concurrentCalls: best?.calls ?? 0,
      lossPct: best?.lossPct ?? null,
      jitterP99Ms: best?.jitterP99Ms ?? null,
      ringP50Ms: rings.length ? round(sortedPercentile(rings, 0.5)!) : null,
      ringP99Ms: rings.length ? round(sortedPercentile(rings, 0.99)!) : null,
      peakRssMb: peakRssMb(),
    }),
  );
}

if (process.argv.includes('--callers')) await runCallers();
else if (process.argv.includes('--agents')) await runAgents();
else await main();
