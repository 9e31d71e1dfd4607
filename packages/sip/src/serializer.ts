import { isToken } from './grammar';
import { headerKey } from './header-names';
import { parseContentLength } from './headers/scalar';
import type { SipHeader, SipMessage } from './message';
import { formatUri } from './uri';

/** A message that cannot be put on the wire as it is; a bug in the code that built it, not input. */
export class SipSerializeError extends Error {
  override readonly name = 'SipSerializeError';
}

/**
 * The message with exactly one Content-Length equal to its body: kept in place when it already says
 * so, rewritten in place when it does not, appended when absent. Serialising always applies this,
 * because Content-Length is what frames the message on a stream.
 */
export function withContentLength<M extends SipMessage>(msg: M): M {
  const length = msg.body.length;
  const isCl = (h: SipHeader) => headerKey(h.name) === 'content-length';
  const existing = msg.headers.filter(isCl);
  const first = existing[0];
  if (existing.length === 1 && first !== undefined && safeLength(first.value) === length) return msg;
  const headers: SipHeader[] = [];
  let placed = false;
  for (const h of msg.headers) {
    if (!isCl(h)) headers.push(h);
    else if (!placed) {
      headers.push({ name: 'Content-Length', value: String(length) });
      placed = true;
    }
  }
  if (!placed) headers.push({ name: 'Content-Length', value: String(length) });
  return { ...msg, headers };
}

function safeLength(value: string): number | null {
  try {
    return parseContentLength(value);
  } catch {
    return null;
  }
}

/**
 * Octets of `msg`, ready for any transport. Header values go out as stored (unfolded, one per line).
 * Refuses — throws `SipSerializeError` — anything that could split or smuggle lines: a CR or LF in a
 * value or reason phrase, a header name or method that is not a token, a status outside 100–699.
 */
export function serializeMessage(msg: SipMessage): Buffer {
  const m = withContentLength(msg);
  let head: string;
  if (m.kind === 'request') {
    if (!isToken(m.method)) throw new SipSerializeError(`method ${JSON.stringify(m.method)} is not a token`);
    const uri = formatUri(m.uri);
    if (/[\s<>]/.test(uri)) throw new SipSerializeError('Request-URI contains whitespace or brackets');
    head = `${m.method} ${uri} SIP/2.0\r\n`;
  } else {
    if (!Number.isInteger(m.status) || m.status < 100 || m.status > 699) {
      throw new SipSerializeError(`status ${m.status} out of range`);
    }
    if (/[\r\n]/.test(m.reason)) throw new SipSerializeError('CR or LF in reason phrase');
    head = `SIP/2.0 ${m.status} ${m.reason}\r\n`;
  }
  for (const h of m.headers) {
    if (!isToken(h.name)) throw new SipSerializeError(`header name ${JSON.stringify(h.name)} is not a token`);
    if (/[\r\n]/.test(h.value)) throw new SipSerializeError(`CR or LF in ${h.name}`);
    head += `${h.name}: ${h.value}\r\n`;
  }
  head += '\r\n';
  const headBytes = Buffer.from(head, 'utf8');
  return m.body.length === 0 ? headBytes : Buffer.concat([headBytes, m.body]);
}
