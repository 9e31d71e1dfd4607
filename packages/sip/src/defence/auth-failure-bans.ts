import { BoundedMap } from './bounded-map';

export interface BanPolicy {
  /** Failed authentications within `windowMs` that earn a ban. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** The first ban; each further ban of the same source lasts `growthFactor` times longer … */
  readonly banMs: number;
  readonly growthFactor: number;
  /** … up to this. */
  readonly maxBanMs: number;
  /** A source whose last ban ended this long ago starts again at `banMs`. */
  readonly offenceMemoryMs: number;
  /** Sources with recent failures tracked at once (least recently failed forgotten first). */
  readonly maxTrackedSources: number;
  /** Bans (and offence histories) kept at once (oldest ban forgotten first). */
  readonly maxBans: number;
}

export const defaultBanPolicy: BanPolicy = {
  maxFailures: 5,
  windowMs: 60_000,
  banMs: 5 * 60_000,
  growthFactor: 4,
  maxBanMs: 24 * 60 * 60_000,
  offenceMemoryMs: 24 * 60 * 60_000,
  maxTrackedSources: 50_000,
  maxBans: 50_000,
};

interface Ban {
  until: number;
  offences: number;
}

export type FailureOutcome =
  /** Counted: `failures` in the window so far, below the threshold. */
  | { readonly kind: 'counted'; readonly failures: number }
  /** This failure earned a ban (the `offence`-th of this source within the offence memory). */
  | { readonly kind: 'banned'; readonly durationMs: number; readonly offence: number }
  /** The source is banned already (a late answer to an earlier challenge): the ban stands unchanged. */
  | { readonly kind: 'already-banned' };

/**
 * Temporary bans after repeated failed authentication (fail2ban inside the server). Failures are kept
 * per source in a sliding window — at most `maxFailures` timestamps each — so memory is bounded by
 * `maxTrackedSources × maxFailures` numbers plus `maxBans` ban records, whatever the flood. Failures and
 * bans live in separate tables so that a flood of new sources failing once cannot push real bans out.
 */
export class AuthFailureBans {
  readonly #failures: BoundedMap<string, number[]>;
  readonly #bans: BoundedMap<string, Ban>;

  constructor(
    private readonly policy: BanPolicy = defaultBanPolicy,
    onEvict: (table: 'failures' | 'bans') => void = () => {},
  ) {
    if (policy.maxFailures < 1 || policy.banMs <= 0 || policy.growthFactor < 1)
      throw new RangeError('bad ban policy');
    this.#failures = new BoundedMap(policy.maxTrackedSources, () => onEvict('failures'));
    this.#bans = new BoundedMap(policy.maxBans, () => onEvict('bans'));
  }

  /** Milliseconds of ban left for `key` at `now`; 0 when not banned. */
  bannedFor(key: string, now: number): number {
    const ban = this.#bans.peek(key);
    return ban === undefined ? 0 : Math.max(0, ban.until - now);
  }

  failed(key: string, now: number): FailureOutcome {
    if (this.bannedFor(key, now) > 0) return { kind: 'already-banned' };
    const recent = (this.#failures.get(key) ?? []).filter((t) => t > now - this.policy.windowMs && t <= now);
    recent.push(now);
    if (recent.length < this.policy.maxFailures) {
      this.#failures.set(key, recent);
      return { kind: 'counted', failures: recent.length };
    }
    this.#failures.delete(key);
    const previous = this.#bans.peek(key);
    const remembered = previous !== undefined && now - previous.until < this.policy.offenceMemoryMs;
    const offence = remembered ? previous.offences + 1 : 1;
    const durationMs = Math.min(
      this.policy.maxBanMs,
      this.policy.banMs * this.policy.growthFactor ** (offence - 1),
    );
    this.#bans.set(key, { until: now + durationMs, offences: offence });
    return { kind: 'banned', durationMs, offence };
  }

  /** A correct authentication wipes the recent failures (not the offence history). */
  succeeded(key: string): void {
    this.#failures.delete(key);
  }

  get trackedSources(): number {
    return this.#failures.size;
  }

  get bans(): number {
    return this.#bans.size;
  }
}
