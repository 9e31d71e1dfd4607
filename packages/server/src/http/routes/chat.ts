import fastifyMultipart from '@fastify/multipart';
import {
  attachmentSchema,
  chatMessageSchema,
  MAX_ATTACHMENT_BYTES,
  messagesQuery,
  sendMessageBody,
  whisperBody,
} from '@hotline/protocol/chat';
import { errorBodySchema, idParams } from '@hotline/protocol/common';
import { agentStateSchema } from '@hotline/protocol/routing';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendAttachment, storeUpload } from '../../chat/attachments';
import type { ChatService } from '../../chat/chat-service';
import type { Db } from '../../db/database';
import { AppError } from '../../errors';
import { principalOf } from '../authenticate';

/**
 * The agent and supervisor side of web chat over REST: the conversation log of an interaction
 * (read, send, attachments) and the supervisor's whisper and take-over. Live frames go over
 * `/api/ws` (realtime.ts); who may do what is decided in `ChatService`.
 */
const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
};
const tags = ['chat'];
const attachmentParams = z.object({ id: z.uuid(), attachmentId: z.uuid() });

export interface ChatRoutesOptions {
  db: Db;
  chat: ChatService;
  clock: { now(): number };
  ids: { next(): string };
}

export const chatRoutes: FastifyPluginAsyncZod<ChatRoutesOptions> = async (app, opts) => {
  const { chat } = opts;
  const kysely = opts.db.kysely;
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1 } });

  app.get(
    '/api/interactions/:id/messages',
    {
      schema: {
        tags,
        params: idParams,
        querystring: messagesQuery,
        response: { 200: z.object({ items: z.array(chatMessageSchema) }), ...errors },
      },
      config: { access: 'agent.work' },
    },
    async (request) => ({
      items: await chat.agentRead(
        principalOf(request),
        request.params.id,
        request.query.after,
        request.query.limit,
      ),
    }),
  );

  app.post(
    '/api/interactions/:id/messages',
    {
      schema: {
        tags,
        params: idParams,
        body: sendMessageBody,
        response: { 200: chatMessageSchema, 201: chatMessageSchema, ...errors },
      },
      config: { access: 'agent.work' },
    },
    async (request, reply) => {
      const r = await chat.agentSend(principalOf(request), request.params.id, request.body);
      return reply.status(r.duplicate ? 200 : 201).send(r.message);
    },
  );

  app.post(
    '/api/interactions/:id/attachments',
    {
      schema: {
        tags,
        params: idParams,
        consumes: ['multipart/form-data'],
        response: { 201: attachmentSchema, 413: errorBodySchema, 415: errorBodySchema, ...errors },
      },
      config: { access: 'agent.work' },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { conv, access } = await chat.access(p, request.params.id);
      if (access === 'offered') throw new AppError('FORBIDDEN', 'accept the chat first');
      const stored = await storeUpload(kysely, opts, request, conv, `user:${p.userId ?? p.apiKeyId}`);
      return reply.status(201).send(stored);
    },
  );

  app.get(
    '/api/interactions/:id/attachments/:attachmentId',
    { schema: { tags, params: attachmentParams, response: errors }, config: { access: 'agent.work' } },
    async (request, reply) => {
      const { conv } = await chat.access(principalOf(request), request.params.id);
      return sendAttachment(kysely, reply, conv, request.params.attachmentId, false);
    },
  );

  app.post(
    '/api/supervisor/interactions/:id/whisper',
    {
      schema: {
        tags: ['supervisor'],
        params: idParams,
        body: whisperBody,
        response: { 200: chatMessageSchema, 201: chatMessageSchema, ...errors },
      },
      config: { access: 'supervisor.monitor' },
    },
    async (request, reply) => {
      const r = await chat.whisper(principalOf(request), request.params.id, request.body);
      return reply.status(r.duplicate ? 200 : 201).send(r.message);
    },
  );

  app.post(
    '/api/supervisor/interactions/:id/take-over',
    {
      schema: {
        tags: ['supervisor'],
        params: idParams,
        response: { 200: agentStateSchema, ...errors },
      },
      config: { access: 'supervisor.control' },
    },
    (request) => chat.takeOver(principalOf(request), request.params.id),
  );
};
