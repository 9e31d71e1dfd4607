/**
 * CPU per agent WebRTC leg (werift) in the media engine.
 *
 * This process runs the engine: `MediaHost` with its workers. A child process (this file with
 * `--peers`) runs N werift peers playing agents' browsers (PCMU + telephone-event, DTLS-SRTP on
 * 127.0.0.1), each sending a 1 kHz tone every 20 ms and counting what it receives. Every peer's phone is
 * bridged (through a shared-memory link) into its own call, where a looping prompt plays towards the
 * agent — so each leg receives and sends 50 packets/s through SRTP, the jitter buffer, the link and the
 * call tick, the path of a real call minus the customer's RTP leg (measured by `bench/media.ts`).
 *
 * Steps of N legs (added to the previous ones): set-up time of the new connections, then 2 s of
 * warm-up and a 5 s window: engine CPU (this process: main thread plus workers, `process.cpuUsage`),
 * load-generator CPU (the child), packets the peers received vs expected (loss), ticks skipped and the
 * worst tick lateness in the workers. Figures are printed as one JSON line per step and a summary.
 *
 *   npx tsx bench/voice-webrtc.ts [--steps 25,50,100] [--workers 2]
 *   node --cpu-prof --cpu-prof-dir=.tmp/prof --import tsx bench/voice-webrtc.ts --steps 100
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BrowserPeer, startBrowserPeer } from '../packages/media/src/test-support/browser-peer';
import { tones } from '../packages/media/src/test-support/signals';
import { MediaHost } from '../packages/media/src/worker/media-host';

type ToChild =
  | { type: 'add'; n: number }
  | { type: 'answers'; answers: string[] }
  | { type: 'count' }
  | { type: 'close' };
type FromChild =
  | { type: 'offers'; offers: string[] }
  | { type: 'connected'; ms: number; failed: number }
  | { type: 'count'; received: number; connected: number; cpuUs: number; at: number };

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

if (process.argv.includes('--peers')) await runPeers();
else await runEngine();

/** The load generator: werift peers, driven over IPC. */
async function runPeers(): Promise<void> {
  const peers: BrowserPeer[] = [];
  let pending: BrowserPeer[] = [];
  process.on('disconnect', () => process.exit(0)); // the engine went away: so do we
  const send = (m: FromChild) => process.send!(m);
  process.on('message', async (m: ToChild) => {
    if (m.type === 'add') {
      pending = [];
      for (let i = 0; i < m.n; i++)
        pending.push(await startBrowserPeer({ source: tones([1000], 1000, 6000), keepHeard: false }));
      send({ type: 'offers', offers: pending.map((p) => p.offer) });
    } else if (m.type === 'answers') {
      const t0 = performance.now();
      let failed = 0;
      await Promise.all(
        pending.map(async (p, i) => {
          try {
            await p.accept(m.answers[i]!);
            await p.connected(30_000);
            p.start();
          } catch {
            failed++;
          }
        }),
      );
      peers.push(...pending);
      send({ type: 'connected', ms: performance.now() - t0, failed });
    } else if (m.type === 'count') {
      const cpu = process.cpuUsage();
      send({
        type: 'count',
        received: peers.reduce((n, p) => n + p.packetsReceived, 0),
        connected: peers.filter((p) => p.pc.connectionState === 'connected').length,
        cpuUs: cpu.user + cpu.system,
        at: performance.now(),
      });
    } else if (m.type === 'close') {
      await Promise.all(peers.map((p) => p.close().catch(() => {})));
      process.exit(0);
    }
  });
}

