import { z } from 'zod';
import { localeSchema, roleSchema, timestampSchema } from './common';

export const loginBody = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email()),
  password: z.string().min(1).max(1024),
});
export type LoginBody = z.infer<typeof loginBody>;

export const principalUser = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: roleSchema,
  locale: localeSchema,
});

export const tenantSummary = z.object({ id: z.uuid(), name: z.string(), slug: z.string() });

export const sessionResponse = z.object({
  token: z.string(),
  expiresAt: timestampSchema,
  user: principalUser,
  tenant: tenantSummary,
});
export type SessionResponse = z.infer<typeof sessionResponse>;

export const meResponse = z.object({
  kind: z.enum(['session', 'api_key']),
  role: roleSchema,
  user: principalUser.nullable(),
  tenant: tenantSummary,
});
export type MeResponse = z.infer<typeof meResponse>;

export const SESSION_COOKIE = 'hotline_session';
