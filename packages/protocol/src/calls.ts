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

/**
 * One agent's part of a call (a CDR segment): who, through which queue, from when to when. A transfer
 * ends one leg (`transferred`) and the next agent's answer starts the next; the last ends with the call.
 */
export const callAgentLegSchema = z.object({
  agentId: idSchema,
  agentName: z.string().nullable(),
  queueId: idSchema.nullable(),
  queueName: z.string().nullable(),
  connectedAt: timestampSchema,
  /** Null while the agent still has the call. */
  endedAt: timestampSchema.nullable(),
  endReason: z.enum(['transferred', 'call_ended']).nullable(),
  talkSec: z.number().int().nullable(),
});
export type CallAgentLeg = z.infer<typeof callAgentLegSchema>;

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
  /** The agent who answered the call (the first of `agents`). */
  agentId: idSchema.nullable(),
  agentName: z.string().nullable(),
  /** Every agent who had the call, in order (more than one after a transfer). */
  agents: z.array(callAgentLegSchema),
  arrivedAt: timestampSchema,
  answeredAt: timestampSchema.nullable(),
  queuedAt: timestampSchema.nullable(),
  agentAnsweredAt: timestampSchema.nullable(),
  endedAt: timestampSchema.nullable(),
  durations: z.object({
    /** Arrival to end. */
    totalSec: z.number().int().nullable(),
    /** Our answer to the queue (time in the IVR / flow); null for an outbound call (a callback). */
    flowSec: z.number().int().nullable(),
    /** Queue entry to the agent's answer, or to the end when nobody answered. */
    waitSec: z.number().int().nullable(),
    /**
     * Time with an agent: the sum of the agents' legs, each from when both ends were there (the hold
     * between agents after a transfer and a callback's ringing are not talk).
     */
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
  /** Calls this agent had (answered, or took by a transfer). */
  agentId: idSchema.optional(),
  outcome: callOutcomeSchema.optional(),
});
export type CallListQuery = z.infer<typeof callListQuery>;

export const recordingQuery = z.object({
  /** `1`: sent as an attachment (a download) instead of inline (the player). */
  download: z.enum(['0', '1']).optional(),
});