async function runEngine(): Promise<void> {
  const steps = (arg('steps') ?? '25,50,100').split(',').map(Number);
  const workers = Number(arg('workers') ?? availableParallelism());
  const closedReasons: Record<string, number> = {};
  const host = await MediaHost.start({
    address: '127.0.0.1',
    portRange: { min: 43000, max: 43999 },
    workers,
    statsIntervalMs: 0,
    onEvent: (e) => {
      if (e.type === 'phone-closed') closedReasons[e.reason] = (closedReasons[e.reason] ?? 0) + 1;
    },
  });
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--peers'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  process.on('exit', () => child.kill());
  const progress = (msg: string) => process.stderr.write(`[voice-webrtc] ${msg}\n`);
  const ask = <T extends FromChild['type']>(m: ToChild, type: T) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve) => {
      const on = (r: FromChild) => {
        if (r.type !== type) return;
        child.off('message', on);
        resolve(r as Extract<FromChild, { type: T }>);
      };
      child.on('message', on);
      child.send(m);
    });
  const prompt = tones([440], 1000, 6000);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const results: {
    legs: number;
    liveLegs: number;
    engineCpuPct: number;
    cpuPctPerLeg: number;
    netCpuPctPerLeg: number;
    marginalCpuPctPerLeg: number | null;
  }[] = [];
  // the engine's own cost with no leg (tickers, main thread), subtracted below
  await sleep(1000);
  const idle0 = process.cpuUsage();
  const idleWall = performance.now();
  await sleep(3000);
  const idle = process.cpuUsage(idle0);
  const baselineCpuPct = ((idle.user + idle.system) / 1000 / (performance.now() - idleWall)) * 100;
  progress(`engine baseline ${round(baselineCpuPct)} % CPU`);
  let legs = 0;
  for (const target of steps) {
    const add = target - legs;
    if (add <= 0) continue;
    progress(`${target} legs: ${add} offers`);
    const { offers } = await ask({ type: 'add', n: add }, 'offers');
    progress('answering');
    const t0 = performance.now();
    const answers: string[] = [];
    for (let i = 0; i < offers.length; i++) {
      const id = `agent-${legs + i}`;
      answers.push((await host.createAgentPhone(id, offers[i]!)).answer);
    }
    const answerMs = performance.now() - t0;
    progress('connecting');
    const connected = await ask({ type: 'answers', answers }, 'connected');
    progress(`connected in ${Math.round(connected.ms)} ms; bridging`);
    let lost = 0;
    for (let i = 0; i < offers.length; i++) {
      const id = `agent-${legs + i}`;
      const call = host.createCall(`call-${legs + i}`);
      try {
        await host.attachAgentPhone(id, call, 'agent');
      } catch {
        lost++; // its connection failed before the call came (counted, not fatal)
        continue;
      }
      await call.play({
        type: 'play',
        legId: 'agent',
        id: 'tone',
        source: { kind: 'pcm', pcm: prompt },
        loop: true,
      });
    }
    legs = target;
    await sleep(2000);
    const before = await ask({ type: 'count' }, 'count');
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const stats0 = await host.workerStats();
    await sleep(5000);
    const after = await ask({ type: 'count' }, 'count');
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    const stats = await host.workerStats();
    // legs whose connection failed during set-up (a loaded machine) neither cost nor count
    const live = Math.min(
      after.connected,
      stats.reduce((n, s) => n + s.phones, 0),
    );
    const expected = (live * (after.at - before.at)) / 20;
    const received = after.received - before.received;
    const engineCpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    const previous = results.at(-1);
    const row = {
      legs,
      engineCpuPct: round(engineCpuPct),
      liveLegs: live,
      cpuPctPerLeg: round(engineCpuPct / live, 3),
      /** Per leg after subtracting the idle engine. */
      netCpuPctPerLeg: round((engineCpuPct - baselineCpuPct) / live, 3),
      /** Cost of the legs added in this step (the engine's fixed cost — ticks, main thread — cancels out). */
      marginalCpuPctPerLeg:
        previous && live > previous.liveLegs
          ? round((engineCpuPct - previous.engineCpuPct) / (live - previous.liveLegs), 3)
          : null,
      loadGeneratorCpuPct: round(((after.cpuUs - before.cpuUs) / 1000 / (after.at - before.at)) * 100),
      lossPct: round(Math.max(0, (1 - received / expected) * 100), 2),
      skippedTicks:
        stats.reduce((n, s) => n + s.skippedTicks, 0) - stats0.reduce((n, s) => n + s.skippedTicks, 0),
      maxTickLateMs: round(Math.max(...stats.map((s) => s.maxTickLateMs))),
      answerMsPerLeg: round(answerMs / add, 1),
      connectMsForStep: round(connected.ms),
      failedConnections: connected.failed + lost,
      phonesClosed: { ...closedReasons },
      cpuPressurePct: cpuPressure(),
      loadavg1: round(loadavg()[0]!, 2),
    };
    results.push(row);
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  const last = results.at(-1)!;
  process.stdout.write(
    `${JSON.stringify({
      summary: 'voice-webrtc',
      workers,
      cpu: cpus()[0]?.model,
      cores: availableParallelism(),
      node: process.version,
      legs: last.legs,
      baselineCpuPct: round(baselineCpuPct),
      cpuPctPerLeg: last.cpuPctPerLeg,
      netCpuPctPerLeg: last.netCpuPctPerLeg,
      marginalCpuPctPerLeg: last.marginalCpuPctPerLeg,
      legsPerCoreAtThisCost: Math.floor(100 / Math.max(0.001, last.netCpuPctPerLeg)),
    })}\n`,
  );
  child.send({ type: 'close' } satisfies ToChild);
  await host.stop();
  await new Promise((r) => child.once('exit', r));
}

/** Share of the last 10 s some runnable task waited for a CPU (Linux PSI): how loaded the machine was. */
function cpuPressure(): number | null {
  try {
    const m = /some avg10=([0-9.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
