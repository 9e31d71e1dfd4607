import { z } from 'zod';
import { descriptionSchema, nameSchema, paginationQuery, timestampSchema } from './common';

/**
 * Flows (issue 6): IVR and chat-bot scenarios. The flow document itself is the core's flow JSON
 * (`packages/core/src/flow/README.md`); zod only requires an object here, and the core validator
 * (`validateFlow`) is the judge of everything inside it.
 */

export const flowVersionStates = ['draft', 'published', 'archived'] as const;

/** A flow document as sent and stored: any JSON object, checked by the core on save. */
export const flowDocumentSchema = z.record(z.string(), z.unknown());

/** One version of a flow, without its document. */
export const flowVersionSummarySchema = z.object({
  version: z.number().int(),
  state: z.enum(flowVersionStates),
  /** The user or API key that saved it; null when unknown. */
  createdBy: z.string().nullable(),
  createdAt: timestampSchema,
  /** When the draft was last saved. */
  updatedAt: timestampSchema,
  /** Null while a draft. */
  publishedAt: timestampSchema.nullable(),
});
export type FlowVersionSummary = z.infer<typeof flowVersionSummarySchema>;

export const flowVersionSchema = flowVersionSummarySchema.extend({ document: flowDocumentSchema });
export type FlowVersion = z.infer<typeof flowVersionSchema>;

export const flowSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  /** The version being edited, if any. */
  draft: flowVersionSummarySchema.nullable(),
  /** The version new sessions run, if any. */
  published: flowVersionSummarySchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Flow = z.infer<typeof flowSchema>;

/** One flow with the documents of its draft and published versions (what an editor opens). */
export const flowDetailSchema = flowSchema.extend({
  draft: flowVersionSchema.nullable(),
  published: flowVersionSchema.nullable(),
});
export type FlowDetail = z.infer<typeof flowDetailSchema>;

export const flowCreateBody = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.default(''),
});
export type FlowCreate = z.infer<typeof flowCreateBody>;

export const flowPatchBody = z.strictObject({
  name: nameSchema.optional(),
  description: descriptionSchema.optional(),
});
export type FlowPatch = z.infer<typeof flowPatchBody>;

export const flowVersionsQuery = paginationQuery;

export const flowIssueSchema = z.object({
  /** Stable: `UNKNOWN_VERB`, `DANGLING_EDGE`, `UNREACHABLE_NODE`, `MISSING_FIELD`, … (core README). */
  code: z.string(),
  /** JSON Pointer (RFC 6901) into the document, e.g. `/nodes/menu/options/2/key`. */
  path: z.string(),
  message: z.string(),
});
export type FlowIssueDto = z.infer<typeof flowIssueSchema>;

/** The answer of `POST /api/flows/:id/validate`: nothing is saved either way. */
export const flowValidationSchema = z.object({
  valid: z.boolean(),
  issues: z.array(flowIssueSchema),
});
