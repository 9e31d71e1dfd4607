import {
  DQUOTE,
  formatParams,
  isTokenChar,
  type Param,
  quote,
  readParams,
  Scanner,
  SipSyntaxError,
} from '../grammar';
import { formatUri, parseUri, type Uri } from '../uri';

/**
 * `name-addr` / `addr-spec` with header parameters: the shape of From, To, Contact, Route, Record-Route,
 * Reply-To and friends (RFC 3261 §20.10, §25.1).
 *
 * Rule that decides where parameters belong: inside `<>` they are URI parameters; without `<>` every
 * `;param` after the URI is a header parameter (RFC 4475 cparam01/cparam02), and a URI containing `?`
 * must be bracketed (RFC 4475 regbadct).
 */
export interface NameAddr {
  /** Display name with quotes and escapes resolved; `null` when absent (`""` is an empty one). */
  readonly displayName: string | null;
  readonly uri: Uri;
  readonly params: readonly Param[];
}

/** Dialog tag of From/To (RFC 3261 §19.3). */
export type Tag = string & { readonly __brand: 'Tag' };

/** From or To: a name-addr with its `tag` lifted out of the parameters. */
export interface Party extends NameAddr {
  readonly tag: Tag | null;
}

const LT = 0x3c;
const GT = 0x3e;

interface ReadOptions {
  /** A `,` ends the value (list headers); otherwise it is an error. */
  readonly inList: boolean;
  /** Route and Record-Route allow only the bracketed form. */
  readonly bracketsRequired: boolean;
}

function readNameAddr(s: Scanner, opts: ReadOptions): NameAddr {
  s.skipWsp();
  let displayName: string | null = null;
  let bracketed = false;
  if (s.peek() === DQUOTE) {
    displayName = s.quotedString().value;
    s.skipWsp();
    if (s.peek() !== LT) s.fail('expected < after display name');
    bracketed = true;
  } else {
    // `*(token LWS) <`: tokens separated by LWS. Liberal readings: no LWS before `<` (RFC 4475 lwsdisp
    // says accept it) and non-ASCII letters in unquoted names (phones send `Jürgen <sip:…>`; no ambiguity).
    const start = s.pos;
    const words: string[] = [];
    for (;;) {
      const w = s.takeUntil((c) => !isTokenChar(c) && c < 0x80);
      if (w === '') break;
      words.push(w);
      if (!s.skipWsp()) break;
    }
    if (s.peek() === LT) {
      displayName = words.length > 0 ? words.join(' ') : null;
      bracketed = true;
    } else {
      // Words ended by neither `<` nor a scheme's `:`, and a `<` further on: a display name that needed
      // quotes (RFC 4475 baddn). Said plainly rather than as a failed URI.
      const unquoted = words.length > 0 && s.peek() !== 0x3a && s.text.includes('<', s.pos);
      if (unquoted) s.fail('display name with non-token characters must be quoted');
      s.pos = start;
    }
  }

  let uri: Uri;
  if (bracketed) {
    s.pos++;
    const close = s.text.indexOf('>', s.pos);
    if (close < 0) s.fail('missing >');
    const text = s.text.slice(s.pos, close);
    if (/[ \t]/.test(text)) s.fail('whitespace inside <>');
    uri = parseUri(text);
    s.pos = close + 1;
  } else {
    if (opts.bracketsRequired) s.fail('expected <');
    const text = s.takeUntil(
      (c) => c === 0x3b || c === 0x2c || c === 0x20 || c === 0x09 || c === LT || c === GT,
    );
    if (text === '') s.fail('expected a URI');
    if (text.includes('?')) s.fail('a URI with headers must be enclosed in <>');
    uri = parseUri(text);
  }
  const params = readParams(s);
  s.skipWsp();
  if (!s.atEnd && !(opts.inList && s.peek() === 0x2c)) s.fail('unexpected text after address');
  return { displayName, uri, params };
}

function wrap<T>(value: string, what: string, parse: (s: Scanner) => T): T {
  const s = new Scanner(value);
  try {
    return parse(s);
  } catch (e) {
    if (e instanceof SipSyntaxError) throw new SipSyntaxError(`${what}: ${e.message}`);
    throw e;
  }
}

/** One address (Reply-To, Refer-To, P-Asserted-Identity…). Throws `SipSyntaxError`. */
export function parseNameAddr(value: string): NameAddr {
  return wrap(value, 'address', (s) => readNameAddr(s, { inList: false, bracketsRequired: false }));
}

/**
 * A comma-separated list of addresses (Contact, Route, Record-Route). Empty elements are errors.
 * Throws `SipSyntaxError`.
 */
export function parseNameAddrList(value: string, bracketsRequired = false): NameAddr[] {
  return wrap(value, 'address list', (s) => {
    const list: NameAddr[] = [];
    do {
      list.push(readNameAddr(s, { inList: true, bracketsRequired }));
    } while (s.eat(','));
    s.expectEnd('address list');
    return list;
  });
}

/** From or To. A second `tag` is an error. Throws `SipSyntaxError`. */
export function parseParty(value: string): Party {
  const na = parseNameAddr(value);
  const tags = na.params.filter((p) => p.name.toLowerCase() === 'tag');
  if (tags.length > 1) throw new SipSyntaxError('more than one tag');
  const tag = tags[0];
  if (tag !== undefined && (tag.value === null || tag.value.startsWith('"'))) {
    throw new SipSyntaxError('tag must be a token');
  }
  return {
    displayName: na.displayName,
    uri: na.uri,
    tag: tag === undefined ? null : (tag.value as Tag),
    params: na.params.filter((p) => p !== tag),
  };
}

/** Always the bracketed form, so URI parameters can never turn into header parameters. */
export function formatNameAddr(na: NameAddr): string {
  const name = na.displayName === null ? '' : `${quote(na.displayName)} `;
  return `${name}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

export function formatParty(p: Party): string {
  const params = p.tag === null ? p.params : [{ name: 'tag', value: p.tag }, ...p.params];
  return formatNameAddr({ displayName: p.displayName, uri: p.uri, params });
}

/** Contact values: a list of addresses, or `*` (only with REGISTER and Expires: 0; that check is the registrar's). */
export type Contacts = readonly NameAddr[] | '*';

/** Throws `SipSyntaxError`, including for `*` mixed with addresses. */
export function parseContacts(value: string): Contacts {
  if (/^[ \t]*\*[ \t]*$/.test(value)) return '*';
  return parseNameAddrList(value);
}
