import { errorBodySchema, idParams, pageOf } from '@hotline/protocol/common';
import {
  voicemailAudioQuery,
  voicemailListQuery,
  voicemailPatchBody,
  voicemailSchema,
} from '@hotline/protocol/voicemails';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { openRecording } from '../../calls/recording-files';
import type { Db } from '../../db/database';
import { recordAudit } from '../../stores/audit-store';
import type { VoicemailStore } from '../../voice/voicemail-store';
import { principalOf } from '../authenticate';
import { sendAudio } from './audio-reply';

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
      const download = request.query.download === '1';
      return sendAudio(reply, {
        file,
        rangeHeader: request.headers.range,
        download,
        filename: `voicemail-${id}.wav`,
        noun: 'voicemail',
        onAccess: () => {
          const at = new Date(clock.now());
          return db.kysely.transaction().execute(async (tx) => {
            await recordAudit(tx, principal, ids.next(), at, {
              action: 'access',
              entityType: 'voicemail',
              entityId: id,
              before: null,
              after: { how: download ? 'download' : 'play' },
            });
            await voicemails.markHeard(tx, principal.tenantId, id, at);
          });
        },
      });
    },
  );
};
