// Benchmark of the media engine: `npx tsx bench/media.ts` (the lead may add `npm run bench:media`).
// How many bridged, recorded RTP↔RTP calls one process holds, stepping the count up until a step fails
// the bar: packet loss < 0.5 % and added jitter p99 < 20 ms. This is the RTP-only base of issue 7's
// `bench:voice` (which adds a WebRTC leg per call).
//
// Two processes on this machine:
// - this one runs MediaHost (one media worker per core, the production setup); each call is two RTP legs
//   bridged and recorded to a stereo WAV (in .tmp/media/bench-recordings, deleted after each step);
// - a forked load generator plays both far ends: one UDP socket per phone, a 20 ms µ-law packet per phone
//   every 20 ms (customer 440 Hz, agent 1 kHz; phones spread over four 5 ms sub-ticks, as real phones are
//   not in step), and it timestamps every packet the engine sends back.
// Both share the two cores, so the figure is conservative: on a real server the phones are elsewhere.
//
// Per step (BENCH_CALLS, default 50,100,200,300,400,500,600): set up, 2 s warm-up, BENCH_WINDOWS (3)
// windows of BENCH_SECONDS (5) measured, tear down; each of the step's figures is the median over its
// windows (all windows are printed: a shared machine's other work moves single windows). Figures:
// - lossPct: packets lost or dropped as too late, both directions, over those expected: at the phones
//   (sequence gaps in what the engine sent) plus at the engine (RTP sequence gaps + jitter-buffer late
//   drops of what the phones sent);
// - jitterP99Ms, the jitter the engine adds: p99 of RFC 3550's D = |ΔR − ΔS| between consecutive packets
//   of every outgoing stream, taken where the packets leave (each worker's histogram of how much later
//   than the tick's due time a call's packets went out, tick to tick; the ideal spacing is exactly 20 ms);
// - phoneJitterP99Ms: the same D measured where the packets arrive, at the load generator: the engine's
//   jitter plus the load generator's own (one thread taking 100 packets per call per second on the same
//   two cores), so an upper bound;
// - cpuPctPerCall: the engine process's CPU (all threads) over the window, per call, in % of one core;
// - cpuPressurePct: share of the window in which some task on the machine waited for a CPU (Linux PSI),
//   to tell a slow engine from a busy machine; tickLateP99Ms: how late the workers' ticks started.
// A step passes with lossPct < 0.5 and jitterP99Ms < 20; it passes end to end when phoneJitterP99Ms < 20
// as well. Ends with one line of JSON: {"concurrentCalls", "lossPct", "jitterP99Ms", "phoneJitterP99Ms",
// "cpuPctPerCall", "concurrentCallsEndToEnd", "peakRssMb", "workers", "steps":[…]} where the top-level
// figures are those of the largest passing step.
import { type ChildProcess, fork } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeG711 } from '../packages/media/src/codec/g711';
import { serializeRtp } from '../packages/media/src/rtp/rtp-packet';
import { type MediaCall, MediaHost } from '../packages/media/src/worker/media-host';

const STEPS = (process.env.BENCH_CALLS ?? '50,100,200,300,400,500,600').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WINDOWS = Math.max(1, Number(process.env.BENCH_WINDOWS ?? 3));
const WARMUP_MS = 2000;
const MAX_LOSS_PCT = 0.5;
const MAX_JITTER_P99_MS = 20;
const RECORDINGS = join(process.cwd(), '.tmp/media/bench-recordings');

// ── load generator (child process) ─────────────────────────────────────────────────────────────────

type ToLoad =
  | { cmd: 'open'; phones: number }
  | { cmd: 'start'; targets: { address: string; port: number }[] }
  | { cmd: 'window' }
  | { cmd: 'report' }
  | { cmd: 'close' };

interface LoadReport {
  received: number;
  expected: number;
  histogram: number[];
  cpuMs: number;
  sendLateP99Ms: number;
}

const BUCKET_MS = 0.1;
const SLOTS = 4;
const BUCKETS = 2000; // up to 200 ms

