import type { ErrorBody, ErrorCode } from '@hotline/protocol/errors';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors';

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({
      where: error.validationContext,
      path: v.instancePath || '/',
      message: v.message,
    }));
    const first = issues[0];
    return new AppError(
      'VALIDATION_FAILED',
      `invalid ${first?.where ?? 'request'} at ${first?.path}: ${first?.message}`,
      issues,
    );
  }
  const mapped = error.code ? fastifyCodes[error.code] : undefined;
  if (mapped) return new AppError(mapped, error.message);
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return new AppError('INVALID_JSON', 'request body is not valid JSON');
  }
  if (error.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE', error.message);
  if (error.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', error.message);
  }
  return new AppError('INTERNAL', 'internal error');
}

/** Every error leaves the server as `{ error: { code, message } }` with the protocol's status. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error);
    if (appError.code === 'INTERNAL') {
      const serialization = isResponseSerializationError(error);
      request.log.error({ err: error, serialization }, 'unhandled error');
    }
    if (appError.code === 'TOO_MANY_ATTEMPTS') {
      const retry = (appError.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (retry) reply.header('retry-after', String(retry));
    }
    const body: ErrorBody = { error: { code: appError.code, message: appError.message } };
    if (appError.details !== undefined && appError.code !== 'TOO_MANY_ATTEMPTS')
      body.error.details = appError.details;
    return reply.status(appError.status).type('application/json').send(body);
  });
}

export function sendRouteNotFound(method: string, url: string): ErrorBody {
  return { error: { code: 'ROUTE_NOT_FOUND', message: `no route ${method} ${url.split('?')[0]}` } };
}
