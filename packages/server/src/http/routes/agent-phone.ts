import type { Clock } from '@hotline/core/ports';
import { phoneConfigSchema } from '@hotline/protocol/agent-phone';
import { errorBodySchema } from '@hotline/protocol/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { TurnConfig } from '../../config';
import { phoneConfig } from '../../voice/agent-phone-config';
import { principalOf } from '../authenticate';

/** `GET /api/agent/phone`: ICE servers for the softphone (TURN credentials last as long as a session). */
export const agentPhoneRoutes: FastifyPluginAsyncZod<{
  enabled: boolean;
  turn: TurnConfig | undefined;
  ttlMs: number;
  clock: Clock;
}> = async (app, options) => {
  app.get(
    '/api/agent/phone',
    {
      schema: {
        tags: ['agent'],
        summary: "The softphone's ICE servers (TURN with credentials); then send `phone.offer` on /api/ws",
        response: { 200: phoneConfigSchema, 401: errorBodySchema, 403: errorBodySchema },
      },
      config: { access: 'agent.work' },
    },
    (request) => phoneConfig(options, principalOf(request).userId ?? 'api', options.clock.now()),
  );
};
