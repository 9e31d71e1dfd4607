import { isIP } from 'node:net';
import { getParam } from '../grammar';
import type { Via } from '../headers/via';
import type { Flow, HostPort, TransportProtocol } from './types';

export const defaultPort = (t: TransportProtocol): number => (t === 'TLS' ? 5061 : 5060);

const bare = (host: string): string => (host.startsWith('[') ? host.slice(1, -1) : host);

/**
 * Where a response goes when it cannot go back over the request's connection (§18.2.2, RFC 3581 §4):
 * - unreliable with `rport=` filled in: the source address and port the request came from;
 * - `maddr`: that address, sent-by port (or the default);
 * - otherwise `received` (or sent-by's host), sent-by port (or the default).
 * A host name without `received` cannot happen for a request this transport stamped (§18.2.1 adds
 * `received` whenever sent-by is not the source IP); RFC 3263 lookups are not done here, so the
 * request's source address stands in for one.
 */
export function responseDestination(via: Via, flow: Flow): HostPort {
  const port = via.port ?? defaultPort(flow.transport);
  if (flow.transport === 'UDP' && typeof via.rport === 'number') {
    return { address: via.received === null ? flow.remote.address : bare(via.received), port: via.rport };
  }
  const maddr = getParam(via.params, 'maddr');
  if (typeof maddr === 'string' && isIP(bare(maddr)) !== 0) return { address: bare(maddr), port };
  if (via.received !== null) return { address: bare(via.received), port };
  const host = bare(via.host);
  return { address: isIP(host) !== 0 ? host : flow.remote.address, port };
}
