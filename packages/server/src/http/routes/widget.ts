import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyMultipart from '@fastify/multipart';
import {
  attachmentSchema,
  chatMessageSchema,
  conversationStatusSchema,
  MAX_ATTACHMENT_BYTES,
  messagesQuery,
  offlineMessageBody,
  rateBody,
  startConversationBody,
  startConversationReply,
  widgetConfigSchema,
} from '@hotline/protocol/chat';
import { errorBodySchema } from '@hotline/protocol/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendAttachment, storeUpload } from '../../chat/attachments';
import type { ChatService } from '../../chat/chat-service';
import type { Conversation } from '../../chat/conversations';
import { type Visitor, WidgetIntake } from '../../chat/widget-intake';
import { installWidgetSocket } from '../../chat/widget-socket';
import type { Db } from '../../db/database';
import { AppError, notFound } from '../../errors';

/**
 * The website widget's public API. Two kinds of routes:
 * - `/api/widget/:tenant/…` (tenant slug): the configuration, a new conversation, an offline message;
 *   anyone may call them from an origin the tenant allows (rate limited per address);
 * - `/api/widget/conversations/:id/…` with `Authorization: Bearer hlv_…`: the visitor's own
 *   conversation. The token is checked before the body is read; a missing or unknown token is 401, a
 *   conversation that is not the visitor's is 404 (the same as one that does not exist).
 * Browsers on other origins reach these through CORS (`widgetCorsOptions`); the server also refuses
 * (403) a request whose Origin the tenant does not allow.
 *
 * Plus `GET /widget.js`, the widget's script, when it has been built.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs a visitor token (`Authorization: Bearer hlv_…`). */
    visitor?: boolean;
  }
  interface FastifyRequest {
    visitor: Visitor | null;
  }
}

export interface WidgetRoutesOptions {
  db: Db;
  chat: ChatService;
  clock: { now(): number };
  ids: { next(): string };
  /** The built widget script; defaults to `packages/widget/dist/widget.js`. */
  widgetScript?: string | undefined;
  helloTimeoutMs?: number | undefined;
}

const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  429: errorBodySchema,
};
const tags = ['widget'];
const slugParams = z.object({ tenant: z.string().min(1).max(100) });
const idParams = z.object({ id: z.uuid() });
const attachmentParams = z.object({ id: z.uuid(), attachmentId: z.uuid() });
const publicAccess = { access: 'public' } as const;
const visitorAccess = { access: 'public', visitor: true } as const;
const visitorSecurity = [{ visitor: [] }];
const defaultScript = fileURLToPath(new URL('../../../../widget/dist/widget.js', import.meta.url));

