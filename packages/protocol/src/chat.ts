import { z } from 'zod';
import { localeSchema } from './common';

/**
 * Web chat: the conversation log, the website widget's public API and WebSocket, and the chat frames
 * the agent desktop exchanges over the realtime WebSocket (`/api/ws`).
 *
 * A conversation is an interaction of channel `chat`; its messages form an append-only log numbered
 * by `seq` (1, 2, 3 … per conversation, assigned by the server when the message is stored). Both
 * sides resume from the last `seq` they saw, so a reconnect misses nothing and shows nothing twice.
 * Senders give every message a `clientId` (idempotency key): sending the same `clientId` again
 * returns the stored message instead of storing a second one.
 */
const id = z.uuid();

export const MAX_MESSAGE_CHARS = 4_000;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Accepted attachment types, decided from the file's content (magic bytes), never from its name. */
export const attachmentTypes = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
] as const;

/** Who wrote a message. `supervisor` messages are whispers (see `visibility`). */
export const messageAuthorKinds = ['customer', 'agent', 'supervisor', 'bot', 'system'] as const;
/**
 * `public`: the customer and the agents see it. `internal`: an agent's note, never shown to the
 * customer. `whisper`: a supervisor's note to the agent handling the chat, never shown to the customer.
 */
export const messageVisibilities = ['public', 'internal', 'whisper'] as const;

/** The sender's idempotency key: 8–64 characters of [A-Za-z0-9_-] (a UUID fits). */
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8–64 characters of A–Z a–z 0–9 _ -');
const messageText = z.string().max(MAX_MESSAGE_CHARS);

export const attachmentSchema = z.object({
  id,
  fileName: z.string(),
  /** Detected from the content. */
  mime: z.enum(attachmentTypes),
  size: z.number().int(),
});
export type AttachmentDto = z.infer<typeof attachmentSchema>;

