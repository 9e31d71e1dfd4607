import { errorBodySchema, idParams, pageOf } from '@hotline/protocol/common';
import {
  kbArticleCreateBody,
  kbArticlePatchBody,
  kbArticleSchema,
  kbArticlesQuery,
  kbMatchBody,
  kbMatchSchema,
} from '@hotline/protocol/knowledge-base';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KnowledgeBaseStore } from '../../flows/knowledge-base-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['knowledge base'];
const read = { access: 'config.read' } as const;
const write = { access: 'config.write' } as const;
const base = '/api/knowledge-base/articles';

/** The tenant's knowledge base: articles the flow `faq` verb answers from, and a matcher to try it. */
export const knowledgeBaseRoutes: FastifyPluginAsyncZod<{ store: KnowledgeBaseStore }> = async (
  app,
  { store },
) => {
  app.get(
    base,
    {
      schema: { tags, querystring: kbArticlesQuery, response: { 200: pageOf(kbArticleSchema), ...errors } },
      config: read,
    },
    (request) => store.list(principalOf(request), request.query),
  );
  app.post(
    base,
    {
      schema: { tags, body: kbArticleCreateBody, response: { 201: kbArticleSchema, ...errors } },
      config: write,
    },
    async (request, reply) => reply.status(201).send(await store.create(principalOf(request), request.body)),
  );
  app.get(
    `${base}/:id`,
    { schema: { tags, params: idParams, response: { 200: kbArticleSchema, ...errors } }, config: read },
    (request) => store.get(principalOf(request), request.params.id),
  );
  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        params: idParams,
        body: kbArticlePatchBody,
        response: { 200: kbArticleSchema, ...errors },
      },
      config: write,
    },
    (request) => store.update(principalOf(request), request.params.id, request.body),
  );
  app.delete(
    `${base}/:id`,
    { schema: { tags, params: idParams, response: { 204: z.null(), ...errors } }, config: write },
    async (request, reply) => {
      await store.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/knowledge-base/match',
    {
      schema: {
        tags,
        description:
          'The article the `faq` verb would answer a question with: the best one with its score, and whether it reaches the threshold.',
        body: kbMatchBody,
        response: { 200: kbMatchSchema, ...errors },
      },
      config: read,
    },
    (request) => store.match(principalOf(request), request.body),
  );
};
