import { SipSyntaxError } from './grammar';
import { headerKey } from './header-names';
import { parseAuthHeader } from './headers/auth';
import { parseContacts, parseNameAddr, parseNameAddrList, parseParty } from './headers/name-addr';
import { parseCallId, parseContentLength, parseCSeq, parseMaxForwards } from './headers/scalar';
import { parseViaList } from './headers/via';
import type { SipHeader } from './message';
import type { SipParseErrorCode } from './parse-error';

/**
 * Header rules the parser enforces before a message reaches any other layer. Each header with a typed
 * accessor in `message.ts` is validated here, which is what lets those accessors promise not to throw.
 */

/** Validators by header key. Each throws `SipSyntaxError` on a malformed value. */
const VALIDATORS = new Map<string, (value: string) => unknown>([
  ['via', parseViaList],
  ['from', parseParty],
  ['to', parseParty],
  ['call-id', parseCallId],
  ['cseq', parseCSeq],
  ['max-forwards', parseMaxForwards],
  ['content-length', parseContentLength],
  ['contact', parseContacts],
  ['route', (v) => parseNameAddrList(v, true)],
  ['record-route', (v) => parseNameAddrList(v, true)],
  ['reply-to', parseNameAddr],
  ['authorization', parseAuthHeader],
  ['proxy-authorization', parseAuthHeader],
  ['www-authenticate', parseAuthHeader],
  ['proxy-authenticate', parseAuthHeader],
]);

/** Must appear in every request and response (RFC 3261 §8.1.1; Max-Forwards is left out for RFC 2543 peers, inv2543). */
const REQUIRED = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];

/** At most once (RFC 3261 §7.3.1: only list headers may repeat). Content-Length is checked by the framing code. */
const SINGLE = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Type', 'Expires', 'Min-Expires'];

export interface HeaderFault {
  readonly code: SipParseErrorCode;
  readonly detail: string;
  readonly header: string;
}

/** The value is well formed for its header (unknown headers always are). */
export function isValidHeader(h: SipHeader): boolean {
  return validate(h) === null;
}

function validate(h: SipHeader): string | null {
  const check = VALIDATORS.get(headerKey(h.name));
  if (check === undefined) return null;
  try {
    check(h.value);
    return null;
  } catch (e) {
    if (e instanceof SipSyntaxError) return e.message;
    throw e;
  }
}

/**
 * The first fault in header order, then missing and repeated headers, then a CSeq method differing from
 * the request's. `null` when the headers are acceptable.
 */
export function checkHeaders(
  headers: readonly SipHeader[],
  requestMethod: string | null,
): HeaderFault | null {
  const counts = new Map<string, number>();
  for (const h of headers) {
    const detail = validate(h);
    if (detail !== null) return { code: 'SIP_PARSE_HEADER', detail, header: h.name };
    const key = headerKey(h.name);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const name of REQUIRED) {
    if (!counts.has(headerKey(name))) {
      return { code: 'SIP_MISSING_HEADER', detail: `no ${name}`, header: name };
    }
  }
  for (const name of SINGLE) {
    if ((counts.get(headerKey(name)) ?? 0) > 1) {
      return { code: 'SIP_DUPLICATE_HEADER', detail: `${name} repeated`, header: name };
    }
  }
  if (requestMethod !== null) {
    const cseq = headers.find((h) => headerKey(h.name) === 'cseq');
    const method = cseq === undefined ? requestMethod : parseCSeq(cseq.value).method;
    if (method !== requestMethod) {
      return { code: 'SIP_CSEQ_MISMATCH', detail: `CSeq ${method} in a ${requestMethod}`, header: 'CSeq' };
    }
  }
  return null;
}
