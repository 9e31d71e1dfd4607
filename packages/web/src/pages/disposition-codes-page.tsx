import type { DispositionCode } from '@hotline/protocol/config';
import { Code, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { dispositionCodes } from '../api/resources';
import { usePermissions } from '../auth/use-permissions';
import { CrudPage } from '../crud/crud-page';
import type { EntityFormProps } from '../crud/entity-modal';
import { NameField } from '../crud/name-field';

interface DispositionForm {
  code: string;
  name: string;
}

function DispositionFormFields({ value, onChange }: EntityFormProps<DispositionForm>) {
  const { t } = useTranslation();
  return (
    <>
      <TextInput
        label={t('dispositionCodes.code')}
        description={t('dispositionCodes.codeHint')}
        required
        maxLength={40}
        pattern="[A-Za-z0-9_.\-]+"
        value={value.code}
        onChange={(event) => onChange({ code: event.currentTarget.value })}
        data-testid="field-code"
        data-autofocus
      />
      <NameField value={value.name} onChange={(name) => onChange({ name })} />
    </>
  );
}

const toBody = (form: DispositionForm): DispositionForm => ({
  code: form.code.trim(),
  name: form.name.trim(),
});

export function DispositionCodesPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  return (
    <CrudPage
      api={dispositionCodes}
      testId="disposition-codes"
      title={t('dispositionCodes.title')}
      createLabel={t('dispositionCodes.create')}
      editLabel={t('dispositionCodes.edit')}
      editable={editConfig}
      columns={[
        {
          key: 'code',
          header: t('dispositionCodes.code'),
          render: (item: DispositionCode) => <Code>{item.code}</Code>,
        },
        { key: 'name', header: t('fields.name'), render: (item: DispositionCode) => item.name },
      ]}
      Form={DispositionFormFields}
      emptyForm={() => ({ code: '', name: '' })}
      toForm={({ code, name }) => ({ code, name })}
      toCreateBody={toBody}
      toUpdateBody={toBody}
      describe={(item) => `${item.code} — ${item.name}`}
    />
  );
}
