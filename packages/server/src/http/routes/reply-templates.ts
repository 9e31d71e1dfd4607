import {
  replyTemplateBody,
  replyTemplatePatch,
  replyTemplateSchema,
  replyTemplatesQuery,
} from '@hotline/protocol/chat';
import { errorBodySchema, idParams, pageOf } from '@hotline/protocol/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReplyTemplateStore } from '../../reply-templates/reply-template-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['reply templates'];
/** Any agent keeps templates of their own; the store checks the sharing permission for shared ones. */
const work = { access: 'agent.work' } as const;

export const replyTemplateRoutes: FastifyPluginAsyncZod<{ templates: ReplyTemplateStore }> = async (
  app,
  { templates },
) => {
  app.get(
    '/api/reply-templates',
    {
      schema: {
        tags,
        querystring: replyTemplatesQuery,
        response: { 200: pageOf(replyTemplateSchema), ...errors },
      },
      config: work,
    },
    (request) => templates.list(principalOf(request), request.query),
  );
  app.post(
    '/api/reply-templates',
    {
      schema: { tags, body: replyTemplateBody, response: { 201: replyTemplateSchema, ...errors } },
      config: work,
    },
    async (request, reply) =>
      reply.status(201).send(await templates.create(principalOf(request), request.body)),
  );
  app.patch(
    '/api/reply-templates/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: replyTemplatePatch,
        response: { 200: replyTemplateSchema, ...errors },
      },
      config: work,
    },
    (request) => templates.update(principalOf(request), request.params.id, request.body),
  );
  app.delete(
    '/api/reply-templates/:id',
    { schema: { tags, params: idParams, response: { 204: z.null(), ...errors } }, config: work },
    async (request, reply) => {
      await templates.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
