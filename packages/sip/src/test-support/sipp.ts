import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './net';

export interface SippOptions {
  /** Built-in scenario (`-sn`), or a scenario file (`-sf`). */
  readonly scenario: 'uac' | 'uas' | { readonly file: string };
  /** Always 127.0.0.1; absent for a UAS scenario (SIPp waits for calls on `localPort`). */
  readonly remotePort?: number;
  /** SIPp's own signalling port; a free one when absent. */
  readonly localPort?: number;
  /** Request-URI user (`-s`). */
  readonly service?: string;
  /** Digest credentials for `[authentication]` (`-au`, `-ap`). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** `u1`: UDP, one socket; `t1`: TCP, one connection. */
  readonly transport: 'u1' | 't1';
  readonly calls: number;
  /** Calls per second. */
  readonly rate: number;
  /** Simultaneous calls at most. */
  readonly limit?: number;
  /** Percentage of messages SIPp drops, in both directions (simulated loss). */
  readonly lost?: number;
  /** Call length (the scenario's pause), ms. */
  readonly pauseMs?: number;
  /** SIPp gives up (and fails) after this; the process is killed 10 s later if still alive. */
  readonly timeoutSec: number;
  /** Working directory for SIPp's files. */
  readonly dir: string;
}

export interface SippResult {
  readonly exitCode: number | null;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  /** The end of SIPp's output and its error log, for failure messages. */
  readonly log: string;
}

/**
 * Runs SIPp against 127.0.0.1, bounded in calls (`-m`) and time (`-timeout`, then SIGKILL of this one
 * child by PID), and reads the final counters from its statistics file (`-trace_stat`).
 */
export async function runSipp(o: SippOptions): Promise<SippResult> {
  return (await startSipp(o)).done;
}

export interface SippRun {
  /** SIPp's signalling port. */
  readonly port: number;
  readonly pid: number | undefined;
  readonly done: Promise<SippResult>;
}

/** Starts SIPp and returns at once (for UAS scenarios, where our side calls it). */
export async function startSipp(o: SippOptions): Promise<SippRun> {
  mkdirSync(o.dir, { recursive: true });
  const localPort = o.localPort ?? (await freePort());
  const stat = join(o.dir, 'stat.csv');
  const errors = join(o.dir, 'errors.log');
  const args = [
    ...(typeof o.scenario === 'string' ? ['-sn', o.scenario] : ['-sf', o.scenario.file]),
    ...(o.remotePort === undefined ? [] : [`127.0.0.1:${o.remotePort}`]),
    ...(o.service === undefined ? [] : ['-s', o.service]),
    ...(o.auth === undefined ? [] : ['-au', o.auth.username, '-ap', o.auth.password]),
    '-i',
    '127.0.0.1',
    '-p',
    String(localPort),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(await freePort()),
    '-t',
    o.transport,
    '-m',
    String(o.calls),
    '-r',
    String(o.rate),
    '-l',
    String(o.limit ?? o.calls),
    '-d',
    String(o.pauseMs ?? 100),
    '-timeout',
    `${o.timeoutSec}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_stat',
    '-stf',
    stat,
    '-fd',
    '1',
    '-trace_err',
    '-error_file',
    errors,
    ...(o.lost === undefined ? [] : ['-lost', String(o.lost)]),
  ];
  const child = spawn('sipp', args, { cwd: o.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output = (output + d.toString('latin1')).slice(-4_000);
  });
  child.stderr.on('data', (d: Buffer) => {
    output = (output + d.toString('latin1')).slice(-4_000);
  });
  const kill = setTimeout(() => child.kill('SIGKILL'), (o.timeoutSec + 10) * 1_000);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  const done = exited.then((exitCode) => {
    clearTimeout(kill);
    return finish(exitCode, stat, errors, output);
  });
  return { port: localPort, pid: child.pid, done };
}

function finish(exitCode: number | null, stat: string, errors: string, output: string): SippResult {
  const counters = readCounters(stat);
  const errorLog = existsSync(errors) ? readFileSync(errors, 'latin1').slice(-2_000) : '';
  return {
    exitCode,
    created: counters.get('TotalCallCreated') ?? -1,
    successful: counters.get('SuccessfulCall(C)') ?? -1,
    failed: counters.get('FailedCall(C)') ?? -1,
    retransmissions: counters.get('Retransmissions(C)') ?? -1,
    log: `${output}\n${errorLog}`,
  };
}

/** Last row of SIPp's `;`-separated statistics, by column name; empty when there is none. */
function readCounters(file: string): Map<string, number> {
  if (!existsSync(file)) return new Map();
  const lines = readFileSync(file, 'latin1').trim().split('\n');
  const names = (lines[0] ?? '').split(';');
  const values = (lines.at(-1) ?? '').split(';');
  const out = new Map<string, number>();
  if (lines.length < 2) return out;
  names.forEach((name, i) => {
    const v = Number(values[i]);
    if (name !== '' && Number.isFinite(v)) out.set(name, v);
  });
  return out;
}
