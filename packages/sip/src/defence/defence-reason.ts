/**
 * Stable reason codes for every request or call the defence blocks, and the one table mapping each to
 * the SIP status it is answered with (`null`: dropped silently — answering a scanner or a banned address
 * only confirms that something listens and costs us a datagram per datagram). Metrics and logs are
 * labelled by these codes; never by free text.
 */
export const defenceReasonStatus = {
  /** User-Agent of a known attack tool (`scanner-agents.ts`). */
  SCANNER_USER_AGENT: null,
  /** The source is serving a temporary ban after repeated failed authentication. */
  IP_BANNED: null,
  /** The source exceeds its request rate; 503 only when `rateLimitAction` is `reject`. */
  RATE_LIMITED: 503,
  /** The dialled number is not E.164 (`+` and 2–15 digits, first digit 1–9). */
  DIAL_NOT_E164: 484,
  /** No allowed prefix of the tenant matches the number. */
  DIAL_PREFIX_NOT_ALLOWED: 403,
  /** A denied prefix matches (premium rate, satellite, high-fraud destinations…). */
  DIAL_PREFIX_DENIED: 403,
  /** The tenant already has its maximum of outbound calls in progress. */
  DIAL_TOO_MANY_CONCURRENT: 503,
  /** The tenant started its maximum of outbound calls in the last minute. */
  DIAL_TOO_MANY_PER_MINUTE: 503,
} as const satisfies Record<string, number | null>;

export type DefenceReason = keyof typeof defenceReasonStatus;

/**
 * What the defence reports, for counters and logs. Called synchronously inside the decision; it must
 * not throw and should only increment counters or enqueue a log line.
 */
export type DefenceEvent =
  | {
      readonly kind: 'blocked';
      readonly reason: DefenceReason;
      readonly action: 'drop' | 'reject';
      readonly sourceIp: string;
      readonly method: string;
    }
  | {
      readonly kind: 'banned';
      readonly sourceIp: string;
      readonly durationMs: number;
      readonly offence: number;
    }
  | { readonly kind: 'dial-blocked'; readonly reason: DefenceReason; readonly tenantId: string }
  /** A tracking table was full and forgot its least recently used entry. */
  | { readonly kind: 'evicted'; readonly table: 'rate' | 'failures' | 'bans' };

export type DefenceCounters = (event: DefenceEvent) => void;
