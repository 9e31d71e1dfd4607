import { createHash } from 'node:crypto';
import {
  type AuthHeader,
  type AuthParam,
  authParam,
  formatAuthHeader,
  parseAuthHeader,
} from './headers/auth';

/**
 * HTTP Digest as SIP uses it (RFC 3261 §22.4, RFC 7616, RFC 8760): challenge and credentials headers
 * and the response computation, for MD5, SHA-256 and SHA-512/256, each also in its `-sess` variant,
 * with qop `auth`, `auth-int`, or none (RFC 2069 compatibility). Pure functions: the client's cnonce is
 * passed in. Server-side nonces and verification are in `digest-server.ts`.
 *
 * Not supported: `userhash` and `username*` (RFC 7616 §3.4.4–3.4.5; not used by SIP peers we meet),
 * which are simply absent from the typed views.
 */
export const DIGEST_ALGORITHMS = [
  'MD5',
  'MD5-sess',
  'SHA-256',
  'SHA-256-sess',
  'SHA-512-256',
  'SHA-512-256-sess',
] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];
export type Qop = 'auth' | 'auth-int';

const NODE_HASH = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' } as const;
const HEX_LENGTH = { MD5: 32, 'SHA-256': 64, 'SHA-512-256': 64 } as const;

type BaseAlgorithm = keyof typeof NODE_HASH;
const baseOf = (a: DigestAlgorithm): BaseAlgorithm => a.replace(/-sess$/, '') as BaseAlgorithm;
const isSess = (a: DigestAlgorithm): boolean => a.endsWith('-sess');

/** Algorithm names compare case-insensitively (`md5` is MD5). */
export function toDigestAlgorithm(name: string): DigestAlgorithm | null {
  const key = name.toLowerCase();
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === key) ?? null;
}

export function digestHash(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  return createHash(NODE_HASH[baseOf(algorithm)]).update(data).digest('hex');
}

/** What a server sends in WWW-Authenticate / Proxy-Authenticate. */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  /** Offered qop values we understand; empty when the challenge offered none (RFC 2069 style). */
  readonly qop: readonly Qop[];
  readonly opaque: string | null;
  /** The previous request failed only because its nonce had expired: retry without asking the user. */
  readonly stale: boolean;
  readonly domain: string | null;
}

/** What a client sends in Authorization / Proxy-Authorization. */
export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  /** The digest-uri: normally the Request-URI, as text. */
  readonly uri: string;
  /** Lower-case hex. */
  readonly response: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: Qop | null;
  /** Nonce count, 8 hex digits; present exactly when `qop` is. */
  readonly nc: string | null;
  readonly cnonce: string | null;
  readonly opaque: string | null;
}

export type DigestParse<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

function asHeader(input: AuthHeader | string): AuthHeader | string {
  if (typeof input !== 'string') return input;
  try {
    return parseAuthHeader(input);
  } catch (e) {
    return e instanceof Error ? e.message : 'malformed';
  }
}

/**
 * Reads a Digest challenge. Refuses another scheme, a missing realm or nonce, and an algorithm we do not
 * implement (RFC 8760 §2.4: the client then tries the next challenge; see `firstSupportedChallenge`).
 */
export function parseDigestChallenge(input: AuthHeader | string): DigestParse<DigestChallenge> {
  const h = asHeader(input);
  if (typeof h === 'string') return { ok: false, reason: h };
  if (h.scheme.toLowerCase() !== 'digest') return { ok: false, reason: `scheme ${h.scheme}` };
  const realm = authParam(h, 'realm');
  const nonce = authParam(h, 'nonce');
  if (realm === undefined || nonce === undefined) {
    return { ok: false, reason: 'realm and nonce are required' };
  }
  const algorithmName = authParam(h, 'algorithm') ?? 'MD5';
  const algorithm = toDigestAlgorithm(algorithmName);
  if (algorithm === null) return { ok: false, reason: `unsupported algorithm ${algorithmName}` };
  const qop = (authParam(h, 'qop') ?? '')
    .split(',')
    .map((q) => q.trim().toLowerCase())
    .filter((q): q is Qop => q === 'auth' || q === 'auth-int');
  if (isSess(algorithm) && qop.length === 0) return { ok: false, reason: '-sess algorithms require qop' };
  return {
    ok: true,
    value: {
      realm,
      nonce,
      algorithm,
      qop,
      opaque: authParam(h, 'opaque') ?? null,
      stale: (authParam(h, 'stale') ?? '').toLowerCase() === 'true',
      domain: authParam(h, 'domain') ?? null,
    },
  };
}

/** The first Digest challenge whose algorithm we implement, in the server's order of preference. */
export function firstSupportedChallenge(headers: readonly AuthHeader[]): DigestChallenge | null {
  for (const h of headers) {
    const c = parseDigestChallenge(h);
    if (c.ok) return c.value;
  }
  return null;
}

