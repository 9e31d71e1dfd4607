import { channels, type Locale, locales, type Role } from '@hotline/protocol/common';
import type { Capacity } from '@hotline/protocol/config';
import { Fieldset, PasswordInput, Select, SimpleGrid, Switch, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { skills, teams } from '../../api/resources';
import type { EntityFormProps } from '../../crud/entity-modal';
import { IntInput } from '../../crud/int-input';
import type { Keyed } from '../../crud/keyed-rows';
import { RoleSelect } from '../../crud/role-select';
import { useAllItems } from '../../crud/use-paged-list';
import { type SkillLevel, SkillLevelsEditor } from '../skill-levels-editor';

export interface UserForm {
  email: string;
  displayName: string;
  role: Role;
  /** Required on create; on edit an empty value keeps the current password. */
  password: string;
  teamId: string | null;
  locale: Locale;
  active: boolean;
  capacity: Capacity;
  skills: Keyed<SkillLevel>[];
}

export function UserFormFields({ value, onChange, mode }: EntityFormProps<UserForm>) {
  const { t } = useTranslation();
  const teamList = useAllItems(teams.key, teams.list);
  const skillList = useAllItems(skills.key, skills.list);
  return (
    <>
      <SimpleGrid cols={2}>
        <TextInput
          label={t('users.email')}
          type="email"
          required
          maxLength={254}
          value={value.email}
          onChange={(event) => onChange({ email: event.currentTarget.value })}
          data-testid="field-email"
          data-autofocus
        />
        <TextInput
          label={t('users.displayName')}
          required
          maxLength={120}
          value={value.displayName}
          onChange={(event) => onChange({ displayName: event.currentTarget.value })}
          data-testid="field-display-name"
        />
        <RoleSelect
          label={t('users.role')}
          required
          value={value.role}
          onChange={(role) => onChange({ role })}
          data-testid="field-role"
        />
        <PasswordInput
          label={t('users.password')}
          description={mode === 'edit' ? t('users.passwordKeep') : t('users.passwordHint')}
          required={mode === 'create'}
          minLength={10}
          maxLength={1024}
          autoComplete="new-password"
          value={value.password}
          onChange={(event) => onChange({ password: event.currentTarget.value })}
          data-testid="field-password"
        />
        <Select
          label={t('users.team')}
          placeholder={t('common.none')}
          clearable
          data={teamList.map((team) => ({ value: team.id, label: team.name }))}
          value={value.teamId}
          onChange={(teamId) => onChange({ teamId })}
          data-testid="field-team"
        />
        <Select
          label={t('users.locale')}
          allowDeselect={false}
          data={locales.map((locale) => ({ value: locale, label: t(`locales.${locale}`) }))}
          value={value.locale}
          onChange={(locale) => locale && onChange({ locale: locale as Locale })}
          data-testid="field-locale"
        />
      </SimpleGrid>
      <Switch
        label={t('users.active')}
        checked={value.active}
        onChange={(event) => onChange({ active: event.currentTarget.checked })}
        data-testid="field-active"
      />
      <Fieldset legend={t('users.capacity')}>
        <SimpleGrid cols={3}>
          {channels.map((channel) => (
            <IntInput
              key={channel}
              label={t(`channels.${channel}`)}
              min={0}
              max={100}
              value={value.capacity[channel]}
              onChange={(slots) => onChange({ capacity: { ...value.capacity, [channel]: slots } })}
              data-testid={`field-capacity-${channel}`}
            />
          ))}
        </SimpleGrid>
      </Fieldset>
      <SkillLevelsEditor
        label={t('users.skills')}
        levelLabel={t('users.skillLevel')}
        rows={value.skills}
        skills={skillList}
        onChange={(rows) => onChange({ skills: rows })}
        testId="agent-skills"
      />
    </>
  );
}
