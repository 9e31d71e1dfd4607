import { isIPv4, isIPv6 } from 'node:net';
import { boundedInt, formatParams, type Param, readParams, Scanner, SipSyntaxError } from '../grammar';
import { hostKind, parsePort } from '../uri';

/** Via `branch`: the transaction id (RFC 3261 §8.1.1.7). */
export type Branch = string & { readonly __brand: 'Branch' };

/** The RFC 3261 magic cookie that marks a globally unique branch. */
export const BRANCH_COOKIE = 'z9hG4bK';

/**
 * One Via value (RFC 3261 §20.42, RFC 3581). The parameters the transport and transaction layers act on
 * are typed fields; all others stay in `params` in their original order.
 */
export interface Via {
  /** `SIP/2.0` (protocol name upper-cased). A Via naming another version still parses; see badvers. */
  readonly protocol: string;
  /** Upper-cased: `UDP`, `TCP`, `TLS`, `SCTP`, `WS`, `WSS` or any other token. */
  readonly transport: string;
  /** As written; IPv6 with brackets. */
  readonly host: string;
  readonly port: number | null;
  readonly branch: Branch | null;
  /** An IP address, as the server that saw the request wrote it. */
  readonly received: string | null;
  /** RFC 3581: `'requested'` for a bare `;rport`, the port once a server filled it in. */
  readonly rport: number | 'requested' | null;
  readonly params: readonly Param[];
}

/** True for an RFC 3261 branch: the magic cookie followed by at least one character (RFC 4475 badbranch). */
export function isRfc3261Branch(branch: string | null): boolean {
  if (branch === null) return false;
  return branch.length > BRANCH_COOKIE.length && branch.startsWith(BRANCH_COOKIE);
}

const isHostChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x2e ||
  c === 0x2d;

function readVia(s: Scanner): Via {
  s.skipWsp();
  const name = s.token('protocol name');
  s.skipWsp();
  s.expect('/', '/ after protocol name');
  s.skipWsp();
  const version = s.token('protocol version');
  s.skipWsp();
  s.expect('/', '/ after protocol version');
  s.skipWsp();
  const transport = s.token('transport').toUpperCase();
  if (!s.skipWsp()) s.fail('expected LWS before sent-by');

  let host: string;
  if (s.peek() === 0x5b) {
    host = s.takeUntil((c) => c === 0x5d);
    s.expect(']', '] closing IPv6 reference');
    host += ']';
  } else {
    host = s.takeUntil((c) => !isHostChar(c));
  }
  if (hostKind(host) === null) s.fail(`bad sent-by host ${JSON.stringify(host)}`);
  let port: number | null = null;
  const beforeColon = s.pos;
  s.skipWsp();
  if (s.eat(':')) {
    s.skipWsp();
    port = parsePort(s.takeUntil((c) => c < 0x30 || c > 0x39));
    if (port === null) s.fail('bad sent-by port');
  } else {
    s.pos = beforeColon;
  }

  let branch: Branch | null = null;
  let received: string | null = null;
  let rport: number | 'requested' | null = null;
  const params: Param[] = [];
  const seen = new Set<string>();
  for (const p of readParams(s)) {
    const key = p.name.toLowerCase();
    if (key === 'branch' || key === 'received' || key === 'rport') {
      if (seen.has(key)) s.fail(`duplicate ${key}`);
      seen.add(key);
    }
    if (key === 'branch') {
      if (p.value === null || p.value.startsWith('"')) s.fail('branch must be a token');
      branch = p.value as Branch;
    } else if (key === 'received') {
      const ip = p.value?.startsWith('[') ? p.value.slice(1, -1) : p.value;
      if (ip == null || !(isIPv4(ip) || isIPv6(ip))) s.fail('received must be an IP address');
      received = p.value;
    } else if (key === 'rport') {
      if (p.value === null) rport = 'requested';
      else {
        rport = boundedInt(p.value, 65535);
        if (rport === null) s.fail('bad rport');
      }
    } else {
      params.push(p);
    }
  }
  return {
    protocol: `${name.toUpperCase()}/${version}`,
    transport,
    host,
    port,
    branch,
    received,
    rport,
    params,
  };
}

/**
 * A Via header value: one or more comma-separated via-parms, LWS allowed around `/`, `:`, `;`, `=` and
 * `,` (RFC 4475 wsinv). Empty elements and empty parameters are errors (badinv01). Throws `SipSyntaxError`.
 */
export function parseViaList(value: string): Via[] {
  const s = new Scanner(value);
  const list: Via[] = [];
  try {
    do {
      list.push(readVia(s));
      s.skipWsp();
    } while (s.eat(','));
    s.expectEnd('Via');
  } catch (e) {
    if (e instanceof SipSyntaxError) throw new SipSyntaxError(`Via: ${e.message}`);
    throw e;
  }
  return list;
}

export function formatVia(v: Via): string {
  let out = `${v.protocol}/${v.transport} ${v.host}`;
  if (v.port !== null) out += `:${v.port}`;
  if (v.branch !== null) out += `;branch=${v.branch}`;
  if (v.received !== null) out += `;received=${v.received}`;
  if (v.rport !== null) out += v.rport === 'requested' ? ';rport' : `;rport=${v.rport}`;
  return out + formatParams(v.params);
}
