import { Alert, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type FlowDoc, isPlainObject } from './flow-verbs';

/** The raw document as it is stored, editable; applied as a whole when it parses to an object. */
export function JsonTab(props: { doc: FlowDoc; onApply: (doc: FlowDoc) => void; readOnly: boolean }) {
  const { t } = useTranslation('flows');
  const shown = JSON.stringify(props.doc, null, 2);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(shown);
    setError(null);
  }, [shown]);
  const apply = () => {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isPlainObject(parsed)) return setError(t('flowEditor.json.notObject'));
      setError(null);
      props.onApply(parsed);
    } catch (caught) {
      setError(t('flowEditor.json.parseError', { message: caught instanceof Error ? caught.message : '' }));
    }
  };
  return (
    <Stack gap="xs" h="100%" p="xs">
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {t('flowEditor.json.hint')}
        </Text>
        {!props.readOnly && (
          <Group gap="xs">
            <Button size="xs" variant="default" disabled={text === shown} onClick={() => setText(shown)}>
              {t('flowEditor.json.reset')}
            </Button>
            <Button size="xs" disabled={text === shown} onClick={apply} data-testid="json-apply">
              {t('flowEditor.json.apply')}
            </Button>
          </Group>
        )}
      </Group>
      {error && (
        <Alert color="red" p="xs" data-testid="json-error">
          {error}
        </Alert>
      )}
      <Textarea
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        readOnly={props.readOnly}
        spellCheck={false}
        aria-label="JSON"
        styles={{
          root: { flex: 1, display: 'flex', flexDirection: 'column' },
          wrapper: { flex: 1 },
          input: { height: '100%', fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 },
        }}
        data-testid="json-text"
      />
    </Stack>
  );
}
