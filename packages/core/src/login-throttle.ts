import type { Clock, Millis } from './ports';

export interface ThrottlePolicy {
  /** Failures of one account tolerated before it is locked. */
  accountFailures: number;
  /** First lock of an account; doubles with every further failure, up to `maxLockMs`. */
  accountLockMs: number;
  maxLockMs: number;
  /** Failures from one address tolerated within `windowMs` (any accounts). */
  addressFailures: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** Bound on remembered keys, so a spray of addresses cannot grow memory without limit. */
  maxKeys: number;
}

export const defaultThrottlePolicy: ThrottlePolicy = {
  accountFailures: 5,
  accountLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  addressFailures: 30,
  windowMs: 15 * 60_000,
  maxKeys: 100_000,
};

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Counter {
  failures: number;
  lastFailureAt: Millis;
  lockedUntil: Millis;
}

/**
 * Slows password guessing per account and per client address.
 *
 * An account locks after `accountFailures` misses for an exponentially growing time; an address locks
 * when it fails too often within the window, whichever accounts it tries. A correct password clears the
 * account's counter, not the address's — otherwise an attacker holding one valid login could reset it.
 * While locked, the caller must refuse without checking the password, so timing tells nothing.
 *
 * State lives in memory of one process; with several processes each throttles what it sees, which
 * still bounds guessing by the process count.
 */
export class LoginThrottle {
  readonly #accounts = new Map<string, Counter>();
  readonly #addresses = new Map<string, Counter>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: ThrottlePolicy = defaultThrottlePolicy,
  ) {}

  check(account: string, address: string): ThrottleVerdict {
    const now = this.clock.now();
    const until = Math.max(
      this.#lockedUntil(this.#accounts, account, now),
      this.#lockedUntil(this.#addresses, address, now),
    );
    return until > now ? { allowed: false, retryAfterMs: until - now } : { allowed: true };
  }

  recordFailure(account: string, address: string): void {
    const now = this.clock.now();
    const { accountFailures, accountLockMs, maxLockMs, addressFailures, windowMs } = this.policy;
    const a = this.#bump(this.#accounts, account, now);
    if (a.failures >= accountFailures) {
      const lock = Math.min(accountLockMs * 2 ** (a.failures - accountFailures), maxLockMs);
      a.lockedUntil = (now + lock) as Millis;
    }
    const b = this.#bump(this.#addresses, address, now);
    if (b.failures >= addressFailures) b.lockedUntil = (now + windowMs) as Millis;
  }

  /** Remembered accounts and addresses (for bounds checks and metrics). */
  get size(): { accounts: number; addresses: number } {
    return { accounts: this.#accounts.size, addresses: this.#addresses.size };
  }

  recordSuccess(account: string): void {
    this.#accounts.delete(account);
  }

  #lockedUntil(map: Map<string, Counter>, key: string, now: Millis): number {
    const counter = map.get(key);
    if (!counter) return 0;
    if (this.#expired(counter, now)) {
      map.delete(key);
      return 0;
    }
    return counter.lockedUntil;
  }

  #expired(counter: Counter, now: Millis): boolean {
    return now - counter.lastFailureAt > this.policy.windowMs && now >= counter.lockedUntil;
  }

  #bump(map: Map<string, Counter>, key: string, now: Millis): Counter {
    let counter = map.get(key);
    if (counter && this.#expired(counter, now)) counter = undefined;
    if (!counter) {
      if (map.size >= this.policy.maxKeys) this.#evict(map, now);
      counter = { failures: 0, lastFailureAt: now, lockedUntil: 0 as Millis };
    }
    counter.failures += 1;
    counter.lastFailureAt = now;
    // Re-insert so Map order is least-recently-failed first, which #evict relies on.
    map.delete(key);
    map.set(key, counter);
    return counter;
  }

  #evict(map: Map<string, Counter>, now: Millis): void {
    for (const [key, counter] of map) {
      if (map.size < this.policy.maxKeys) return;
      if (this.#expired(counter, now) || map.size >= this.policy.maxKeys) map.delete(key);
    }
  }
}
