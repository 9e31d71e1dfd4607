/**
 * Token buckets by key (a visitor, an address). Each key holds up to `burst` tokens and regains
 * `perSecond` a second; a request takes one or is refused. In memory per process, like the login
 * throttle: a second process would double the allowance, which is acceptable for abuse control.
 */
export interface BucketPolicy {
  readonly burst: number;
  readonly perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  #sweptAt = 0;

  constructor(
    private readonly policy: BucketPolicy,
    private readonly clock: { now(): number },
  ) {}

  /** Takes a token for `key`; false when the bucket is empty (nothing is taken then). */
  take(key: string): boolean {
    const now = this.clock.now();
    this.#sweep(now);
    const b = this.#buckets.get(key);
    if (!b) {
      if (this.policy.burst < 1) return false;
      this.#buckets.set(key, { tokens: this.policy.burst - 1, at: now });
      return true;
    }
    b.tokens = Math.min(this.policy.burst, b.tokens + ((now - b.at) / 1000) * this.policy.perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Seconds until `key` has a token again (at least 1). */
  retryAfterSeconds(key: string): number {
    const b = this.#buckets.get(key);
    if (!b || b.tokens >= 1 || this.policy.perSecond <= 0) return 1;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.policy.perSecond));
  }

  /** Forgets full buckets once a minute, so idle keys do not pile up. */
  #sweep(now: number): void {
    if (now - this.#sweptAt < 60_000) return;
    this.#sweptAt = now;
    for (const [k, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.policy.perSecond >= this.policy.burst)
        this.#buckets.delete(k);
    }
  }
}
