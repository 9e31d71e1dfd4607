import { isUtf8 } from 'node:buffer';
import { checkHeaders } from './header-checks';
import { headerKey } from './header-names';
import { findHeaderEnd, skipLeadingCrlf, splitHeaderSection } from './header-section';
import { parseContentLength } from './headers/scalar';
import { defaultLimits, type ParseLimits } from './limits';
import type { SipHeader, SipMessage } from './message';
import type { ParseFailure, SipParseErrorCode } from './parse-error';
import { replyBasis } from './reply-basis';
import { parseStartLine } from './start-line';

/**
 * Turns the octets of one SIP message into a `SipMessage` or a typed refusal. Never throws on any input.
 *
 * Framing:
 * - `datagram` (UDP): one datagram is one message. Leading CRLFs are skipped (keep-alives); only CRLFs
 *   is `SIP_EMPTY`. The body is Content-Length octets; octets after it are ignored (RFC 3261 §18.3,
 *   RFC 4475 dblreq); a Content-Length beyond the datagram is an error (clerr); without Content-Length the
 *   body is the rest of the datagram (inv2543). As a liberal reading, a datagram whose headers end in CRLF
 *   but lack the empty line is taken as having no body (the RFC 4475 archive's baddn is such a file).
 * - `stream` (TCP/TLS): the input is one frame cut by `StreamFramer`; Content-Length is required and must
 *   match the body exactly.
 *
 * Refused (see `parse-error.ts` for codes and statuses): anything over the limits; a header section that
 * is not UTF-8 or has a bare CR/LF; a malformed start line, Request-URI or known header; a missing Via,
 * From, To, Call-ID or CSeq; a repeated single-valued header; a CSeq method differing from the request's;
 * any Content-Length problem. Accepted and left to later layers: unknown methods, schemes, headers and
 * content types, Max-Forwards 0, missing branch or tag (RFC 2543 peers).
 */
export interface ParseOptions {
  readonly framing?: 'datagram' | 'stream';
  readonly limits?: Partial<ParseLimits>;
}

export type ParseResult = { readonly ok: true; readonly message: SipMessage } | ParseFailure;

const CRLF = 0x0d0a;

export function parseMessage(bytes: Buffer, options: ParseOptions = {}): ParseResult {
  const limits = { ...defaultLimits, ...options.limits };
  const stream = options.framing === 'stream';
  if (bytes.length > limits.maxMessageBytes) {
    return { ok: false, code: 'SIP_TOO_LARGE', detail: `${bytes.length} octets` };
  }
  const start = skipLeadingCrlf(bytes);
  if (start >= bytes.length) return { ok: false, code: 'SIP_EMPTY', detail: 'only CRLF' };

  let headerEnd = findHeaderEnd(bytes, start);
  let textEnd = headerEnd - 4;
  if (headerEnd < 0) {
    const endsInCrlf = bytes.length - start >= 2 && bytes.readUInt16BE(bytes.length - 2) === CRLF;
    if (stream || !endsInCrlf) {
      return { ok: false, code: 'SIP_INCOMPLETE', detail: 'no empty line after headers' };
    }
    headerEnd = bytes.length;
    textEnd = bytes.length - 2;
  }
  if (!isUtf8(bytes.subarray(start, textEnd))) {
    return { ok: false, code: 'SIP_BAD_ENCODING', detail: 'header section is not UTF-8' };
  }

  const section = splitHeaderSection(bytes.toString('utf8', start, textEnd), limits);
  const refuse = (code: SipParseErrorCode, detail: string, header?: string): ParseFailure => {
    const reply = replyBasis(code, section.startLine, section.headers);
    return {
      ok: false,
      code,
      detail,
      ...(header === undefined ? {} : { header }),
      ...(reply === undefined ? {} : { reply }),
    };
  };
  // Faults are reported in the order they appear in the message: the start line first.
  if (section.startLine.length > limits.maxHeaderBytes) {
    return refuse('SIP_HEADER_TOO_LONG', 'start line too long');
  }
  const startLine = parseStartLine(section.startLine);
  if (!startLine.ok) return refuse(startLine.code, startLine.detail);
  if (!section.ok) return refuse(section.code, section.detail);
  const { headers } = section;

  const body = frameBody(bytes, headerEnd, headers, stream, limits);
  if (typeof body === 'string') return refuse('SIP_BAD_CONTENT_LENGTH', body, 'Content-Length');
  if (body === null) {
    return refuse('SIP_TOO_LARGE', 'Content-Length over the message limit', 'Content-Length');
  }

  const line = startLine.line;
  const fault = checkHeaders(headers, line.kind === 'request' ? line.method : null);
  if (fault !== null) return refuse(fault.code, fault.detail, fault.header);

  const message: SipMessage =
    line.kind === 'request'
      ? { kind: 'request', method: line.method, uri: line.uri, headers, body }
      : { kind: 'response', status: line.status, reason: line.reason, headers, body };
  return { ok: true, message };
}

/** The body, a reason (string) why Content-Length is unusable, or `null` when it exceeds the limit. */
function frameBody(
  bytes: Buffer,
  bodyStart: number,
  headers: readonly SipHeader[],
  stream: boolean,
  limits: ParseLimits,
): Buffer | string | null {
  const values = headers.filter((h) => headerKey(h.name) === 'content-length').map((h) => h.value);
  const available = bytes.length - bodyStart;
  if (values.length > 1) return 'Content-Length repeated';
  const value = values[0];
  if (value === undefined) {
    return stream ? 'Content-Length is required on a stream' : bytes.subarray(bodyStart);
  }
  let length: number;
  try {
    length = parseContentLength(value);
  } catch {
    return `Content-Length ${JSON.stringify(value.slice(0, 20))} is not a number`;
  }
  if (length > limits.maxMessageBytes) return null;
  if (length > available) return `Content-Length ${length} but ${available} octets follow`;
  if (stream && length < available) return `Content-Length ${length} but the frame has ${available} octets`;
  return bytes.subarray(bodyStart, bodyStart + length);
}
