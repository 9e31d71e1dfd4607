import { isToken, SipSyntaxError } from './grammar';
import type { SipParseErrorCode } from './parse-error';
import { parseUri, type Uri } from './uri';

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: Uri }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string };

export type StartLineResult =
  | { readonly ok: true; readonly line: StartLine }
  | { readonly ok: false; readonly code: SipParseErrorCode; readonly detail: string };

const fail = (code: SipParseErrorCode, detail: string): StartLineResult => ({ ok: false, code, detail });

/** `SIP/major.minor`, case-insensitive; only 2.0 is supported. Leading zeros tolerated (`SIP/02.0`). */
function checkVersion(v: string): StartLineResult | null {
  const m = /^SIP\/([0-9]{1,9})\.([0-9]{1,9})$/i.exec(v);
  if (m === null) return fail('SIP_PARSE_START_LINE', `bad SIP-Version ${JSON.stringify(v.slice(0, 20))}`);
  if (Number(m[1]) !== 2 || Number(m[2]) !== 0) return fail('SIP_VERSION_NOT_SUPPORTED', `version ${v}`);
  return null;
}

// Control characters other than HTAB; the reason phrase is otherwise free text (see parseStartLine).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Request-Line: `Method SP Request-URI SP SIP-Version`, exactly one SP between the parts and none at the
 * end (RFC 4475 lwsstart, trws, lwsruri are refused rather than guessed at). Status-Line:
 * `SIP-Version SP 3DIGIT SP Reason-Phrase`, code 100–699 (bigcode). The reason phrase may be empty
 * (noreason); as a liberal reading the SP before an empty phrase may be missing too, and any text
 * without control characters is accepted (RFC 3261's reserved/unreserved/UTF-8 set refuses `"`, `<`, `[`
 * …, which deployed servers do send in reason phrases, and nothing depends on their content).
 */
export function parseStartLine(line: string): StartLineResult {
  if (/^SIP\//i.test(line)) {
    const m = /^([^ ]*) ([0-9]{3})(?: (.*))?$/s.exec(line);
    if (m === null) return fail('SIP_PARSE_START_LINE', 'malformed Status-Line');
    const bad = checkVersion(m[1] ?? '');
    if (bad !== null) return bad;
    const status = Number(m[2]);
    if (status < 100 || status > 699) {
      return fail('SIP_PARSE_START_LINE', `status code ${status} out of range`);
    }
    const reason = m[3] ?? '';
    if (CONTROL.test(reason)) return fail('SIP_PARSE_START_LINE', 'control character in Reason-Phrase');
    return { ok: true, line: { kind: 'response', status, reason } };
  }

  const parts = line.split(' ');
  if (parts.length !== 3) {
    return fail('SIP_PARSE_START_LINE', 'Request-Line needs exactly three SP-separated parts');
  }
  const [method = '', target = '', version = ''] = parts;
  if (!isToken(method)) return fail('SIP_PARSE_START_LINE', 'method is not a token');
  const bad = checkVersion(version);
  if (bad !== null) return bad;
  let uri: Uri;
  try {
    uri = parseUri(target);
  } catch (e) {
    if (e instanceof SipSyntaxError) return fail('SIP_BAD_REQUEST_URI', e.message);
    throw e;
  }
  // RFC 3261 §19.1.1: headers are not allowed in a Request-URI; a proxy must never act on them (escruri).
  if (uri.kind === 'sip' && uri.headers.length > 0) {
    return fail('SIP_BAD_REQUEST_URI', 'URI headers in Request-URI');
  }
  return { ok: true, line: { kind: 'request', method, uri } };
}

/** The method of something that looks like a Request-Line, even a malformed one; else `null`. */
export function guessRequestMethod(line: string): string | null {
  if (/^SIP\//i.test(line)) return null;
  const sp = line.indexOf(' ');
  const method = sp < 0 ? line : line.slice(0, sp);
  return isToken(method) ? method : null;
}
