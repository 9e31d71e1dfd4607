import { isIP } from 'node:net';
import { getParam } from '../grammar';
import type { Target, TransportProtocol } from '../transport/types';
import type { Uri } from '../uri';

/**
 * The transport target of a SIP URI whose host is an IP address: `transport=` or the scheme picks the
 * protocol (sips → TLS), the port defaults per protocol. Host names need RFC 3263 (`dns/`), done by the
 * caller before; here they give `null`, as do tel and other URIs.
 */
export function uriTarget(uri: Uri, fallback: TransportProtocol = 'UDP'): Target | null {
  if (uri.kind !== 'sip') return null;
  const address = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
  if (isIP(address) === 0) return null;
  const param = getParam(uri.params, 'transport');
  const named = typeof param === 'string' ? param.toUpperCase() : null;
  const transport: TransportProtocol =
    uri.scheme === 'sips' || named === 'TLS'
      ? 'TLS'
      : named === 'TCP'
        ? 'TCP'
        : named === 'UDP'
          ? 'UDP'
          : fallback;
  return { transport, address, port: uri.port ?? (transport === 'TLS' ? 5061 : 5060) };
}
