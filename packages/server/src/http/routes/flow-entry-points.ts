import { errorBodySchema, idParams, pageOf, paginationQuery } from '@hotline/protocol/common';
import {
  createFlowEntryPointBody,
  flowEntryPointSchema,
  updateFlowEntryPointBody,
} from '@hotline/protocol/entry-points';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FlowEntryPointStore } from '../../flows/flow-entry-point-resources';
import { principalOf } from '../authenticate';

const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
};
const tags = ['flows'];
const read = { access: 'config.read' } as const;
const write = { access: 'config.write' } as const;

/** Messenger accounts → flows (`/api/flow-entry-points`); numbers and the widget carry their own `flowId`. */
export const flowEntryPointRoutes: FastifyPluginAsyncZod<{ store: FlowEntryPointStore }> = async (
  app,
  { store },
) => {
  app.get(
    '/api/flow-entry-points',
    {
      schema: {
        tags,
        querystring: paginationQuery,
        response: { 200: pageOf(flowEntryPointSchema), ...errors },
      },
      config: read,
    },
    (request) => store.list(principalOf(request), request.query),
  );
  app.post(
    '/api/flow-entry-points',
    {
      schema: { tags, body: createFlowEntryPointBody, response: { 201: flowEntryPointSchema, ...errors } },
      config: write,
    },
    async (request, reply) => reply.status(201).send(await store.create(principalOf(request), request.body)),
  );
  app.get(
    '/api/flow-entry-points/:id',
    { schema: { tags, params: idParams, response: { 200: flowEntryPointSchema, ...errors } }, config: read },
    (request) => store.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/flow-entry-points/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateFlowEntryPointBody,
        response: { 200: flowEntryPointSchema, ...errors },
      },
      config: write,
    },
    (request) => store.update(principalOf(request), request.params.id, request.body),
  );
  app.delete(
    '/api/flow-entry-points/:id',
    { schema: { tags, params: idParams, response: { 204: z.null(), ...errors } }, config: write },
    async (request, reply) => {
      await store.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