export const chatMessageSchema = z.object({
  id,
  interactionId: id,
  /** 1, 2, 3 … within the conversation, in the order stored. */
  seq: z.number().int().min(1),
  author: z.object({
    kind: z.enum(messageAuthorKinds),
    /** The user for agent and supervisor messages; null otherwise. */
    userId: id.nullable(),
    /** Shown above the message (an agent's display name, the customer's name). */
    name: z.string(),
  }),
  visibility: z.enum(messageVisibilities),
  text: z.string(),
  attachment: attachmentSchema.nullable(),
  clientId: z.string().nullable(),
  createdAt: z.string(),
  /**
   * Bot messages only: quick replies (a menu's options). The widget shows them as buttons; pressing
   * one sends its `label` as the customer's message. Absent on every other message.
   */
  buttons: z.array(z.object({ key: z.string(), label: z.string() })).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const messagesQuery = z.object({
  /** Only messages with a greater `seq`. */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** At least one of text and attachment. */
export const sendMessageBody = z
  .strictObject({
    clientId: clientIdSchema,
    text: messageText.default(''),
    attachmentId: id.optional(),
    /** Agents only; the widget always sends `public`. */
    visibility: z.enum(['public', 'internal']).default('public'),
  })
  .refine((b) => b.text.trim().length > 0 || b.attachmentId !== undefined, {
    message: 'a message needs text or an attachment',
  });
export type SendMessageBody = z.input<typeof sendMessageBody>;

// ── Conversation state as the customer sees it ──────────────────────────────

/** `bot`: the tenant's chat bot (a flow) answers; it may hand the chat to a queue later. */
export const conversationStatuses = ['bot', 'queued', 'connected', 'ended'] as const;
export const conversationStatusSchema = z.object({
  conversationId: id,
  status: z.enum(conversationStatuses),
  /** 1-based place in the queue while queued; null otherwise. */
  position: z.number().int().nullable(),
  /** Estimated wait in seconds while queued; null when unknown (nobody logged in). */
  ewtSeconds: z.number().int().nullable(),
  /** The display name of the agent while connected. */
  agentName: z.string().nullable(),
  /** The highest `seq` stored. */
  lastSeq: z.number().int(),
  /** The highest `seq` the agent side has marked read (for the customer's read ticks). */
  readByAgentSeq: z.number().int(),
  rated: z.boolean(),
});
export type ConversationStatus = z.infer<typeof conversationStatusSchema>;

// ── Widget settings (admin) and the public widget configuration ─────────────

const localized = z.strictObject({ en: z.string().trim().max(500), ru: z.string().trim().max(500) });
export const preChatFieldModes = ['required', 'optional', 'hidden'] as const;

export const widgetTopicSchema = z.strictObject({
  /** Stable key chosen by the admin, e.g. `billing`. */
  key: z.string().regex(/^[a-z0-9_-]{1,40}$/),
  label: localized,
  queueId: id,
  skills: z
    .array(z.strictObject({ skillId: id, minLevel: z.number().int().min(1).max(10) }))
    .max(20)
    .refine((list) => new Set(list.map((s) => s.skillId)).size === list.length, {
      message: 'each skill may appear once',
    })
    .default([]),
});

export const widgetSettingsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Origins allowed to embed the widget (`https://shop.example`); empty: any origin. */
  allowedOrigins: z.array(z.url().max(300)).max(50).default([]),
  preChat: z
    .strictObject({
      name: z.enum(preChatFieldModes).default('required'),
      email: z.enum(preChatFieldModes).default('optional'),
      phone: z.enum(preChatFieldModes).default('hidden'),
    })
    .default({ name: 'required', email: 'optional', phone: 'hidden' }),
  /** Shown as a choice before the chat; the first one is the default. At least one queue is needed. */
  topics: z
    .array(widgetTopicSchema)
    .max(30)
    .refine((list) => new Set(list.map((t) => t.key)).size === list.length, {
      message: 'each topic key may appear once',
    })
    .default([]),
  /** Opening hours; outside them the widget shows the offline form. Null: always open. */
  calendarId: id.nullable().default(null),
  /**
   * A published flow (chat bot) a new conversation starts in before it reaches a queue; null: straight
   * to the topic's queue. A flow of another tenant is INVALID_REFERENCE; a bound flow cannot be deleted.
   */
  flowId: id.nullable().default(null),
  greeting: localized.default({ en: '', ru: '' }),
  /** Offline form: leave a message, or ask to be called back. */
  offlineMode: z.enum(['message', 'callback']).default('message'),
});
export type WidgetSettings = z.infer<typeof widgetSettingsSchema>;

/** What the widget needs to draw itself: `GET /api/widget/:tenant/config?lang=`. No secrets. */
export const widgetConfigSchema = z.object({
  tenantName: z.string(),
  /** False outside opening hours or when nobody is logged in to any topic's queue. */
  online: z.boolean(),
  offlineReason: z.enum(['closed', 'nobody_available']).nullable(),
  preChat: z.object({
    name: z.enum(preChatFieldModes),
    email: z.enum(preChatFieldModes),
    phone: z.enum(preChatFieldModes),
  }),
  topics: z.array(z.object({ key: z.string(), label: z.string() })),
  greeting: z.string(),
  offlineMode: z.enum(['message', 'callback']),
  limits: z.object({
    maxMessageChars: z.number().int(),
    maxAttachmentBytes: z.number().int(),
    attachmentTypes: z.array(z.string()),
  }),
});
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

const visitorName = z.string().trim().min(1).max(120);
const visitorEmail = z.email().max(320);
const visitorPhone = z.string().regex(/^\+?[0-9]{3,20}$/, 'digits, optionally with a leading +');

/** `POST /api/widget/:tenant/conversations`: the pre-chat form. */
export const startConversationBody = z.strictObject({
  name: visitorName.optional(),
  email: visitorEmail.optional(),
  phone: visitorPhone.optional(),
  topic: z.string().max(40).optional(),
  /** The first message, if the form had one. */
  message: messageText.optional(),
  language: localeSchema.default('en'),
  /** The page the visitor was on (shown to the agent). */
  page: z.url().max(2_000).optional(),
  /** A token from an earlier visit on this browser: the same visitor (and contact) again. */
  visitorToken: z.string().max(200).optional(),
});
export type StartConversationBody = z.input<typeof startConversationBody>;

export const startConversationReply = z.object({
  conversationId: id,
  /** `hlv_…`: the visitor's credential for this conversation's API and WebSocket. Keep it private. */
  visitorToken: z.string(),
  status: conversationStatusSchema,
});

/** `POST /api/widget/:tenant/offline-messages`: becomes an interaction that waits for the next agent. */
export const offlineMessageBody = z
  .strictObject({
    name: visitorName,
    email: visitorEmail.optional(),
    phone: visitorPhone.optional(),
    topic: z.string().max(40).optional(),
    message: messageText.min(1),
    /** Ask for a call back at `phone` instead of a reply. */
    callback: z.boolean().default(false),
    language: localeSchema.default('en'),
  })
  .refine((b) => b.email !== undefined || b.phone !== undefined, {
    message: 'an e-mail or a phone number is needed to answer',
  })
  .refine((b) => !b.callback || b.phone !== undefined, { message: 'a call back needs a phone number' });

export const rateBody = z.strictObject({
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(1_000).default(''),
});

// ── The widget's WebSocket: `/api/widget/ws` ────────────────────────────────

export const WIDGET_WS_PATH = '/api/widget/ws';

/**
 * Customer → server. The first frame must be `hello` (within 5 s); `after` is the last `seq` the
 * widget has shown. `send` is answered by `ack` once stored; re-sending the same `clientId` after a
 * reconnect is safe.
 */
export const widgetClientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    token: z.string().max(200),
    conversationId: id,
    after: z.number().int().min(0).default(0),
  }),
  z.strictObject({
    type: z.literal('send'),
    clientId: clientIdSchema,
    text: messageText.default(''),
    attachmentId: id.optional(),
  }),
  z.strictObject({ type: z.literal('typing'), active: z.boolean() }),
  z.strictObject({
    type: z.literal('mark'),
    mark: z.enum(['delivered', 'read']),
    seq: z.number().int().min(0),
  }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type WidgetClientFrame = z.input<typeof widgetClientFrameSchema>;

/** Server → customer. Only `public` messages ever reach the customer. */
export type WidgetServerFrame =
  | { type: 'welcome'; status: ConversationStatus }
  | { type: 'message'; message: ChatMessage }
  | { type: 'ack'; clientId: string; id: string; seq: number }
  | { type: 'typing'; active: boolean }
  | { type: 'mark'; by: 'agent'; mark: 'delivered' | 'read'; seq: number }
  | { type: 'status'; status: ConversationStatus }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string; clientId?: string };

