import type { SipHeader } from '@hotline/sip/message';
import type { TrunkDirectory } from './trunk-directory';

/** What identifies an inbound INVITE for matching, taken from the request and its flow. */
export interface InboundInvite {
  readonly sourceIp: string;
  /** The digest user it authenticated as, or null when it came from an allow-listed source. */
  readonly authenticatedUser: string | null;
  /** User parts of the Request-URI and To (escaped form), or null. */
  readonly requestUser: string | null;
  readonly toUser: string | null;
}

/** Stable codes for why an inbound call was not taken: log lines and metric labels use these. */
export type InboundRefusal = 'UNKNOWN_SOURCE' | 'UNKNOWN_NUMBER' | 'NOT_ROUTED_YET';

export type InboundMatch =
  | { readonly ok: true; readonly tenantId: string; readonly trunkId: string; readonly number: string }
  | {
      readonly ok: false;
      readonly refusal: 'UNKNOWN_SOURCE' | 'UNKNOWN_NUMBER';
      /** The dialled number as we understood it (E.164), when there was one. */
      readonly number: string | null;
    };

/**
 * The called number (DID) of an INVITE in E.164: the Request-URI user, else the To user. Carriers send
 * `+4420…`, `4420…` or `tel`-style with visual separators; all become `+4420…`. Anything else: null.
 */
export function calledNumber(invite: Pick<InboundInvite, 'requestUser' | 'toUser'>): string | null {
  for (const user of [invite.requestUser, invite.toUser]) {
    if (user === null) continue;
    const compact = safeDecode(user.split(';')[0] ?? '').replace(/[\s().-]/g, '');
    const e164 = compact.startsWith('+') ? compact : `+${compact}`;
    if (/^\+[1-9]\d{1,14}$/.test(e164)) return e164;
  }
  return null;
}

/**
 * Which tenant and trunk an inbound INVITE belongs to. A source no trunk accepts learns nothing about
 * numbers (UNKNOWN_SOURCE before UNKNOWN_NUMBER); a number is only found through a trunk that accepts
 * the source, so one tenant's allowed carrier cannot reach another tenant's numbers.
 */
export function matchInbound(directory: TrunkDirectory, invite: InboundInvite): InboundMatch {
  const trunks = directory.acceptingTrunks(invite.sourceIp, invite.authenticatedUser);
  const number = calledNumber(invite);
  if (trunks.length === 0) return { ok: false, refusal: 'UNKNOWN_SOURCE', number };
  const owned = number === null ? null : directory.number(number);
  if (owned === null || !trunks.some((t) => t.id === owned.trunkId)) {
    return { ok: false, refusal: 'UNKNOWN_NUMBER', number };
  }
  return { ok: true, tenantId: owned.tenantId, trunkId: owned.trunkId, number: owned.number };
}

export interface InboundDecision {
  readonly status: number;
  readonly refusal: InboundRefusal;
  readonly headers: readonly SipHeader[];
  readonly match: InboundMatch;
}

/**
 * THE place that decides who may call: unknown sources get 403, unknown numbers 404. A call to a known
 * number goes to voice (`voice/voice-service.ts`, set with `SipService.setInboundCalls`), which answers
 * it and runs the number's flow — or, like this decision without voice, refuses it with 480
 * `NOT_ROUTED_YET` when the number has no published flow.
 */
export function decideInboundCall(directory: TrunkDirectory, invite: InboundInvite): InboundDecision {
  const match = matchInbound(directory, invite);
  if (!match.ok) {
    const status = match.refusal === 'UNKNOWN_SOURCE' ? 403 : 404;
    return { status, refusal: match.refusal, headers: [], match };
  }
  return {
    status: 480,
    refusal: 'NOT_ROUTED_YET',
    headers: [{ name: 'Reason', value: 'SIP;cause=480;text="number not routed to a flow yet"' }],
    match,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
