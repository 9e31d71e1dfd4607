import { type DefenceCounters, type DefenceReason, defenceReasonStatus } from './defence-reason';

/**
 * A tenant's outbound calling rules (toll-fraud containment). Prefixes are E.164 digits without `+`
 * (`44`, `7495`, `1900`). A denied prefix wins over any allowed one, so `allowed: ['44']` with
 * `denied: ['449']` reaches the UK but not its premium-rate 09 numbers.
 */
export interface DialPolicy {
  /** `any`, or the prefixes a number must start with. An empty list allows nothing. */
  readonly allowedPrefixes: readonly string[] | 'any';
  readonly deniedPrefixes: readonly string[];
  readonly maxConcurrentCalls: number;
  readonly maxCallsPerMinute: number;
}

export type DialVerdict =
  | {
      readonly ok: true;
      /** `+` and digits. */
      readonly number: string;
      /** Call when the call ends, however it ends (idempotent); frees a concurrent-call slot. */
      readonly release: () => void;
    }
  | { readonly ok: false; readonly reason: DefenceReason; readonly status: number };

export interface DialPlanGuardOptions {
  /** The tenant's policy; `null` blocks outbound calls for the tenant altogether. */
  readonly policyFor: (tenantId: string) => DialPolicy | null;
  readonly counters?: DefenceCounters;
}

interface TenantCalls {
  active: number;
  /** Start times of allowed calls within the last minute (at most `maxCallsPerMinute`). */
  starts: number[];
}

const MINUTE = 60_000;

/**
 * Decides whether a tenant may place an outbound call to a number now, and counts its calls in
 * progress. One instance per process; the counts are per process (a cluster divides the limits or
 * shares a store behind the same interface).
 */
export class DialPlanGuard {
  readonly #tenants = new Map<string, TenantCalls>();
  readonly #counters: DefenceCounters;

  constructor(private readonly o: DialPlanGuardOptions) {
    this.#counters = o.counters ?? (() => {});
  }

  authorize(tenantId: string, dialled: string, now: number): DialVerdict {
    const number = normaliseE164(dialled);
    if (number === null) return this.#deny(tenantId, 'DIAL_NOT_E164');
    const policy = this.o.policyFor(tenantId);
    const digits = number.slice(1);
    if (policy === null) return this.#deny(tenantId, 'DIAL_PREFIX_NOT_ALLOWED');
    if (policy.deniedPrefixes.some((p) => digits.startsWith(p)))
      return this.#deny(tenantId, 'DIAL_PREFIX_DENIED');
    if (policy.allowedPrefixes !== 'any' && !policy.allowedPrefixes.some((p) => digits.startsWith(p))) {
      return this.#deny(tenantId, 'DIAL_PREFIX_NOT_ALLOWED');
    }
    const calls = this.#tenants.get(tenantId) ?? { active: 0, starts: [] };
    calls.starts = calls.starts.filter((t) => t > now - MINUTE && t <= now);
    if (calls.active >= policy.maxConcurrentCalls) return this.#deny(tenantId, 'DIAL_TOO_MANY_CONCURRENT');
    if (calls.starts.length >= policy.maxCallsPerMinute)
      return this.#deny(tenantId, 'DIAL_TOO_MANY_PER_MINUTE');
    calls.active++;
    calls.starts.push(now);
    this.#tenants.set(tenantId, calls);
    let released = false;
    return {
      ok: true,
      number,
      release: () => {
        if (released) return;
        released = true;
        calls.active--;
        if (calls.active === 0 && calls.starts.length === 0) this.#tenants.delete(tenantId);
      },
    };
  }

  /** Calls in progress for the tenant. */
  activeCalls(tenantId: string): number {
    return this.#tenants.get(tenantId)?.active ?? 0;
  }

  #deny(tenantId: string, reason: DefenceReason): DialVerdict {
    this.#counters({ kind: 'dial-blocked', reason, tenantId });
    return { ok: false, reason, status: defenceReasonStatus[reason] ?? 403 };
  }
}

/**
 * `+44 20 7946 0958`, `+44-20-7946-0958`, `(+44) 20…` → `+442079460958`. Only `+`-prefixed numbers:
 * national forms need the tenant's country, which is the dial plan's job before this guard.
 */
export function normaliseE164(dialled: string): string | null {
  if (dialled.length > 64) return null;
  const compact = dialled.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{1,14}$/.test(compact) ? compact : null;
}
