import type { NotReadyReason } from '@hotline/protocol/config';
import { Badge, Switch } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { notReadyReasons } from '../api/resources';
import { usePermissions } from '../auth/use-permissions';
import { CrudPage } from '../crud/crud-page';
import type { EntityFormProps } from '../crud/entity-modal';
import { NameField } from '../crud/name-field';

interface ReasonForm {
  name: string;
  paid: boolean;
}

function ReasonFormFields({ value, onChange }: EntityFormProps<ReasonForm>) {
  const { t } = useTranslation();
  return (
    <>
      <NameField value={value.name} onChange={(name) => onChange({ name })} autoFocus />
      <Switch
        label={t('notReadyReasons.paid')}
        description={t('notReadyReasons.paidHint')}
        checked={value.paid}
        onChange={(event) => onChange({ paid: event.currentTarget.checked })}
        data-testid="field-paid"
      />
    </>
  );
}

const toBody = (form: ReasonForm): ReasonForm => ({ name: form.name.trim(), paid: form.paid });

export function NotReadyReasonsPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  return (
    <CrudPage
      api={notReadyReasons}
      testId="not-ready-reasons"
      title={t('notReadyReasons.title')}
      createLabel={t('notReadyReasons.create')}
      editLabel={t('notReadyReasons.edit')}
      editable={editConfig}
      columns={[
        { key: 'name', header: t('fields.name'), render: (reason: NotReadyReason) => reason.name },
        {
          key: 'paid',
          header: t('notReadyReasons.paid'),
          render: (reason: NotReadyReason) => (
            <Badge variant="light" color={reason.paid ? 'green' : 'gray'}>
              {reason.paid ? t('common.yes') : t('common.no')}
            </Badge>
          ),
        },
      ]}
      Form={ReasonFormFields}
      emptyForm={() => ({ name: '', paid: false })}
      toForm={({ name, paid }) => ({ name, paid })}
      toCreateBody={toBody}
      toUpdateBody={toBody}
      describe={(reason) => reason.name}
    />
  );
}
