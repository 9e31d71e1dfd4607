import { errorBodySchema, idParams, pageOf, paginationQuery } from '@hotline/protocol/common';
import {
  flowCreateBody,
  flowDetailSchema,
  flowDocumentSchema,
  flowPatchBody,
  flowSchema,
  flowValidationSchema,
  flowVersionSchema,
  flowVersionsQuery,
} from '@hotline/protocol/flows';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FlowStore } from '../../flows/flow-store';
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

/**
 * Flows and their versions. A flow document is validated by the core (`validateFlow`); an invalid
 * one is refused with VALIDATION_FAILED and the core's issues `{code, path, message}` in `details`.
 */
export const flowRoutes: FastifyPluginAsyncZod<{ flows: FlowStore }> = async (app, { flows }) => {
  app.get(
    '/api/flows',
    {
      schema: { tags, querystring: paginationQuery, response: { 200: pageOf(flowSchema), ...errors } },
      config: read,
    },
    (request) => flows.list(principalOf(request), request.query),
  );
  app.post(
    '/api/flows',
    { schema: { tags, body: flowCreateBody, response: { 201: flowSchema, ...errors } }, config: write },
    async (request, reply) => reply.status(201).send(await flows.create(principalOf(request), request.body)),
  );
  app.get(
    '/api/flows/:id',
    {
      schema: {
        tags,
        description: 'The flow with the documents of its draft and published versions.',
        params: idParams,
        response: { 200: flowDetailSchema, ...errors },
      },
      config: read,
    },
    (request) => flows.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/flows/:id',
    {
      schema: { tags, params: idParams, body: flowPatchBody, response: { 200: flowSchema, ...errors } },
      config: write,
    },
    (request) => flows.update(principalOf(request), request.params.id, request.body),
  );
  app.delete(
    '/api/flows/:id',
    {
      schema: {
        tags,
        description: 'Deletes the flow with all its versions.',
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
      config: write,
    },
    async (request, reply) => {
      await flows.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.put(
    '/api/flows/:id/draft',
    {
      schema: {
        tags,
        description: 'Saves the flow document (the body) as the draft, replacing the open draft if any.',
        params: idParams,
        body: flowDocumentSchema,
        response: { 200: flowVersionSchema, ...errors },
      },
      config: write,
    },
    (request) => flows.saveDraft(principalOf(request), request.params.id, request.body),
  );
  app.post(
    '/api/flows/:id/validate',
    {
      schema: {
        tags,
        description: 'Checks a flow document (the body) without saving it.',
        params: idParams,
        body: flowDocumentSchema,
        response: { 200: flowValidationSchema, ...errors },
      },
      config: write,
    },
    (request) => flows.validate(principalOf(request), request.params.id, request.body),
  );
  app.post(
    '/api/flows/:id/publish',
    {
      schema: {
        tags,
        description:
          'Publishes the draft: it becomes the version new sessions run, the previous one is archived.',
        params: idParams,
        response: { 200: flowVersionSchema, ...errors },
      },
      config: write,
    },
    (request) => flows.publish(principalOf(request), request.params.id),
  );
  app.get(
    '/api/flows/:id/versions',
    {
      schema: {
        tags,
        description: 'Every version with its document, newest first.',
        params: idParams,
        querystring: flowVersionsQuery,
        response: { 200: pageOf(flowVersionSchema), ...errors },
      },
      config: read,
    },
    (request) => flows.versions(principalOf(request), request.params.id, request.query),
  );
};
