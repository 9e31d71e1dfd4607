/**
 * Stable error codes of the Hotline API. Clients branch on `code`, never on `message`.
 * Every code maps to exactly one HTTP status; the table is the single place that decides it.
 */
export const errorStatus = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_REFERENCE: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  DUPLICATE: 409,
  IN_USE: 409,
  /** The interaction or agent is not in a state that allows this (e.g. ending a chat not yet answered). */
  ILLEGAL_TRANSITION: 409,
  /** The offer is not (or no longer) open for this agent. */
  NOT_YOUR_OFFER: 409,
  AGENT_LOGGED_OUT: 409,
  /** The chat has ended; nothing more can be sent to it. */
  CONVERSATION_ENDED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The byte range asked for lies outside the file (a recording's player seeking past its end). */
  RANGE_NOT_SATISFIABLE: 416,
  TOO_MANY_ATTEMPTS: 429,
  /** Too many messages or requests from one visitor or address; retry after `Retry-After`. */
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_READY: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
