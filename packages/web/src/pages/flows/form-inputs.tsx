import {
  ActionIcon,
  Button,
  Group,
  JsonInput,
  NumberInput,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isPlainObject } from './flow-verbs';

/**
 * Inputs for flow node fields. Each edits one JSON value and reports the new value, or `undefined` to
 * remove an optional field, so that untouched fields keep their exact JSON.
 */

/** A `LocalText`: one text for every language, or `{en, ru}`. */
export function LocalTextInput(props: {
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  optional?: boolean;
  testId: string;
}) {
  const { t, i18n } = useTranslation('flows');
  const perLanguage = isPlainObject(props.value);
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const set = (value: unknown) => props.onChange(props.optional && value === '' ? undefined : value);
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {props.label}
        </Text>
        <Switch
          size="xs"
          label={t('flowEditor.text.perLanguage')}
          checked={perLanguage}
          onChange={(e) => {
            if (e.currentTarget.checked) {
              const current = text(props.value);
              props.onChange({ en: current, ru: current });
            } else {
              const obj = isPlainObject(props.value) ? props.value : {};
              set(text(obj[i18n.language === 'ru' ? 'ru' : 'en']) || text(obj.en) || text(obj.ru));
            }
          }}
          data-testid={`${props.testId}-per-language`}
        />
      </Group>
      {perLanguage && isPlainObject(props.value) ? (
        (['en', 'ru'] as const).map((language) => (
          <Textarea
            key={language}
            size="xs"
            autosize
            minRows={1}
            maxRows={6}
            leftSection={
              <Text size="10px" fw={700}>
                {language.toUpperCase()}
              </Text>
            }
            aria-label={t(language === 'en' ? 'flowEditor.text.english' : 'flowEditor.text.russian')}
            value={text((props.value as Record<string, unknown>)[language])}
            onChange={(e) => {
              const obj = props.value as Record<string, unknown>;
              const value = e.currentTarget.value;
              const next: Record<string, unknown> = {};
              for (const key of Object.keys(obj)) next[key] = key === language ? value : obj[key];
              if (!(language in next)) next[language] = value;
              props.onChange(next);
            }}
            data-testid={`${props.testId}-${language}`}
          />
        ))
      ) : (
        <Textarea
          size="xs"
          autosize
          minRows={1}
          maxRows={6}
          aria-label={props.label}
          value={text(props.value)}
          onChange={(e) => set(e.currentTarget.value)}
          data-testid={props.testId}
        />
      )}
    </Stack>
  );
}

/** A string field; empty removes it when optional. */
export function StringField(props: {
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  optional?: boolean;
  description?: string;
  placeholder?: string;
  monospace?: boolean;
  testId: string;
}) {
  return (
    <TextInput
      size="xs"
      label={props.label}
      description={props.description}
      placeholder={props.placeholder}
      value={typeof props.value === 'string' ? props.value : ''}
      onChange={(e) => {
        const value = e.currentTarget.value;
        props.onChange(props.optional && value === '' ? undefined : value);
      }}
      styles={props.monospace ? { input: { fontFamily: 'var(--mantine-font-family-monospace)' } } : undefined}
      data-testid={props.testId}
    />
  );
}

/** An optional integer field; empty removes it (the verb's default applies). */
export function NumberField(props: {
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  min?: number;
  max?: number;
  testId: string;
}) {
  return (
    <NumberInput
      size="xs"
      label={props.label}
      value={typeof props.value === 'number' ? props.value : ''}
      min={props.min}
      max={props.max}
      allowDecimal={false}
      onChange={(value) => props.onChange(typeof value === 'number' ? value : undefined)}
      data-testid={props.testId}
    />
  );
}

/**
 * A JSON value edited as text, applied when it parses. `undefined` (an empty box, when optional)
 * removes the field.
 */
export function JsonField(props: {
  label: string;
  description?: string;
  value: unknown;
  onChange: (value: unknown) => void;
  optional?: boolean;
  minRows?: number;
  testId: string;
}) {
  const { t } = useTranslation('flows');
  const shown = props.value === undefined ? '' : JSON.stringify(props.value, null, 2);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(shown);
    setError(null);
  }, [shown]);
  const apply = () => {
    if (text.trim() === '' && props.optional) return props.onChange(undefined);
    try {
      props.onChange(JSON.parse(text));
      setError(null);
    } catch {
      setError(t('flowEditor.fields.bodyInvalid'));
    }
  };
  return (
    <Stack gap={4}>
      <JsonInput
        size="xs"
        label={props.label}
        description={props.description}
        value={text}
        onChange={setText}
        onBlur={apply}
        error={error}
        autosize
        minRows={props.minRows ?? 2}
        maxRows={14}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        data-testid={props.testId}
      />
    </Stack>
  );
}

/** `{name: value}` of strings (HTTP headers, `http.map`), as rows; key order kept. */
export function KeyValueEditor(props: {
  label: string;
  keyLabel: string;
  valueLabel: string;
  value: unknown;
  onChange: (value: unknown) => void;
  testId: string;
}) {
  const { t } = useTranslation('flows');
  const entries = isPlainObject(props.value)
    ? Object.entries(props.value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const)
    : [];
  const commit = (rows: (readonly [string, string])[]) =>
    props.onChange(rows.length === 0 ? undefined : Object.fromEntries(rows));
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        {props.label}
      </Text>
      {entries.map(([k, v], i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a row is a position in the JSON value; its inputs are controlled and keep no state
        <Group key={i} gap={4} wrap="nowrap" data-testid={`${props.testId}-row`}>
          <TextInput
            size="xs"
            aria-label={props.keyLabel}
            placeholder={props.keyLabel}
            value={k}
            onChange={(e) =>
              commit(entries.map((row, j) => (j === i ? [e.currentTarget.value, row[1]] : row)))
            }
            style={{ flex: 1 }}
          />
          <TextInput
            size="xs"
            aria-label={props.valueLabel}
            placeholder={props.valueLabel}
            value={v}
            onChange={(e) =>
              commit(entries.map((row, j) => (j === i ? [row[0], e.currentTarget.value] : row)))
            }
            style={{ flex: 1.4 }}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={t('common.remove', { ns: 'translation' })}
            onClick={() => commit(entries.filter((_, j) => j !== i))}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      <Button
        size="compact-xs"
        variant="light"
        w="fit-content"
        onClick={() => commit([...entries, [`new_${entries.length + 1}`, '']])}
        data-testid={`${props.testId}-add`}
      >
        {t('flowEditor.fields.add')}
      </Button>
    </Stack>
  );
}
