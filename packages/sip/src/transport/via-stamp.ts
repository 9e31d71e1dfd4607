import { isIPv6 } from 'node:net';
import { headerKey } from '../header-names';
import { formatVia, parseViaList, type Via } from '../headers/via';
import type { SipHeader } from '../message';
import type { HostPort, TransportProtocol } from './types';

/**
 * Rewrites of the top Via: what a transport adds to a request it receives (§18.2.1, RFC 3581 §4) and
 * what it fills in on a request it sends (§18.1.1). Only the first element of the first Via line
 * changes; every other header line is kept as is.
 */

function mapTopVia(headers: readonly SipHeader[], change: (via: Via) => Via): SipHeader[] {
  const index = headers.findIndex((h) => headerKey(h.name) === 'via');
  const line = headers[index];
  if (line === undefined) return [...headers];
  const [top, ...rest] = parseViaList(line.value);
  if (top === undefined) return [...headers];
  const value = [change(top), ...rest].map(formatVia).join(', ');
  return headers.map((h, i) => (i === index ? { name: h.name, value } : h));
}

/**
 * §18.2.1: `received` when sent-by's host is not the packet's source address (a name, or another IP).
 * RFC 3581: a bare `rport` gets the source port, and then `received` is added even when equal.
 */
export function stampReceived(headers: readonly SipHeader[], source: HostPort): SipHeader[] {
  return mapTopVia(headers, (via) => {
    const host = via.host.startsWith('[') ? via.host.slice(1, -1) : via.host;
    const differs = host.toLowerCase() !== source.address.toLowerCase();
    const rportRequested = via.rport === 'requested';
    if (!differs && !rportRequested) return via;
    return {
      ...via,
      received: differs || rportRequested ? source.address : via.received,
      rport: rportRequested ? source.port : via.rport,
    };
  });
}

/**
 * §18.1.1: the top Via names the transport actually used and our sent-by; for UDP a bare `rport` asks
 * the server to answer to the source port (RFC 3581). Branch and other parameters stay.
 */
export function stampSentBy(
  headers: readonly SipHeader[],
  transport: TransportProtocol,
  sentBy: HostPort,
): SipHeader[] {
  const host = isIPv6(sentBy.address) ? `[${sentBy.address}]` : sentBy.address;
  return mapTopVia(headers, (via) => ({
    ...via,
    transport,
    host,
    port: sentBy.port,
    rport: via.rport ?? (transport === 'UDP' ? 'requested' : null),
  }));
}
