import { z } from 'zod';
import { channelSchema } from './common';

/**
 * The routing API: the task channel (`POST /api/interactions`), the agent's work commands, the
 * supervisor's live figures, and the frames of the realtime WebSocket (`/api/ws`).
 */
const id = z.uuid();
const skillLevel = z.number().int().min(1).max(10);

export const interactionStates = [
  'new',
  'in_flow',
  'queued',
  'offered',
  'connected',
  'wrap_up',
  'closed',
  'abandoned',
  'missed',
  'transferred',
  'callback_scheduled',
  'voicemail',
] as const;
export const interactionStateSchema = z.enum(interactionStates);

export const contactSchema = z.strictObject({
  name: z.string().trim().max(200).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9]{3,20}$/, 'digits, optionally with a leading +')
    .optional(),
  email: z.email().max(320).optional(),
});

/** A generic task: "call me back about X" from a CRM or a web form; later channels reuse the path. */
export const createInteractionBody = z.strictObject({
  channel: channelSchema.default('task'),
  queueId: id,
  subject: z.string().trim().max(500).default(''),
  contact: contactSchema.default({}),
  /** Higher is served first; defaults to the queue's priority. */
  priority: z.number().int().min(0).max(100).optional(),
  skills: z
    .array(z.strictObject({ skillId: id, minLevel: skillLevel }))
    .max(20)
    .refine((l) => new Set(l.map((s) => s.skillId)).size === l.length, {
      message: 'each skill may appear once',
    })
    .default([]),
  /** Free-form fields for the screen pop (string values only). */
  data: z
    .record(z.string().max(100), z.string().max(2_000))
    .refine((r) => Object.keys(r).length <= 50, { message: 'at most 50 fields' })
    .default({}),
  /** The customer's own agent: only they may take it for `preferredWaitSeconds`. */
  preferredAgentId: id.optional(),
  preferredWaitSeconds: z.number().int().min(1).max(86_400).default(120),
  /** Do not route before this time (a callback booked for later). */
  notBefore: z.iso.datetime({ offset: true }).optional(),
});
export type CreateInteractionBody = z.input<typeof createInteractionBody>;

export const interactionSchema = z.object({
  id,
  channel: channelSchema,
  state: interactionStateSchema,
  queueId: id.nullable(),
  priority: z.number().int(),
  subject: z.string(),
  contact: z.record(z.string(), z.string()),
  data: z.record(z.string(), z.unknown()),
  agentId: id.nullable(),
  enqueuedAt: z.string().nullable(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  dispositionCodeId: id.nullable(),
  notes: z.string(),
  /** 1-based place in its queue while waiting. */
  position: z.number().int().nullable(),
  /** The customer (contact) this interaction is with, when known (chats always). */
  contactId: id.nullable(),
  /** Notes left by agents who transferred it, oldest first (every channel; chats also log them). */
  transferNotes: z.array(
    z.object({
      at: z.string(),
      /** The agent who transferred it, and their display name then. */
      fromAgentId: id.nullable(),
      fromName: z.string(),
      note: z.string(),
    }),
  ),
});
export type InteractionDto = z.infer<typeof interactionSchema>;

export const agentStateBody = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('ready') }),
  z.strictObject({ state: z.literal('not_ready'), reasonId: id.optional() }),
]);

export const agentStatuses = ['logged_out', 'ready', 'not_ready', 'reserved', 'busy', 'wrap_up'] as const;
export const agentStatusSchema = z.enum(agentStatuses);

export const workItemSchema = z.object({
  interactionId: id,
  channel: channelSchema,
  phase: z.enum(['offered', 'connected', 'wrap_up']),
  since: z.string(),
  wrapUpUntil: z.string().nullable(),
});

export const agentStateSchema = z.object({
  agentId: id,
  status: agentStatusSchema,
  presence: z.enum(['logged_out', 'ready', 'not_ready']),
  /** Not-ready reason name ("missed" when the router set it after unanswered offers). */
  reason: z.string().nullable(),
  since: z.string(),
  work: z.array(workItemSchema),
  handledToday: z.number().int(),
  /**
   * Per channel: how many the agent may hold at once (`max`) and holds now (`used`: offered,
   * connected or in wrap-up), e.g. "2 of 3 chats".
   */
  capacity: z.record(channelSchema, z.object({ max: z.number().int(), used: z.number().int() })),
});
export type AgentStateDto = z.infer<typeof agentStateSchema>;

/**
 * A colleague as another agent may see them (`GET /api/agent/directory`, for transfers): no e-mail,
 * role or skills; `freeChats` is how many more chats the router could offer them now (0 unless ready).
 */
export const directoryEntrySchema = z.object({
  agentId: id,
  displayName: z.string(),
  status: agentStatusSchema,
  freeChats: z.number().int(),
});
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;

export const wrapUpBody = z.strictObject({
  dispositionCodeId: id.optional(),
  notes: z.string().max(10_000).default(''),
});

export const transferBody = z.strictObject({
  queueId: id,
  /** Straight to this agent first (exclusive for `exclusiveSeconds`), then to the queue. */
  agentId: id.optional(),
  exclusiveSeconds: z.number().int().min(1).max(3_600).default(60),
  note: z.string().max(2_000).default(''),
});

export const queueLiveSchema = z.object({
  queueId: id,
  name: z.string(),
  waiting: z.number().int(),
  longestWaitSeconds: z.number().int(),
  loggedIn: z.number().int(),
  ready: z.number().int(),
  offeredToday: z.number().int(),
  answeredToday: z.number().int(),
  abandonedToday: z.number().int(),
  /** Answered within the queue's target ÷ (answered + abandoned after 5 s), today; null before any. */
  serviceLevel: z.number().nullable(),
  /** Estimated wait of a new arrival in seconds; null when nobody is logged in. */
  ewtSeconds: z.number().int().nullable(),
});
export type QueueLive = z.infer<typeof queueLiveSchema>;

// ── WebSocket frames ─────────────────────────────────────────────────────────

/** Client → server. `after`: the last `seq` the client has seen (resume); omit for live only. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('subscribe'),
    after: z
      .string()
      .regex(/^[0-9]{1,19}$/)
      .optional(),
  }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** Server → client: domain events in commit order with their `seq`; resume from the last one seen. */
export type ServerFrame =
  | { type: 'ready'; seq: string }
  | { type: 'event'; seq: string; at: string; event: { type: string } & Record<string, unknown> }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

export const WS_PATH = '/api/ws';
