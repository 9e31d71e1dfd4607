import type { CreateUserBody, UpdateUserBody, User } from '@hotline/protocol/config';
import { defaultCapacity } from '@hotline/protocol/config';
import { Badge, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { teams, users } from '../../api/resources';
import { usePermissions } from '../../auth/use-permissions';
import { CrudPage } from '../../crud/crud-page';
import { withKeys } from '../../crud/keyed-rows';
import { useAllItems } from '../../crud/use-paged-list';
import { isLocale } from '../../i18n/language';
import { i18n } from '../../i18n/setup';
import { pickedSkills } from '../skill-levels-editor';
import { type UserForm, UserFormFields } from './user-form';

const emptyForm = (): UserForm => ({
  email: '',
  displayName: '',
  role: 'agent',
  password: '',
  teamId: null,
  locale: isLocale(i18n.language) ? i18n.language : 'en',
  active: true,
  capacity: { ...defaultCapacity },
  skills: [],
});

async function toForm(user: User): Promise<UserForm> {
  const { items } = await users.skills(user.id);
  return {
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    password: '',
    teamId: user.teamId,
    locale: user.locale,
    active: user.active,
    capacity: { ...user.capacity },
    skills: withKeys(items),
  };
}

function toUpdateBody({ skills: _skills, password, ...form }: UserForm): UpdateUserBody {
  const body: UpdateUserBody = { ...form, email: form.email.trim(), displayName: form.displayName.trim() };
  if (password) body.password = password;
  return body;
}

const toCreateBody = (form: UserForm): CreateUserBody =>
  ({ ...toUpdateBody(form), password: form.password }) as CreateUserBody;

export function UsersPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  const teamNames = new Map(useAllItems(teams.key, teams.list).map((team) => [team.id, team.name]));
  return (
    <CrudPage
      api={users}
      testId="users"
      title={t('users.title')}
      createLabel={t('users.create')}
      editLabel={t('users.edit')}
      editable={editConfig}
      modalSize="xl"
      columns={[
        { key: 'displayName', header: t('users.displayName'), render: (user: User) => user.displayName },
        { key: 'email', header: t('users.email'), render: (user: User) => user.email },
        {
          key: 'role',
          header: t('users.role'),
          render: (user: User) => (
            <Badge variant="light" color={roleColor[user.role]}>
              {t(`roles.${user.role}`)}
            </Badge>
          ),
        },
        {
          key: 'team',
          header: t('users.team'),
          render: (user: User) => (user.teamId ? (teamNames.get(user.teamId) ?? '…') : <Dash />),
        },
        {
          key: 'active',
          header: t('users.status'),
          render: (user: User) =>
            user.active ? (
              <Badge variant="dot" color="green">
                {t('users.statusActive')}
              </Badge>
            ) : (
              <Badge variant="dot" color="gray">
                {t('users.statusInactive')}
              </Badge>
            ),
        },
      ]}
      Form={UserFormFields}
      emptyForm={emptyForm}
      toForm={toForm}
      toCreateBody={toCreateBody}
      toUpdateBody={toUpdateBody}
      afterSave={(saved, form) => users.setSkills(saved.id, pickedSkills(form.skills))}
      describe={(user) => `${user.displayName} <${user.email}>`}
    />
  );
}

const roleColor = { owner: 'grape', admin: 'red', supervisor: 'blue', agent: 'teal' } as const;

function Dash() {
  return (
    <Text size="sm" c="dimmed">
      —
    </Text>
  );
}
