import { headerKey } from '../header-names';
import { getCSeq, type SipHeader, type SipRequest, type SipResponse } from '../message';

/**
 * Requests the transaction layer derives from others: the ACK to a non-2xx final response
 * (RFC 3261 §17.1.1.3) and CANCEL (§9.1). Both keep the original's top Via, so they share its branch.
 */

function topViaLine(request: SipRequest): SipHeader {
  const via = request.headers.find((h) => headerKey(h.name) === 'via');
  if (via === undefined) throw new Error('request without Via');
  // A Via line may hold a comma list; only its first element is the top Via.
  const first = via.value.split(',')[0] ?? via.value;
  return { name: 'Via', value: first.trim() };
}

function derived(request: SipRequest, method: 'ACK' | 'CANCEL', to: SipHeader): SipRequest {
  const headers: SipHeader[] = [topViaLine(request)];
  for (const h of request.headers) {
    const key = headerKey(h.name);
    if (key === 'from' || key === 'call-id' || key === 'route') headers.push(h);
  }
  headers.push(to);
  headers.push({ name: 'CSeq', value: `${getCSeq(request).seq} ${method}` });
  headers.push({ name: 'Max-Forwards', value: '70' });
  return { kind: 'request', method, uri: request.uri, headers, body: Buffer.alloc(0) };
}

/**
 * §17.1.1.3: same Request-URI, Call-ID, From, CSeq number and top Via as the INVITE; To from the
 * response (it carries the UAS's tag); the INVITE's Route headers. No body.
 */
export function ackForNonSuccess(invite: SipRequest, response: SipResponse): SipRequest {
  const to = response.headers.find((h) => headerKey(h.name) === 'to');
  if (to === undefined) throw new Error('response without To');
  return derived(invite, 'ACK', to);
}

/** §9.1: a CANCEL for `invite` as sent (same top Via, so it matches the INVITE's server transaction). */
export function cancelFor(invite: SipRequest): SipRequest {
  const to = invite.headers.find((h) => headerKey(h.name) === 'to');
  if (to === undefined) throw new Error('request without To');
  return derived(invite, 'CANCEL', to);
}
