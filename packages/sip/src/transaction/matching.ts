import { formatVia, isRfc3261Branch } from '../headers/via';
import { getCallId, getCSeq, getFrom, getTopVia, type SipRequest, type SipResponse } from '../message';
import { formatUri } from '../uri';

/**
 * Transaction keys. Two messages belong to the same transaction exactly when their keys are equal
 * (plus, for RFC 2543 peers, the To-tag check in `TransactionLayer`).
 */

const SEP = '\u0000';

/** §17.1.3: a response matches the client transaction with its top Via branch and CSeq method. */
export function clientKey(branch: string, method: string): string {
  return `${branch}${SEP}${method}`;
}

export function responseKey(response: SipResponse): string | null {
  const branch = getTopVia(response).branch;
  return branch === null ? null : clientKey(branch, getCSeq(response).method);
}

/**
 * §17.2.3 for the request's server transaction, with `method` the transaction's method: INVITE for an
 * ACK (the ACK of a non-2xx shares its INVITE's branch) and for a CANCEL looking for what it cancels
 * (§9.2). With the magic cookie: branch, sent-by and method. Without it (RFC 2543): Request-URI,
 * From tag, Call-ID, CSeq number, top Via and method; the To tag is compared by the caller.
 */
export function serverKey(request: SipRequest, method: string): string {
  const via = getTopVia(request);
  if (via.branch !== null && isRfc3261Branch(via.branch)) {
    return ['3261', via.branch, via.host.toLowerCase(), via.port ?? '', method].join(SEP);
  }
  const cseq = getCSeq(request);
  return [
    '2543',
    formatUri(request.uri),
    getFrom(request).tag ?? '',
    getCallId(request),
    cseq.seq,
    formatVia(via),
    method,
  ].join(SEP);
}

/** True when the request needs the RFC 2543 To-tag comparison. */
export const isRfc2543 = (request: SipRequest): boolean => !isRfc3261Branch(getTopVia(request).branch);

/**
 * §8.2.2.2: requests that share From tag, Call-ID and CSeq with a live server transaction they do not
 * match were merged on their way (forked and rejoined) and get a 482.
 */
export function mergeKey(request: SipRequest): string {
  const cseq = getCSeq(request);
  return [getFrom(request).tag ?? '', getCallId(request), cseq.seq, cseq.method].join(SEP);
}
