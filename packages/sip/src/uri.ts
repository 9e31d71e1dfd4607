import { isIPv4, isIPv6 } from 'node:net';
import { formatParams, type Param, SipSyntaxError } from './grammar';

/**
 * SIP, SIPS (RFC 3261 §19.1, §25) and tel (RFC 3966) URIs; any other absolute URI is kept opaque.
 *
 * Components are stored exactly as written, escapes included (`%40` stays `%40`): a proxy forwards
 * what it received, and RFC 4475 esc01 warns that unescaping must happen once, at comparison time.
 * `percentDecode` and `uriEquals` do that. The scheme is lower-cased (it is case-insensitive).
 */
export type Uri = SipUri | TelUri | OtherUri;

export interface SipUri {
  readonly kind: 'sip';
  readonly scheme: 'sip' | 'sips';
  /** Escaped form; `null` when there is no userinfo. */
  readonly user: string | null;
  /** Escaped form; `null` when absent, `''` for `user:@host`. */
  readonly password: string | null;
  /** Hostname, IPv4 address or IPv6 reference with its brackets, as written. */
  readonly host: string;
  readonly port: number | null;
  readonly params: readonly Param[];
  readonly headers: readonly UriHeader[];
}

export interface UriHeader {
  readonly name: string;
  readonly value: string;
}

export interface TelUri {
  readonly kind: 'tel';
  readonly scheme: 'tel';
  /** `+` global number or local number, visual separators kept. */
  readonly number: string;
  readonly params: readonly Param[];
}

/** An absolute URI of another scheme (`http:`, `urn:`, `isbn:` …): carried, never interpreted. */
export interface OtherUri {
  readonly kind: 'other';
  readonly scheme: string;
  /** Everything after `scheme:`. */
  readonly opaque: string;
}

function set(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) t[c] = 1;
  }
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}

const MARK = "-_.!~*'()";
/** Allowed unescaped, per component (`%HH` escapes are allowed in all of them). */
const USER = set(`${MARK}&=+$,;?/`);
const PASSWORD = set(`${MARK}&=+$,`);
const PARAM = set(`${MARK}[]/:&+$`);
const HEADER = set(`${MARK}[]/?:+$`);
/** `uric` of RFC 2396 (reserved / unreserved), plus brackets for IPv6 literals (RFC 2732). */
const URIC = set(`${MARK};/?:@&=+$,[]`);
const TEL_PARAM_NAME = set('-');

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** Every character is in `allowed` or starts a valid `%HH` escape. */
function validEscaped(s: string, allowed: Uint8Array, allowEmpty = false): boolean {
  if (s.length === 0) return allowEmpty;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (c >= 128 || allowed[c] !== 1) {
      return false;
    }
  }
  return true;
}

function fail(detail: string, text: string): never {
  throw new SipSyntaxError(`${detail} in URI ${JSON.stringify(text.slice(0, 80))}`);
}

/** RFC 3261 `hostname`: labels of alphanum and inner hyphens; the top label starts with a letter. */
function isHostname(h: string): boolean {
  const labels = (h.endsWith('.') ? h.slice(0, -1) : h).split('.');
  for (const l of labels) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l)) return false;
  }
  const top = labels[labels.length - 1] ?? '';
  return /^[A-Za-z]/.test(top);
}

export type HostKind = 'hostname' | 'ipv4' | 'ipv6';

/** Classifies a host as written in a URI or Via (`[…]` for IPv6), or `null` when it is none of them. */
export function hostKind(host: string): HostKind | null {
  if (host.startsWith('[')) {
    const inner = host.slice(1, -1);
    return host.endsWith(']') && !inner.includes('%') && isIPv6(inner) ? 'ipv6' : null;
  }
  if (/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host)) return isIPv4(host) ? 'ipv4' : null;
  return host.length > 0 && host.length <= 255 && isHostname(host) ? 'hostname' : null;
}

