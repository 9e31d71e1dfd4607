import {
  ActionIcon,
  Button,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { flowsEn } from '../../i18n/flow-editor-en';
import { isPlainObject, type NodeDoc } from './flow-verbs';
import { JsonField, KeyValueEditor, LocalTextInput, NumberField, StringField } from './form-inputs';

/** Names the tenant's calendars and queues by id, for the reference pickers. */
export interface Refs {
  calendars: { id: string; name: string }[];
  queues: { id: string; name: string }[];
}

interface FormProps {
  node: NodeDoc;
  /** Sets one field (undefined removes it), keeping the node's key order. */
  set: (key: string, value: unknown) => void;
  refs: Refs;
}

/** The fields each verb's form edits; the rest of the node is shown as JSON below it. */
export const formFields: Partial<Record<string, readonly string[]>> = {
  say: ['text'],
  play: ['audio', 'text'],
  menu: ['prompt', 'options', 'into', 'retries', 'timeoutMs', 'invalidPrompt', 'noInputPrompt'],
  gather: [
    'prompt',
    'into',
    'input',
    'minLength',
    'maxLength',
    'finishOnKey',
    'pattern',
    'validate',
    'retries',
    'timeoutMs',
    'invalidPrompt',
    'noInputPrompt',
  ],
  condition: ['when'],
  business_hours: ['calendar'],
  http: ['method', 'url', 'headers', 'body', 'timeoutMs', 'map'],
  enqueue: ['queue', 'priority'],
};

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The form of the node's verb, or null for verbs edited as JSON only. */
export function VerbForm(props: FormProps) {
  switch (props.node.verb) {
    case 'say':
      return <SayForm {...props} />;
    case 'play':
      return <PlayForm {...props} />;
    case 'menu':
      return <MenuForm {...props} />;
    case 'gather':
      return <GatherForm {...props} />;
    case 'condition':
      return <ConditionForm {...props} />;
    case 'business_hours':
      return <ReferenceForm {...props} field="calendar" items={props.refs.calendars} />;
    case 'http':
      return <HttpForm {...props} />;
    case 'enqueue':
      return (
        <Stack gap="xs">
          <ReferenceForm {...props} field="queue" items={props.refs.queues} />
          <NumberField
            label={fl('priority')}
            value={props.node.priority}
            onChange={(v) => props.set('priority', v)}
            min={0}
            max={100}
            testId="field-priority"
          />
        </Stack>
      );
    default:
      return null;
  }
}

const fl = <K extends keyof typeof flowsEn.flowEditor.fields>(key: K) => `flowEditor.fields.${key}` as const;

function SayForm({ node, set }: FormProps) {
  const { t } = useTranslation('flows');
  return (
    <LocalTextInput
      label={t(fl('text'))}
      value={node.text}
      onChange={(v) => set('text', v)}
      testId="field-text"
    />
  );
}

function PlayForm({ node, set }: FormProps) {
  const { t } = useTranslation('flows');
  return (
    <Stack gap="xs">
      <StringField
        label={t(fl('audio'))}
        value={node.audio}
        onChange={(v) => set('audio', v)}
        testId="field-audio"
      />
      <LocalTextInput
        label={t(fl('text'))}
        value={node.text}
        onChange={(v) => set('text', v)}
        optional
        testId="field-text"
      />
    </Stack>
  );
}

function RetryFields({ node, set }: FormProps) {
  const { t } = useTranslation('flows');
  return (
    <>
      <SimpleGrid cols={2} spacing="xs">
        <NumberField
          label={t(fl('retries'))}
          value={node.retries}
          onChange={(v) => set('retries', v)}
          min={0}
          max={5}
          testId="field-retries"
        />
        <NumberField
          label={t(fl('timeoutMs'))}
          value={node.timeoutMs}
          onChange={(v) => set('timeoutMs', v)}
          min={1000}
          testId="field-timeout"
        />
      </SimpleGrid>
      <LocalTextInput
        label={t(fl('invalidPrompt'))}
        value={node.invalidPrompt}
        onChange={(v) => set('invalidPrompt', v)}
        optional
        testId="field-invalid-prompt"
      />
      <LocalTextInput
        label={t(fl('noInputPrompt'))}
        value={node.noInputPrompt}
        onChange={(v) => set('noInputPrompt', v)}
        optional
        testId="field-no-input-prompt"
      />
    </>
  );
}

function MenuForm(props: FormProps) {
  const { t } = useTranslation('flows');
  const { node, set } = props;
  const options = Array.isArray(node.options) ? node.options : [];
  const setOption = (i: number, key: string, value: unknown) => {
    const next = options.map((o, j) => {
      if (j !== i || !isPlainObject(o)) return o;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o)) if (k !== key || value !== undefined) out[k] = k === key ? value : o[k];
      if (!(key in o) && value !== undefined) out[key] = value;
      return out;
    });
    set('options', next);
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return (
    <Stack gap="xs">
      <LocalTextInput
        label={t(fl('prompt'))}
        value={node.prompt}
        onChange={(v) => set('prompt', v)}
        testId="field-prompt"
      />
      <Text size="sm" fw={500}>
        {t(fl('options'))}
      </Text>
      {options.map((option, i) => {
        const o = isPlainObject(option) ? option : {};
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a row is a position in the JSON value; its inputs are controlled and keep no state
          <Group key={i} gap={4} wrap="nowrap" align="flex-start" data-testid="menu-option">
            <TextInput
              size="xs"
              w={48}
              aria-label={t(fl('key'))}
              placeholder={t(fl('key'))}
              value={str(o.key)}
              onChange={(e) => setOption(i, 'key', e.currentTarget.value)}
              data-testid="menu-option-key"
            />
            <Stack gap={2} style={{ flex: 1 }}>
              <TextInput
                size="xs"
                aria-label={t(fl('label'))}
                placeholder={t(fl('label'))}
                value={typeof o.label === 'string' ? o.label : ''}
                onChange={(e) => setOption(i, 'label', e.currentTarget.value)}
                data-testid="menu-option-label"
              />
              <TextInput
                size="xs"
                aria-label={t(fl('keywords'))}
                placeholder={t(fl('keywords'))}
                value={Array.isArray(o.keywords) ? o.keywords.join(', ') : ''}
                onChange={(e) => {
                  const words = e.currentTarget.value.split(',').map((w) => w.trimStart());
                  setOption(i, 'keywords', words.length === 1 && words[0] === '' ? undefined : words);
                }}
              />
            </Stack>
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t('common.remove', { ns: 'translation' })}
              onClick={() =>
                set(
                  'options',
                  options.filter((_, j) => j !== i),
                )
              }
            >
              ×
            </ActionIcon>
          </Group>
        );
      })}
      <Button
        size="compact-xs"
        variant="light"
        w="fit-content"
        disabled={options.length >= 12}
        onClick={() => {
          const used = new Set(options.map((o) => (isPlainObject(o) ? o.key : null)));
          const key = [...'1234567890*#'].find((k) => !used.has(k)) ?? '#';
          set('options', [...options, { key, label: key }]);
        }}
        data-testid="menu-option-add"
      >
        {t(fl('addOption'))}
      </Button>
      <StringField
        label={t(fl('into'))}
        value={node.into}
        onChange={(v) => set('into', v)}
        optional
        monospace
        testId="field-into"
      />
      <RetryFields {...props} />
    </Stack>
  );
}