function runLoadGenerator(): void {
  let sockets: Socket[] = [];
  let streams: {
    lastArrival: number;
    lastTs: number;
    minSeq: number;
    maxSeq: number;
    count: number;
    cycles: number;
  }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let histogram = new Array<number>(BUCKETS + 1).fill(0);
  let sendLate: number[] = [];
  let cpuAtWindow = process.cpuUsage();
  const frames = (freq: number) =>
    Array.from({ length: 50 }, (_, k) => {
      const pcm = Int16Array.from({ length: 160 }, (_, i) =>
        Math.round(8000 * Math.sin((2 * Math.PI * freq * (k * 160 + i)) / 8000)),
      );
      return encodeG711('PCMU', pcm);
    });
  const customerAudio = frames(440);
  const agentAudio = frames(1000);
  const send = (m: unknown) => process.send!(m);

  process.on('message', async (m: ToLoad) => {
    if (m.cmd === 'open') {
      sockets = await Promise.all(
        Array.from(
          { length: m.phones },
          () =>
            new Promise<Socket>((resolve) => {
              const s = createSocket('udp4');
              s.bind(0, '127.0.0.1', () => {
                // the phones' own stalls (this process shares the cores) must not count as engine loss
                s.setRecvBufferSize(1 << 20);
                resolve(s);
              });
            }),
        ),
      );
      streams = sockets.map(() => ({
        lastArrival: 0,
        lastTs: 0,
        minSeq: -1,
        maxSeq: -1,
        count: 0,
        cycles: 0,
      }));
      sockets.forEach((s, i) => {
        s.on('message', (msg) => onPacket(i, msg));
      });
      send({ ports: sockets.map((s) => s.address().port) });
    } else if (m.cmd === 'start') {
      // real phones are not in step: the phones are spread over SLOTS sub-ticks of each 20 ms
      const start = performance.now();
      let k = 0; // sub-tick counter
      const tick = () => {
        const now = performance.now();
        sendLate.push(now - (start + (k * 20) / SLOTS));
        const slot = k % SLOTS;
        const n = Math.floor(k / SLOTS); // packet number of the phones in this slot
        const audio = n % 50;
        for (let i = slot; i < sockets.length; i += SLOTS) {
          const t = m.targets[i]!;
          const packet = serializeRtp({
            payloadType: 0,
            marker: n === 0,
            sequenceNumber: n & 0xffff,
            timestamp: (n * 160) >>> 0,
            ssrc: 1000 + i,
            payload: (i % 2 === 0 ? customerAudio : agentAudio)[audio]!,
          });
          sockets[i]!.send(packet, t.port, t.address);
        }
        k++;
        timer = setTimeout(tick, Math.max(0, start + (k * 20) / SLOTS - performance.now()));
      };
      tick();
      send({ started: true });
    } else if (m.cmd === 'window') {
      histogram = new Array<number>(BUCKETS + 1).fill(0);
      sendLate = [];
      for (const st of streams) {
        st.minSeq = -1;
        st.count = 0;
        st.cycles = 0;
      }
      cpuAtWindow = process.cpuUsage();
      send({ window: true });
    } else if (m.cmd === 'report') {
      let received = 0;
      let expected = 0;
      for (const st of streams) {
        if (st.minSeq < 0) continue;
        received += st.count;
        expected += st.cycles + st.maxSeq - st.minSeq + 1;
      }
      const cpu = process.cpuUsage(cpuAtWindow);
      const sorted = [...sendLate].sort((a, b) => a - b);
      const report: LoadReport = {
        received,
        expected,
        histogram,
        cpuMs: (cpu.user + cpu.system) / 1000,
        sendLateP99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
      };
      send(report);
    } else if (m.cmd === 'close') {
      clearTimeout(timer);
      for (const s of sockets) s.close();
      sockets = [];
      send({ closed: true });
    }
  });

  function onPacket(i: number, msg: Buffer): void {
    // the engine's RTCP goes to RTP port + 1, which may be another phone's socket: not audio, skip it
    if (msg.length < 12 || (msg[1]! >= 192 && msg[1]! <= 223)) return;
    const now = performance.now();
    const st = streams[i]!;
    const seq = msg.readUInt16BE(2);
    const ts = msg.readUInt32BE(4);
    if (st.minSeq < 0) {
      st.minSeq = seq;
      st.maxSeq = seq;
    } else {
      const delta = (seq - st.maxSeq) & 0xffff;
      if (delta > 0 && delta < 3000) {
        if (seq < st.maxSeq) st.cycles += 0x10000;
        st.maxSeq = seq;
      }
      const d = Math.abs(now - st.lastArrival - (((ts - st.lastTs) | 0) * 1000) / 8000);
      histogram[Math.min(BUCKETS, Math.floor(d / BUCKET_MS))]!++;
    }
    st.count++;
    st.lastArrival = now;
    st.lastTs = ts;
  }
}