/** Reads Digest credentials, checking presence and shape of every field the verification relies on. */
export function parseDigestCredentials(input: AuthHeader | string): DigestParse<DigestCredentials> {
  const h = asHeader(input);
  if (typeof h === 'string') return { ok: false, reason: h };
  if (h.scheme.toLowerCase() !== 'digest') return { ok: false, reason: `scheme ${h.scheme}` };
  const get = (name: string) => authParam(h, name);
  const username = get('username');
  const realm = get('realm');
  const nonce = get('nonce');
  const uri = get('uri');
  const response = get('response')?.toLowerCase();
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined) {
    return { ok: false, reason: 'username, realm, nonce and uri are required' };
  }
  const algorithmName = get('algorithm') ?? 'MD5';
  const algorithm = toDigestAlgorithm(algorithmName);
  if (algorithm === null) return { ok: false, reason: `unsupported algorithm ${algorithmName}` };
  if (response === undefined || !new RegExp(`^[0-9a-f]{${HEX_LENGTH[baseOf(algorithm)]}}$`).test(response)) {
    return { ok: false, reason: 'response is not a digest of the algorithm' };
  }
  const qopName = get('qop')?.toLowerCase();
  let qop: Qop | null = null;
  let nc: string | null = null;
  let cnonce: string | null = null;
  if (qopName !== undefined) {
    if (qopName !== 'auth' && qopName !== 'auth-int') {
      return { ok: false, reason: `unsupported qop ${qopName}` };
    }
    qop = qopName;
    nc = get('nc') ?? null;
    cnonce = get('cnonce') ?? null;
    if (nc === null || !/^[0-9a-fA-F]{8}$/.test(nc) || cnonce === null || cnonce === '') {
      return { ok: false, reason: 'qop requires nc (8 hex digits) and cnonce' };
    }
  } else if (isSess(algorithm)) {
    return { ok: false, reason: '-sess algorithms require qop and cnonce' };
  }
  return {
    ok: true,
    value: {
      username,
      realm,
      nonce,
      uri,
      response,
      algorithm,
      qop,
      nc,
      cnonce,
      opaque: get('opaque') ?? null,
    },
  };
}

const q = (name: string, value: string): AuthParam => ({ name, value, quoted: true });
const t = (name: string, value: string): AuthParam => ({ name, value, quoted: false });

/** Header value for WWW-Authenticate / Proxy-Authenticate. */
export function formatDigestChallenge(c: DigestChallenge): string {
  const params: AuthParam[] = [q('realm', c.realm)];
  if (c.domain !== null) params.push(q('domain', c.domain));
  params.push(q('nonce', c.nonce));
  if (c.opaque !== null) params.push(q('opaque', c.opaque));
  if (c.stale) params.push(t('stale', 'true'));
  params.push(t('algorithm', c.algorithm));
  if (c.qop.length > 0) params.push(q('qop', c.qop.join(',')));
  return formatAuthHeader({ scheme: 'Digest', params });
}

/** Header value for Authorization / Proxy-Authorization (quoting as RFC 7616 §3.4 prescribes). */
export function formatDigestCredentials(c: DigestCredentials): string {
  const params: AuthParam[] = [
    q('username', c.username),
    q('realm', c.realm),
    q('nonce', c.nonce),
    q('uri', c.uri),
    q('response', c.response),
    t('algorithm', c.algorithm),
  ];
  if (c.cnonce !== null) params.push(q('cnonce', c.cnonce));
  if (c.opaque !== null) params.push(q('opaque', c.opaque));
  if (c.qop !== null) params.push(t('qop', c.qop));
  if (c.nc !== null) params.push(t('nc', c.nc));
  return formatAuthHeader({ scheme: 'Digest', params });
}

/**
 * H(username:realm:password) — what a server may store instead of the password. It depends on the base
 * hash only, so one stored value per hash serves the plain and the `-sess` algorithm.
 */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  /** `digestHa1(...)` of the user: never the session HA1, which is derived here. */
  readonly ha1: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  readonly qop: Qop | null;
  readonly nc: string | null;
  readonly cnonce: string | null;
  /** The message body, for qop=auth-int. */
  readonly body?: Uint8Array;
}

/** The `response` value (RFC 7616 §3.4.1–3.4.3). */
export function digestResponse(i: DigestResponseInput): string {
  const h = (data: string | Uint8Array) => digestHash(i.algorithm, data);
  const ha1 = isSess(i.algorithm) ? h(`${i.ha1}:${i.nonce}:${i.cnonce ?? ''}`) : i.ha1;
  const a2 =
    i.qop === 'auth-int' ? `${i.method}:${i.uri}:${h(i.body ?? new Uint8Array())}` : `${i.method}:${i.uri}`;
  const ha2 = h(a2);
  if (i.qop === null) return h(`${ha1}:${i.nonce}:${ha2}`);
  return h(`${ha1}:${i.nonce}:${i.nc ?? ''}:${i.cnonce ?? ''}:${i.qop}:${ha2}`);
}

export interface ChallengeAnswer {
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The Request-URI of the request being authenticated, as text. */
  readonly uri: string;
  /** Fresh client randomness for each new nonce (e.g. 16 random bytes in hex). */
  readonly cnonce: string;
  /** How many requests this client has sent with this nonce, this one included (1 for the first). */
  readonly nonceCount: number;
  readonly body?: Uint8Array;
}

/** The client side: credentials answering `challenge`. Prefers qop=auth, then auth-int, else none. */
export function answerChallenge(challenge: DigestChallenge, a: ChallengeAnswer): DigestCredentials {
  const qop: Qop | null = challenge.qop.includes('auth') ? 'auth' : (challenge.qop[0] ?? null);
  const nc = qop === null ? null : a.nonceCount.toString(16).padStart(8, '0');
  const cnonce = qop === null ? null : a.cnonce;
  const ha1 = digestHa1(challenge.algorithm, a.username, challenge.realm, a.password);
  const response = digestResponse({
    algorithm: challenge.algorithm,
    ha1,
    nonce: challenge.nonce,
    method: a.method,
    uri: a.uri,
    qop,
    nc,
    cnonce,
    ...(a.body === undefined ? {} : { body: a.body }),
  });
  return {
    username: a.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: a.uri,
    response,
    algorithm: challenge.algorithm,
    qop,
    nc,
    cnonce,
    opaque: challenge.opaque,
  };
}
