/**
 * Bounds on what one message may cost us. Defaults suit UDP and TCP trunks; anything over them is
 * refused before it is parsed further, so a hostile peer cannot make us buffer or scan without end.
 */
export interface ParseLimits {
  /** Whole message, start line to last body octet. 64 KiB, the largest UDP datagram. */
  readonly maxMessageBytes: number;
  /** Header lines (a folded header counts once). */
  readonly maxHeaders: number;
  /** One header with its folds, or the start line, in octets without the final CRLF. */
  readonly maxHeaderBytes: number;
}

export const defaultLimits: ParseLimits = {
  maxMessageBytes: 65_536,
  maxHeaders: 200,
  maxHeaderBytes: 8_192,
};
