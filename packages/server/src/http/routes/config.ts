import { errorBodySchema, idParams, pageOf, paginationQuery } from '@hotline/protocol/common';
import * as c from '@hotline/protocol/config';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ConfigStores } from '../../stores/config-resources';
import type { ResourceStore } from '../../stores/resource-store';
import { principalOf } from '../authenticate';

interface ResourceRoutes {
  path: keyof ConfigStores;
  tag: string;
  item: z.ZodType;
  create: z.ZodType;
  update: z.ZodType;
}

/** URL, schemas and docs tag of every configuration resource; the store does the rest. */
const resources: ResourceRoutes[] = [
  { path: 'teams', tag: 'teams', item: c.teamSchema, create: c.createTeamBody, update: c.updateTeamBody },
  {
    path: 'skills',
    tag: 'skills',
    item: c.skillSchema,
    create: c.createSkillBody,
    update: c.updateSkillBody,
  },
  {
    path: 'queues',
    tag: 'queues',
    item: c.queueSchema,
    create: c.createQueueBody,
    update: c.updateQueueBody,
  },
  {
    path: 'not-ready-reasons',
    tag: 'not-ready reasons',
    item: c.notReadyReasonSchema,
    create: c.createNotReadyReasonBody,
    update: c.updateNotReadyReasonBody,
  },
  {
    path: 'disposition-codes',
    tag: 'disposition codes',
    item: c.dispositionCodeSchema,
    create: c.createDispositionCodeBody,
    update: c.updateDispositionCodeBody,
  },
  {
    path: 'calendars',
    tag: 'business hours',
    item: c.calendarSchema,
    create: c.createCalendarBody,
    update: c.updateCalendarBody,
  },
];

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

/** List/create/read/update/delete for each configuration resource; reads for any role, writes for admins. */
export const configRoutes: FastifyPluginAsyncZod<{ stores: ConfigStores }> = async (app, { stores }) => {
  for (const r of resources) {
    // Each store is typed by its own resource; the route layer only passes validated bodies through.
    const store = stores[r.path] as unknown as ResourceStore<{ id: string }, unknown, unknown>;
    const base = `/api/${r.path}`;
    const read = { access: 'config.read' } as const;
    const write = { access: 'config.write' } as const;

    app.get(
      base,
      {
        schema: { tags: [r.tag], querystring: paginationQuery, response: { 200: pageOf(r.item), ...errors } },
        config: read,
      },
      (request) => store.list(principalOf(request), request.query),
    );
    app.post(
      base,
      {
        schema: { tags: [r.tag], body: r.create, response: { 201: r.item, ...errors, 409: errorBodySchema } },
        config: write,
      },
      async (request, reply) =>
        reply.status(201).send(await store.create(principalOf(request), request.body)),
    );
    app.get(
      `${base}/:id`,
      { schema: { tags: [r.tag], params: idParams, response: { 200: r.item, ...errors } }, config: read },
      (request) => store.get(principalOf(request), request.params.id),
    );
    app.patch(
      `${base}/:id`,
      {
        schema: {
          tags: [r.tag],
          params: idParams,
          body: r.update,
          response: { 200: r.item, ...errors, 409: errorBodySchema },
        },
        config: write,
      },
      (request) => store.update(principalOf(request), request.params.id, request.body),
    );
    app.delete(
      `${base}/:id`,
      {
        schema: {
          tags: [r.tag],
          params: idParams,
          response: { 204: z.null(), ...errors, 409: errorBodySchema },
        },
        config: write,
      },
      async (request, reply) => {
        await store.remove(principalOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  }
};
