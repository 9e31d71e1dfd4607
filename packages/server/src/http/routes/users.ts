import { errorBodySchema, idParams, pageOf, paginationQuery } from '@hotline/protocol/common';
import {
  agentSkillsBody,
  agentSkillsResponse,
  createUserBody,
  updateUserBody,
  userSchema,
} from '@hotline/protocol/config';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UserStore } from '../../stores/user-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['users'];
const read = { access: 'users.read' } as const;
const write = { access: 'users.write' } as const;

export const userRoutes: FastifyPluginAsyncZod<{ users: UserStore }> = async (app, { users }) => {
  app.get(
    '/api/users',
    {
      schema: { tags, querystring: paginationQuery, response: { 200: pageOf(userSchema), ...errors } },
      config: read,
    },
    (request) => users.list(principalOf(request), request.query),
  );
  app.post(
    '/api/users',
    {
      schema: { tags, body: createUserBody, response: { 201: userSchema, ...errors, 409: errorBodySchema } },
      config: write,
    },
    async (request, reply) => reply.status(201).send(await users.create(principalOf(request), request.body)),
  );
  app.get(
    '/api/users/:id',
    { schema: { tags, params: idParams, response: { 200: userSchema, ...errors } }, config: read },
    (request) => users.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/users/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateUserBody,
        response: { 200: userSchema, ...errors, 409: errorBodySchema },
      },
      config: write,
    },
    (request) => users.update(principalOf(request), request.params.id, request.body),
  );
  app.delete(
    '/api/users/:id',
    { schema: { tags, params: idParams, response: { 204: z.null(), ...errors } }, config: write },
    async (request, reply) => {
      await users.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/users/:id/skills',
    { schema: { tags, params: idParams, response: { 200: agentSkillsResponse, ...errors } }, config: read },
    async (request) => ({ items: await users.getSkills(principalOf(request), request.params.id) }),
  );
  app.put(
    '/api/users/:id/skills',
    {
      schema: {
        tags,
        params: idParams,
        body: agentSkillsBody,
        response: { 200: agentSkillsResponse, ...errors },
      },
      config: write,
    },
    async (request) => ({
      items: await users.setSkills(principalOf(request), request.params.id, request.body),
    }),
  );
};