export const widgetRoutes: FastifyPluginAsyncZod<WidgetRoutesOptions> = async (app, opts) => {
  const { chat } = opts;
  const kysely = opts.db.kysely;
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1 } });
  installWidgetSocket(app, chat, opts.helloTimeoutMs ? { helloTimeoutMs: opts.helloTimeoutMs } : {});

  app.decorateRequest('visitor', null);
  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.config.visitor) return;
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const visitor = await chat.intake.visitor(match?.[1]);
    if (!visitor) throw new AppError('UNAUTHENTICATED', 'missing or unknown visitor token');
    request.visitor = visitor;
  });

  /** The visitor's conversation, from an allowed origin; anything else is 404/403. */
  const conversationOf = async (request: FastifyRequest, id: string): Promise<Conversation> => {
    const visitor = request.visitor!;
    let conv: Conversation;
    try {
      conv = await chat.conversations.get(visitor.tenantId, id);
    } catch {
      throw notFound('conversation');
    }
    if (conv.visitorId !== visitor.id) throw notFound('conversation');
    const settings = await chat.intake.settings(visitor.tenantId);
    if (!WidgetIntake.originAllowed(settings, request.headers.origin)) {
      throw new AppError('FORBIDDEN', 'this site may not use the widget');
    }
    return conv;
  };
  const tenantFromAllowedOrigin = async (request: FastifyRequest, slug: string) => {
    const found = await chat.intake.tenant(slug);
    if (!WidgetIntake.originAllowed(found.settings, request.headers.origin)) {
      throw new AppError('FORBIDDEN', 'this site may not use the widget');
    }
    return found;
  };
  const limitStart = (request: FastifyRequest, reply: { header(k: string, v: string): unknown }) => {
    try {
      chat.limitStart(request.ip);
    } catch (err) {
      if (err instanceof AppError) reply.header('retry-after', String(retryAfter(err)));
      throw err;
    }
  };

  app.get(
    '/api/widget/:tenant/config',
    {
      schema: {
        tags,
        security: [],
        params: slugParams,
        querystring: z.object({ lang: z.enum(['en', 'ru']).default('en') }),
        response: { 200: widgetConfigSchema, ...errors },
      },
      config: publicAccess,
    },
    async (request) => {
      await tenantFromAllowedOrigin(request, request.params.tenant);
      return chat.intake.config(request.params.tenant, request.query.lang);
    },
  );

  app.post(
    '/api/widget/:tenant/conversations',
    {
      schema: {
        tags,
        security: [],
        params: slugParams,
        body: startConversationBody,
        response: { 201: startConversationReply, ...errors },
      },
      config: publicAccess,
    },
    async (request, reply) => {
      await tenantFromAllowedOrigin(request, request.params.tenant);
      limitStart(request, reply);
      const started = await chat.intake.start(request.params.tenant, request.body);
      return reply.status(201).send(await replyFor(chat, started));
    },
  );

  app.post(
    '/api/widget/:tenant/offline-messages',
    {
      schema: {
        tags,
        security: [],
        params: slugParams,
        body: offlineMessageBody,
        response: { 201: startConversationReply, ...errors },
      },
      config: publicAccess,
    },
    async (request, reply) => {
      await tenantFromAllowedOrigin(request, request.params.tenant);
      limitStart(request, reply);
      const started = await chat.intake.offline(request.params.tenant, request.body);
      return reply.status(201).send(await replyFor(chat, started));
    },
  );

  app.get(
    '/api/widget/conversations/:id',
    {
      schema: {
        tags,
        security: visitorSecurity,
        params: idParams,
        response: { 200: conversationStatusSchema, ...errors },
      },
      config: visitorAccess,
    },
    async (request) => chat.statusOf(await conversationOf(request, request.params.id)),
  );

  app.get(
    '/api/widget/conversations/:id/messages',
    {
      schema: {
        tags,
        security: visitorSecurity,
        params: idParams,
        querystring: messagesQuery,
        response: { 200: z.object({ items: z.array(chatMessageSchema) }), ...errors },
      },
      config: visitorAccess,
    },
    async (request) => {
      const conv = await conversationOf(request, request.params.id);
      const items = await chat.log.read(conv.tenantId, conv.interactionId, {
        after: request.query.after,
        limit: request.query.limit,
        visibilities: ['public'],
      });
      return { items };
    },
  );

  app.post(
    '/api/widget/conversations/:id/attachments',
    {
      schema: {
        tags,
        security: visitorSecurity,
        params: idParams,
        consumes: ['multipart/form-data'],
        response: { 201: attachmentSchema, 413: errorBodySchema, 415: errorBodySchema, ...errors },
      },
      config: visitorAccess,
    },
    async (request, reply) => {
      const conv = await conversationOf(request, request.params.id);
      if ((await chat.statusOf(conv)).status === 'ended') {
        throw new AppError('CONVERSATION_ENDED', 'this chat has ended');
      }
      const stored = await storeUpload(kysely, opts, request, conv, 'customer');
      return reply.status(201).send(stored);
    },
  );

  app.get(
    '/api/widget/conversations/:id/attachments/:attachmentId',
    {
      schema: { tags, security: visitorSecurity, params: attachmentParams, response: errors },
      config: visitorAccess,
    },
    async (request, reply) => {
      const conv = await conversationOf(request, request.params.id);
      return sendAttachment(kysely, reply, conv, request.params.attachmentId, true);
    },
  );

  app.post(
    '/api/widget/conversations/:id/end',
    {
      schema: {
        tags,
        security: visitorSecurity,
        params: idParams,
        response: { 200: conversationStatusSchema, ...errors },
      },
      config: visitorAccess,
    },
    async (request) => chat.customerEnd(await conversationOf(request, request.params.id)),
  );

  app.post(
    '/api/widget/conversations/:id/rating',
    {
      schema: {
        tags,
        security: visitorSecurity,
        params: idParams,
        body: rateBody,
        response: { 200: conversationStatusSchema, ...errors },
      },
      config: visitorAccess,
    },
    async (request) => {
      const conv = await conversationOf(request, request.params.id);
      return chat.rate(conv, request.body.score, request.body.comment);
    },
  );

  app.get(
    '/api/widget/conversations/:id/transcript',
    {
      schema: {
        tags,
        security: visitorSecurity,
        params: idParams,
        produces: ['text/plain'],
        response: { 200: z.string().describe('the transcript, text/plain'), ...errors },
      },
      config: visitorAccess,
    },
    async (request, reply) => {
      const conv = await conversationOf(request, request.params.id);
      const text = await chat.transcript(conv);
      return reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename="chat-${conv.interactionId}.txt"`)
        .send(text);
    },
  );

  installWidgetScript(app, opts.widgetScript ?? defaultScript);
};

async function replyFor(chat: ChatService, started: { conversationId: string; visitorToken: string }) {
  const visitor = await chat.intake.visitor(started.visitorToken);
  const conv = await chat.conversations.get(visitor!.tenantId, started.conversationId);
  return { ...started, status: await chat.statusOf(conv) };
}

const retryAfter = (err: AppError) =>
  (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1;

/** `GET /widget.js`: the built widget, read again when the file changes; 404 until it is built. */
function installWidgetScript(app: FastifyInstance, path: string): void {
  let cached: { mtimeMs: number; body: Buffer } | null = null;
  app.get('/widget.js', { schema: { hide: true } }, async (_request, reply): Promise<unknown> => {
    const info = await stat(path).catch(() => null);
    if (!info) {
      return reply.status(404).send({
        error: {
          code: 'NOT_FOUND',
          message: 'the widget has not been built (npm run build -w @hotline/widget)',
        },
      });
    }
    if (!cached || cached.mtimeMs !== info.mtimeMs)
      cached = { mtimeMs: info.mtimeMs, body: await readFile(path) };
    return reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .header('x-content-type-options', 'nosniff')
      .send(cached.body);
  });
}

/**
 * CORS for the widget API (`@fastify/cors` delegator, registered once at the root): slug routes
 * answer the origins the tenant allows (any when its list is empty); visitor-token routes answer any
 * origin at the CORS level because the tenant is only known from the token, which the preflight
 * does not carry — the handler then refuses a disallowed Origin with 403. No cookies either way.
 * Every other path gets no CORS headers.
 */
export function widgetCorsOptions(chat: ChatService) {
  const allow = (origin: boolean | string) => ({
    origin,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type'],
    exposedHeaders: ['content-disposition', 'retry-after'],
    credentials: false,
    maxAge: 600,
  });
  return async (request: FastifyRequest) => {
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/widget/')) return { origin: false };
    const segment = path.split('/')[3] ?? '';
    if (segment === 'conversations' || segment === 'ws') return allow(true);
    try {
      const { settings } = await chat.intake.tenant(decodeURIComponent(segment));
      return allow(WidgetIntake.originAllowed(settings, request.headers.origin));
    } catch {
      return { origin: false };
    }
  };
}
