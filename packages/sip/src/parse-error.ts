import type { SipHeader } from './message';

/**
 * Stable codes for messages the parser refuses, and the one table mapping each to the SIP status a
 * request that fails this way is answered with (`null`: never answered). Callers branch on `code`,
 * never on `detail`.
 */
export const sipParseErrorStatus = {
  /** Nothing but CRLFs: a keep-alive, not a message. Dropped silently. */
  SIP_EMPTY: null,
  /** Over `maxMessageBytes`, or a Content-Length that would be. */
  SIP_TOO_LARGE: 513,
  /** More than `maxHeaders` header lines. */
  SIP_TOO_MANY_HEADERS: 513,
  /** A header (with its folds) or the start line over `maxHeaderBytes`. */
  SIP_HEADER_TOO_LONG: 513,
  /** No empty line ends the headers: a truncated datagram. */
  SIP_INCOMPLETE: 400,
  /** The header section is not UTF-8. */
  SIP_BAD_ENCODING: 400,
  /** Request-Line or Status-Line does not follow the grammar (extra SP, no version, bad status code…). */
  SIP_PARSE_START_LINE: 400,
  /** SIP version other than 2.0 (RFC 4475 badvers: 505). */
  SIP_VERSION_NOT_SUPPORTED: 505,
  /** The Request-URI does not parse, is bracketed, or carries URI headers (ltgtruri, escruri). */
  SIP_BAD_REQUEST_URI: 400,
  /** A header line without a name and colon, or a known header whose value is malformed; see `header`. */
  SIP_PARSE_HEADER: 400,
  /** Via, From, To, Call-ID or CSeq absent (RFC 4475 insuf). */
  SIP_MISSING_HEADER: 400,
  /** A single-valued header repeated (RFC 4475 multi01). */
  SIP_DUPLICATE_HEADER: 400,
  /** CSeq method differs from the request method (RFC 4475 mismatch01/02). */
  SIP_CSEQ_MISMATCH: 400,
  /**
   * Content-Length malformed, negative, repeated, absent on a stream, larger than the datagram's body,
   * or (streams) not matching the frame (RFC 4475 clerr, ncl, mcl01). On a stream: close the connection.
   */
  SIP_BAD_CONTENT_LENGTH: 400,
} as const satisfies Record<string, number | null>;

export type SipParseErrorCode = keyof typeof sipParseErrorStatus;

/**
 * What it takes to answer a refused request (RFC 3261 §8.2.6): the status and the headers to copy
 * into the response — every Via, and From, To, Call-ID and CSeq when each is well formed.
 */
export interface ReplyBasis {
  readonly status: number;
  readonly method: string;
  readonly headers: readonly SipHeader[];
}

export interface ParseFailure {
  readonly ok: false;
  readonly code: SipParseErrorCode;
  /** For logs; wording may change. */
  readonly detail: string;
  /** Canonical name of the header at fault, when there is one. */
  readonly header?: string;
  /**
   * Present only when a response can be sent: the message is a request other than ACK, its status is
   * not `null`, and it has Via headers that all parse (a response is routed by the top Via, so a
   * malformed Via leaves nowhere trustworthy to send it). Responses are never answered.
   */
  readonly reply?: ReplyBasis;
}