function GatherForm(props: FormProps) {
  const { t } = useTranslation('flows');
  const { node, set } = props;
  return (
    <Stack gap="xs">
      <LocalTextInput
        label={t(fl('prompt'))}
        value={node.prompt}
        onChange={(v) => set('prompt', v)}
        testId="field-prompt"
      />
      <StringField
        label={t(fl('into'))}
        value={node.into}
        onChange={(v) => set('into', v)}
        monospace
        testId="field-into"
      />
      <Stack gap={2}>
        <Text size="sm" fw={500}>
          {t(fl('input'))}
        </Text>
        <SegmentedControl
          size="xs"
          data={[
            { value: 'digits', label: t(fl('inputDigits')) },
            { value: 'text', label: t(fl('inputText')) },
          ]}
          value={node.input === 'text' ? 'text' : 'digits'}
          onChange={(v) => set('input', v)}
          data-testid="field-input"
        />
      </Stack>
      <SimpleGrid cols={3} spacing="xs">
        <NumberField
          label={t(fl('minLength'))}
          value={node.minLength}
          onChange={(v) => set('minLength', v)}
          min={0}
          testId="field-min-length"
        />
        <NumberField
          label={t(fl('maxLength'))}
          value={node.maxLength}
          onChange={(v) => set('maxLength', v)}
          min={1}
          testId="field-max-length"
        />
        <StringField
          label={t(fl('finishOnKey'))}
          value={node.finishOnKey}
          onChange={(v) => set('finishOnKey', v)}
          optional
          testId="field-finish-key"
        />
      </SimpleGrid>
      <StringField
        label={t(fl('pattern'))}
        value={node.pattern}
        onChange={(v) => set('pattern', v)}
        optional
        monospace
        testId="field-pattern"
      />
      <StringField
        label={t(fl('validate'))}
        value={node.validate}
        onChange={(v) => set('validate', v)}
        optional
        monospace
        testId="field-validate"
      />
      <RetryFields {...props} />
    </Stack>
  );
}

