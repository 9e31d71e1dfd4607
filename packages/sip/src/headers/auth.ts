import { DQUOTE, isToken, quote, Scanner, SipSyntaxError } from '../grammar';

/**
 * The generic shape of WWW-Authenticate, Proxy-Authenticate, Authorization and Proxy-Authorization
 * (RFC 3261 §25.1 `challenge` / `credentials`): a scheme, LWS, then comma-separated `name=value` pairs
 * whose value is a token or a quoted-string. Unknown schemes parse the same way (RFC 4475 regaut01);
 * what Digest requires of the parameters is checked by `digest.ts`.
 */
export interface AuthParam {
  /** As written; compare case-insensitively. */
  readonly name: string;
  /** Quotes and escapes resolved. */
  readonly value: string;
  /** Whether it was (or must be) sent as a quoted-string. */
  readonly quoted: boolean;
}

export interface AuthHeader {
  readonly scheme: string;
  readonly params: readonly AuthParam[];
}

export type ChallengeHeaderName = 'WWW-Authenticate' | 'Proxy-Authenticate';
export type CredentialsHeaderName = 'Authorization' | 'Proxy-Authorization';

/** Throws `SipSyntaxError`. */
export function parseAuthHeader(value: string): AuthHeader {
  const s = new Scanner(value);
  try {
    s.skipWsp();
    const scheme = s.token('auth scheme');
    if (!s.skipWsp()) s.fail('expected LWS after auth scheme');
    const params: AuthParam[] = [];
    do {
      s.skipWsp();
      const name = s.token('auth-param name');
      s.skipWsp();
      s.expect('=', '=');
      s.skipWsp();
      if (s.peek() === DQUOTE) params.push({ name, value: s.quotedString().value, quoted: true });
      else params.push({ name, value: s.token('auth-param value'), quoted: false });
      s.skipWsp();
    } while (s.eat(','));
    s.expectEnd('auth params');
    return { scheme, params };
  } catch (e) {
    if (e instanceof SipSyntaxError) throw new SipSyntaxError(`auth header: ${e.message}`);
    throw e;
  }
}

/** Values that are not tokens are quoted whatever `quoted` says, so the output always parses. */
export function formatAuthHeader(h: AuthHeader): string {
  const params = h.params.map((p) => `${p.name}=${p.quoted || !isToken(p.value) ? quote(p.value) : p.value}`);
  return `${h.scheme} ${params.join(', ')}`;
}

/** The value of the parameter named `name` (any case), or `undefined`. */
export function authParam(h: AuthHeader, name: string): string | undefined {
  const key = name.toLowerCase();
  return h.params.find((p) => p.name.toLowerCase() === key)?.value;
}
