import { errorBodySchema, idParams, pageOf } from '@hotline/protocol/common';
import {
  voicemailAudioQuery,
  voicemailListQuery,
  voicemailPatchBody,
  voicemailSchema,
} from '@hotline/protocol/voicemails';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { openRecording, parseByteRange, type RecordingFile } from '../../calls/recording-files';
import type { Db } from '../../db/database';
import { AppError } from '../../errors';
import { recordAudit } from '../../stores/audit-store';
import type { VoicemailStore } from '../../voice/voicemail-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['voicemails'];

/**
 * Voicemails left on phone calls. The list is for supervisors and up (`recordings.listen`, checked
 * by the store); one voicemail, its audio and its status are also open to the agent holding its task
 * (`agent.work` at the edge, the holder checked by the store; anyone else gets 404). The audio is
 * served like call recordings: byte ranges, and the request starting at byte 0 (a playback or a
 * download) is written to the audit log before a byte is sent; that first playback also marks a `new`
 * voicemail `heard`.
 */
export const voicemailRoutes: FastifyPluginAsyncZod<{
  voicemails: VoicemailStore;
  db: Db;
  /** The voicemail directory the stored paths are relative to. */
  dir: string;
  clock: { now(): number };
  ids: { next(): string };
}> = async (app, { voicemails, db, dir, clock, ids }) => {
  app.get(
    '/api/voicemails',
    {
      schema: {
        tags,
        querystring: voicemailListQuery,
        response: { 200: pageOf(voicemailSchema), ...errors },
      },
      config: { access: 'recordings.listen' },
    },
    (request) => voicemails.list(principalOf(request), request.query),
  );
  app.get(
    '/api/voicemails/:id',
    {
      schema: { tags, params: idParams, response: { 200: voicemailSchema, ...errors } },
      config: { access: 'agent.work' },
    },
    (request) => voicemails.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/voicemails/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: voicemailPatchBody,
        response: { 200: voicemailSchema, ...errors },
      },
      config: { access: 'agent.work' },
    },
    (request) => voicemails.setStatus(principalOf(request), request.params.id, request.body.status),
  );
  app.get(
    '/api/voicemails/:id/audio',
    {
      schema: {
        tags,
        params: idParams,
        querystring: voicemailAudioQuery,
        response: { ...errors, 416: errorBodySchema },
      },
      config: { access: 'agent.work' },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      const stored = await voicemails.filePath(principal, id);
      const file = await openRecording(dir, stored);
      const range = parseByteRange(request.headers.range, file.size);
      if (range === 'unsatisfiable') {
        await file.close();
        reply.header('content-range', `bytes */${file.size}`);
        throw new AppError('RANGE_NOT_SATISFIABLE', 'the requested byte range is outside the voicemail');
      }
      const download = request.query.download === '1';
      if (range === null || range.start === 0) {
        try {
          const at = new Date(clock.now());
          await db.kysely.transaction().execute(async (tx) => {
            await recordAudit(tx, principal, ids.next(), at, {
              action: 'access',
              entityType: 'voicemail',
              entityId: id,
              before: null,
              after: { how: download ? 'download' : 'play' },
            });
            await voicemails.markHeard(tx, principal.tenantId, id, at);
          });
        } catch (err) {
          // No access goes unlogged: without its audit entry the file is not sent.
          await file.close();
          throw err;
        }
      }
      return sendAudio(reply, file, range, download, id);
    },
  );
};

/** Sends the file or its range (untyped reply: the body is audio, not the route's JSON schemas). */
function sendAudio(
  reply: FastifyReply,
  file: RecordingFile,
  range: { start: number; end: number } | null,
  download: boolean,
  id: string,
): FastifyReply {
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  reply
    .header('content-type', 'audio/wav')
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private, no-store')
    .header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="voicemail-${id}.wav"`)
    .header('content-length', String(file.size === 0 ? 0 : end - start + 1));
  if (range !== null) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
  return reply.send(file.stream(start, end));
}
