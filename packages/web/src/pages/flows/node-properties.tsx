import { Badge, Button, Divider, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useReactFlow } from '@xyflow/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NODE_ID, nodesOf, pinLayout, removeNodes, renameNode, replaceNode, withKey } from './flow-document';
import {
  type FlowDoc,
  isOptionalOutcome,
  isPlainObject,
  isVerb,
  type NodeDoc,
  outcomesOf,
  verbColor,
} from './flow-verbs';
import { JsonField } from './form-inputs';
import { formFields, type Refs, VerbForm } from './verb-forms';

interface PanelProps {
  doc: FlowDoc;
  onChange: (doc: FlowDoc) => void;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  refs: Refs;
  readOnly: boolean;
}

/** The right panel's first tab: the selected node's form, or the flow's own settings. */
export function PropertiesPanel(props: PanelProps) {
  const node = props.selectedId ? nodesOf(props.doc)[props.selectedId] : undefined;
  return (
    <fieldset disabled={props.readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
      {props.selectedId && node !== undefined ? (
        <NodeEditor {...props} id={props.selectedId} node={isPlainObject(node) ? node : { verb: '?' }} />
      ) : (
        <FlowSettings {...props} />
      )}
    </fieldset>
  );
}

function FlowSettings({ doc, onChange }: PanelProps) {
  const { t } = useTranslation('flows');
  const ids = Object.keys(nodesOf(doc));
  return (
    <Stack gap="xs" data-testid="flow-settings">
      <Text fw={600}>{t('flowEditor.flow.title')}</Text>
      <Text size="xs" c="dimmed">
        {t('flowEditor.flow.hint')}
      </Text>
      <TextInput
        size="xs"
        label={t('flowEditor.flow.id')}
        value={typeof doc.id === 'string' ? doc.id : ''}
        onChange={(e) => onChange(withKey(doc, 'id', e.currentTarget.value))}
        data-testid="flow-id"
      />
      <Select
        size="xs"
        label={t('flowEditor.flow.entry')}
        data={ids}
        value={typeof doc.entry === 'string' ? doc.entry : null}
        onChange={(v) => v && onChange(withKey(doc, 'entry', v))}
        allowDeselect={false}
        searchable
        data-testid="flow-entry"
      />
      <Select
        size="xs"
        label={t('flowEditor.flow.onError')}
        placeholder={t('flowEditor.flow.onErrorNone')}
        data={ids}
        value={typeof doc.onError === 'string' ? doc.onError : null}
        onChange={(v) => onChange(withKey(doc, 'onError', v ?? undefined))}
        clearable
        searchable
        data-testid="flow-on-error"
      />
      <JsonField
        label={t('flowEditor.flow.variables')}
        description={t('flowEditor.flow.variablesHint')}
        value={doc.variables}
        onChange={(v) => onChange(withKey(doc, 'variables', v))}
        optional
        minRows={4}
        testId="flow-variables"
      />
    </Stack>
  );
}

function NodeEditor(props: PanelProps & { id: string; node: NodeDoc }) {
  const { t } = useTranslation('flows');
  const { doc, onChange, id, node } = props;
  const { getNodes } = useReactFlow();
  const [newId, setNewId] = useState(id);
  useEffect(() => setNewId(id), [id]);
  const ids = Object.keys(nodesOf(doc));
  const idOk = NODE_ID.test(newId) && (newId === id || !ids.includes(newId));
  const set = (key: string, value: unknown) => onChange(replaceNode(doc, id, withKey(node, key, value)));
  const verb = node.verb;
  const handled = new Set(['verb', 'next', 'ui', ...(formFields[String(verb)] ?? [])]);
  const rest = Object.fromEntries(Object.entries(node).filter(([key]) => !handled.has(key)));
  const hasForm = formFields[String(verb)] !== undefined;
  const next = isPlainObject(node.next) ? node.next : {};

  return (
    <Stack gap="xs" data-testid="node-properties">
      <Group justify="space-between">
        <Badge variant="light" color={isVerb(verb) ? verbColor[verb] : 'red'} tt="none" size="lg">
          {isVerb(verb) ? t(`flowEditor.verbs.${verb}`) : String(verb)}
        </Badge>
        {doc.entry === id && <Badge color="teal">{t('flowEditor.node.start')}</Badge>}
      </Group>
      <Group gap={4} align="flex-end" wrap="nowrap">
        <TextInput
          size="xs"
          style={{ flex: 1 }}
          label={t('flowEditor.props.nodeId')}
          value={newId}
          error={idOk ? undefined : t('flowEditor.props.badId')}
          onChange={(e) => setNewId(e.currentTarget.value)}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          data-testid="node-id"
        />
        <Button
          size="xs"
          variant="default"
          disabled={!idOk || newId === id}
          onClick={() => {
            // Keep the node where it is shown: its laid-out position would not follow the new id.
            const shown = getNodes().filter((n) => n.id === id);
            onChange(renameNode(pinLayout(doc, shown), id, newId));
            props.onSelect(newId);
          }}
          data-testid="node-rename"
        >
          {t('flowEditor.props.rename')}
        </Button>
      </Group>

      <VerbForm node={node} set={set} refs={props.refs} />

      <JsonField
        label={hasForm ? t('flowEditor.props.other') : t('flowEditor.props.fields')}
        description={hasForm ? t('flowEditor.props.otherHint') : t('flowEditor.props.fieldsHint')}
        value={rest}
        onChange={(value) => {
          if (!isPlainObject(value)) return;
          // Handled fields stay as they are; the others take the edited values, in place where they were.
          const out: NodeDoc = {};
          for (const [key, v] of Object.entries(node)) {
            if (handled.has(key)) out[key] = v;
            else if (key in value) out[key] = value[key];
          }
          for (const [key, v] of Object.entries(value)) if (!(key in out) && !handled.has(key)) out[key] = v;
          onChange(replaceNode(doc, id, out));
        }}
        minRows={hasForm ? 1 : 4}
        testId="node-json"
      />

      <Divider label={t('flowEditor.props.edges')} labelPosition="left" />
      {outcomesOf(node).map((outcome) => (
        <Group key={outcome} gap="xs" wrap="nowrap">
          <Text size="xs" ff="monospace" w={90} truncate>
            {outcome}
          </Text>
          <Select
            size="xs"
            style={{ flex: 1 }}
            placeholder={t('flowEditor.props.noEdge')}
            data={ids}
            value={typeof next[outcome] === 'string' ? (next[outcome] as string) : null}
            error={typeof next[outcome] !== 'string' && !isOptionalOutcome(verb, outcome)}
            onChange={(target) => {
              const edges = withKey(next, outcome, target ?? undefined);
              set('next', Object.keys(edges).length > 0 || 'next' in node ? edges : undefined);
            }}
            clearable
            searchable
            data-testid={`edge-${outcome}`}
          />
        </Group>
      ))}

      <Group gap="xs" mt="xs">
        <Button
          size="xs"
          variant="light"
          disabled={doc.entry === id}
          onClick={() => onChange(withKey(doc, 'entry', id))}
          data-testid="node-make-start"
        >
          {t('flowEditor.props.makeStart')}
        </Button>
        <Button
          size="xs"
          variant="light"
          color="red"
          onClick={() => {
            onChange(removeNodes(doc, [id]));
            props.onSelect(null);
          }}
          data-testid="node-delete"
        >
          {t('flowEditor.props.delete')}
        </Button>
      </Group>
    </Stack>
  );
}