// ── engine side (this process) ─────────────────────────────────────────────────────────────────────

function ask<T>(child: ChildProcess, message: ToLoad): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message);
  });
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

interface StepResult {
  calls: number;
  lossPct: number;
  lost: {
    /** Machine-wide UDP receive-buffer overflows during the window (other processes' too). */
    kernelRcvbufDrops: number | null;
    engineNetwork: number;
    engineLate: number;
    phones: number;
    jitterBufferGrown: number;
    jitterBufferShrunk: number;
  };
  jitterP99Ms: number;
  phoneJitterP99Ms: number;
  cpuPctPerCall: number;
  engineCpuPct: number;
  loadGenCpuPct: number;
  loadGenSendLateP99Ms: number;
  tickLateP99Ms: number;
  maxTickWorkMs: number;
  skippedTicks: number;
  rssMb: number;
  /** Share of the window in which some runnable task on the machine waited for a CPU (PSI "some"). */
  cpuPressurePct: number | null;
  pass: boolean;
  passEndToEnd: boolean;
  windows?: {
    lossPct: number;
    jitterP99Ms: number;
    phoneJitterP99Ms: number;
    cpuPressurePct: number | null;
  }[];
}

async function runStep(host: MediaHost, load: ChildProcess, calls: number): Promise<StepResult> {
  rmSync(RECORDINGS, { recursive: true, force: true });
  mkdirSync(RECORDINGS, { recursive: true });
  const { ports } = await ask<{ ports: number[] }>(load, { cmd: 'open', phones: calls * 2 });
  const handles: MediaCall[] = [];
  const targets: { address: string; port: number }[] = [];
  for (let c = 0; c < calls; c++) {
    const call = host.createCall(`bench-${calls}-${c}`);
    handles.push(call);
    const remote = (i: number) => ({ address: '127.0.0.1', port: ports[c * 2 + i]! });
    const [customer, agent] = await Promise.all([
      // the trunk side watches for in-band tones (the fallback, the costlier case); the agent side sends
      // RFC 4733 (WebRTC) and does not
      call.createLeg({
        type: 'createLeg',
        legId: 'customer',
        codec: 'PCMU',
        remote: remote(0),
        inbandDtmf: true,
      }),
      call.createLeg({
        type: 'createLeg',
        legId: 'agent',
        codec: 'PCMU',
        remote: remote(1),
        inbandDtmf: false,
      }),
    ]);
    targets.push(customer, agent);
    await call.connect(['customer', 'agent']);
    await call.record(join(RECORDINGS, `${c}.wav`), 'customer', 'agent');
  }
  await ask(load, { cmd: 'start', targets });
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const windows: StepResult[] = [];
  for (let w = 0; w < WINDOWS; w++) windows.push(await measureWindow(host, load, handles, calls));
  await ask(load, { cmd: 'close' });
  await Promise.all(handles.map((h) => h.hangup()));
  rmSync(RECORDINGS, { recursive: true, force: true });
  // each figure is the median over the windows: one noisy neighbour's burst does not decide the step
  const median = (f: (w: StepResult) => number) =>
    windows.map(f).sort((x, y) => x - y)[Math.floor(windows.length / 2)]!;
  const byJitter = [...windows].sort((x, y) => x.jitterP99Ms - y.jitterP99Ms)[
    Math.floor(windows.length / 2)
  ]!;
  const lossPct = median((w) => w.lossPct);
  const jitterP99Ms = median((w) => w.jitterP99Ms);
  const phoneJitterP99Ms = median((w) => w.phoneJitterP99Ms);
  return {
    ...byJitter,
    lossPct,
    jitterP99Ms,
    phoneJitterP99Ms,
    cpuPctPerCall: median((w) => w.cpuPctPerCall),
    engineCpuPct: median((w) => w.engineCpuPct),
    pass: lossPct < MAX_LOSS_PCT && jitterP99Ms < MAX_JITTER_P99_MS,
    passEndToEnd:
      lossPct < MAX_LOSS_PCT && jitterP99Ms < MAX_JITTER_P99_MS && phoneJitterP99Ms < MAX_JITTER_P99_MS,
    windows: windows.map((w) => ({
      lossPct: w.lossPct,
      jitterP99Ms: w.jitterP99Ms,
      phoneJitterP99Ms: w.phoneJitterP99Ms,
      cpuPressurePct: w.cpuPressurePct,
    })),
  };
}

