import type { Role } from '@hotline/core/roles';

/**
 * Who is calling: always resolved from a session or API key, never from the request body.
 * Every store call takes one, and every query is scoped by its tenantId.
 */
export interface Principal {
  tenantId: string;
  role: Role;
  kind: 'session' | 'api_key';
  userId: string | null;
  apiKeyId: string | null;
}
