import { isIPv4, isIPv6 } from 'node:net';
import { hostKind, type SipUri } from '../uri';
import type { DnsAnswer, DnsClient, SrvRecord } from './dns-client';

/**
 * Where to send a request for a SIP URI, per RFC 3263 §4: transport, then an ordered list of
 * addresses and ports to try in turn (§4.3 failover). Pure apart from the DNS port; the random source
 * for SRV weights is injected.
 */
export type SipTransport = 'udp' | 'tcp' | 'tls';

export interface SipTarget {
  readonly transport: SipTransport;
  /** An IP address, IPv6 without brackets. */
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

export type ResolveResult =
  | { readonly ok: true; readonly transport: SipTransport; readonly targets: readonly SipTarget[] }
  | { readonly ok: false; readonly code: ResolveErrorCode; readonly detail: string };

export type ResolveErrorCode =
  /** The URI asks for something we cannot reach (transport=sctp, sips over UDP, a malformed host). */
  | 'DNS_BAD_TARGET'
  /** DNS answered: no address for the host. */
  | 'DNS_NOT_FOUND'
  /** DNS did not answer usably (SERVFAIL, timeout, refused) and nothing else was found. */
  | 'DNS_FAILURE';

export interface SipResolverOptions {
  readonly dns: DnsClient;
  /** Uniform in [0, 1): picks among SRV records of equal priority by weight (RFC 2782). */
  readonly random: () => number;
  /** Transports we can use, in our order of preference when DNS offers several. Default udp, tcp, tls. */
  readonly transports?: readonly SipTransport[];
  /** Ask NAPTR first (RFC 3263 §4.1). Default true. */
  readonly naptr?: boolean;
  /** Address families, in order: each host's addresses of the first family come first. Default 4, 6. */
  readonly families?: readonly (4 | 6)[];
}

const NAPTR_SERVICES: Readonly<Record<string, SipTransport>> = {
  'SIP+D2U': 'udp',
  'SIP+D2T': 'tcp',
  'SIPS+D2T': 'tls',
};
const SRV_PREFIX: Readonly<Record<SipTransport, string>> = {
  udp: '_sip._udp',
  tcp: '_sip._tcp',
  tls: '_sips._tcp',
};
const defaultPort = (t: SipTransport) => (t === 'tls' ? 5061 : 5060);

/** Never throws: every outcome is a `ResolveResult`. */
export async function resolveSipUri(uri: SipUri, o: SipResolverOptions): Promise<ResolveResult> {
  try {
    return await resolve(uri, o);
  } catch (e) {
    return { ok: false, code: 'DNS_FAILURE', detail: e instanceof Error ? e.message : String(e) };
  }
}

async function resolve(uri: SipUri, o: SipResolverOptions): Promise<ResolveResult> {
  const usable = o.transports ?? ['udp', 'tcp', 'tls'];
  const secure = uri.scheme === 'sips';
  const param = uri.params.find((p) => p.name.toLowerCase() === 'transport')?.value?.toLowerCase() ?? null;
  const maddr = uri.params.find((p) => p.name.toLowerCase() === 'maddr')?.value ?? null;
  const rawHost = maddr ?? uri.host;
  const kind = hostKind(rawHost);
  if (kind === null) return bad(`host ${rawHost}`);
  const host = kind === 'ipv6' ? rawHost.slice(1, -1) : rawHost.toLowerCase().replace(/\.$/, '');

  let forced: SipTransport | null = null;
  if (param !== null) {
    if (param !== 'udp' && param !== 'tcp' && param !== 'tls') return bad(`transport=${param}`);
    if (secure && param === 'udp') return bad('sips over UDP');
    forced = secure || param === 'tls' ? 'tls' : param;
  }
  // Candidate transports for this URI: sips only reaches TLS (RFC 3263 §4.1).
  const allowed = usable.filter((t) => !secure || t === 'tls');
  if (forced !== null && !usable.includes(forced)) return bad(`transport ${forced} not enabled`);
  if (allowed.length === 0) return bad('no usable transport for sips');

  // §4.1–4.2: a numeric host or an explicit port skips NAPTR and SRV.
  const fallback: SipTransport = forced ?? (secure ? 'tls' : allowed.includes('udp') ? 'udp' : allowed[0]!);
  if (kind !== 'hostname') {
    const family = kind === 'ipv6' ? 6 : 4;
    return {
      ok: true,
      transport: fallback,
      targets: [{ transport: fallback, address: host, port: uri.port ?? defaultPort(fallback), family }],
    };
  }
  if (uri.port !== null) return addressesOf(host, fallback, uri.port, o);

  // NAPTR, unless the transport is already known (§4.1: then straight to SRV for it).
  let errors = 0;
  if (forced === null && (o.naptr ?? true)) {
    const naptr = await o.dns.naptr(host);
    if (!naptr.ok && naptr.kind === 'error') errors++;
    if (naptr.ok) {
      const choices = naptr.records
        .filter((r) => r.flags.toLowerCase() === 's')
        .map((r) => ({ r, transport: NAPTR_SERVICES[r.service.toUpperCase()] }))
        .filter(
          (c): c is { r: (typeof c)['r']; transport: SipTransport } =>
            c.transport !== undefined && allowed.includes(c.transport),
        )
        .sort((a, b) => a.r.order - b.r.order || a.r.preference - b.r.preference);
      for (const c of choices) {
        const found = await srvTargets(c.r.replacement, c.transport, o);
        if (found.targets.length > 0) return { ok: true, transport: c.transport, targets: found.targets };
        errors += found.errors;
      }
    }
  }

  // SRV per transport, in our preference (§4.1 when there is no usable NAPTR; §4.2 for a forced one).
  for (const t of forced === null ? allowed : [forced]) {
    const found = await srvTargets(`${SRV_PREFIX[t]}.${host}`, t, o);
    if (found.targets.length > 0) return { ok: true, transport: t, targets: found.targets };
    errors += found.errors;
  }

  // No SRV: A/AAAA of the host, default port (§4.2).
  const direct = await addressesOf(host, fallback, defaultPort(fallback), o);
  if (!direct.ok && direct.code === 'DNS_NOT_FOUND' && errors > 0) {
    return { ok: false, code: 'DNS_FAILURE', detail: `${direct.detail} (and ${errors} failed queries)` };
  }
  return direct;
}

function bad(detail: string): ResolveResult {
  return { ok: false, code: 'DNS_BAD_TARGET', detail };
}

async function srvTargets(name: string, transport: SipTransport, o: SipResolverOptions) {
  const srv = await o.dns.srv(name);
  if (!srv.ok) return { targets: [], errors: srv.kind === 'error' ? 1 : 0 };
  const targets: SipTarget[] = [];
  let errors = 0;
  for (const r of orderSrv(srv.records, o.random)) {
    const found = await addresses(r.name.replace(/\.$/, ''), transport, r.port, o);
    targets.push(...found.targets);
    errors += found.errors;
  }
  return { targets, errors };
}

async function addressesOf(
  host: string,
  transport: SipTransport,
  port: number,
  o: SipResolverOptions,
): Promise<ResolveResult> {
  const found = await addresses(host, transport, port, o);
  if (found.targets.length > 0) return { ok: true, transport, targets: found.targets };
  return found.errors > 0
    ? { ok: false, code: 'DNS_FAILURE', detail: `no answer for ${host}` }
    : { ok: false, code: 'DNS_NOT_FOUND', detail: `no address for ${host}` };
}

async function addresses(host: string, transport: SipTransport, port: number, o: SipResolverOptions) {
  const targets: SipTarget[] = [];
  let errors = 0;
  for (const family of o.families ?? [4, 6]) {
    const answer: DnsAnswer<{ address: string }> =
      family === 4 ? await o.dns.a(host) : await o.dns.aaaa(host);
    if (!answer.ok) {
      if (answer.kind === 'error') errors++;
      continue;
    }
    for (const { address } of answer.records) {
      if (family === 4 ? isIPv4(address) : isIPv6(address))
        targets.push({ transport, address, port, family });
    }
  }
  return { targets, errors };
}

/**
 * RFC 2782 order: ascending priority; within a priority, repeatedly pick by weight — a uniform number in
 * [0, sum of weights], the first record whose running sum reaches it — with weight-0 records placed
 * first so that they are chosen only rarely. `.` targets ("no service") are dropped.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number): SrvRecord[] {
  const usable = records.filter((r) => r.name !== '.' && r.name !== '' && r.port > 0);
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const p of priorities) {
    const group = usable
      .filter((r) => r.priority === p)
      .sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (group.length > 0) {
      const total = group.reduce((s, r) => s + r.weight, 0);
      const pick = Math.min(total, Math.floor(random() * (total + 1)));
      let running = 0;
      let index = group.length - 1;
      for (const [i, r] of group.entries()) {
        running += r.weight;
        if (running >= pick) {
          index = i;
          break;
        }
      }
      out.push(...group.splice(index, 1));
    }
  }
  return out;
}