async function measureWindow(
  host: MediaHost,
  load: ChildProcess,
  handles: MediaCall[],
  calls: number,
): Promise<StepResult> {
  const before = await Promise.all(handles.map((h) => h.stats()));
  const workersBefore = await host.workerStats();
  await ask(load, { cmd: 'window' });
  const cpu0 = process.cpuUsage();
  const stall0 = cpuStallUs();
  const rcvbuf0 = udpRcvbufErrors();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const report = await ask<LoadReport>(load, { cmd: 'report' });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const stall1 = cpuStallUs();
  const rcvbuf1 = udpRcvbufErrors();
  const cpuPressurePct =
    stall0 === undefined || stall1 === undefined ? null : round((100 * (stall1 - stall0)) / 1000 / wallMs, 1);
  const after = await Promise.all(handles.map((h) => h.stats()));
  const workers = await host.workerStats();

  let engineExpected = 0;
  let engineNetworkLost = 0;
  let engineLate = 0;
  let grown = 0;
  let shrunk = 0;
  after.forEach((legs, c) => {
    legs.forEach((leg, l) => {
      const prev = before[c]![l]!;
      engineExpected += leg.expected - prev.expected;
      engineNetworkLost += leg.lost - prev.lost;
      engineLate += leg.jitterBuffer.late - prev.jitterBuffer.late;
      grown += leg.jitterBuffer.grown - prev.jitterBuffer.grown;
      shrunk += leg.jitterBuffer.shrunk - prev.jitterBuffer.shrunk;
    });
  });
  const phoneLost = Math.max(0, report.expected - report.received);
  const lost = engineNetworkLost + engineLate + phoneLost;
  const lossPct = (100 * lost) / Math.max(1, engineExpected + report.expected);
  const phoneJitterP99Ms = percentile(report.histogram, 0.99);
  const sent = new Array<number>(BUCKETS + 1).fill(0);
  workers.forEach((w, i) => {
    w.sendJitterHistogram.forEach((n, b) => {
      sent[b]! += n - (workersBefore[i]!.sendJitterHistogram[b] ?? 0);
    });
  });
  const jitterP99Ms = percentile(sent, 0.99);
  const engineCpuPct = (100 * (cpu.user + cpu.system)) / 1000 / wallMs;

  return {
    calls,
    lossPct: round(lossPct, 3),
    lost: {
      engineNetwork: engineNetworkLost,
      engineLate,
      phones: phoneLost,
      jitterBufferGrown: grown,
      jitterBufferShrunk: shrunk,
      kernelRcvbufDrops: rcvbuf0 === undefined || rcvbuf1 === undefined ? null : rcvbuf1 - rcvbuf0,
    },
    jitterP99Ms: round(jitterP99Ms, 1),
    phoneJitterP99Ms: round(phoneJitterP99Ms, 1),
    cpuPctPerCall: round(engineCpuPct / calls, 3),
    engineCpuPct: round(engineCpuPct, 1),
    loadGenCpuPct: round((100 * report.cpuMs) / wallMs, 1),
    loadGenSendLateP99Ms: round(report.sendLateP99Ms, 1),
    tickLateP99Ms: round(Math.max(...workers.map((w) => w.tickLateP99Ms)), 1),
    maxTickWorkMs: round(Math.max(...workers.map((w) => w.maxTickWorkMs)), 1),
    skippedTicks: workers.reduce((n, w) => n + w.skippedTicks, 0),
    rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    cpuPressurePct,
    pass: lossPct < MAX_LOSS_PCT && jitterP99Ms < MAX_JITTER_P99_MS,
    passEndToEnd:
      lossPct < MAX_LOSS_PCT && jitterP99Ms < MAX_JITTER_P99_MS && phoneJitterP99Ms < MAX_JITTER_P99_MS,
  };
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

/** UDP datagrams the kernel dropped for a full receive buffer, machine-wide (Linux /proc/net/snmp). */
function udpRcvbufErrors(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    return Number(values[names.indexOf('RcvbufErrors')]);
  } catch {
    return undefined;
  }
}

