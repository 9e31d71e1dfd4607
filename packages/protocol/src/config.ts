import { z } from 'zod';
import { channels, descriptionSchema, localeSchema, nameSchema, roleSchema, timestampSchema } from './common';

const timestamps = { createdAt: timestampSchema, updatedAt: timestampSchema };
const id = z.uuid();

// ── Capacity ────────────────────────────────────────────────────────────────
const slots = z.number().int().min(0).max(100);
/** How many interactions of each channel an agent may hold at once. */
export const capacitySchema = z.strictObject(
  Object.fromEntries(channels.map((c) => [c, slots])) as Record<(typeof channels)[number], typeof slots>,
);
export type Capacity = z.infer<typeof capacitySchema>;
export const defaultCapacity: Capacity = { voice: 1, chat: 3, email: 5, sms: 3, messenger: 3, task: 1 };

// ── Users ───────────────────────────────────────────────────────────────────
export const passwordSchema = z.string().min(10).max(1024);
const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const userSchema = z.object({
  id,
  email: z.string(),
  displayName: z.string(),
  role: roleSchema,
  teamId: id.nullable(),
  locale: localeSchema,
  active: z.boolean(),
  capacity: capacitySchema,
  ...timestamps,
});
export type User = z.infer<typeof userSchema>;

export const createUserBody = z.strictObject({
  email: emailSchema,
  displayName: nameSchema,
  role: roleSchema,
  password: passwordSchema,
  teamId: id.nullable().optional(),
  locale: localeSchema.optional(),
  active: z.boolean().optional(),
  capacity: capacitySchema.partial().optional(),
});
export type CreateUserBody = z.infer<typeof createUserBody>;
export const updateUserBody = createUserBody.partial();
export type UpdateUserBody = z.infer<typeof updateUserBody>;

// ── Agent skills ────────────────────────────────────────────────────────────
export const skillLevel = z.number().int().min(1).max(10);
export const agentSkillSchema = z.strictObject({ skillId: id, level: skillLevel });
export type AgentSkill = z.infer<typeof agentSkillSchema>;
export const agentSkillsBody = z
  .array(agentSkillSchema)
  .max(200)
  .refine((list) => new Set(list.map((s) => s.skillId)).size === list.length, {
    message: 'each skill may appear once',
  });
export const agentSkillsResponse = z.object({ items: z.array(agentSkillSchema) });

// ── Teams, skills ───────────────────────────────────────────────────────────
export const teamSchema = z.object({ id, name: z.string(), description: z.string(), ...timestamps });
export type Team = z.infer<typeof teamSchema>;
export const createTeamBody = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.default(''),
});
export const updateTeamBody = z.strictObject({ name: nameSchema, description: descriptionSchema }).partial();

export const skillSchema = teamSchema;
export type Skill = z.infer<typeof skillSchema>;
export const createSkillBody = createTeamBody;
export const updateSkillBody = updateTeamBody;

// ── Queues ──────────────────────────────────────────────────────────────────
export const queueStrategies = [
  'least_busy_time',
  'fewest_handled',
  'longest_idle',
  'round_robin',
  'ring_all',
  'random',
] as const;
export const queueStrategySchema = z.enum(queueStrategies);
export type QueueStrategy = z.infer<typeof queueStrategySchema>;

export const requiredSkillSchema = z.strictObject({ skillId: id, minLevel: skillLevel });

/** One ring of the bullseye: after `afterSeconds` in the queue, required levels drop and other queues' agents join. */
export const expansionStepSchema = z.strictObject({
  afterSeconds: z.number().int().min(1).max(86_400),
  relaxLevelsBy: z.number().int().min(0).max(9),
  addQueueIds: z.array(id).max(20).default([]),
});
export type ExpansionStep = z.infer<typeof expansionStepSchema>;

export const overflowActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('queue'), queueId: id }),
  z.strictObject({ type: z.literal('callback') }),
  z.strictObject({ type: z.literal('voicemail') }),
  z.strictObject({
    type: z.literal('external'),
    number: z.string().regex(/^\+?[0-9]{2,20}$/, 'digits, optionally with a leading +'),
  }),
  z.strictObject({ type: z.literal('close'), message: z.string().max(1_000) }),
]);
/** Taken once, the first that applies: after `afterSeconds` waiting, or at once when nobody who could answer is logged in. */
export const overflowRuleSchema = z
  .strictObject({
    afterSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .nullable()
      .default(null),
    whenNoAgents: z.boolean().default(false),
    action: overflowActionSchema,
  })
  .refine((r) => r.afterSeconds !== null || r.whenNoAgents, { message: 'give afterSeconds or whenNoAgents' });
export type OverflowRule = z.infer<typeof overflowRuleSchema>;

export const queueSchema = z.object({
  id,
  name: z.string(),
  strategy: queueStrategySchema,
  priority: z.number().int(),
  requiredSkills: z.array(requiredSkillSchema),
  serviceLevelSeconds: z.number().int(),
  serviceLevelPercent: z.number().int(),
  wrapUpSeconds: z.number().int(),
  maxWaitSeconds: z.number().int(),
  calendarId: id.nullable(),
  offerTimeoutSeconds: z.number().int(),
  blocksOtherChannels: z.boolean(),
  expansion: z.array(expansionStepSchema),
  overflow: z.array(overflowRuleSchema),
  ...timestamps,
});
export type Queue = z.infer<typeof queueSchema>;

