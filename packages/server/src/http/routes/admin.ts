import { canManageRole } from '@hotline/core/roles';
import { errorBodySchema, idParams, pageOf, paginationQuery } from '@hotline/protocol/common';
import {
  apiKeySchema,
  auditEntrySchema,
  auditQuery,
  createApiKeyBody,
  createdApiKeySchema,
} from '@hotline/protocol/config';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema';
import { forbidden } from '../../errors';
import { listAudit } from '../../stores/audit-store';
import type { AuthStore } from '../../stores/auth-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const manage = { access: 'api_keys.manage' } as const;

/** Integration API keys and the configuration audit log. */
export const adminRoutes: FastifyPluginAsyncZod<{ auth: AuthStore; db: Kysely<Database> }> = async (
  app,
  { auth, db },
) => {
  app.get(
    '/api/api-keys',
    {
      schema: {
        tags: ['api keys'],
        querystring: paginationQuery,
        response: { 200: pageOf(apiKeySchema), ...errors },
      },
      config: manage,
    },
    (request) => auth.listApiKeys(principalOf(request), request.query),
  );
  app.post(
    '/api/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Issue a key; the secret is in this response only',
        body: createApiKeyBody,
        response: { 201: createdApiKeySchema, ...errors },
      },
      config: manage,
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!canManageRole(principal.role, request.body.role))
        throw forbidden(`you cannot issue a key with role ${request.body.role}`);
      return reply.status(201).send(await auth.createApiKey(principal, request.body.name, request.body.role));
    },
  );
  app.delete(
    '/api/api-keys/:id',
    {
      schema: { tags: ['api keys'], params: idParams, response: { 204: z.null(), ...errors } },
      config: manage,
    },
    async (request, reply) => {
      await auth.revokeApiKey(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/audit-log',
    {
      schema: {
        tags: ['audit'],
        querystring: auditQuery,
        response: { 200: pageOf(auditEntrySchema), ...errors },
      },
      config: { access: 'audit.read' },
    },
    (request) => listAudit(db, principalOf(request).tenantId, request.query),
  );
};