/** Total µs that runnable tasks waited for a CPU (Linux PSI), to show how busy the rest of the machine was. */
function cpuStallUs(): number | undefined {
  try {
    const some = readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0] ?? '';
    return Number(/total=(\d+)/.exec(some)?.[1]);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${process.platform}; ` +
      `load average ${loadavg()[0]!.toFixed(2)} at start (the load generator shares these cores)`,
  );
  const workers = availableParallelism();
  const host = await MediaHost.start({
    address: '127.0.0.1',
    portRange: { min: 42000, max: 42000 + 4 * Math.max(...STEPS) + 2 * workers + 200 },
    workers,
    statsIntervalMs: 0,
  });
  const load = fork(fileURLToPath(import.meta.url), ['--load'], { execArgv: process.execArgv });
  const steps: StepResult[] = [];
  let peakRssMb = 0;
  try {
    for (const calls of STEPS) {
      const r = await runStep(host, load, calls);
      peakRssMb = Math.max(peakRssMb, r.rssMb);
      steps.push(r);
      console.log(
        `${String(calls).padStart(4)} calls: loss ${r.lossPct.toFixed(3)} % ${JSON.stringify(r.lost)}, added jitter p99 ${r.jitterP99Ms} ms ` +
          `(at the phones ${r.phoneJitterP99Ms} ms), ` +
          `engine CPU ${r.engineCpuPct} % (${r.cpuPctPerCall} %/call), load generator ${r.loadGenCpuPct} % ` +
          `(its send lateness p99 ${r.loadGenSendLateP99Ms} ms), ` +
          `tick late p99 ${r.tickLateP99Ms} ms, worst tick ${r.maxTickWorkMs} ms, skipped ${r.skippedTicks}, ` +
          `machine CPU pressure ${r.cpuPressurePct ?? '?'} % → ${r.pass ? 'pass' : 'FAIL'}` +
          `${r.pass && !r.passEndToEnd ? ' (not end to end)' : ''}; windows (loss/jitter/at phones/pressure) ` +
          (r.windows ?? [])
            .map((w) => `${w.lossPct} %/${w.jitterP99Ms}/${w.phoneJitterP99Ms} ms/${w.cpuPressurePct} %`)
            .join(', '),
      );
      if (!r.pass) break;
    }
  } finally {
    load.kill();
    await host.stop();
  }
  const best = [...steps].reverse().find((s) => s.pass);
  const bestEndToEnd = [...steps].reverse().find((s) => s.passEndToEnd);
  console.log(
    JSON.stringify({
      concurrentCalls: best?.calls ?? 0,
      lossPct: best?.lossPct ?? null,
      jitterP99Ms: best?.jitterP99Ms ?? null,
      phoneJitterP99Ms: best?.phoneJitterP99Ms ?? null,
      cpuPctPerCall: best?.cpuPctPerCall ?? null,
      concurrentCallsEndToEnd: bestEndToEnd?.calls ?? 0,
      peakRssMb,
      workers,
      steps,
    }),
  );
}

if (process.argv.includes('--load')) runLoadGenerator();
else await main();
