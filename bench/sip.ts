// SIP benchmark: `npm run bench:sip`. SIPp's built-in `uac` scenario (INVITE → 100 → 200 → ACK → BYE →
// 200, SIPp hangs up at once) against a Hotline UAS — our `UserAgent` answering every INVITE with 200
// and an SDP answer — running in a child process of its own, on 127.0.0.1 over UDP.
//
// It steps the call rate up (BENCH_SIP_RATES, calls/s; each step BENCH_SIP_STEP_SEC long, default 10)
// until a step has a failed call, then holds the highest clean rate for the full window
// (BENCH_SIP_WINDOW_SEC, default 60, as issue 5 asks); if that window fails, it steps down and tries
// again. A step passes when SIPp exits 0 with every call successful and none failed, and the UAS got
// every call's BYE (SIPp's uac takes any 200 as the BYE's answer — our 2xx retransmission too — so a
// BYE lost in the kernel's UDP buffer would otherwise pass unnoticed). CPU per call is
// the UAS process's user+system time over the window divided by its calls (SIPp's CPU not included).
// Prints the machine, every step, and ends with one line of JSON:
// {"cps":…,"failedCalls":…,"durationSec":…,"cpuMsPerCall":…}
import { fork, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnsweringUa } from '@hotline/sip/test-support/answering-ua';
import { freePort } from '@hotline/sip/test-support/net';

const RATES = (process.env.BENCH_SIP_RATES ?? '250,500,750,1000,1250,1500,2000').split(',').map(Number);
const STEP_SEC = Number(process.env.BENCH_SIP_STEP_SEC ?? 10);
const WINDOW_SEC = Number(process.env.BENCH_SIP_WINDOW_SEC ?? 60);
/**
 * SO_RCVBUF/SO_SNDBUF of the UAS's UDP socket in bytes (BENCH_SIP_UDP_BUFFER; 0: the OS default, 208 KiB
 * on Debian). Linux caps it at net.core.rmem_max. With the default, BYEs were lost above 500 calls/s
 * under machine load: the kernel drops datagrams while the event loop is busy.
 */
const UDP_BUFFER = Number(process.env.BENCH_SIP_UDP_BUFFER ?? 4 * 2 ** 20);
/** UDP, one SIPp socket. (A TCP variant, `t1`, failed every call in a first try: not investigated yet.) */
const TRANSPORT = 'u1';

type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'cpu'; userUs: number; systemUs: number; stats: Record<string, number> };

async function uasChild(): Promise<void> {
  const uas = await AnsweringUa.start({
    ringFirst: false,
    ...(UDP_BUFFER > 0 ? { udp: { port: 0, recvBufferSize: UDP_BUFFER, sendBufferSize: UDP_BUFFER } } : {}),
  });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'cpu') {
      const cpu = process.cpuUsage();
      const { errors, ...counts } = uas.stats;
      process.send?.({
        type: 'cpu',
        userUs: cpu.user,
        systemUs: cpu.system,
        stats: { ...counts, errors: errors.length, dialogs: uas.ua.dialogCount },
      } satisfies ChildMessage);
    }
    if (m.type === 'stop') void uas.close().then(() => process.exit(0));
  });
  process.send?.({
    type: 'ready',
    port: uas.ports.UDP!,
  } satisfies ChildMessage);
}

interface StepResult {
  rate: number;
  seconds: number;
  calls: number;
  successful: number;
  failed: number;
  exitCode: number | null;
  retransmissions: number;
  cpuMsPerCall: number;
  uasCpuPercent: number;
  /** Calls whose BYE the UAS never got (SIPp can take our 2xx retransmission for the BYE's 200). */
  uasMissedByes: number;
  ok: boolean;
}

