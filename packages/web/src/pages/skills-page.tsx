import type { Skill } from '@hotline/protocol/config';
import { useTranslation } from 'react-i18next';
import { skills } from '../api/resources';
import { usePermissions } from '../auth/use-permissions';
import { CrudPage } from '../crud/crud-page';
import { emptyNamedForm, NamedEntityForm, toNamedBody, toNamedForm } from './named-form';

export function SkillsPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  return (
    <CrudPage
      api={skills}
      testId="skills"
      title={t('skills.title')}
      createLabel={t('skills.create')}
      editLabel={t('skills.edit')}
      editable={editConfig}
      columns={[
        { key: 'name', header: t('fields.name'), render: (skill: Skill) => skill.name },
        { key: 'description', header: t('fields.description'), render: (skill: Skill) => skill.description },
      ]}
      Form={NamedEntityForm}
      emptyForm={emptyNamedForm}
      toForm={toNamedForm}
      toCreateBody={toNamedBody}
      toUpdateBody={toNamedBody}
      describe={(skill) => skill.name}
    />
  );
}
