import { Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EntityFormProps } from '../crud/entity-modal';
import { NameField } from '../crud/name-field';

export interface NamedForm {
  name: string;
  description: string;
}

export const emptyNamedForm = (): NamedForm => ({ name: '', description: '' });
export const toNamedForm = ({ name, description }: NamedForm): NamedForm => ({ name, description });
export const toNamedBody = (form: NamedForm): NamedForm => ({
  name: form.name.trim(),
  description: form.description.trim(),
});

/** The form of entities that are just a name and a description (teams, skills). */
export function NamedEntityForm({ value, onChange }: EntityFormProps<NamedForm>) {
  const { t } = useTranslation();
  return (
    <>
      <NameField value={value.name} onChange={(name) => onChange({ name })} autoFocus />
      <Textarea
        label={t('fields.description')}
        autosize
        minRows={2}
        maxLength={2000}
        value={value.description}
        onChange={(event) => onChange({ description: event.currentTarget.value })}
        data-testid="field-description"
      />
    </>
  );
}
