import { type Role, roles } from '@hotline/protocol/common';
import { Select, type SelectProps } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { assignableRoles } from '../auth/permissions';
import { useMe } from '../auth/session';

interface RoleSelectProps extends Omit<SelectProps, 'value' | 'onChange' | 'data'> {
  value: Role;
  onChange: (role: Role) => void;
}

/** A role picker that offers only the roles the signed-in principal may hand out. */
export function RoleSelect({ value, onChange, ...rest }: RoleSelectProps) {
  const { t } = useTranslation();
  const actor = useMe().data?.role ?? 'agent';
  const allowed = assignableRoles(actor);
  return (
    <Select
      {...rest}
      allowDeselect={false}
      data={roles.map((role) => ({
        value: role,
        label: t(`roles.${role}`),
        disabled: !allowed.includes(role),
      }))}
      value={value}
      onChange={(role) => role && onChange(role as Role)}
    />
  );
}
