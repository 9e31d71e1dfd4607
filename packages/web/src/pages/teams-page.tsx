import type { Team } from '@hotline/protocol/config';
import { useTranslation } from 'react-i18next';
import { teams } from '../api/resources';
import { usePermissions } from '../auth/use-permissions';
import { CrudPage } from '../crud/crud-page';
import { emptyNamedForm, NamedEntityForm, toNamedBody, toNamedForm } from './named-form';

export function TeamsPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  return (
    <CrudPage
      api={teams}
      testId="teams"
      title={t('teams.title')}
      createLabel={t('teams.create')}
      editLabel={t('teams.edit')}
      editable={editConfig}
      columns={[
        { key: 'name', header: t('fields.name'), render: (team: Team) => team.name },
        { key: 'description', header: t('fields.description'), render: (team: Team) => team.description },
      ]}
      Form={NamedEntityForm}
      emptyForm={emptyNamedForm}
      toForm={toNamedForm}
      toCreateBody={toNamedBody}
      toUpdateBody={toNamedBody}
      describe={(team) => team.name}
    />
  );
}
