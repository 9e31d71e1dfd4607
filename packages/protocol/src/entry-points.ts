import { z } from 'zod';
import { idSchema, timestampSchema } from './common';

/**
 * Entry points of flows beside phone numbers and the web chat widget (which carry their `flowId`
 * themselves): an account of the tenant on a messenger network, whose conversations start in a flow.
 * The messenger channel adapters look their account up here.
 */
export const entryPointKinds = ['messenger'] as const;

const address = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\s]+$/, 'no spaces: the account as its network names it (a bot name, a business number)');

export const flowEntryPointSchema = z.object({
  id: idSchema,
  kind: z.enum(entryPointKinds),
  address: z.string(),
  flowId: idSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type FlowEntryPoint = z.infer<typeof flowEntryPointSchema>;

export const createFlowEntryPointBody = z.strictObject({
  kind: z.enum(entryPointKinds),
  address,
  flowId: idSchema,
});
export type CreateFlowEntryPointBody = z.input<typeof createFlowEntryPointBody>;

export const updateFlowEntryPointBody = z.strictObject({ address, flowId: idSchema }).partial();
export type UpdateFlowEntryPointBody = z.input<typeof updateFlowEntryPointBody>;
