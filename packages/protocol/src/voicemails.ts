import { z } from 'zod';
import { idSchema, paginationQuery, timestampSchema } from './common';

/**
 * Voicemails: messages callers left on a phone call (the flow's `voicemail` verb, or a queue that
 * overflowed to voicemail). Each reaches an agent as a `task` interaction in its mailbox's queue
 * (`taskInteractionId`, whose `data.voicemailId` points back here); the audio is a mono 8 kHz WAV
 * served by `GET /api/voicemails/{id}/audio` with byte ranges, every playback written to the audit log.
 */
export const voicemailStatuses = ['new', 'heard', 'handled'] as const;
export const voicemailStatusSchema = z.enum(voicemailStatuses);
export type VoicemailStatus = z.infer<typeof voicemailStatusSchema>;

export const voicemailSchema = z.object({
  id: idSchema,
  status: voicemailStatusSchema,
  /** The caller's number (E.164 when it parsed, else as the carrier sent it). */
  caller: z.string(),
  /** The tenant's number that was dialled. */
  did: z.string(),
  /** The mailbox: the queue whose agents handle it. */
  queueId: idSchema,
  queueName: z.string().nullable(),
  durationSec: z.number().int(),
  /** The phone call (`/api/calls/{id}`) and its interaction. */
  callId: idSchema,
  interactionId: idSchema,
  taskInteractionId: idSchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Voicemail = z.infer<typeof voicemailSchema>;

export const voicemailListQuery = paginationQuery.extend({
  status: voicemailStatusSchema.optional(),
  /** The mailbox (queue id). */
  queueId: idSchema.optional(),
});
export type VoicemailListQuery = z.infer<typeof voicemailListQuery>;

export const voicemailPatchBody = z.strictObject({ status: voicemailStatusSchema });
export type VoicemailPatchBody = z.infer<typeof voicemailPatchBody>;

/** `?download=1` asks for an attachment instead of inline playback (audited as a download). */
export const voicemailAudioQuery = z.object({ download: z.enum(['0', '1']).optional() });

/** The audio of a voicemail, for players (`<audio src>`): cookie-authenticated like every API call. */
export const voicemailAudioUrl = (id: string) => `/api/voicemails/${encodeURIComponent(id)}/audio`;