const queueFields = {
  name: nameSchema,
  strategy: queueStrategySchema,
  /** Higher is served first across queues. */
  priority: z.number().int().min(0).max(100),
  requiredSkills: z
    .array(requiredSkillSchema)
    .max(50)
    .refine((list) => new Set(list.map((s) => s.skillId)).size === list.length, {
      message: 'each skill may appear once',
    }),
  serviceLevelSeconds: z.number().int().min(1).max(86_400),
  serviceLevelPercent: z.number().int().min(1).max(100),
  wrapUpSeconds: z.number().int().min(0).max(3_600),
  maxWaitSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400),
  calendarId: id.nullable(),
  /** How long an offer rings before it goes to the next agent. */
  offerTimeoutSeconds: z.number().int().min(1).max(600),
  /** A call from this queue blocks the agent's other channels while held. */
  blocksOtherChannels: z.boolean(),
  expansion: z
    .array(expansionStepSchema)
    .max(10)
    .refine((steps) => steps.every((s, i) => i === 0 || s.afterSeconds > steps[i - 1]!.afterSeconds), {
      message: 'expansion steps must have rising afterSeconds',
    }),
  overflow: z.array(overflowRuleSchema).max(10),
};
export const createQueueBody = z.strictObject({
  name: queueFields.name,
  strategy: queueFields.strategy.default('longest_idle'),
  priority: queueFields.priority.default(0),
  requiredSkills: queueFields.requiredSkills.default([]),
  serviceLevelSeconds: queueFields.serviceLevelSeconds.default(20),
  serviceLevelPercent: queueFields.serviceLevelPercent.default(80),
  wrapUpSeconds: queueFields.wrapUpSeconds.default(30),
  maxWaitSeconds: queueFields.maxWaitSeconds.default(600),
  calendarId: queueFields.calendarId.default(null),
  offerTimeoutSeconds: queueFields.offerTimeoutSeconds.default(20),
  blocksOtherChannels: queueFields.blocksOtherChannels.default(true),
  expansion: queueFields.expansion.default([]),
  overflow: queueFields.overflow.default([]),
});
export type CreateQueueBody = z.input<typeof createQueueBody>;
export const updateQueueBody = z.strictObject(queueFields).partial();

// ── Not-ready reasons, disposition codes ───────────────────────────────────
export const notReadyReasonSchema = z.object({ id, name: z.string(), paid: z.boolean(), ...timestamps });
export type NotReadyReason = z.infer<typeof notReadyReasonSchema>;
export const createNotReadyReasonBody = z.strictObject({
  name: nameSchema,
  paid: z.boolean().default(false),
});
export const updateNotReadyReasonBody = z.strictObject({ name: nameSchema, paid: z.boolean() }).partial();

const codeSchema = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');
export const dispositionCodeSchema = z.object({ id, code: z.string(), name: z.string(), ...timestamps });
export type DispositionCode = z.infer<typeof dispositionCodeSchema>;
export const createDispositionCodeBody = z.strictObject({ code: codeSchema, name: nameSchema });
export const updateDispositionCodeBody = createDispositionCodeBody.partial();

// ── Business-hours calendars ────────────────────────────────────────────────
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');
export const openIntervalSchema = z
  .strictObject({ day: z.enum(weekdays), open: hhmm, close: hhmm })
  .refine((i) => i.open < i.close, { message: 'open must be before close' });
export const holidaySchema = z.strictObject({
  date: z.iso.date(),
  name: z.string().trim().max(120).default(''),
});
const timeZoneSchema = z.string().min(1).max(64).refine(isTimeZone, { message: 'unknown IANA time zone' });

export const calendarSchema = z.object({
  id,
  name: z.string(),
  timeZone: z.string(),
  weekly: z.array(openIntervalSchema),
  holidays: z.array(holidaySchema),
  ...timestamps,
});
export type Calendar = z.infer<typeof calendarSchema>;
export const createCalendarBody = z.strictObject({
  name: nameSchema,
  timeZone: timeZoneSchema,
  weekly: z.array(openIntervalSchema).max(100).default([]),
  holidays: z.array(holidaySchema).max(1000).default([]),
});
export type CreateCalendarBody = z.input<typeof createCalendarBody>;
export const updateCalendarBody = z
  .strictObject({
    name: nameSchema,
    timeZone: timeZoneSchema,
    weekly: z.array(openIntervalSchema).max(100),
    holidays: z.array(holidaySchema).max(1000),
  })
  .partial();

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// ── API keys ────────────────────────────────────────────────────────────────
export const apiKeySchema = z.object({
  id,
  name: z.string(),
  role: roleSchema,
  prefix: z.string(),
  createdAt: timestampSchema,
  lastUsedAt: timestampSchema.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;
export const createApiKeyBody = z.strictObject({ name: nameSchema, role: roleSchema });
/** The secret appears here once and is never retrievable again. */
export const createdApiKeySchema = z.object({ apiKey: apiKeySchema, secret: z.string() });

// ── Audit log ───────────────────────────────────────────────────────────────
export const auditEntrySchema = z.object({
  id,
  at: timestampSchema,
  actorType: z.enum(['user', 'api_key', 'system']),
  actorId: z.string().nullable(),
  action: z.enum(['create', 'update', 'delete', 'access']),
  entityType: z.string(),
  entityId: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  entityType: z.string().max(40).optional(),
  entityId: z.string().max(64).optional(),
});
