import { boundedInt, isToken, isWord, SipSyntaxError, trimWsp } from '../grammar';

/**
 * Single-valued scalar headers: Call-ID, CSeq, Max-Forwards, Content-Length. Out-of-range numbers are
 * errors, never clamped or wrapped (RFC 4475 scalar02/scalarlg, ncl). Parsers throw `SipSyntaxError`.
 */

/** Call-ID: case-sensitive, compared byte for byte (RFC 3261 §20.8). */
export type CallId = string & { readonly __brand: 'CallId' };

export interface CSeq {
  /** 0 … 2³²−1. */
  readonly seq: number;
  /** Case-sensitive; must equal the request's method. */
  readonly method: string;
}

export const MAX_CSEQ = 0xffff_ffff;

/** `word [ "@" word ]`; `%`, `"` and brackets are ordinary characters here (RFC 4475 intmeth). */
export function parseCallId(value: string): CallId {
  const v = trimWsp(value);
  const at = v.indexOf('@');
  const ok = at < 0 ? isWord(v) : isWord(v.slice(0, at)) && isWord(v.slice(at + 1));
  if (!ok) throw new SipSyntaxError('Call-ID: not word[@word]');
  return v as CallId;
}

/** `1*DIGIT LWS Method`; leading zeros allowed (RFC 4475 wsinv). */
export function parseCSeq(value: string): CSeq {
  const m = /^[ \t]*([0-9]+)[ \t]+([^ \t]+)[ \t]*$/.exec(value);
  if (m === null) throw new SipSyntaxError('CSeq: not "number method"');
  const seq = boundedInt(m[1] ?? '', MAX_CSEQ);
  if (seq === null) throw new SipSyntaxError('CSeq: number above 2^32-1');
  const method = m[2] ?? '';
  if (!isToken(method)) throw new SipSyntaxError('CSeq: method is not a token');
  return { seq, method };
}

export function formatCSeq(c: CSeq): string {
  return `${c.seq} ${c.method}`;
}

/** 0–255 (RFC 3261 §20.22). */
export function parseMaxForwards(value: string): number {
  const n = boundedInt(trimWsp(value), 255);
  if (n === null) throw new SipSyntaxError('Max-Forwards: not 0-255');
  return n;
}

/**
 * Body length in octets. The parser bounds it by the message limit; here only the grammar and a ceiling
 * that keeps it an exact integer. A sign or any non-digit is an error (RFC 4475 ncl: "-999", "five").
 */
export function parseContentLength(value: string): number {
  const n = boundedInt(trimWsp(value), 2 ** 31 - 1);
  if (n === null) throw new SipSyntaxError('Content-Length: not a non-negative integer');
  return n;
}
