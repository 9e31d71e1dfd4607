import { Resolver } from 'node:dns/promises';

/**
 * The port through which RFC 3263 resolution asks DNS. `NodeDnsClient` implements it on
 * `node:dns/promises`; tests pass a table. Implementations never throw: every outcome is an answer.
 */
export interface DnsClient {
  naptr(name: string): Promise<DnsAnswer<NaptrRecord>>;
  srv(name: string): Promise<DnsAnswer<SrvRecord>>;
  a(name: string): Promise<DnsAnswer<AddressRecord>>;
  aaaa(name: string): Promise<DnsAnswer<AddressRecord>>;
}

export interface NaptrRecord {
  readonly order: number;
  readonly preference: number;
  readonly flags: string;
  readonly service: string;
  readonly regexp: string;
  readonly replacement: string;
}

export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  /** `.` (or empty) means "no service here" (RFC 2782). */
  readonly name: string;
}

export interface AddressRecord {
  readonly address: string;
}

export type DnsAnswer<T> =
  /** `ttlSeconds` is `null` when the client cannot see it (Node reports TTLs only for A/AAAA). */
  | { readonly ok: true; readonly records: readonly T[]; readonly ttlSeconds: number | null }
  /** `nxdomain`: the name does not exist; `nodata`: it has no records of this type; `error`: anything else. */
  | { readonly ok: false; readonly kind: 'nxdomain' | 'nodata' | 'error'; readonly code: string };

export interface NodeDnsClientOptions {
  /** `ip` or `ip:port` of the servers to ask; default: the system's. */
  readonly servers?: readonly string[];
  /** Per try, ms. Default 2,000. */
  readonly timeoutMs?: number;
  /** Default 2. */
  readonly tries?: number;
}

/** `DnsClient` on `node:dns/promises` (c-ares): a `Resolver` of its own, so `setServers` stays local. */
export class NodeDnsClient implements DnsClient {
  readonly #resolver: Resolver;

  constructor(o: NodeDnsClientOptions = {}) {
    this.#resolver = new Resolver({ timeout: o.timeoutMs ?? 2_000, tries: o.tries ?? 2 });
    if (o.servers !== undefined) this.#resolver.setServers([...o.servers]);
  }

  naptr(name: string): Promise<DnsAnswer<NaptrRecord>> {
    return answer(async () => ({ records: await this.#resolver.resolveNaptr(name), ttlSeconds: null }));
  }

  srv(name: string): Promise<DnsAnswer<SrvRecord>> {
    return answer(async () => ({ records: await this.#resolver.resolveSrv(name), ttlSeconds: null }));
  }

  a(name: string): Promise<DnsAnswer<AddressRecord>> {
    return answer(async () => withTtl(await this.#resolver.resolve4(name, { ttl: true })));
  }

  aaaa(name: string): Promise<DnsAnswer<AddressRecord>> {
    return answer(async () => withTtl(await this.#resolver.resolve6(name, { ttl: true })));
  }
}

function withTtl(records: { address: string; ttl: number }[]) {
  const ttlSeconds = records.length === 0 ? null : Math.min(...records.map((r) => r.ttl));
  return { records: records.map((r) => ({ address: r.address })), ttlSeconds };
}

async function answer<T>(
  query: () => Promise<{ records: T[]; ttlSeconds: number | null }>,
): Promise<DnsAnswer<T>> {
  try {
    const r = await query();
    return r.records.length === 0 ? { ok: false, kind: 'nodata', code: 'ENODATA' } : { ok: true, ...r };
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'UNKNOWN';
    if (code === 'ENOTFOUND') return { ok: false, kind: 'nxdomain', code };
    if (code === 'ENODATA') return { ok: false, kind: 'nodata', code };
    return { ok: false, kind: 'error', code };
  }
}
