import { BoundedMap } from './bounded-map';

export interface RateLimit {
  /** Sustained requests per second per source. */
  readonly ratePerSecond: number;
  /** Requests a source may send at once after being quiet. */
  readonly burst: number;
  /** Sources tracked at once; the least recently seen is forgotten beyond this. */
  readonly maxTrackedSources: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token bucket per source key: `burst` tokens, refilled at `ratePerSecond`, one per request. Pure: the
 * time comes with each call. A forgotten source starts again with a full bucket — the price of bounded
 * memory, paid only by floods wider than `maxTrackedSources` sources.
 */
export class RateLimiter {
  readonly #buckets: BoundedMap<string, Bucket>;

  constructor(
    private readonly limit: RateLimit,
    onEvict: () => void = () => {},
  ) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1))
      throw new RangeError('rate and burst must be positive');
    this.#buckets = new BoundedMap(limit.maxTrackedSources, onEvict);
  }

  /** Takes one token for `key` at `now` (ms); false when the bucket is empty. */
  take(key: string, now: number): boolean {
    const b = this.#buckets.get(key);
    if (b === undefined) {
      this.#buckets.set(key, { tokens: this.limit.burst - 1, at: now });
      return true;
    }
    // A clock that steps back refills nothing (and never drains).
    const elapsed = Math.max(0, now - b.at);
    b.tokens = Math.min(this.limit.burst, b.tokens + (elapsed * this.limit.ratePerSecond) / 1000);
    b.at = Math.max(b.at, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get trackedSources(): number {
    return this.#buckets.size;
  }
}
