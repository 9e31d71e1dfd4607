/**
 * Branded identifiers: an `AgentId` cannot be passed where a `QueueId` is expected, although both are
 * strings (UUIDs in production) at run time. Brand at the edge (store rows, validated requests).
 */
type Brand<T, B extends string> = T & { readonly __brand: B };

export type TenantId = Brand<string, 'TenantId'>;
export type AgentId = Brand<string, 'AgentId'>;
export type QueueId = Brand<string, 'QueueId'>;
export type SkillId = Brand<string, 'SkillId'>;
export type InteractionId = Brand<string, 'InteractionId'>;

export const tenantId = (s: string): TenantId => s as TenantId;
export const agentId = (s: string): AgentId => s as AgentId;
export const queueId = (s: string): QueueId => s as QueueId;
export const skillId = (s: string): SkillId => s as SkillId;
export const interactionId = (s: string): InteractionId => s as InteractionId;
