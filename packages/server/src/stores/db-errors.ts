import { AppError } from '../errors';

/** SQLSTATE of a driver error (node-postgres and PGlite both expose `code`). */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns integrity violations into client errors. `writing` distinguishes a bad reference in the
 * request (400) from a delete that others still reference (409).
 */
export function translateDbError(error: unknown, op: 'write' | 'delete', duplicateMessage: string): unknown {
  switch (sqlState(error)) {
    case '23505':
      return new AppError('DUPLICATE', duplicateMessage);
    case '23503':
      return op === 'delete'
        ? new AppError('IN_USE', 'still referenced by other objects; remove those references first')
        : new AppError('INVALID_REFERENCE', 'a referenced object does not exist');
    case '23001': // restrict_violation: ON DELETE RESTRICT
      return new AppError('IN_USE', 'still referenced by other objects; remove those references first');
    case '23514':
    case '22P02':
      return new AppError('VALIDATION_FAILED', 'a value is out of range');
    default:
      return error;
  }
}
