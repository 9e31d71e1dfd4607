import type {
  createFlowEntryPointBody,
  FlowEntryPoint,
  updateFlowEntryPointBody,
} from '@hotline/protocol/entry-points';
import type { z } from 'zod';
import { type ResourceSpec, ResourceStore, type StoreDeps } from '../stores/resource-store';

type Create = z.output<typeof createFlowEntryPointBody>;
type Update = z.output<typeof updateFlowEntryPointBody>;

/**
 * Messenger accounts bound to flows (`flow_entry_points`, 0007). The flow must be the tenant's own (a
 * foreign key: INVALID_REFERENCE otherwise), an account is bound once per tenant and kind (DUPLICATE),
 * and a bound flow cannot be deleted (IN_USE, `flow-entry-points.ts`).
 */
export const flowEntryPointSpec: ResourceSpec<FlowEntryPoint, Create, Update> = {
  table: 'flow_entry_points',
  entityType: 'flow_entry_point',
  duplicateMessage: 'this account is already bound to a flow',
  toDto: (r) => ({
    id: r.id,
    kind: r.kind,
    address: r.address,
    flowId: r.flow_id,
    createdAt: (r.created_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
  }),
  toInsert: (b) => ({ kind: b.kind, address: b.address, flow_id: b.flowId }),
  toUpdate: (b) => ({
    ...(b.address === undefined ? {} : { address: b.address }),
    ...(b.flowId === undefined ? {} : { flow_id: b.flowId }),
  }),
};

export const flowEntryPointStore = (deps: StoreDeps) => new ResourceStore(deps, flowEntryPointSpec);
export type FlowEntryPointStore = ReturnType<typeof flowEntryPointStore>;
