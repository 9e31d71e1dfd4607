/**
 * Media threads ask the kernel for a higher scheduling priority than the control plane (ADR 0012):
 * a media worker's 20 ms tick and the native phone thread's packets must not wait behind the main
 * thread's database and HTTP work, garbage collection helpers, or anything else on the machine. Media
 * servers do the same (Asterisk's `-p`, FreeSWITCH's `-rp`/`-hp`), there with real-time priority; here
 * a nice value, which keeps the scheduler's fairness and cannot lock the machine up.
 *
 * Linux only: the nice value is per thread under NPTL (setpriority on a thread id changes that thread
 * alone), and threads a thread creates inherit it — so the native phone thread sets it before it loads
 * libdatachannel, whose DTLS/SRTP and ICE threads then share it. Raising priority (a negative value)
 * needs CAP_SYS_NICE (root has it; under systemd: `AmbientCapabilities=CAP_SYS_NICE`, or `LimitNICE`);
 * refused, the thread runs as it is and the refusal is reported, never fatal.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export interface ThreadPriority {
  /** The nice value asked for (0: none asked). */
  readonly nice: number;
  readonly applied: boolean;
  /** Why it was not applied. */
  readonly reason?: string;
}

let current: ThreadPriority = { nice: 0, applied: false, reason: 'not asked' };

/** What this thread asked for and got (see `applyThreadNice`). */
export function threadPriority(): ThreadPriority {
  return current;
}

/** Sets the calling thread's nice value (−20 … 19); call first thing in a media thread. */
export function applyThreadNice(nice: number): ThreadPriority {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) {
    current = { nice, applied: false, reason: 'not an integer from -20 to 19' };
  } else if (nice === 0) {
    current = { nice: 0, applied: false, reason: 'not asked' };
  } else {
    try {
      current = { nice, ...setOwnNice(nice) };
    } catch (e) {
      current = { nice, applied: false, reason: e instanceof Error ? e.message : String(e) };
    }
  }
  return current;
}

function setOwnNice(nice: number): { applied: boolean; reason?: string } {
  if (process.platform !== 'linux')
    return { applied: false, reason: `per-thread priority needs Linux, not ${process.platform}` };
  // "/proc/thread-self" links to "<pid>/task/<tid>"
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (!Number.isInteger(tid) || tid <= 0)
    return { applied: false, reason: 'no thread id in /proc/thread-self' };
  setPriority(tid, nice);
  return { applied: true };
}
