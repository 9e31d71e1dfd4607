import { headerKey } from './header-names';
import type { SipHeader, SipRequest, SipResponse } from './message';

/** Reason phrases for the statuses the stack itself sends; any other status gets `''` unless given. */
const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  408: 'Request Timeout',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  486: 'Busy Here',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

export const reasonPhrase = (status: number): string => REASONS[status] ?? '';

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

export interface ResponseOptions {
  readonly reason?: string;
  /** Added to To when it has no tag (RFC 3261 §8.2.6.2); leave out for 100 Trying. */
  readonly toTag?: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: Buffer;
}

/**
 * A response to `request` (RFC 3261 §8.2.6): every Via in order, From, To (with `toTag` added when it
 * has none), Call-ID and CSeq copied; for 100 also Timestamp (§8.2.6.1). Works from header lines, so
 * it also answers what the parser refused (`ParseFailure.reply.headers`).
 */
export function createResponse(
  request: Pick<SipRequest, 'headers'>,
  status: number,
  options: ResponseOptions = {},
): SipResponse {
  const headers: SipHeader[] = [];
  for (const h of request.headers) {
    const key = headerKey(h.name);
    if (COPIED.has(key) || (status === 100 && key === 'timestamp')) {
      headers.push(key === 'to' && options.toTag !== undefined ? withTag(h, options.toTag) : h);
    }
  }
  headers.push(...(options.headers ?? []));
  return {
    kind: 'response',
    status,
    reason: options.reason ?? reasonPhrase(status),
    headers,
    body: options.body ?? Buffer.alloc(0),
  };
}

/** Appends `;tag=` unless a tag parameter is already there (checked on the raw value: it may not parse). */
function withTag(h: SipHeader, tag: string): SipHeader {
  const afterUri = h.value.includes('>') ? h.value.slice(h.value.lastIndexOf('>')) : h.value;
  if (/;[ \t]*tag[ \t]*=/i.test(afterUri)) return h;
  return { name: h.name, value: `${h.value};tag=${tag}` };
}
