import { type Permissions, permissionsOf } from './permissions';
import { useMe } from './session';

/** Permissions of the signed-in principal; only used inside the authenticated layout. */
export function usePermissions(): Permissions {
  const me = useMe().data;
  return me ? permissionsOf(me.role) : permissionsOf('agent');
}
