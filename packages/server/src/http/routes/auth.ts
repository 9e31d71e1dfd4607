import type { LoginThrottle } from '@hotline/core/login-throttle';
import { loginBody, meResponse, SESSION_COOKIE, sessionResponse } from '@hotline/protocol/auth';
import { errorBodySchema } from '@hotline/protocol/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { burnPasswordTime, verifyPassword } from '../../auth/secrets';
import { AppError } from '../../errors';
import type { AuthStore } from '../../stores/auth-store';
import { bearerOrCookie } from '../authenticate';

export interface AuthRouteDeps {
  auth: AuthStore;
  throttle: LoginThrottle;
  sessionTtlMs: number;
}

const invalid = () => new AppError('INVALID_CREDENTIALS', 'wrong e-mail or password');

export const authRoutes: FastifyPluginAsyncZod<AuthRouteDeps> = async (
  app,
  { auth, throttle, sessionTtlMs },
) => {
  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with e-mail and password',
        body: loginBody,
        response: { 200: sessionResponse, 401: errorBodySchema, 429: errorBodySchema },
      },
      config: { access: 'public' },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const verdict = throttle.check(email, request.ip);
      if (!verdict.allowed) {
        const retryAfterSeconds = Math.ceil(verdict.retryAfterMs / 1000);
        throw new AppError(
          'TOO_MANY_ATTEMPTS',
          `too many failed sign-ins; try again in ${retryAfterSeconds} s`,
          {
            retryAfterSeconds,
          },
        );
      }
      const candidate = await auth.findLoginCandidate(email);
      if (!candidate) {
        await burnPasswordTime(password);
        throttle.recordFailure(email, request.ip);
        throw invalid();
      }
      const ok = await verifyPassword(candidate.passwordHash, password);
      if (!ok || !candidate.active) {
        throttle.recordFailure(email, request.ip);
        throw invalid();
      }
      throttle.recordSuccess(email);
      const session = await auth.createSession(candidate, sessionTtlMs);
      const resolved = await auth.authenticate(session.token);
      if (!resolved?.me.user) throw new AppError('INTERNAL', 'session vanished');
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        expires: session.expiresAt,
      });
      return {
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
        user: resolved.me.user,
        tenant: resolved.me.tenant,
      };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } },
      config: { access: 'public' },
    },
    async (request, reply) => {
      const token = bearerOrCookie(request);
      if (token?.startsWith('hls_')) await auth.deleteSession(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: { tags: ['auth'], summary: 'Who am I', response: { 200: meResponse } },
      config: { access: 'authenticated' },
    },
    async (request) => request.auth!.me,
  );
};