/** Port as written after `:`, 0–65535. */
export function parsePort(s: string): number | null {
  if (!/^[0-9]{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

function parseUriParams(segment: string, text: string, nameSet: Uint8Array, valueSet: Uint8Array): Param[] {
  if (segment === '') return [];
  const params: Param[] = [];
  for (const part of segment.split(';')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? null : part.slice(eq + 1);
    if (!validEscaped(name, nameSet)) fail('bad parameter name', text);
    if (value !== null && !validEscaped(value, valueSet)) fail('bad parameter value', text);
    params.push({ name, value });
  }
  return params;
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string, text: string): SipUri {
  let user: string | null = null;
  let password: string | null = null;
  let hostPart = rest;
  // '@' cannot appear unescaped in user, password, parameters or headers, so the first one ends userinfo.
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    password = colon < 0 ? null : userinfo.slice(colon + 1);
    if (!validEscaped(user, USER)) fail('bad user part', text);
    if (password !== null && !validEscaped(password, PASSWORD, true)) fail('bad password', text);
  }

  const q = hostPart.indexOf('?');
  const beforeHeaders = q < 0 ? hostPart : hostPart.slice(0, q);
  const semi = beforeHeaders.indexOf(';');
  const hostport = semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi);

  let host: string;
  let portText: string | null = null;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) fail('unterminated IPv6 reference', text);
    host = hostport.slice(0, close + 1);
    const after = hostport.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) fail('junk after IPv6 reference', text);
      portText = after.slice(1);
    }
  } else {
    const colon = hostport.indexOf(':');
    host = colon < 0 ? hostport : hostport.slice(0, colon);
    portText = colon < 0 ? null : hostport.slice(colon + 1);
  }
  if (hostKind(host) === null) fail('bad host', text);
  const port = portText === null ? null : parsePort(portText);
  if (portText !== null && port === null) fail('bad port', text);

  const params = semi < 0 ? [] : parseUriParams(beforeHeaders.slice(semi + 1), text, PARAM, PARAM);
  const headers: UriHeader[] = [];
  if (q >= 0) {
    for (const part of hostPart.slice(q + 1).split('&')) {
      const eq = part.indexOf('=');
      if (eq < 0) fail('URI header without "="', text);
      const name = part.slice(0, eq);
      const value = part.slice(eq + 1);
      if (!validEscaped(name, HEADER) || !validEscaped(value, HEADER, true)) fail('bad URI header', text);
      headers.push({ name, value });
    }
  }
  return { kind: 'sip', scheme, user, password, host, port, params, headers };
}

function parseTelUri(rest: string, text: string): TelUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  // RFC 3966: global numbers are "+" digits, local numbers hex digits, * and #; both with visual separators.
  // Local numbers should carry phone-context; that is a routing concern, not a syntax one, so not enforced.
  const ok = number.startsWith('+')
    ? /^\+[0-9().-]*[0-9][0-9().-]*$/.test(number)
    : /^[0-9A-Fa-f*#().-]*[0-9A-Fa-f*#][0-9A-Fa-f*#().-]*$/.test(number);
  if (!ok) fail('bad telephone number', text);
  const params = semi < 0 ? [] : parseUriParams(rest.slice(semi + 1), text, TEL_PARAM_NAME, PARAM);
  return { kind: 'tel', scheme: 'tel', number, params };
}

/**
 * Parses an absolute URI as it appears in a Request-URI or between `<` and `>`. No surrounding or
 * embedded whitespace is allowed. Throws `SipSyntaxError`.
 */
export function parseUri(text: string): Uri {
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? '' : text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) fail('bad scheme', text);
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest, text);
  if (scheme === 'tel') return parseTelUri(rest, text);
  if (!validEscaped(rest, URIC)) fail('bad character', text);
  return { kind: 'other', scheme, opaque: rest };
}

export function formatUri(uri: Uri): string {
  switch (uri.kind) {
    case 'sip': {
      let out = `${uri.scheme}:`;
      if (uri.user !== null) out += `${uri.user}${uri.password === null ? '' : `:${uri.password}`}@`;
      out += uri.host;
      if (uri.port !== null) out += `:${uri.port}`;
      out += formatParams(uri.params);
      if (uri.headers.length > 0) out += `?${uri.headers.map((h) => `${h.name}=${h.value}`).join('&')}`;
      return out;
    }
    case 'tel':
      return `tel:${uri.number}${formatParams(uri.params)}`;
    case 'other':
      return `${uri.scheme}:${uri.opaque}`;
  }
}

