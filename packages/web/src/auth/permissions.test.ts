import { describe, expect, it } from 'vitest';
import { assignableRoles, permissionsOf } from './permissions';

describe('permissionsOf', () => {
  it.each([
    ['owner', { viewConfig: true, editConfig: true, administer: true, agentDesktop: true }],
    ['admin', { viewConfig: true, editConfig: true, administer: true, agentDesktop: true }],
    ['supervisor', { viewConfig: true, editConfig: false, administer: false, agentDesktop: true }],
    ['agent', { viewConfig: false, editConfig: false, administer: false, agentDesktop: true }],
  ] as const)('%s', (role, expected) => {
    expect(permissionsOf(role)).toEqual(expected);
  });
});

describe('assignableRoles', () => {
  it.each([
    ['owner', ['owner', 'admin', 'supervisor', 'agent']],
    ['admin', ['admin', 'supervisor', 'agent']],
    ['supervisor', []],
    ['agent', []],
  ] as const)('%s may assign %j', (actor, expected) => {
    expect(assignableRoles(actor)).toEqual(expected);
  });
});
