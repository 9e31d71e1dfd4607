/**
 * Timer values of RFC 3261 §17 (Table 4) and RFC 6026, in milliseconds. Only T1, T2 and T4 are set;
 * every timer is derived from them.
 */
export interface Timing {
  /** Round-trip estimate. 500 ms. */
  readonly t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses. 4 s. */
  readonly t2: number;
  /** Longest time a message stays in the network. 5 s. */
  readonly t4: number;
}

export const defaultTiming: Timing = { t1: 500, t2: 4_000, t4: 5_000 };

/**
 * A–K of RFC 3261 (C belongs to proxies, §16.6, and is not here), L and M of RFC 6026.
 * A/B/D: INVITE client; E/F/K: non-INVITE client; G/H/I/L: INVITE server; J: non-INVITE server;
 * M: INVITE client in Accepted.
 */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

/** Timer D: at least 32 s on unreliable transports, regardless of T1 (§17.1.1.2). */
export const TIMER_D_MS = 32_000;

/**
 * The clock port. `set` calls `fire` once after `ms` unless cancelled first. The transaction layer
 * never reads the time nor sleeps; unit tests drive it with a fake.
 */
export interface Timers {
  set(ms: number, fire: () => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

/** Node timers, unref'd: pending SIP timers alone do not keep a process alive. */
export const nodeTimers: Timers = {
  set(ms, fire) {
    const t = setTimeout(fire, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
