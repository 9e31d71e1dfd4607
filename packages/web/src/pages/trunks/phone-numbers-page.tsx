import type { CreatePhoneNumberBody, PhoneNumber, UpdatePhoneNumberBody } from '@hotline/protocol/trunks';
import { Code, Select, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { collection } from '../../api/http';
import { usePermissions } from '../../auth/use-permissions';
import { CrudPage } from '../../crud/crud-page';
import type { EntityFormProps } from '../../crud/entity-modal';
import { useAllItems } from '../../crud/use-paged-list';
import { flows } from '../flows/flows-api';
import { trunks } from './trunks-api';

/** `/api/phone-numbers`: the tenant's numbers (DIDs), each on a trunk, each optionally starting a flow. */
export const phoneNumbers = collection<PhoneNumber, CreatePhoneNumberBody, UpdatePhoneNumberBody>(
  'phone-numbers',
);

interface NumberForm {
  number: string;
  trunkId: string | null;
  flowId: string | null;
  description: string;
}

function NumberFormFields({ value, onChange }: EntityFormProps<NumberForm>) {
  const { t } = useTranslation();
  const trunkOptions = useAllItems(trunks.key, trunks.list).map((x) => ({ value: x.id, label: x.name }));
  const flowOptions = useAllItems(flows.key, flows.list).map((x) => ({ value: x.id, label: x.name }));
  return (
    <>
      <TextInput
        label={t('phoneNumbers.number')}
        description={t('phoneNumbers.numberHint')}
        required
        maxLength={16}
        pattern="\+[1-9][0-9]{1,14}"
        value={value.number}
        onChange={(event) => onChange({ number: event.currentTarget.value.replace(/[^+0-9]/g, '') })}
        data-testid="field-number"
        data-autofocus
      />
      <Select
        label={t('phoneNumbers.trunk')}
        required
        data={trunkOptions}
        value={value.trunkId}
        onChange={(trunkId) => onChange({ trunkId })}
        data-testid="field-trunk"
      />
      <Select
        label={t('phoneNumbers.flow')}
        description={t('phoneNumbers.flowHint')}
        placeholder={t('phoneNumbers.noFlow')}
        data={flowOptions}
        value={value.flowId}
        onChange={(flowId) => onChange({ flowId })}
        clearable
        searchable
        data-testid="field-flow"
      />
      <TextInput
        label={t('phoneNumbers.description')}
        maxLength={2000}
        value={value.description}
        onChange={(event) => onChange({ description: event.currentTarget.value })}
        data-testid="field-description"
      />
    </>
  );
}

const toBody = (form: NumberForm): CreatePhoneNumberBody => ({
  number: form.number.trim(),
  trunkId: form.trunkId ?? '',
  flowId: form.flowId,
  description: form.description.trim(),
});

/** The numbers customers dial, the trunk each comes in on, and the flow (IVR) that answers it. */
export function PhoneNumbersPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  const trunkNames = new Map(useAllItems(trunks.key, trunks.list).map((x) => [x.id, x.name]));
  const flowNames = new Map(useAllItems(flows.key, flows.list).map((x) => [x.id, x.name]));
  return (
    <CrudPage
      api={phoneNumbers}
      testId="phone-numbers"
      title={t('phoneNumbers.title')}
      createLabel={t('phoneNumbers.create')}
      editLabel={t('phoneNumbers.edit')}
      editable={editConfig}
      columns={[
        {
          key: 'number',
          header: t('phoneNumbers.number'),
          render: (item: PhoneNumber) => <Code>{item.number}</Code>,
        },
        {
          key: 'trunk',
          header: t('phoneNumbers.trunk'),
          render: (item: PhoneNumber) => trunkNames.get(item.trunkId) ?? '',
        },
        {
          key: 'flow',
          header: t('phoneNumbers.flow'),
          render: (item: PhoneNumber) =>
            item.flowId ? (flowNames.get(item.flowId) ?? '') : t('phoneNumbers.noFlow'),
        },
        { key: 'description', header: t('phoneNumbers.description'), render: (item) => item.description },
      ]}
      Form={NumberFormFields}
      emptyForm={(): NumberForm => ({ number: '+', trunkId: null, flowId: null, description: '' })}
      toForm={({ number, trunkId, flowId, description }): NumberForm => ({
        number,
        trunkId,
        flowId,
        description,
      })}
      toCreateBody={toBody}
      toUpdateBody={toBody}
      describe={(item) => item.number}
    />
  );
}
