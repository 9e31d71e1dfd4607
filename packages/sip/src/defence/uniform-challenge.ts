import { createHmac } from 'node:crypto';
import {
  type DigestAlgorithm,
  type DigestCredentials,
  digestHash,
  formatDigestChallenge,
  parseDigestCredentials,
} from '../digest';
import {
  createNonce,
  type DigestCheck,
  type DigestVerdict,
  type NonceKey,
  verifyDigest,
} from '../digest-server';

/**
 * The challenge decision for REGISTER and INVITE that does not tell who exists. For an unknown user
 * the digest is still verified — against a stand-in HA1 derived from a secret and the username — so
 * the same work is done and the same answer comes back as for a known user with a wrong password: a
 * fresh challenge with the same status and the same headers. Only the nonce differs between two
 * answers, and it is random either way.
 *
 * What this cannot equalise is the caller's own user lookup (a cache hit vs a database miss): look
 * users up the same way whether they exist or not, and pass the result in.
 */
export interface ChallengeRequest {
  readonly method: string;
  /** The Request-URI as text, compared with the credentials' `uri`. */
  readonly requestUri: string;
  /** The Authorization (401 flow) or Proxy-Authorization (407 flow) values of the request, raw. */
  readonly authorization: readonly string[];
  readonly body?: Uint8Array;
}

export interface ChallengePolicy {
  readonly key: NonceKey;
  readonly now: number;
  readonly nonceMaxAgeMs: number;
  /** 16 fresh random octets for the next nonce. */
  readonly nonceRandom: Uint8Array;
  /** Default MD5: most trunks and phones still answer only MD5 challenges. */
  readonly algorithm?: DigestAlgorithm;
  /** 401 + WWW-Authenticate (registrar, UAS; default) or 407 + Proxy-Authenticate (proxy). */
  readonly status?: 401 | 407;
  /** Secret for the stand-in HA1 of unknown users; any ≥ 32 random octets, need not be shared. */
  readonly unknownUserSecret: Uint8Array;
}

/** The stored HA1 of the user named in the credentials, for the credentials' algorithm; `null` if unknown. */
export type Ha1Lookup = (username: string, algorithm: DigestAlgorithm) => string | null;

export type ChallengeDecision =
  | { readonly kind: 'accept'; readonly username: string }
  | {
      readonly kind: 'challenge';
      readonly status: 401 | 407;
      readonly reason: 'NO_CREDENTIALS' | 'REJECTED' | 'STALE';
      /** Feed `SipDefence.authFailed`: credentials were presented and were wrong. */
      readonly authFailed: boolean;
      readonly header: { readonly name: 'WWW-Authenticate' | 'Proxy-Authenticate'; readonly value: string };
    };

export function decideChallenge(
  request: ChallengeRequest,
  policy: ChallengePolicy,
  lookupHa1: Ha1Lookup,
  verify: (c: DigestCheck) => DigestVerdict = verifyDigest,
): ChallengeDecision {
  const credentials = ourCredentials(request.authorization, policy.key.realm);
  if (credentials === null) return challenge(policy, 'NO_CREDENTIALS', false);
  const known = lookupHa1(credentials.username, credentials.algorithm);
  const ha1 = known ?? standInHa1(policy.unknownUserSecret, credentials);
  const verdict = verify({
    credentials,
    method: request.method,
    key: policy.key,
    age: { now: policy.now, maxAgeMs: policy.nonceMaxAgeMs },
    ha1,
    requestUri: request.requestUri,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  // `known !== null` is checked after the same work in both cases; a stand-in HA1 that happened to
  // verify (it cannot without the secret) would still not let an unknown user in.
  if (verdict.ok && known !== null) return { kind: 'accept', username: credentials.username };
  if (!verdict.ok && verdict.reason === 'NONCE_STALE' && known !== null)
    return challenge(policy, 'STALE', false);
  return challenge(policy, 'REJECTED', true);
}

/** The first credentials that parse and name our realm; others (another realm, Basic…) are not ours. */
function ourCredentials(values: readonly string[], realm: string): DigestCredentials | null {
  for (const v of values) {
    const c = parseDigestCredentials(v);
    if (c.ok && c.value.realm === realm) return c.value;
  }
  return null;
}

function standInHa1(secret: Uint8Array, c: DigestCredentials): string {
  const seed = createHmac('sha256', secret).update(`${c.realm}\u0000${c.username}`).digest('hex');
  return digestHash(c.algorithm, seed);
}

function challenge(
  policy: ChallengePolicy,
  reason: 'NO_CREDENTIALS' | 'REJECTED' | 'STALE',
  authFailed: boolean,
): ChallengeDecision {
  const status = policy.status ?? 401;
  const value = formatDigestChallenge({
    realm: policy.key.realm,
    nonce: createNonce(policy.key, policy.now, policy.nonceRandom),
    algorithm: policy.algorithm ?? 'MD5',
    qop: ['auth'],
    opaque: null,
    stale: reason === 'STALE',
    domain: null,
  });
  return {
    kind: 'challenge',
    status,
    reason,
    authFailed,
    header: { name: status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate', value },
  };
}
