import { type ErrorCode, errorStatus } from '@hotline/protocol/errors';

/**
 * An error the client can act on. Thrown anywhere below the HTTP edge; the edge turns it into
 * `{ error: { code, message } }` with the status from the protocol's one table.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'your role does not allow this') => new AppError('FORBIDDEN', message);
