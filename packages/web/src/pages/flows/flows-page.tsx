import type { Flow } from '@hotline/protocol/flows';
import { Anchor, Badge, Button } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { usePermissions } from '../../auth/use-permissions';
import { CrudPage } from '../../crud/crud-page';
import { formatDateTime } from '../../crud/format';
import { emptyNamedForm, NamedEntityForm, toNamedBody, toNamedForm } from '../named-form';
import { flows } from './flows-api';

/** `/admin/flows`: the tenant's IVR and chat-bot flows; create, rename, delete, and open one in the editor. */
export function FlowsPage() {
  const { t, i18n } = useTranslation('flows');
  const { editConfig } = usePermissions();
  const version = (v: Flow['draft'], color: string) =>
    v ? (
      <Badge variant="light" color={color}>
        {t('flowEditor.versionN', { version: v.version })}
      </Badge>
    ) : (
      t('flowEditor.noVersion')
    );
  return (
    <CrudPage
      api={flows}
      testId="flows"
      title={t('flowEditor.title')}
      createLabel={t('flowEditor.create')}
      editLabel={t('flowEditor.rename')}
      editable={editConfig}
      columns={[
        {
          key: 'name',
          header: t('fields.name', { ns: 'translation' }),
          render: (flow: Flow) => (
            <Anchor component={Link} to={`/admin/flows/${flow.id}`} data-testid="flow-link">
              {flow.name}
            </Anchor>
          ),
        },
        {
          key: 'description',
          header: t('fields.description', { ns: 'translation' }),
          render: (flow: Flow) => flow.description,
        },
        { key: 'draft', header: t('flowEditor.draft'), render: (flow: Flow) => version(flow.draft, 'blue') },
        {
          key: 'published',
          header: t('flowEditor.published'),
          render: (flow: Flow) => version(flow.published, 'green'),
        },
        {
          key: 'updated',
          header: t('flowEditor.updated'),
          render: (flow: Flow) => formatDateTime(flow.updatedAt, i18n.language),
        },
        {
          key: 'open',
          header: '',
          render: (flow: Flow) => (
            <Button
              component={Link}
              to={`/admin/flows/${flow.id}`}
              size="xs"
              variant="light"
              data-testid="flow-open"
            >
              {t('flowEditor.open')}
            </Button>
          ),
        },
      ]}
      Form={NamedEntityForm}
      emptyForm={emptyNamedForm}
      toForm={toNamedForm}
      toCreateBody={toNamedBody}
      toUpdateBody={toNamedBody}
      describe={(flow) => flow.name}
    />
  );
}
