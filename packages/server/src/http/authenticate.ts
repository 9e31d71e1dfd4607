import { can, type Permission } from '@hotline/core/roles';
import { SESSION_COOKIE } from '@hotline/protocol/auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors';
import type { Authenticated, AuthStore } from '../stores/auth-store';
import type { Principal } from '../stores/principal';

/** What a route declares in `config.access`: `public`, any signed-in caller, or one permission. */
export type Access = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    auth: Authenticated | null;
  }
}

export function bearerOrCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }
  return request.cookies[SESSION_COOKIE];
}

/** The principal of an authenticated request; routes behind a non-public access rule always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.auth) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return request.auth.principal;
}

/**
 * Every route under /api must say who may call it; registering one that does not is a startup error,
 * so no endpoint can be left open by forgetting. The tenant always comes from the resolved principal.
 */
export function installAccessControl(app: FastifyInstance, auth: AuthStore): void {
  app.decorateRequest('auth', null);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && !route.config?.access) {
      throw new Error(`route ${route.method} ${route.url} declares no config.access`);
    }
  });
  // onRequest: before the body is read or validated, so anonymous callers learn nothing about
  // schemas and cannot make the server parse large bodies.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    const secret = bearerOrCookie(request);
    const resolved = secret ? await auth.authenticate(secret) : undefined;
    if (!resolved) throw new AppError('UNAUTHENTICATED', 'missing, expired or invalid credentials');
    request.auth = resolved;
    if (access !== 'authenticated' && !can(resolved.principal.role, access)) {
      throw new AppError('FORBIDDEN', `role ${resolved.principal.role} may not do this`);
    }
  });
}
