import { errorBodySchema, idParams, pageOf, paginationQuery } from '@hotline/protocol/common';
import {
  contactDtoSchema,
  contactInteractionSchema,
  contactPatch,
  contactSearchQuery,
} from '@hotline/protocol/contacts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ContactStore } from '../../contacts/contact-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['contacts'];
/** Agents look customers up and correct their profiles while they work. */
const work = { access: 'agent.work' } as const;

/** The customer panel's API: search, profile with identities, edit, interaction history. */
export const contactRoutes: FastifyPluginAsyncZod<{ contacts: ContactStore }> = async (app, { contacts }) => {
  app.get(
    '/api/contacts',
    {
      schema: {
        tags,
        querystring: contactSearchQuery,
        response: { 200: pageOf(contactDtoSchema), ...errors },
      },
      config: work,
    },
    (request) => contacts.search(principalOf(request), request.query),
  );
  app.get(
    '/api/contacts/:id',
    { schema: { tags, params: idParams, response: { 200: contactDtoSchema, ...errors } }, config: work },
    (request) => contacts.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/contacts/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: contactPatch,
        response: { 200: contactDtoSchema, ...errors, 409: errorBodySchema },
      },
      config: work,
    },
    (request) => contacts.update(principalOf(request), request.params.id, request.body),
  );
  app.get(
    '/api/contacts/:id/interactions',
    {
      schema: {
        tags,
        params: idParams,
        querystring: paginationQuery,
        response: { 200: pageOf(contactInteractionSchema), ...errors },
      },
      config: work,
    },
    (request) => contacts.interactions(principalOf(request), request.params.id, request.query),
  );
};
