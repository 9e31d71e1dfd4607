import { callListQuery, callRecordSchema, recordingQuery } from '@hotline/protocol/calls';
import { errorBodySchema, idParams, pageOf } from '@hotline/protocol/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CallRecordStore } from '../../calls/call-records';
import { openRecording } from '../../calls/recording-files';
import type { Db } from '../../db/database';
import { notFound } from '../../errors';
import { recordAudit } from '../../stores/audit-store';
import { principalOf } from '../authenticate';
import { sendAudio } from './audio-reply';

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
      const download = request.query.download === '1';
      return sendAudio(reply, {
        file,
        rangeHeader: request.headers.range,
        download,
        filename: `call-${request.params.id}.wav`,
        noun: 'recording',
        onAccess: () =>
          db.kysely.transaction().execute((tx) =>
            recordAudit(tx, principal, ids.next(), new Date(clock.now()), {
              action: 'access',
              entityType: 'call_recording',
              entityId: request.params.id,
              before: null,
              after: { how: download ? 'download' : 'play' },
            }),
          ),
      });
    },
  );
};
