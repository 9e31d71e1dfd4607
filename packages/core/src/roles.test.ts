import { describe, expect, it } from 'vitest';
import { can, canManageRole, type Permission, type Role } from './roles';

describe('can', () => {
  const table: [Role, Permission, boolean][] = [
    ['agent', 'config.read', true],
    ['agent', 'config.write', false],
    ['agent', 'users.read', false],
    ['supervisor', 'users.read', true],
    ['supervisor', 'config.write', false],
    ['supervisor', 'audit.read', false],
    ['admin', 'config.write', true],
    ['admin', 'users.write', true],
    ['admin', 'api_keys.manage', true],
    ['admin', 'audit.read', true],
    ['owner', 'config.write', true],
    ['agent', 'reply_templates.shared', false],
    ['supervisor', 'reply_templates.shared', true],
    ['admin', 'reply_templates.shared', true],
  ];
  it.each(table)('%s %s → %s', (role, permission, expected) => {
    expect(can(role, permission)).toBe(expected);
  });
});

describe('canManageRole', () => {
  const table: [Role, Role, boolean][] = [
    ['owner', 'owner', true],
    ['owner', 'agent', true],
    ['admin', 'owner', false],
    ['admin', 'admin', true],
    ['admin', 'agent', true],
    ['supervisor', 'agent', false],
    ['agent', 'agent', false],
  ];
  it.each(table)('%s manages %s → %s', (actor, target, expected) => {
    expect(canManageRole(actor, target)).toBe(expected);
  });
});
