// The media threads' priority (ADR 0012): a host asked for a nice value runs its workers and the native
// phone thread at it, and says so; the control plane (this thread) keeps its own.
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaHost } from './media-host';
import { applyThreadNice } from './thread-priority';

/** Nice value of every thread of this process (field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

const privileged = process.platform === 'linux' && process.getuid?.() === 0;
/** This thread's nice value before any media thread started (the suite may itself run under `nice`). */
const ownNice = getPriority();
let host: MediaHost;

beforeAll(async () => {
  host = await MediaHost.start({
    address: '127.0.0.1',
    portRange: { min: 43500, max: 43599 },
    workers: 2,
    threadNice: -7,
    webrtc: 'native',
  });
}, 30_000);
afterAll(async () => {
  await host?.stop();
});

describe.runIf(process.platform === 'linux')('media thread priority', () => {
  it.runIf(privileged)('runs the workers and the native phone thread at the nice value asked for', () => {
    expect(host.threadPriority).toEqual({ nice: -7, threads: 3, applied: 3 });
    expect(threadNices().filter((n) => n === -7).length).toBeGreaterThanOrEqual(3);
    expect(getPriority()).toBe(ownNice); // the control plane's own thread is left alone
  });

  it.runIf(!privileged)('reports the refusal when the process may not raise priority', () => {
    expect(host.threadPriority.applied).toBe(0);
    expect(host.threadPriority.reason).toBeTruthy();
  });

  it('refuses values outside -20 … 19 without touching the thread', () => {
    const before = getPriority();
    expect(applyThreadNice(-21)).toMatchObject({ applied: false, reason: 'not an integer from -20 to 19' });
    expect(applyThreadNice(0)).toMatchObject({ applied: false });
    expect(getPriority()).toBe(before);
  });
});
