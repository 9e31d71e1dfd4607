/**
 * Who may do what. One table, read by the HTTP edge and, later, the WebSocket gateway.
 * Roles are ordered: owner > admin > supervisor > agent; each includes the powers below it.
 */
export type Role = 'owner' | 'admin' | 'supervisor' | 'agent';

const rank: Record<Role, number> = { agent: 0, supervisor: 1, admin: 2, owner: 3 };

export type Permission =
  /** Read queues, skills, teams, reasons, codes, calendars (agents need names for their desktop). */
  | 'config.read'
  /** Create, change, delete configuration. */
  | 'config.write'
  /** See other users and their skills. */
  | 'users.read'
  /** Create, change, delete users and their skills. */
  | 'users.write'
  /** Issue and revoke integration API keys. */
  | 'api_keys.manage'
  /** Read the configuration audit log. */
  | 'audit.read'
  /** Log in to routing, change own state, take offers, handle and wrap up own interactions. */
  | 'agent.work'
  /** Create interactions through the task channel (CRM, web forms, integrations). */
  | 'interactions.create'
  /** Watch queues and agents live, read any interaction and its routing explanation. */
  | 'supervisor.monitor'
  /** Force another agent not ready or logged out. */
  | 'supervisor.control'
  /**
   * Create, change and delete the tenant's shared reply templates (every agent's own templates need
   * only `agent.work`). Supervisors write the canned answers their agents use without being allowed
   * to change queues or users (`config.write`).
   */
  | 'reply_templates.shared'
  /** Read call detail records (every call of the tenant: numbers, times, queue, agent, outcome). */
  | 'calls.read'
  /** Play and download call recordings; every access is written to the audit log. */
  | 'recordings.listen';

const minimumRole: Record<Permission, Role> = {
  'config.read': 'agent',
  'config.write': 'admin',
  'users.read': 'supervisor',
  'users.write': 'admin',
  'api_keys.manage': 'admin',
  'audit.read': 'admin',
  'agent.work': 'agent',
  'interactions.create': 'agent',
  'supervisor.monitor': 'supervisor',
  'supervisor.control': 'supervisor',
  'reply_templates.shared': 'supervisor',
  'calls.read': 'supervisor',
  'recordings.listen': 'supervisor',
};

export function can(role: Role, permission: Permission): boolean {
  return rank[role] >= rank[minimumRole[permission]];
}

/**
 * Whether `actor` may create, change or remove a principal holding `target` role, or give it
 * that role. Nobody hands out more power than they hold; only an owner manages owners.
 */
export function canManageRole(actor: Role, target: Role): boolean {
  if (!can(actor, 'users.write')) return false;
  return rank[actor] >= rank[target];
}
