import { getParam } from '../grammar';
import { formatNameAddr } from '../headers/name-addr';
import {
  firstHeaderValue,
  getCallId,
  getContacts,
  getCSeq,
  getTo,
  type SipHeader,
  type SipRequest,
} from '../message';
import { formatUri, type Uri, uriEquals } from '../uri';

/**
 * A minimal registrar (RFC 3261 §10.3): a bounded in-memory binding table per address-of-record, with
 * Expires (Contact parameter, then header, then the default), refresh, removal (`Expires: 0`,
 * `Contact: *`), 423 below the minimum, and Call-ID/CSeq ordering per binding. Pure apart from the
 * injected clock; authentication happens before (`UserAgent`).
 */
export interface RegistrarOptions {
  /** Seconds. Defaults: 3600 default, 60 minimum, 7200 maximum. */
  readonly defaultExpires?: number;
  readonly minExpires?: number;
  readonly maxExpires?: number;
  /** Addresses of record held at most (extra registrations get 503). Default 10,000. */
  readonly maxAors?: number;
  /** Contacts per address of record. Default 10. */
  readonly maxBindingsPerAor?: number;
}

export interface Binding {
  readonly contact: Uri;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
}

export interface RegisterOutcome {
  readonly status: number;
  readonly headers: readonly SipHeader[];
}

/** The address-of-record of a To URI: scheme, user and host, lower-cased host (§10.3 step 5). */
export function aorKey(uri: Uri): string {
  if (uri.kind !== 'sip') return formatUri(uri);
  return `${uri.scheme}:${uri.user ?? ''}@${uri.host.toLowerCase()}`;
}

export class Registrar {
  readonly #bindings = new Map<string, Binding[]>();
  readonly #o: Required<RegistrarOptions>;

  constructor(
    private readonly now: () => number,
    options: RegistrarOptions = {},
  ) {
    this.#o = {
      defaultExpires: options.defaultExpires ?? 3600,
      minExpires: options.minExpires ?? 60,
      maxExpires: options.maxExpires ?? 7200,
      maxAors: options.maxAors ?? 10_000,
      maxBindingsPerAor: options.maxBindingsPerAor ?? 10,
    };
  }

  /** The live bindings of an AOR, expired ones dropped. */
  lookup(aor: Uri): Binding[] {
    return this.#live(aorKey(aor));
  }

  get size(): number {
    return this.#bindings.size;
  }

  /** Applies a REGISTER (already authenticated) and says what to answer. */
  register(request: SipRequest): RegisterOutcome {
    const key = aorKey(getTo(request).uri);
    const callId = getCallId(request);
    const cseq = getCSeq(request).seq;
    const contacts = getContacts(request);
    const headerExpires = parseDelta(firstHeaderValue(request, 'Expires'));
    const now = this.now();
    let list = this.#live(key);
    if (contacts === '*') {
      if (headerExpires !== 0) return { status: 400, headers: [] };
      if (list.some((b) => b.callId === callId && cseq <= b.cseq)) return { status: 500, headers: [] };
      this.#bindings.delete(key);
      return { status: 200, headers: [] };
    }
    for (const c of contacts) {
      const fromParam = getParam(c.params, 'expires');
      let expires = parseDelta(typeof fromParam === 'string' ? fromParam : undefined) ?? headerExpires;
      expires ??= this.#o.defaultExpires;
      if (expires > 0 && expires < this.#o.minExpires) {
        return { status: 423, headers: [{ name: 'Min-Expires', value: String(this.#o.minExpires) }] };
      }
      expires = Math.min(expires, this.#o.maxExpires);
      const existing = list.find((b) => uriEquals(b.contact, c.uri));
      if (existing !== undefined && existing.callId === callId && cseq <= existing.cseq) {
        return { status: 500, headers: [] }; // §10.3 step 7: out of order
      }
      list = list.filter((b) => b !== existing);
      if (expires > 0) list.push({ contact: c.uri, expiresAt: now + expires * 1000, callId, cseq });
    }
    if (list.length > this.#o.maxBindingsPerAor) return { status: 403, headers: [] };
    if (list.length === 0) this.#bindings.delete(key);
    else {
      if (!this.#bindings.has(key) && this.#bindings.size >= this.#o.maxAors)
        return { status: 503, headers: [] };
      this.#bindings.set(key, list);
    }
    return { status: 200, headers: this.#contactHeaders(list, now) };
  }

  #live(key: string): Binding[] {
    const now = this.now();
    const list = (this.#bindings.get(key) ?? []).filter((b) => b.expiresAt > now);
    if (list.length === 0) this.#bindings.delete(key);
    return list;
  }

  #contactHeaders(list: readonly Binding[], now: number): SipHeader[] {
    return list.map((b) => ({
      name: 'Contact',
      value: formatNameAddr({
        displayName: null,
        uri: b.contact,
        params: [{ name: 'expires', value: String(Math.max(0, Math.round((b.expiresAt - now) / 1000))) }],
      }),
    }));
  }
}

function parseDelta(v: string | undefined): number | null {
  if (v === undefined) return null;
  const m = /^[ \t]*([0-9]{1,10})[ \t]*$/.exec(v);
  return m === null ? null : Math.min(Number(m[1]), 2 ** 32 - 1);
}
