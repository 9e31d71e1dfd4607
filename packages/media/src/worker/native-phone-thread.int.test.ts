// The native phone thread's lifecycle (ADR 0009), in child processes because it is once per process:
// two hosts one after the other share the thread (a second loading thread would crash the process),
// and the process ends with exit code 0 however it ends — the event loop emptying, process.exit, a
// handled SIGTERM — with a phone still open in the last two cases (no abort, no segfault).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('../test-support/native-thread-child.ts', import.meta.url));

function run(how: string): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, how], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('the native phone thread', () => {
  it.each(['natural', 'exit', 'sigterm'])(
    'serves two hosts in turn and lets the process end cleanly (%s)',
    async (how) => {
      const r = await run(how);
      expect(r.err).not.toMatch(/Aborted|Segmentation|terminate called|FATAL/);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out.trim().split('\n').at(-1)!);
      expect(report).toEqual({ transports: ['native', 'native'], connected: 2, workers: [1, 1] });
    },
  );
});
