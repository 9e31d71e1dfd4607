import type { FastifyReply } from 'fastify';
import type { RecordingFile } from '../../calls/recording-files';
import { parseByteRange } from '../../calls/recording-files';
import { AppError } from '../../errors';

/**
 * Serves a stored WAV (a call recording, a voicemail) with byte ranges. The request that starts at byte
 * 0 — a playback or a download, not the player's later ranged reads — runs `onAccess` first (its audit
 * entry): no access goes unlogged, so when `onAccess` fails the file is closed and not sent. `noun`
 * words the 416 message.
 */
export async function sendAudio(
  reply: FastifyReply,
  o: {
    readonly file: RecordingFile;
    readonly rangeHeader: string | undefined;
    readonly download: boolean;
    readonly filename: string;
    readonly noun: string;
    readonly onAccess: () => Promise<void>;
  },
): Promise<FastifyReply> {
  const { file } = o;
  const range = parseByteRange(o.rangeHeader, file.size);
  if (range === 'unsatisfiable') {
    await file.close();
    reply.header('content-range', `bytes */${file.size}`);
    throw new AppError('RANGE_NOT_SATISFIABLE', `the requested byte range is outside the ${o.noun}`);
  }
  if (range === null || range.start === 0) {
    try {
      await o.onAccess();
    } catch (err) {
      await file.close();
      throw err;
    }
  }
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  reply
    .header('content-type', 'audio/wav')
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private, no-store')
    .header('content-disposition', `${o.download ? 'attachment' : 'inline'}; filename="${o.filename}"`)
    .header('content-length', String(file.size === 0 ? 0 : end - start + 1));
  if (range !== null) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
  return reply.send(file.stream(start, end));
}
