import { z } from 'zod';
import { idSchema, paginationQuery, timestampSchema } from './common';

/**
 * Call detail records (CDR): one per phone call, from the voice side's facts (`voice_calls`) and the
 * routing side's (the interaction: queue, agent, disposition). Times are ISO 8601; durations whole
 * seconds, null while the moment that ends them has not come.
 */
export const callOutcomes = [
  'in_progress',
  'answered',
  'abandoned',
  'overflow',
  'self_service',
  /** Connected to an external number (flow `transfer`, queue overflow). */
  'transferred',
  /** The caller asked to be called back and hung up keeping their place (the callback is its own call). */
  'callback_requested',
  /** The caller left a voicemail (in the flow, or when the queue overflowed to voicemail). */
  'voicemail',
] as const;
export const callOutcomeSchema = z.enum(callOutcomes);
export type CallOutcome = z.infer<typeof callOutcomeSchema>;

export const callRecordSchema = z.object({
  id: idSchema,
  interactionId: idSchema,
  direction: z.enum(['inbound', 'outbound']),
  fromNumber: z.string(),
  toNumber: z.string(),
  did: z.string(),
  trunkId: idSchema.nullable(),
  trunkName: z.string().nullable(),
  queueId: idSchema.nullable(),
  queueName: z.string().nullable(),
  agentId: idSchema.nullable(),
  agentName: z.string().nullable(),
  arrivedAt: timestampSchema,
  answeredAt: timestampSchema.nullable(),
  queuedAt: timestampSchema.nullable(),
  agentAnsweredAt: timestampSchema.nullable(),
  endedAt: timestampSchema.nullable(),
  durations: z.object({
    /** Arrival to end. */
    totalSec: z.number().int().nullable(),
    /** Our answer to the queue (time in the IVR / flow). */
    flowSec: z.number().int().nullable(),
    /** Queue entry to the agent's answer, or to the end when nobody answered. */
    waitSec: z.number().int().nullable(),
    /** The agent's answer to the end. */
    talkSec: z.number().int().nullable(),
  }),
  outcome: callOutcomeSchema,
  interactionState: z.string(),
  disposition: z.object({ code: z.string(), label: z.string() }).nullable(),
  hangupSide: z.enum(['caller', 'system', 'agent', 'external']).nullable(),
  hangupCause: z.string().nullable(),
  codec: z.string().nullable(),
  hasRecording: z.boolean(),
  /** The external number the call was connected to (transfer), when it was. */
  transferredTo: z.string().nullable(),
  transferredAt: timestampSchema.nullable(),
});
export type CallRecord = z.infer<typeof callRecordSchema>;

/** Filters of the call list; `number` matches the caller, the called number or the DID by digits. */
export const callListQuery = paginationQuery.extend({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  number: z
    .string()
    .trim()
    .max(32)
    .regex(/^[+0-9 ()-]*$/, 'digits, spaces, +, ( ) and - only')
    .optional(),
  queueId: idSchema.optional(),
  agentId: idSchema.optional(),
  outcome: callOutcomeSchema.optional(),
});
export type CallListQuery = z.infer<typeof callListQuery>;

export const recordingQuery = z.object({
  /** `1`: sent as an attachment (a download) instead of inline (the player). */
  download: z.enum(['0', '1']).optional(),
});
