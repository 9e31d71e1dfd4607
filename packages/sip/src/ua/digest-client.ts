import { randomBytes } from 'node:crypto';
import { answerChallenge, firstSupportedChallenge, formatDigestCredentials } from '../digest';
import { getAuthHeaders, type SipHeader, type SipResponse } from '../message';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * The client side of Digest in use (RFC 3261 §22.2–22.3, RFC 7616, RFC 8760): answers a 401/407 with
 * the credentials for the retry — MD5 or SHA-256 (and the `-sess` forms), qop=auth when offered, a
 * fresh cnonce per nonce and a growing nonce count per nonce. It keeps the last answered challenge per
 * realm, so later requests (a REGISTER refresh, an in-dialog BYE) can send credentials up front.
 *
 * It refuses (returns `null`) to answer the same realm twice in a row with a non-stale challenge: a
 * second challenge after our answer means the password is wrong (§22.2), and retrying would loop.
 */
export class DigestClient {
  readonly #nonceCounts = new Map<string, number>();
  /** Realms whose last challenge we answered and that challenged again (not stale): stop. */
  readonly #answered = new Set<string>();

  constructor(
    private readonly credentials: Credentials,
    private readonly cnonce: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  /**
   * The Authorization (401) or Proxy-Authorization (407) header for retrying a request challenged by
   * `response`, or `null` when no challenge can or should be answered.
   */
  answer(
    response: SipResponse,
    request: { readonly method: string; readonly uri: string; readonly body?: Uint8Array },
  ): SipHeader | null {
    const proxy = response.status === 407;
    const challenge = firstSupportedChallenge(
      getAuthHeaders(response, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'),
    );
    if (challenge === null) return null;
    if (this.#answered.has(challenge.realm) && !challenge.stale) return null;
    this.#answered.add(challenge.realm);
    const nc = (this.#nonceCounts.get(challenge.nonce) ?? 0) + 1;
    if (this.#nonceCounts.size > 64) this.#nonceCounts.clear();
    this.#nonceCounts.set(challenge.nonce, nc);
    const value = formatDigestCredentials(
      answerChallenge(challenge, {
        username: this.credentials.username,
        password: this.credentials.password,
        method: request.method,
        uri: request.uri,
        cnonce: this.cnonce(),
        nonceCount: nc,
        ...(request.body === undefined ? {} : { body: request.body }),
      }),
    );
    return { name: proxy ? 'Proxy-Authorization' : 'Authorization', value };
  }

  /** A final response other than 401/407 came: the credentials worked (or were not the problem). */
  succeeded(): void {
    this.#answered.clear();
  }
}
