/**
 * A rule of the domain was broken by a command (not a bug): the caller gets a stable code that the
 * edge maps to an HTTP status, a WebSocket error frame or a SIP response.
 */
export type DomainErrorCode =
  | 'ILLEGAL_TRANSITION'
  | 'UNKNOWN_QUEUE'
  | 'UNKNOWN_SKILL'
  | 'UNKNOWN_AGENT'
  | 'UNKNOWN_INTERACTION'
  | 'NOT_YOUR_OFFER'
  | 'AGENT_LOGGED_OUT'
  | 'DUPLICATE_INTERACTION';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}
