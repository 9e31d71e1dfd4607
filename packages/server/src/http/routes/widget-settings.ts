import { widgetSettingsSchema } from '@hotline/protocol/chat';
import { errorBodySchema } from '@hotline/protocol/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WidgetSettingsStore } from '../../widget-settings/widget-settings-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema };
const tags = ['web chat'];

/** The tenant's website-widget settings: one document, read by any role, replaced by admins. */
export const widgetSettingsRoutes: FastifyPluginAsyncZod<{ store: WidgetSettingsStore }> = async (
  app,
  { store },
) => {
  app.get(
    '/api/widget-settings',
    {
      schema: { tags, response: { 200: widgetSettingsSchema, ...errors } },
      config: { access: 'config.read' },
    },
    (request) => store.get(principalOf(request)),
  );
  app.put(
    '/api/widget-settings',
    {
      schema: { tags, body: widgetSettingsSchema, response: { 200: widgetSettingsSchema, ...errors } },
      config: { access: 'config.write' },
    },
    (request) => store.put(principalOf(request), request.body),
  );
};
