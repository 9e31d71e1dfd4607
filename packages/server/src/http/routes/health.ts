import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Db } from '../../db/database';

export interface HealthDeps {
  db: Db;
  metrics: Registry;
}

const status = z.object({
  status: z.string(),
  database: z.string().optional(),
  pending: z.array(z.string()).optional(),
});

/** Liveness, readiness (database reachable and schema current) and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsyncZod<HealthDeps> = async (app, { db, metrics }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['ops'], response: { 200: status } }, config: { access: 'public' } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { schema: { tags: ['ops'], response: { 200: status, 503: status } }, config: { access: 'public' } },
    async (_request, reply) => {
      try {
        await db.ping();
        const pending = await db.pending();
        if (pending.length > 0)
          return reply.status(503).send({ status: 'migrating', database: db.kind, pending });
        return { status: 'ready', database: db.kind };
      } catch {
        return reply.status(503).send({ status: 'database unreachable', database: db.kind });
      }
    },
  );

  app.get('/metrics', { schema: { hide: true }, config: { access: 'public' } }, async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.metrics();
  });
};
