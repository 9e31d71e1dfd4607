import type { Clock } from '@hotline/core/ports';
import { errorBodySchema } from '@hotline/protocol/common';
import { flowTestRunBody, flowTestRunResultSchema } from '@hotline/protocol/flow-test-run';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { runFlowTestStep } from '../../flows/flow-test-runner';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema };

/**
 * The flow editor's simulated conversation: one interpreter step over a posted document, nothing
 * stored, no request sent anywhere. Held to the same permission as editing flows.
 */
export const flowTestRunRoutes: FastifyPluginAsyncZod<{ db: Kysely<Database>; clock: Clock }> = async (
  app,
  deps,
) => {
  app.post(
    '/api/flows/test-run',
    {
      schema: {
        tags: ['flows'],
        description:
          'Runs a flow document (saved or not) one step: without `state` it starts, with `state` and `event` it resumes. ' +
          '`http` actions are answered by the caller (or `httpReplies` by node id); calendars and the knowledge base are the tenant’s.',
        body: flowTestRunBody,
        response: { 200: flowTestRunResultSchema, ...errors },
      },
      config: { access: 'config.write' },
    },
    (request) => runFlowTestStep(deps, principalOf(request).tenantId, request.body),
  );
};
