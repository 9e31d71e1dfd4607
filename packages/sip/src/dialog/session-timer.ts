import { readParams, Scanner } from '../grammar';
import { firstHeaderValue, getTokens, type SipHeader, type SipRequest, type SipResponse } from '../message';

/**
 * Session timers (RFC 4028), the basic part: Session-Expires and Min-SE on INVITE and its 2xx, who
 * refreshes, 422 for an interval below our minimum, and when to refresh or give up. Pure: the call
 * schedules the re-INVITE or BYE these say. Refreshes are re-INVITEs (no UPDATE).
 */
export interface SessionTimerConfig {
  /** The interval we ask for or accept, seconds (RFC 4028 recommends 1800). */
  readonly sessionExpires: number;
  /** The smallest interval we accept, seconds; at least 90 (§4). */
  readonly minSE: number;
}

export type Refresher = 'uac' | 'uas';

/** A negotiated timer, from the point of view of one side. */
export interface SessionTimer {
  readonly intervalSec: number;
  /** This side sends the refreshes; otherwise it only watches for them. */
  readonly weRefresh: boolean;
}

export const MIN_SE_FLOOR = 90;

export function parseSessionExpires(
  m: SipRequest | SipResponse,
): { readonly delta: number; readonly refresher: Refresher | null } | null {
  const v = firstHeaderValue(m, 'Session-Expires');
  if (v === undefined) return null;
  const match = /^[ \t]*([0-9]{1,10})/.exec(v);
  if (match === null) return null;
  const delta = Number(match[1]);
  let refresher: Refresher | null = null;
  try {
    const s = new Scanner(v.slice(match[0].length));
    for (const p of readParams(s)) {
      const value = p.value?.toLowerCase();
      if (p.name.toLowerCase() === 'refresher' && (value === 'uac' || value === 'uas')) refresher = value;
    }
  } catch {
    return null;
  }
  return { delta, refresher };
}

export function parseMinSe(m: SipRequest | SipResponse): number | null {
  const v = firstHeaderValue(m, 'Min-SE');
  const match = v === undefined ? null : /^[ \t]*([0-9]{1,10})/.exec(v);
  return match === null ? null : Number(match[1]);
}

const supportsTimer = (m: SipRequest | SipResponse): boolean =>
  getTokens(m, 'Supported').some((t) => t.toLowerCase() === 'timer') ||
  getTokens(m, 'Require').some((t) => t.toLowerCase() === 'timer');

/** Headers of an INVITE (initial or refresh) from the side that wants timers. */
export function requestTimerHeaders(
  config: SessionTimerConfig,
  intervalSec = config.sessionExpires,
): SipHeader[] {
  return [
    { name: 'Supported', value: 'timer' },
    { name: 'Session-Expires', value: String(Math.max(intervalSec, config.minSE)) },
    { name: 'Min-SE', value: String(config.minSE) },
  ];
}

export type UasTimerDecision =
  | { readonly kind: 'reject'; readonly status: 422; readonly headers: readonly SipHeader[] }
  | { readonly kind: 'accept'; readonly timer: SessionTimer | null; readonly headers: readonly SipHeader[] };

/**
 * §9: the UAS's answer to an INVITE. Below our Min-SE → 422 with ours. With a Session-Expires, the
 * 2xx repeats it with the refresher (the request's choice, else the UAC when it supports timers, else
 * us) and `Require: timer` when the UAC supports them. Without one, we impose our own interval when
 * configured (`config` null: we do not use timers unless asked).
 */
export function uasSessionTimer(request: SipRequest, config: SessionTimerConfig | null): UasTimerDecision {
  const se = parseSessionExpires(request);
  const minSE = Math.max(config?.minSE ?? MIN_SE_FLOOR, MIN_SE_FLOOR);
  const uacSupports = supportsTimer(request);
  if (se !== null && se.delta < minSE) {
    return { kind: 'reject', status: 422, headers: [{ name: 'Min-SE', value: String(minSE) }] };
  }
  let interval: number;
  let refresher: Refresher;
  if (se !== null) {
    interval = se.delta;
    refresher = se.refresher ?? (uacSupports ? 'uac' : 'uas');
  } else if (config !== null) {
    interval = Math.max(config.sessionExpires, minSE, parseMinSe(request) ?? 0);
    refresher = uacSupports ? 'uac' : 'uas';
  } else {
    return { kind: 'accept', timer: null, headers: [] };
  }
  if (refresher === 'uac' && !uacSupports) refresher = 'uas';
  const headers: SipHeader[] = [{ name: 'Session-Expires', value: `${interval};refresher=${refresher}` }];
  if (uacSupports) headers.push({ name: 'Require', value: 'timer' });
  return { kind: 'accept', timer: { intervalSec: interval, weRefresh: refresher === 'uas' }, headers };
}

/** §7.2: the UAC reads the 2xx. No Session-Expires in it: no timer (we do not impose one as UAC). */
export function uacSessionTimer(response: SipResponse): SessionTimer | null {
  const se = parseSessionExpires(response);
  if (se === null) return null;
  return { intervalSec: se.delta, weRefresh: se.refresher !== 'uas' };
}

/** §7.2: after a 422, retry with the larger of our interval and the peer's Min-SE. */
export function retryAfter422(config: SessionTimerConfig, response: SipResponse): number {
  return Math.max(config.sessionExpires, parseMinSe(response) ?? config.minSE);
}

/** The refresher refreshes at half the interval (§7.4, §9). */
export const refreshDelayMs = (t: SessionTimer): number => (t.intervalSec * 1000) / 2;

/** The other side ends the session when no refresh came by interval − min(32 s, interval/3) (§10). */
export const expiryDelayMs = (t: SessionTimer): number =>
  (t.intervalSec - Math.min(32, t.intervalSec / 3)) * 1000;