function ConditionForm({ node, set }: FormProps) {
  const { t } = useTranslation('flows');
  return (
    <StringField
      label={t(fl('when'))}
      description={t(fl('whenHint'))}
      value={node.when}
      onChange={(v) => set('when', v)}
      monospace
      testId="field-when"
    />
  );
}

/** A calendar or queue by id, from the tenant's list; a value not in it (a name, a deleted id) stays shown. */
function ReferenceForm(
  props: FormProps & { field: 'calendar' | 'queue'; items: { id: string; name: string }[] },
) {
  const { t } = useTranslation('flows');
  const value = typeof props.node[props.field] === 'string' ? (props.node[props.field] as string) : '';
  const data = props.items.map((item) => ({ value: item.id, label: item.name }));
  if (value && !data.some((d) => d.value === value || d.label === value)) {
    data.push({ value, label: t(fl('unknownRef'), { value }) });
  }
  const byName = props.items.find((item) => item.name === value);
  return (
    <Select
      size="xs"
      label={t(fl(props.field))}
      description={props.field === 'calendar' ? t(fl('calendarHint')) : undefined}
      data={data}
      searchable
      value={byName ? byName.id : value || null}
      onChange={(v) => props.set(props.field, v ?? '')}
      data-testid={`field-${props.field}`}
    />
  );
}

function HttpForm({ node, set }: FormProps) {
  const { t } = useTranslation('flows');
  return (
    <Stack gap="xs">
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <Select
          size="xs"
          w={96}
          label={t(fl('method'))}
          data={methods}
          value={typeof node.method === 'string' ? node.method : 'GET'}
          onChange={(v) => set('method', v ?? undefined)}
          allowDeselect={false}
          data-testid="field-method"
        />
        <div style={{ flex: 1 }}>
          <StringField
            label={t(fl('url'))}
            value={node.url}
            onChange={(v) => set('url', v)}
            monospace
            testId="field-url"
          />
        </div>
      </Group>
      <Text size="xs" c="dimmed">
        {t(fl('urlHint'))}
      </Text>
      <KeyValueEditor
        label={t(fl('headers'))}
        keyLabel={t(fl('headerName'))}
        valueLabel={t(fl('headerValue'))}
        value={node.headers}
        onChange={(v) => set('headers', v)}
        testId="field-headers"
      />
      <JsonField
        label={t(fl('body'))}
        value={node.body}
        onChange={(v) => set('body', v)}
        optional
        testId="field-body"
      />
      <NumberField
        label={t(fl('timeoutMs'))}
        value={node.timeoutMs}
        onChange={(v) => set('timeoutMs', v)}
        min={100}
        max={30000}
        testId="field-timeout"
      />
      <KeyValueEditor
        label={t(fl('map'))}
        keyLabel={t(fl('mapVariable'))}
        valueLabel={t(fl('mapPath'))}
        value={node.map}
        onChange={(v) => set('map', v)}
        testId="field-map"
      />
    </Stack>
  );
}
