import { errorBodySchema, idParams } from '@hotline/protocol/common';
import { putQueueVoiceSettingsBody, queueVoiceSettingsSchema } from '@hotline/protocol/queue-voice';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { QueueVoiceSettingsStore } from '../../voice/queue-voice-settings-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

/**
 * A queue's voice settings: announcements of place and estimated wait, the music on hold, recording
 * and the callback key. Reads with `config.read`, changes with `config.write`: a PUT changes the
 * fields it names and keeps the others. Calls already waiting take the change at their next queue
 * (new calls at once).
 */
export const queueVoiceRoutes: FastifyPluginAsyncZod<{ store: QueueVoiceSettingsStore }> = async (
  app,
  { store },
) => {
  const tags = ['queues'];
  app.get(
    '/api/queues/:id/voice',
    {
      schema: { tags, params: idParams, response: { 200: queueVoiceSettingsSchema, ...errors } },
      config: { access: 'config.read' },
    },
    (request) => store.get(principalOf(request), request.params.id),
  );
  app.put(
    '/api/queues/:id/voice',
    {
      schema: {
        tags,
        description:
          'Changes the settings the body names; those it leaves out keep their value (a null is a value).',
        params: idParams,
        body: putQueueVoiceSettingsBody,
        response: { 200: queueVoiceSettingsSchema, ...errors },
      },
      config: { access: 'config.write' },
    },
    (request) => store.put(principalOf(request), request.params.id, request.body),
  );
};
