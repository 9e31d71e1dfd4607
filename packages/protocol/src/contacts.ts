import { z } from 'zod';
import { channelSchema } from './common';
import { interactionStateSchema } from './routing';

/**
 * Contacts: the customers behind interactions. A contact has identities (an e-mail, a phone number,
 * a widget visitor, later messenger accounts); the same identity always resolves to the same contact,
 * so a customer's history follows them across channels and visits. E-mails are compared lower-cased,
 * phone numbers by their digits with a leading `+` kept.
 */
const id = z.uuid();

export const identityKinds = ['email', 'phone', 'visitor'] as const;

const attributes = z
  .record(z.string().min(1).max(100), z.string().max(2_000))
  .refine((r) => Object.keys(r).length <= 50, { message: 'at most 50 attributes' });

export const contactDtoSchema = z.object({
  id,
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  /** Free-form profile fields (company, customer number …). */
  attributes: z.record(z.string(), z.string()),
  identities: z.array(z.object({ kind: z.enum(identityKinds), value: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ContactDto = z.infer<typeof contactDtoSchema>;

export const contactPatch = z.strictObject({
  name: z.string().trim().max(200).optional(),
  email: z.email().max(320).nullable().optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9]{3,20}$/, 'digits, optionally with a leading +')
    .nullable()
    .optional(),
  attributes: attributes.optional(),
});

export const contactSearchQuery = z.object({
  /** Matches name, e-mail or phone (substring, case-insensitive). */
  q: z.string().trim().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** One earlier or current interaction of a contact, newest first, for the customer panel. */
export const contactInteractionSchema = z.object({
  id,
  channel: channelSchema,
  state: interactionStateSchema,
  subject: z.string(),
  queueName: z.string().nullable(),
  agentName: z.string().nullable(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  dispositionName: z.string().nullable(),
  /** 1–5 when the customer rated it. */
  rating: z.number().int().nullable(),
});
export type ContactInteraction = z.infer<typeof contactInteractionSchema>;
