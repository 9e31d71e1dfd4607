import { callListQuery, callRecordSchema, recordingQuery } from '@hotline/protocol/calls';
import { errorBodySchema, idParams, pageOf } from '@hotline/protocol/common';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CallRecordStore } from '../../calls/call-records';
import { openRecording, parseByteRange, type RecordingFile } from '../../calls/recording-files';
import type { Db } from '../../db/database';
import { AppError, notFound } from '../../errors';
import { recordAudit } from '../../stores/audit-store';
import { principalOf } from '../authenticate';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const tags = ['calls'];

/**
 * Call detail records and their recordings. Managers read the CDR (`calls.read`); playing or
 * downloading a recording needs `recordings.listen` and is written to the audit log — once per
 * playback: the browser's player fetches a file in several ranged requests, and only the one that
 * starts at byte 0 counts as an access.
 */
export const callRoutes: FastifyPluginAsyncZod<{
  calls: CallRecordStore;
  db: Db;
  recordingsDir: string;
  clock: { now(): number };
  ids: { next(): string };
}> = async (app, { calls, db, recordingsDir, clock, ids }) => {
  app.get(
    '/api/calls',
    {
      schema: { tags, querystring: callListQuery, response: { 200: pageOf(callRecordSchema), ...errors } },
      config: { access: 'calls.read' },
    },
    (request) => calls.list(principalOf(request), request.query),
  );
  app.get(
    '/api/calls/:id',
    {
      schema: { tags, params: idParams, response: { 200: callRecordSchema, ...errors } },
      config: { access: 'calls.read' },
    },
    (request) => calls.get(principalOf(request), request.params.id),
  );
  app.get(
    '/api/calls/:id/recording',
    {
      schema: {
        tags,
        params: idParams,
        querystring: recordingQuery,
        response: { ...errors, 416: errorBodySchema },
      },
      config: { access: 'recordings.listen' },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const stored = await calls.recordingPath(principal, request.params.id);
      if (stored === null) throw notFound('recording');
      const file = await openRecording(recordingsDir, stored);
      const range = parseByteRange(request.headers.range, file.size);
      if (range === 'unsatisfiable') {
        await file.close();
        reply.header('content-range', `bytes */${file.size}`);
        throw new AppError('RANGE_NOT_SATISFIABLE', 'the requested byte range is outside the recording');
      }
      const download = request.query.download === '1';
      if (range === null || range.start === 0) {
        try {
          await db.kysely.transaction().execute((tx) =>
            recordAudit(tx, principal, ids.next(), new Date(clock.now()), {
              action: 'access',
              entityType: 'call_recording',
              entityId: request.params.id,
              before: null,
              after: { how: download ? 'download' : 'play' },
            }),
          );
        } catch (err) {
          // No access goes unlogged: without its audit entry the file is not sent.
          await file.close();
          throw err;
        }
      }
      return sendRecording(reply, file, range, download, request.params.id);
    },
  );
};

/** Sends the file or its range (untyped reply: the body is audio, not the route's JSON schemas). */
function sendRecording(
  reply: FastifyReply,
  file: RecordingFile,
  range: { start: number; end: number } | null,
  download: boolean,
  callId: string,
): FastifyReply {
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  reply
    .header('content-type', 'audio/wav')
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private, no-store')
    .header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="call-${callId}.wav"`)
    .header('content-length', String(file.size === 0 ? 0 : end - start + 1));
  if (range !== null) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
  return reply.send(file.stream(start, end));
}
