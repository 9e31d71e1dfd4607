import { TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';

interface NameFieldProps {
  value: string;
  onChange: (name: string) => void;
  description?: string;
  /** The first field of a form takes the focus when its modal opens. */
  autoFocus?: boolean;
}

/** The required name of a configuration object (1–120 characters, as the API checks). */
export function NameField({ value, onChange, description, autoFocus = false }: NameFieldProps) {
  const { t } = useTranslation();
  return (
    <TextInput
      label={t('fields.name')}
      description={description}
      required
      maxLength={120}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      data-testid="field-name"
      data-autofocus={autoFocus || undefined}
    />
  );
}
