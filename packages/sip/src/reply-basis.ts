import { isValidHeader } from './header-checks';
import { headerKey } from './header-names';
import type { SipHeader } from './message';
import { type ReplyBasis, type SipParseErrorCode, sipParseErrorStatus } from './parse-error';
import { guessRequestMethod } from './start-line';

/** Copied when present exactly once and well formed; every Via is copied (all were checked). */
const COPIED_ONCE = ['from', 'to', 'call-id', 'cseq'];

/**
 * Decides whether a refused message can be answered and with what (see `ParseFailure.reply`). Works on
 * whatever the parser got through: the raw start line and the headers split before the fault. Only
 * well-formed values are copied, in message order, so the response never echoes the malformed part back.
 */
export function replyBasis(
  code: SipParseErrorCode,
  startLine: string,
  headers: readonly SipHeader[],
): ReplyBasis | undefined {
  const status = sipParseErrorStatus[code];
  const method = guessRequestMethod(startLine);
  // RFC 3261 §17.2.3: an ACK is never answered.
  if (status === null || method === null || method === 'ACK') return undefined;
  const vias = headers.filter((h) => headerKey(h.name) === 'via');
  if (vias.length === 0 || !vias.every(isValidHeader)) return undefined;
  const usable = (h: SipHeader) => {
    const key = headerKey(h.name);
    if (key === 'via') return true;
    if (!COPIED_ONCE.includes(key)) return false;
    return headers.filter((o) => headerKey(o.name) === key).length === 1 && isValidHeader(h);
  };
  return { status, method, headers: headers.filter(usable) };
}