async function main(): Promise<void> {
  // `sipp -v` prints its version and exits non-zero.
  const sippVersion =
    spawnSync('sipp', ['-v'], { encoding: 'latin1' }).stdout.match(/SIPp v[^\s]+/)?.[0] ?? '?';
  console.log(
    `UAS UDP receive buffer: ${UDP_BUFFER > 0 ? `${UDP_BUFFER} B asked` : 'OS default'}, ` +
      `${await effectiveRecvBuffer()} B granted (net.core.rmem_max ${readProc('/proc/sys/net/core/rmem_max')})`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `node ${process.version}, ${sippVersion}, SIPp transport ${TRANSPORT}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const child = fork(fileURLToPath(import.meta.url), ['uas'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: ChildMessage) => m.type === 'ready' && resolve(m.port)),
  );
  const cpu = () =>
    new Promise<Extract<ChildMessage, { type: 'cpu' }>>((resolve) => {
      child.once('message', (m: ChildMessage) => m.type === 'cpu' && resolve(m));
      child.send({ type: 'cpu' });
    });
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-sip-'));

  const step = async (rate: number, seconds: number): Promise<StepResult> => {
    const calls = rate * seconds;
    const before = await cpu();
    const stepDir = join(dir, `${rate}-${seconds}`);
    mkdirSync(stepDir, { recursive: true });
    const r = await runSipp(port, rate, calls, seconds, stepDir);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the last BYEs arrive
    const after = await cpu();
    const uasMissedByes = calls - ((after.stats.byes ?? 0) - (before.stats.byes ?? 0));
    const cpuMs = (after.userUs + after.systemUs - before.userUs - before.systemUs) / 1000;
    const result: StepResult = {
      rate,
      seconds,
      calls,
      ...r,
      cpuMsPerCall: Number((cpuMs / Math.max(1, r.successful)).toFixed(3)),
      uasCpuPercent: Math.round((cpuMs / (seconds * 1000)) * 100),
      uasMissedByes,
      ok: r.exitCode === 0 && r.failed === 0 && r.successful === calls && uasMissedByes === 0,
    };
    console.log(`step ${JSON.stringify(result)} uas ${JSON.stringify(after.stats)}`);
    return result;
  };

  let best: StepResult | null = null;
  for (const rate of RATES) {
    const r = await step(rate, STEP_SEC);
    if (!r.ok) break;
    best = r;
  }
  let final: StepResult | null = null;
  if (best !== null) {
    const candidates = RATES.filter((r) => r <= best!.rate).reverse();
    for (const rate of candidates) {
      const r = await step(rate, WINDOW_SEC);
      final = r;
      if (r.ok) break;
    }
  }
  child.send({ type: 'stop' });
  const f = final ?? best;
  console.log(
    JSON.stringify({
      cps: f?.ok ? f.rate : 0,
      failedCalls: (f?.failed ?? 0) + Math.max(0, f?.uasMissedByes ?? 0),
      durationSec: f?.seconds ?? 0,
      cpuMsPerCall: f?.cpuMsPerCall ?? 0,
    }),
  );
}

/** One SIPp run: `-m` calls at `-r` per `-rp` 1 s, bounded by `-timeout`, killed by PID after. */
async function runSipp(port: number, rate: number, calls: number, seconds: number, dir: string) {
  const stat = join(dir, 'stat.csv');
  const args = [
    '-sn',
    'uac',
    `127.0.0.1:${port}`,
    '-i',
    '127.0.0.1',
    '-p',
    String(await freePort()),
    '-t',
    'u1',
    '-r',
    String(rate),
    '-rp',
    '1000',
    '-m',
    String(calls),
    '-l',
    String(Math.max(100, rate * 4)),
    '-d',
    '0',
    '-timeout',
    `${seconds + 30}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_stat',
    '-stf',
    stat,
    '-fd',
    '5',
    '-max_socket',
    '1000',
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: 'ignore' });
  const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 45) * 1000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(kill);
  const lines = readFileSync(stat, 'latin1').trim().split('\n');
  const names = (lines[0] ?? '').split(';');
  const values = (lines.at(-1) ?? '').split(';');
  const get = (n: string) => Number(values[names.indexOf(n)] ?? -1);
  return {
    exitCode,
    successful: get('SuccessfulCall(C)'),
    failed: get('FailedCall(C)'),
    retransmissions: get('Retransmissions(C)'),
  };
}

if (process.argv[2] === 'uas') void uasChild();
else void main();

/** What the kernel grants a UDP socket asking for UDP_BUFFER (Linux reports twice the usable size). */
async function effectiveRecvBuffer(): Promise<number> {
  const socket = dgram.createSocket({
    type: 'udp4',
    ...(UDP_BUFFER > 0 ? { recvBufferSize: UDP_BUFFER } : {}),
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const size = socket.getRecvBufferSize();
  socket.close();
  return size;
}

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '?';
  }
}