/**
 * Resolves `%HH` escapes once (never recursively: `%25%34%31` becomes `%41`, RFC 4475 esc01) and reads
 * the bytes as UTF-8; byte sequences that are not UTF-8 become U+FFFD. `%00` yields a real NUL
 * (RFC 4475 escnull): treat the result as data, not as a C string.
 */
export function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(/%([0-9A-Fa-f]{2})/g)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'), Buffer.of(Number.parseInt(m[1] ?? '', 16)));
    last = m.index + 3;
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}

export type UriComponent = 'user' | 'password' | 'param' | 'header';
const COMPONENT_SETS: Record<UriComponent, Uint8Array> = {
  user: USER,
  password: PASSWORD,
  param: PARAM,
  header: HEADER,
};

/** Escapes text for one URI component: anything not allowed there becomes `%HH` of its UTF-8 bytes. */
export function percentEncode(text: string, component: UriComponent): string {
  const allowed = COMPONENT_SETS[component];
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c < 128 && allowed[c] === 1) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const RESERVED = ';/?:@&=+$,';

/**
 * Canonical form for comparison (RFC 3261 §19.1.4): an escape of a character outside the reserved set
 * equals the character itself; escapes of reserved characters stay escapes (upper-case hex).
 */
function canonicalEscapes(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    return RESERVED.includes(ch) || Number.parseInt(hex, 16) >= 0x80 ? `%${hex.toUpperCase()}` : ch;
  });
}

const PARAMS_ALWAYS_COMPARED = ['user', 'ttl', 'method', 'maddr', 'transport'];

function paramMap(params: readonly Param[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const p of params) {
    const name = canonicalEscapes(p.name).toLowerCase();
    if (!m.has(name)) m.set(name, p.value === null ? null : canonicalEscapes(p.value).toLowerCase());
  }
  return m;
}

/**
 * URI equivalence of RFC 3261 §19.1.4 for SIP/SIPS: user and password case-sensitive, host
 * case-insensitive, an absent port differs from an explicit one; `user`, `ttl`, `method`, `maddr` and
 * `transport` must match when either side has them, other parameters only when both have them; headers
 * must match as sets. tel URIs compare by their digits and parameters; other schemes by exact text.
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind === 'sip' && b.kind === 'sip') {
    if (a.scheme !== b.scheme || a.port !== b.port) return false;
    if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
    const norm = (s: string | null) => (s === null ? null : canonicalEscapes(s));
    if (norm(a.user) !== norm(b.user) || norm(a.password) !== norm(b.password)) return false;
    const pa = paramMap(a.params);
    const pb = paramMap(b.params);
    for (const [name, value] of pa) {
      if (pb.has(name)) {
        if (pb.get(name) !== value) return false;
      } else if (PARAMS_ALWAYS_COMPARED.includes(name)) {
        return false;
      }
    }
    for (const name of pb.keys()) if (!pa.has(name) && PARAMS_ALWAYS_COMPARED.includes(name)) return false;
    const headerSet = (u: SipUri) =>
      u.headers.map((h) => `${canonicalEscapes(h.name).toLowerCase()}=${canonicalEscapes(h.value)}`).sort();
    const ha = headerSet(a);
    const hb = headerSet(b);
    return ha.length === hb.length && ha.every((h, i) => h === hb[i]);
  }
  if (a.kind === 'tel' && b.kind === 'tel') {
    const digits = (n: string) => n.replace(/[().-]/g, '').toLowerCase();
    if (digits(a.number) !== digits(b.number)) return false;
    const pa = paramMap(a.params);
    const pb = paramMap(b.params);
    return pa.size === pb.size && [...pa].every(([k, v]) => pb.has(k) && pb.get(k) === v);
  }
  if (a.kind === 'other' && b.kind === 'other') return a.scheme === b.scheme && a.opaque === b.opaque;
  return false;
}
