import { createHmac, timingSafeEqual } from 'node:crypto';
import { type DigestCredentials, digestResponse } from './digest';

/**
 * The server side of Digest: stateless nonces and verification. Pure — the secret, the time and the
 * randomness are parameters — so it runs identically in tests and in every process of a cluster that
 * shares the secret.
 *
 * A nonce is base64url( issuedAt (8 octets, ms) ‖ random (16) ‖ HMAC-SHA-256(secret, realm, context,
 * issuedAt, random) truncated to 16 ). It proves we issued it and when, so expiry and `stale=true` are
 * decided without remembering anything. The price of statelessness: a captured (nonce, nc, response) can
 * be replayed until the nonce expires, since nonce counts are not tracked; keep the lifetime short
 * (tens of seconds to a few minutes), bind the nonce to the client address with `context`, or track nc
 * in a later layer if that matters.
 */
export interface NonceKey {
  /** Server secret, ≥ 32 random octets, shared by every process that verifies. */
  readonly secret: Uint8Array;
  readonly realm: string;
  /** Anything the nonce must be tied to, e.g. the client's source address. */
  readonly context?: string;
}

const RANDOM_OCTETS = 16;
const MAC_OCTETS = 16;
const NONCE_OCTETS = 8 + RANDOM_OCTETS + MAC_OCTETS;

function mac(key: NonceKey, head: Uint8Array): Buffer {
  const h = createHmac('sha256', key.secret);
  for (const part of ['hotline-sip-nonce-v1', key.realm, key.context ?? '']) {
    const bytes = Buffer.from(part, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    h.update(len).update(bytes);
  }
  return h.update(head).digest().subarray(0, MAC_OCTETS);
}

/** A fresh nonce issued at `now` (ms since the epoch) from 16 random octets. */
export function createNonce(key: NonceKey, now: number, random: Uint8Array): string {
  if (random.length !== RANDOM_OCTETS) {
    throw new RangeError(`nonce randomness must be ${RANDOM_OCTETS} octets`);
  }
  const head = Buffer.alloc(8 + RANDOM_OCTETS);
  head.writeBigUInt64BE(BigInt(Math.floor(now)));
  head.set(random, 8);
  return Buffer.concat([head, mac(key, head)]).toString('base64url');
}

export type NonceState = 'fresh' | 'stale' | 'invalid';

export interface NonceAge {
  readonly now: number;
  /** After this many ms a nonce is stale. */
  readonly maxAgeMs: number;
  /** How far in the future an issue time may lie (clock skew between processes). Default 0. */
  readonly maxSkewMs?: number;
}

/** `invalid` for anything we did not issue for this realm and context (or from the future). */
export function checkNonce(key: NonceKey, nonce: string, age: NonceAge): NonceState {
  if (!/^[A-Za-z0-9_-]+$/.test(nonce) || nonce.length !== Math.ceil((NONCE_OCTETS * 4) / 3)) return 'invalid';
  const raw = Buffer.from(nonce, 'base64url');
  if (raw.length !== NONCE_OCTETS) return 'invalid';
  const head = raw.subarray(0, 8 + RANDOM_OCTETS);
  if (!timingSafeEqual(raw.subarray(8 + RANDOM_OCTETS), mac(key, head))) return 'invalid';
  const issuedAt = Number(head.readBigUInt64BE(0));
  const elapsed = age.now - issuedAt;
  if (elapsed < -(age.maxSkewMs ?? 0)) return 'invalid';
  return elapsed > age.maxAgeMs ? 'stale' : 'fresh';
}

export type DigestRejection =
  /** Credentials for another realm. */
  | 'REALM_MISMATCH'
  /** A nonce we did not issue (or forged, or for another realm/context). Challenge afresh. */
  | 'NONCE_INVALID'
  /** The digest-uri is not the Request-URI. */
  | 'URI_MISMATCH'
  /** No qop although the policy demands it (replay protection via cnonce/nc). */
  | 'QOP_REQUIRED'
  /** Wrong password (or wrong user, body, method…). */
  | 'RESPONSE_MISMATCH'
  /** Everything right but the nonce expired: challenge again with `stale=true`. */
  | 'NONCE_STALE';

export type DigestVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: DigestRejection };

export interface DigestCheck {
  readonly credentials: DigestCredentials;
  readonly method: string;
  readonly key: NonceKey;
  readonly age: NonceAge;
  /** `digestHa1(algorithm, username, realm, password)` for the credentials' algorithm. */
  readonly ha1: string;
  /** When given, the credentials' uri must equal it exactly. */
  readonly requestUri?: string;
  readonly body?: Uint8Array;
  /** Refuse RFC 2069-style credentials without qop. Default true. */
  readonly requireQop?: boolean;
}

/**
 * Verifies credentials against a nonce from `createNonce`. Constant-time comparison of the response.
 * `NONCE_STALE` is only returned when the response is otherwise correct (RFC 7616 §3.3), so `stale=true`
 * never tells a guesser anything. For an unknown user, call this with a dummy `ha1` and answer the same
 * way as for a wrong password, so the reply does not reveal which users exist.
 */
export function verifyDigest(c: DigestCheck): DigestVerdict {
  const cred = c.credentials;
  if (cred.realm !== c.key.realm) return { ok: false, reason: 'REALM_MISMATCH' };
  const nonce = checkNonce(c.key, cred.nonce, c.age);
  if (nonce === 'invalid') return { ok: false, reason: 'NONCE_INVALID' };
  if (c.requestUri !== undefined && cred.uri !== c.requestUri) return { ok: false, reason: 'URI_MISMATCH' };
  if ((c.requireQop ?? true) && cred.qop === null) return { ok: false, reason: 'QOP_REQUIRED' };
  const expected = digestResponse({
    algorithm: cred.algorithm,
    ha1: c.ha1,
    nonce: cred.nonce,
    method: c.method,
    uri: cred.uri,
    qop: cred.qop,
    nc: cred.nc,
    cnonce: cred.cnonce,
    ...(c.body === undefined ? {} : { body: c.body }),
  });
  const got = Buffer.from(cred.response.toLowerCase(), 'utf8');
  const want = Buffer.from(expected, 'utf8');
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    return { ok: false, reason: 'RESPONSE_MISMATCH' };
  }
  return nonce === 'stale' ? { ok: false, reason: 'NONCE_STALE' } : { ok: true };
}
