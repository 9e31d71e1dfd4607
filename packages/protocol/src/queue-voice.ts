import { z } from 'zod';

/**
 * Whether a queue's calls are recorded once an agent answers: `always` (from the answer), `on_demand`
 * (when the agent presses "Record" in the softphone) or `never`.
 */
export const recordingPolicySchema = z.enum(['always', 'on_demand', 'never']);
export type RecordingPolicy = z.infer<typeof recordingPolicySchema>;

/**
 * How callers waiting in a queue are kept informed (`/api/queues/{id}/voice`): the interval of the
 * position and estimated-wait announcements (0: none), what they say, and the music on hold (a prompt
 * file of the tenant, or null for the built-in music); and whether answered calls are recorded.
 */
export const queueVoiceSettingsSchema = z.object({
  queueId: z.uuid(),
  announceIntervalSeconds: z.number().int(),
  announcePosition: z.boolean(),
  announceWait: z.boolean(),
  musicPrompt: z.string().nullable(),
  recording: recordingPolicySchema,
  /** The key a waiting caller presses to be called back keeping their place; null: no callback offer. */
  callbackDigit: z.string().nullable(),
});
export type QueueVoiceSettings = z.infer<typeof queueVoiceSettingsSchema>;

/**
 * `PUT /api/queues/{id}/voice` changes the settings it names and keeps the others (the defaults when
 * none were saved yet): an admin client sends just the field it changed without wiping the rest. A
 * null `musicPrompt` (built-in music) or `callbackDigit` (no offer) is a value, unlike a field left
 * out. A body naming nothing is refused, like any other invalid one (400 `VALIDATION_FAILED`).
 */
export const putQueueVoiceSettingsBody = z
  .strictObject({
    announceIntervalSeconds: z
      .number()
      .int()
      .refine((n) => n === 0 || (n >= 10 && n <= 3600), { message: '0 (off) or 10–3600 seconds' })
      .optional(),
    announcePosition: z.boolean().optional(),
    announceWait: z.boolean().optional(),
    musicPrompt: z
      .string()
      .regex(/^\w[\w.-]{0,127}\.wav$/i, 'a prompt file name: name.wav')
      .refine((s) => !s.includes('..'), { message: 'a prompt file name: name.wav' })
      .nullable()
      .optional(),
    recording: recordingPolicySchema.optional(),
    callbackDigit: z
      .string()
      .regex(/^[0-9*#]$/, 'one key: 0–9, * or #')
      .nullable()
      .optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'name at least one setting to change',
  });
export type PutQueueVoiceSettings = z.output<typeof putQueueVoiceSettingsBody>;

export const queueVoiceDefaults = {
  announceIntervalSeconds: 45,
  announcePosition: true,
  announceWait: true,
  musicPrompt: null,
  recording: 'always',
  callbackDigit: null,
} as const;
