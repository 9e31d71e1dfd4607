/**
 * Stable codes for SDP we refuse, and the one table mapping each to the SIP status of the response
 * to a request whose offer fails this way (`null`: not a request problem — an answer in a response we
 * cannot use; the dialog layer ends the call instead). Callers branch on `code`, never on `detail`.
 *
 * Syntax and size problems are 400 (the body could not be understood); well-formed SDP we cannot serve
 * is 488 Not Acceptable Here (RFC 3261 §21.4.26), which the UAS may send with a Warning.
 */
export const sdpErrorStatus = {
  /** Over `maxBytes`, `maxLines`, `maxLineLength`, `maxMedia` or `maxFormats`. */
  SDP_TOO_LARGE: 400,
  /** A line that is not `<letter>=<value>`, a bare CR, or a first line other than `v=0`. */
  SDP_SYNTAX: 400,
  /** No `o=` line, more than one, or one that does not follow RFC 4566 §5.2. */
  SDP_BAD_ORIGIN: 400,
  /** A `c=` line that does not parse, or whose address is not a unicast IP address or host name. */
  SDP_BAD_CONNECTION: 400,
  /** An active media section (port ≠ 0) with no `c=` at media or session level. */
  SDP_MISSING_CONNECTION: 400,
  /** An `m=` line that does not parse (type, port 0–65535, protocol, formats). */
  SDP_BAD_MEDIA: 400,
  /** No media section we can take: no active `m=audio` with a profile we speak. */
  SDP_NO_ACCEPTABLE_MEDIA: 488,
  /** An audio section we could take, but no codec in common with our list. */
  SDP_NO_COMMON_CODEC: 488,
  /** An answer that does not fit our offer (m-line count or types differ, codecs we never offered). */
  SDP_ANSWER_MISMATCH: null,
} as const satisfies Record<string, number | null>;

export type SdpErrorCode = keyof typeof sdpErrorStatus;

export interface SdpFailure {
  readonly ok: false;
  readonly code: SdpErrorCode;
  /** For logs; wording may change. */
  readonly detail: string;
}

export function sdpFailure(code: SdpErrorCode, detail: string): SdpFailure {
  return { ok: false, code, detail };
}
