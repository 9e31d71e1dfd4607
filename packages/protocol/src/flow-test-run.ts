import { z } from 'zod';
import { channelSchema } from './common';
import { flowDocumentSchema } from './flows';

/**
 * `POST /api/flows/test-run`: one step of the flow interpreter over a document that need not be saved,
 * for the editor's simulated conversation. Stateless: the client keeps the state between steps. No
 * I/O is done: an `http` action is answered by the client (or by `httpReplies`).
 */

const scalar = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);

export const flowTestContextSchema = z.strictObject({
  channel: channelSchema,
  language: z.enum(['ru', 'en']).optional(),
  caller: z
    .strictObject({ number: z.string().max(64).optional(), name: z.string().max(200).optional() })
    .optional(),
  contact: z.record(z.string().max(64), scalar).optional(),
  timeZone: z.string().max(64).optional(),
  variables: z.record(z.string().max(64), scalar).optional(),
});

/** The events a channel reports (core `FlowEvent`). */
export const flowTestEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('done'), recording: z.string().max(500).optional() }),
  z.strictObject({ type: z.literal('input'), value: z.string().max(4096) }),
  z.strictObject({ type: z.literal('timeout') }),
  z.strictObject({
    type: z.literal('http_response'),
    status: z.number().int().min(100).max(599),
    body: z.unknown(),
  }),
  z.strictObject({
    type: z.literal('error'),
    code: z.string().max(100).optional(),
    message: z.string().max(500).optional(),
  }),
  z.strictObject({ type: z.literal('hangup') }),
]);
export type FlowTestEvent = z.infer<typeof flowTestEventSchema>;

/** A canned answer to the `http` node of that id: a response, or a failure. */
export const flowTestHttpReplySchema = z.union([
  z.strictObject({ status: z.number().int().min(100).max(599), body: z.unknown() }),
  z.strictObject({ fail: z.enum(['error', 'timeout']) }),
]);
export type FlowTestHttpReply = z.infer<typeof flowTestHttpReplySchema>;

export const flowTestRunBody = z.strictObject({
  document: flowDocumentSchema,
  context: flowTestContextSchema,
  /** The state of the previous step; absent: start the flow. */
  state: z.record(z.string(), z.unknown()).optional(),
  /** With `state`: the event that answers its pending action. */
  event: flowTestEventSchema.optional(),
  /** The simulated time (ISO 8601 or ms since the epoch); absent: the server's clock. */
  clock: z.union([z.iso.datetime({ offset: true }), z.number().int().min(0)]).optional(),
  /** Canned replies by `http` node id, applied whenever the flow waits on that node's request. */
  httpReplies: z.record(z.string().max(64), flowTestHttpReplySchema).optional(),
});
export type FlowTestRunRequest = z.input<typeof flowTestRunBody>;

/** The interpreter's step (core `FlowStep`); `state` goes back in the next request as is. */
export const flowTestRunResultSchema = z.object({
  action: z.record(z.string(), z.unknown()),
  state: z.record(z.string(), z.unknown()),
  /** Nodes entered during this request, in order (across the canned http replies too). */
  visited: z.array(z.string()),
  refused: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type FlowTestRunResult = z.infer<typeof flowTestRunResultSchema>;