// ── Chat frames on the agent's realtime WebSocket (`/api/ws`) ───────────────

/**
 * Agent or supervisor → server, beside `subscribe`/`ping` (routing.ts). `watch` replays the messages
 * after `after`, then streams new ones; the assigned agent and supervisors may watch a conversation.
 */
export const chatClientFrameSchemas = [
  z.strictObject({ type: z.literal('watch'), interactionId: id, after: z.number().int().min(0).default(0) }),
  z.strictObject({ type: z.literal('unwatch'), interactionId: id }),
  z.strictObject({ type: z.literal('typing'), interactionId: id, active: z.boolean() }),
  z.strictObject({
    type: z.literal('mark'),
    interactionId: id,
    mark: z.enum(['delivered', 'read']),
    seq: z.number().int().min(0),
  }),
] as const;

export type ChatServerFrame =
  /** Sent after the replay of a `watch`: everything up to `lastSeq` has been sent. */
  | { type: 'chat.watching'; interactionId: string; lastSeq: number; readByCustomerSeq: number }
  | { type: 'chat.message'; message: ChatMessage }
  | { type: 'chat.typing'; interactionId: string; active: boolean }
  | { type: 'chat.mark'; interactionId: string; by: 'customer'; mark: 'delivered' | 'read'; seq: number };

// ── Supervisor actions on a live chat ───────────────────────────────────────

export const whisperBody = z.strictObject({ clientId: clientIdSchema, text: messageText.min(1) });

// ── Reply templates ─────────────────────────────────────────────────────────

/**
 * Canned replies with variables `{{customer.name}}`, `{{agent.name}}` (unknown variables stay as
 * written; `renderTemplate` in templates.ts fills them). `shared` templates belong to the tenant
 * (admins and supervisors edit them); the others are the agent's own, seen by nobody else.
 */
const replyTemplateFields = {
  name: z.string().trim().min(1).max(120),
  body: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
  shared: z.boolean(),
  language: localeSchema.nullable(),
};
export const replyTemplateBody = z.strictObject({
  ...replyTemplateFields,
  shared: replyTemplateFields.shared.default(false),
  language: replyTemplateFields.language.default(null),
});
/** Without defaults: a field left out stays as it is (`.partial()` of the body would reset them). */
export const replyTemplatePatch = z.strictObject(replyTemplateFields).partial();
/** `GET /api/reply-templates`: the caller's own and the shared ones, by name. */
export const replyTemplatesQuery = z.object({
  /** Only templates in this language or in none (those fit every language). */
  language: localeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(500),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const replyTemplateSchema = z.object({
  id,
  name: z.string(),
  body: z.string(),
  shared: z.boolean(),
  language: localeSchema.nullable(),
  ownerId: id.nullable(),
  updatedAt: z.string(),
});
export type ReplyTemplate = z.infer<typeof replyTemplateSchema>;
