import { type Role, roles } from '@hotline/protocol/common';

/**
 * What a role may do in the web UI. The server enforces the same rules; these only decide what to show,
 * so that nobody is offered a button that would answer FORBIDDEN.
 */
export interface Permissions {
  /** Sees the configuration pages (users, teams, skills, queues, …). */
  viewConfig: boolean;
  /** Creates, edits and deletes configuration. */
  editConfig: boolean;
  /** Sees API keys, the audit log and the API docs. */
  administer: boolean;
  /**
   * Works interactions in the agent desktop. Every role may: the server's `agent.work` is held from
   * `agent` up, so an admin or supervisor who also takes chats opens the same desktop.
   */
  agentDesktop: boolean;
}

export function permissionsOf(role: Role): Permissions {
  switch (role) {
    case 'owner':
    case 'admin':
      return { viewConfig: true, editConfig: true, administer: true, agentDesktop: true };
    case 'supervisor':
      return { viewConfig: true, editConfig: false, administer: false, agentDesktop: true };
    case 'agent':
      return { viewConfig: false, editConfig: false, administer: false, agentDesktop: true };
  }
}

/**
 * Roles `actor` may give to a user or an API key: nobody hands out more power than they hold (the server
 * answers FORBIDDEN otherwise). `roles` is ordered from most to least powerful.
 */
export function assignableRoles(actor: Role): Role[] {
  if (!permissionsOf(actor).editConfig) return [];
  return roles.slice(roles.indexOf(actor));
}
