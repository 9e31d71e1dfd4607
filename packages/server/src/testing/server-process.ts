import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The real server as a child process, for tests of start-up, shutdown and crashes. It is one process
 * (node with the tsx loader, no wrapper), so a signal — SIGKILL included — reaches the server itself.
 */
const root = new URL('../../../../', import.meta.url).pathname;
const main = join(root, 'packages/server/src/main.ts');

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startServerProcess(env: Record<string, string>): ServerProcess {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: root,
    // SIP on a free port: servers of parallel test files must not fight over 5060. No demo line unless
    // asked for: tests start from an empty tenant.
    env: { ...process.env, LOG_LEVEL: 'warn', SIP_PORT: '0', HOTLINE_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Waits until the process prints something matching `pattern` (or exits, or `ms` pass). */
export async function waitForOutput(
  run: ServerProcess,
  pattern: RegExp,
  ms = 90_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = run.output().match(pattern);
    if (m) return m;
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`did not see ${pattern} in:\n${run.output()}`);
}
