import { AuthFailureBans, type BanPolicy, defaultBanPolicy } from './auth-failure-bans';
import { type DefenceCounters, type DefenceReason, defenceReasonStatus } from './defence-reason';
import { type RateLimit, RateLimiter } from './rate-limiter';
import { KNOWN_SCANNER_AGENTS, matchScannerAgent } from './scanner-agents';
import { sourceKey } from './source-key';

export interface SipDefenceOptions {
  /** Default 20 requests/s sustained, bursts of 100, 100,000 sources tracked. */
  readonly rateLimit?: RateLimit;
  readonly bans?: BanPolicy;
  /** Drop (default) or answer 503 to requests over the rate. ACK is always dropped. */
  readonly rateLimitAction?: 'drop' | 'reject';
  /** Defaults to `KNOWN_SCANNER_AGENTS`; replaces it. */
  readonly scannerAgents?: readonly string[];
  /** Added to `scannerAgents` (e.g. `PortSIP VoIP SDK` where no customer uses it). */
  readonly extraScannerAgents?: readonly string[];
  /**
   * Sources never rate limited, banned or judged by User-Agent: our trunk providers' signalling
   * addresses. Exact addresses (IPv4, or IPv6 as the socket reports them).
   */
  readonly trustedSources?: readonly string[];
  readonly counters?: DefenceCounters;
  /** Milliseconds; used when a call does not pass `now`. */
  readonly clock: () => number;
}

export const defaultRateLimit: RateLimit = { ratePerSecond: 20, burst: 100, maxTrackedSources: 100_000 };

export interface InspectedRequest {
  readonly sourceIp: string;
  /** The User-Agent header value, if any. */
  readonly userAgent: string | null | undefined;
  readonly method: string;
  /** Milliseconds; defaults to the injected clock. */
  readonly now?: number;
}

export type DefenceVerdict =
  | { readonly action: 'allow' }
  /** Send nothing. */
  | { readonly action: 'drop'; readonly reason: DefenceReason }
  /** Answer statelessly with `status`. */
  | { readonly action: 'reject'; readonly status: number; readonly reason: DefenceReason };

const ALLOW: DefenceVerdict = { action: 'allow' };

/**
 * The first gate for every request received, before any transaction or dialog state is created. Checks,
 * in order of cost: a ban on the source, a scanner User-Agent, the source's request rate. Responses are
 * never inspected. Pure apart from the counters callback; all state is bounded (see the policies).
 *
 * The authentication layer reports outcomes with `authFailed` / `authSucceeded`; enough failures in the
 * window ban the source, and each ban of a repeat offender lasts longer.
 */
export class SipDefence {
  readonly #rate: RateLimiter;
  readonly #bans: AuthFailureBans;
  readonly #agents: readonly string[];
  readonly #trusted: ReadonlySet<string>;
  readonly #counters: DefenceCounters;
  readonly #clock: () => number;
  readonly #rateAction: 'drop' | 'reject';

  constructor(o: SipDefenceOptions) {
    this.#counters = o.counters ?? (() => {});
    this.#rate = new RateLimiter(o.rateLimit ?? defaultRateLimit, () =>
      this.#counters({ kind: 'evicted', table: 'rate' }),
    );
    this.#bans = new AuthFailureBans(o.bans ?? defaultBanPolicy, (table) =>
      this.#counters({ kind: 'evicted', table }),
    );
    this.#agents = [...(o.scannerAgents ?? KNOWN_SCANNER_AGENTS), ...(o.extraScannerAgents ?? [])];
    this.#trusted = new Set(o.trustedSources ?? []);
    this.#clock = o.clock;
    this.#rateAction = o.rateLimitAction ?? 'drop';
  }

  inspectRequest(r: InspectedRequest): DefenceVerdict {
    if (this.#trusted.has(r.sourceIp)) return ALLOW;
    const now = r.now ?? this.#clock();
    const key = sourceKey(r.sourceIp);
    if (this.#bans.bannedFor(key, now) > 0) return this.#block('IP_BANNED', 'drop', r);
    if (matchScannerAgent(r.userAgent, this.#agents) !== null)
      return this.#block('SCANNER_USER_AGENT', 'drop', r);
    if (!this.#rate.take(key, now)) {
      return this.#block('RATE_LIMITED', r.method === 'ACK' ? 'drop' : this.#rateAction, r);
    }
    return ALLOW;
  }

  /** A request from `ip` failed authentication (wrong password, unknown user, forged nonce …). */
  authFailed(ip: string, now: number = this.#clock()): void {
    if (this.#trusted.has(ip)) return;
    const outcome = this.#bans.failed(sourceKey(ip), now);
    if (outcome.kind === 'banned') {
      this.#counters({
        kind: 'banned',
        sourceIp: ip,
        durationMs: outcome.durationMs,
        offence: outcome.offence,
      });
    }
  }

  authSucceeded(ip: string): void {
    this.#bans.succeeded(sourceKey(ip));
  }

  /** Milliseconds of ban left for `ip` (for admin views and tests). */
  bannedFor(ip: string, now: number = this.#clock()): number {
    return this.#bans.bannedFor(sourceKey(ip), now);
  }

  #block(reason: DefenceReason, action: 'drop' | 'reject', r: InspectedRequest): DefenceVerdict {
    this.#counters({ kind: 'blocked', reason, action, sourceIp: r.sourceIp, method: r.method });
    if (action === 'drop') return { action, reason };
    return { action, reason, status: defenceReasonStatus[reason] ?? 503 };
  }
}
