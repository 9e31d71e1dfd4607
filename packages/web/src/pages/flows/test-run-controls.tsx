import { Button, Group, JsonInput, NumberInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The event a test-run answers the flow's pending action with (core `FlowEvent`). */
export type TestEvent =
  | { type: 'done' }
  | { type: 'input'; value: string }
  | { type: 'timeout' }
  | { type: 'http_response'; status: number; body: unknown }
  | { type: 'error'; code?: string }
  | { type: 'hangup' };

type Action = Record<string, unknown> & { type: string };
const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));

/** What the admin can answer the pending action with, per action type. */
export function ActionControls(props: { action: Action; busy: boolean; send: (event: TestEvent) => void }) {
  const { t } = useTranslation('flows');
  const { action, busy, send } = props;
  switch (action.type) {
    case 'collect':
      return <CollectControls {...props} />;
    case 'http':
      return <HttpControls {...props} />;
    case 'enqueue':
    case 'transfer':
    case 'voicemail':
    case 'callback': {
      const to = action.to as { number?: string; agentId?: string } | undefined;
      const text =
        action.type === 'enqueue'
          ? t('flowEditor.test.enqueue', { queue: str(action.queue) })
          : action.type === 'transfer'
            ? t('flowEditor.test.transfer', { to: str(to?.number ?? to?.agentId) })
            : action.type === 'voicemail'
              ? t('flowEditor.test.voicemail', { mailbox: str(action.mailbox) })
              : t('flowEditor.test.callback', { queue: str(action.queue), number: str(action.number) });
      return (
        <Stack gap={6} data-testid="test-handover">
          <Text size="sm">{text}</Text>
          <Group gap="xs">
            <Button
              size="xs"
              loading={busy}
              onClick={() => send({ type: 'done' })}
              data-testid="test-succeed"
            >
              {t('flowEditor.test.succeed')}
            </Button>
            <Button
              size="xs"
              variant="light"
              color="red"
              disabled={busy}
              onClick={() => send({ type: 'error' })}
              data-testid="test-fail"
            >
              {t('flowEditor.test.fail')}
            </Button>
          </Group>
        </Stack>
      );
    }
    default:
      return null;
  }
}

function CollectControls({
  action,
  busy,
  send,
}: {
  action: Action;
  busy: boolean;
  send: (event: TestEvent) => void;
}) {
  const { t } = useTranslation('flows');
  const [value, setValue] = useState('');
  const dtmf = action.mode === 'dtmf';
  const choices = Array.isArray(action.choices) ? (action.choices as { key: string; label: string }[]) : [];
  const submit = (text: string) => {
    send({ type: 'input', value: text });
    setValue('');
  };
  return (
    <Stack gap={6}>
      {!dtmf && choices.length > 0 && (
        <Group gap={6}>
          {choices.map((c) => (
            <Button
              key={c.key}
              size="compact-sm"
              variant="outline"
              disabled={busy}
              onClick={() => submit(c.key)}
              data-testid={`test-choice-${c.key}`}
            >
              {c.label}
            </Button>
          ))}
        </Group>
      )}
      {dtmf && (
        <SimpleGrid cols={3} spacing={4} w={150}>
          {[...'123456789*0#'].map((key) => (
            <Button
              key={key}
              size="compact-sm"
              variant="default"
              disabled={busy}
              onClick={() => setValue((v) => v + key)}
              data-testid={`test-key-${key}`}
            >
              {key}
            </Button>
          ))}
        </SimpleGrid>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit(value);
        }}
      >
        <Group gap={6} wrap="nowrap">
          <TextInput
            size="xs"
            style={{ flex: 1 }}
            placeholder={dtmf ? t('flowEditor.test.digits') : t('flowEditor.test.input')}
            aria-label={dtmf ? t('flowEditor.test.digits') : t('flowEditor.test.input')}
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            data-testid="test-input"
          />
          <Button size="xs" type="submit" loading={busy} data-testid="test-send">
            {t('flowEditor.test.send')}
          </Button>
        </Group>
      </form>
      <Button
        size="compact-xs"
        variant="subtle"
        color="gray"
        w="fit-content"
        disabled={busy}
        onClick={() => send({ type: 'timeout' })}
        data-testid="test-timeout"
      >
        {t('flowEditor.test.timeout')}
      </Button>
    </Stack>
  );
}

function HttpControls({
  action,
  busy,
  send,
}: {
  action: Action;
  busy: boolean;
  send: (event: TestEvent) => void;
}) {
  const { t } = useTranslation('flows');
  const [status, setStatus] = useState<number>(200);
  const [body, setBody] = useState('{}');
  let parsed: { ok: true; value: unknown } | { ok: false } = { ok: false };
  try {
    parsed = { ok: true, value: body.trim() === '' ? null : JSON.parse(body) };
  } catch {
    parsed = { ok: false };
  }
  return (
    <Stack gap={6} data-testid="test-http">
      <Text size="sm">{t('flowEditor.test.http', { method: str(action.method), url: str(action.url) })}</Text>
      <NumberInput
        size="xs"
        w={110}
        label={t('flowEditor.test.httpStatus')}
        min={100}
        max={599}
        value={status}
        onChange={(v) => setStatus(typeof v === 'number' ? v : 200)}
        data-testid="test-http-status"
      />
      <JsonInput
        size="xs"
        label={t('flowEditor.test.httpBody')}
        autosize
        minRows={3}
        maxRows={10}
        value={body}
        onChange={setBody}
        error={parsed.ok ? undefined : t('flowEditor.fields.bodyInvalid')}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        data-testid="test-http-body"
      />
      <Group gap="xs">
        <Button
          size="xs"
          loading={busy}
          disabled={!parsed.ok}
          onClick={() => parsed.ok && send({ type: 'http_response', status, body: parsed.value })}
          data-testid="test-http-reply"
        >
          {t('flowEditor.test.httpSend')}
        </Button>
        <Button
          size="xs"
          variant="light"
          color="red"
          disabled={busy}
          onClick={() => send({ type: 'error' })}
          data-testid="test-http-error"
        >
          {t('flowEditor.test.httpError')}
        </Button>
        <Button
          size="xs"
          variant="light"
          color="orange"
          disabled={busy}
          onClick={() => send({ type: 'timeout' })}
          data-testid="test-http-timeout"
        >
          {t('flowEditor.test.httpTimeout')}
        </Button>
      </Group>
    </Stack>
  );
}
