import { BoundedMap } from '../defence/bounded-map';
import type { DnsAnswer, DnsClient } from './dns-client';

export interface DnsCacheOptions {
  readonly clock: () => number;
  /** For answers whose TTL the client cannot see (SRV, NAPTR through Node). Default 60 s. */
  readonly defaultTtlSeconds?: number;
  /** For "no such name" and "no such record". Default 30 s. */
  readonly negativeTtlSeconds?: number;
  /** Upper bound on any TTL. Default 3,600 s. */
  readonly maxTtlSeconds?: number;
  /** Entries kept (least recently used forgotten first). Default 10,000. */
  readonly maxEntries?: number;
}

type Entry = { readonly expiresAt: number; readonly answer: Promise<DnsAnswer<unknown>> };

/**
 * A `DnsClient` that remembers answers for their TTL, measured on the injected clock. Concurrent
 * lookups of the same name share one query. Errors (SERVFAIL, timeouts) are not cached.
 */
export class CachingDnsClient implements DnsClient {
  readonly #entries: BoundedMap<string, Entry>;
  readonly #o: Required<DnsCacheOptions>;

  constructor(
    private readonly inner: DnsClient,
    o: DnsCacheOptions,
  ) {
    this.#o = {
      defaultTtlSeconds: 60,
      negativeTtlSeconds: 30,
      maxTtlSeconds: 3_600,
      maxEntries: 10_000,
      ...o,
    };
    this.#entries = new BoundedMap(this.#o.maxEntries);
  }

  naptr(name: string) {
    return this.#cached('NAPTR', name, () => this.inner.naptr(name));
  }
  srv(name: string) {
    return this.#cached('SRV', name, () => this.inner.srv(name));
  }
  a(name: string) {
    return this.#cached('A', name, () => this.inner.a(name));
  }
  aaaa(name: string) {
    return this.#cached('AAAA', name, () => this.inner.aaaa(name));
  }

  #cached<T>(type: string, name: string, query: () => Promise<DnsAnswer<T>>): Promise<DnsAnswer<T>> {
    const key = `${type} ${name.toLowerCase().replace(/\.$/, '')}`;
    const now = this.#o.clock();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.answer as Promise<DnsAnswer<T>>;
    const answer = query();
    // Held until it settles, then kept for its TTL (or dropped, for errors).
    this.#entries.set(key, { expiresAt: Number.POSITIVE_INFINITY, answer });
    void answer.then((a) => {
      if (this.#entries.peek(key)?.answer !== answer) return;
      const ttl = a.ok
        ? (a.ttlSeconds ?? this.#o.defaultTtlSeconds)
        : a.kind === 'error'
          ? 0
          : this.#o.negativeTtlSeconds;
      const seconds = Math.min(ttl, this.#o.maxTtlSeconds);
      if (seconds <= 0) this.#entries.delete(key);
      else this.#entries.set(key, { expiresAt: this.#o.clock() + seconds * 1_000, answer });
    });
    return answer;
  }
}
