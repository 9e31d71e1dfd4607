import { isTokenChar, isWsp, trimWsp } from './grammar';
import { canonicalHeaderName } from './header-names';
import type { ParseLimits } from './limits';
import type { SipHeader } from './message';
import type { SipParseErrorCode } from './parse-error';

const CR = 0x0d;
const LF = 0x0a;

/** Index just past the first CRLFCRLF at or after `from`, or -1. */
export function findHeaderEnd(bytes: Uint8Array, from = 0): number {
  for (let i = from; i + 3 < bytes.length; i++) {
    if (bytes[i] === CR && bytes[i + 1] === LF && bytes[i + 2] === CR && bytes[i + 3] === LF) return i + 4;
  }
  return -1;
}

/** Index of the first octet that is not part of a leading run of CRLFs (RFC 3261 §7.5, keep-alives). */
export function skipLeadingCrlf(bytes: Uint8Array, from = 0): number {
  let i = from;
  while (bytes[i] === CR && bytes[i + 1] === LF) i += 2;
  return i;
}

export type HeaderSection =
  | { readonly ok: true; readonly startLine: string; readonly headers: SipHeader[] }
  | {
      readonly ok: false;
      readonly code: SipParseErrorCode;
      readonly detail: string;
      readonly startLine: string;
      /** Headers collected before the fault, so a 400 can still copy Via, From, To… */
      readonly headers: SipHeader[];
    };

/**
 * Splits a header section (start line and header lines joined by CRLF, without the final empty line)
 * into the start line (not checked here, not even its length) and unfolded headers. A line starting with SP/HTAB continues the previous header;
 * the fold and the whitespace around it become one SP. A bare CR or LF is an error, not a line break.
 */
export function splitHeaderSection(text: string, limits: ParseLimits): HeaderSection {
  const lines = text.split('\r\n');
  const startLine = lines[0] ?? '';
  const headers: SipHeader[] = [];
  const failure = (code: SipParseErrorCode, detail: string): HeaderSection => ({
    ok: false,
    code,
    detail,
    startLine,
    headers,
  });

  let current: string | null = null;
  let currentBytes = 0;
  const flush = (): HeaderSection | null => {
    if (current === null) return null;
    const line = current;
    current = null;
    let n = 0;
    while (isTokenChar(line.charCodeAt(n))) n++;
    let colon = n;
    while (isWsp(line.charCodeAt(colon))) colon++;
    if (n === 0 || line.charCodeAt(colon) !== 0x3a) {
      return failure('SIP_PARSE_HEADER', `not a header line: ${JSON.stringify(line.slice(0, 40))}`);
    }
    headers.push({ name: canonicalHeaderName(line.slice(0, n)), value: trimWsp(line.slice(colon + 1)) });
    return null;
  };

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.includes('\r') || line.includes('\n')) return failure('SIP_PARSE_HEADER', 'bare CR or LF');
    if (isWsp(line.charCodeAt(0))) {
      if (current === null) return failure('SIP_PARSE_HEADER', 'continuation line without a header');
      currentBytes += 2 + line.length;
      if (currentBytes > limits.maxHeaderBytes) {
        return failure('SIP_HEADER_TOO_LONG', 'folded header too long');
      }
      current = `${trimEndWsp(current)} ${trimWsp(line)}`;
      continue;
    }
    const bad = flush();
    if (bad !== null) return bad;
    if (headers.length >= limits.maxHeaders) {
      return failure('SIP_TOO_MANY_HEADERS', `more than ${limits.maxHeaders} headers`);
    }
    if (line.length > limits.maxHeaderBytes) return failure('SIP_HEADER_TOO_LONG', 'header line too long');
    current = line;
    currentBytes = line.length;
  }
  const bad = flush();
  if (bad !== null) return bad;
  return { ok: true, startLine, headers };
}

function trimEndWsp(s: string): string {
  let b = s.length;
  while (b > 0 && isWsp(s.charCodeAt(b - 1))) b--;
  return s.slice(0, b);
}
