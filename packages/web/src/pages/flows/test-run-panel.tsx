import type { FlowTestRunResult } from '@hotline/protocol/flow-test-run';
import type { FlowIssueDto } from '@hotline/protocol/flows';
import {
  Alert,
  Box,
  Button,
  Code,
  Group,
  Paper,
  ScrollArea,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/http';
import { ErrorAlert } from '../../crud/error-alert';
import type { FlowDoc } from './flow-verbs';
import { flows } from './flows-api';
import { ActionControls, type TestEvent } from './test-run-controls';

/** Bot actions the panel answers by itself (a chat shows the message and moves on). */
const AUTO_DONE = new Set(['say', 'play']);
const MAX_AUTO_STEPS = 100;

interface TranscriptEntry {
  from: 'bot' | 'customer';
  text: string;
  node: string;
}

/**
 * A simulated conversation with the document as it is in the editor (saved or not), through the
 * stateless `POST /api/flows/test-run`: the bot's lines, menu buttons, a keypad on voice, fake HTTP
 * replies, and the node it waits at highlighted on the canvas.
 */
export function TestRunPanel(props: {
  doc: FlowDoc;
  onCurrentNode: (id: string | null) => void;
  onIssues: (issues: FlowIssueDto[]) => void;
}) {
  const { t, i18n } = useTranslation('flows');
  const [channel, setChannel] = useState<'chat' | 'voice'>('chat');
  const [language, setLanguage] = useState<'en' | 'ru'>(i18n.language === 'ru' ? 'ru' : 'en');
  /** `datetime-local` text in the browser's zone; empty: the server's clock. */
  const [clock, setClock] = useState('');
  const [step, setStep] = useState<FlowTestRunResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const { onCurrentNode } = props;

  useEffect(() => () => onCurrentNode(null), [onCurrentNode]);
  useEffect(() => {
    if (step) bottom.current?.scrollIntoView({ block: 'nearest' });
  }, [step]);

  const run = async (event: TestEvent | null) => {
    setBusy(true);
    setError(null);
    const context = { channel, language };
    try {
      let result = await flows.testRun({
        document: props.doc,
        context,
        ...(event && step && { state: step.state, event }),
      });
      for (
        let n = 0;
        n < MAX_AUTO_STEPS && !result.refused && AUTO_DONE.has(String(result.action.type));
        n += 1
      ) {
        result = await flows.testRun({
          document: props.doc,
          context,
          state: result.state,
          event: { type: 'done' },
        });
      }
      setStep(result);
      onCurrentNode(result.state.status === 'waiting' ? String(result.state.node) : null);
    } catch (caught) {
      setError(caught);
      if (
        caught instanceof ApiError &&
        caught.code === 'VALIDATION_FAILED' &&
        Array.isArray(caught.details)
      ) {
        props.onIssues(caught.details as FlowIssueDto[]);
      }
    } finally {
      setBusy(false);
    }
  };

  const action = step?.action as (Record<string, unknown> & { type: string }) | undefined;
  const transcript = (
    Array.isArray(step?.state.transcript) ? step.state.transcript : []
  ) as TranscriptEntry[];
  const waiting = step?.state.status === 'waiting';

  return (
    <Stack gap="xs" h="100%" data-testid="test-run">
      <Text size="xs" c="dimmed">
        {t('flowEditor.test.hint')}
      </Text>
      <Group gap="xs" wrap="nowrap">
        <SegmentedControl
          size="xs"
          data={(['chat', 'voice'] as const).map((c) => ({
            value: c,
            label: t(`flowEditor.test.channels.${c}`),
          }))}
          value={channel}
          onChange={(v) => setChannel(v as 'chat' | 'voice')}
          data-testid="test-channel"
        />
        <SegmentedControl
          size="xs"
          data={['en', 'ru']}
          value={language}
          onChange={(v) => setLanguage(v as 'en' | 'ru')}
          aria-label={t('flowEditor.test.language')}
        />
        <Button size="xs" onClick={() => run(null)} loading={busy && !step} data-testid="test-start">
          {step ? t('flowEditor.test.restart') : t('flowEditor.test.start')}
        </Button>
      </Group>
      <TextInput
        size="xs"
        type="datetime-local"
        label={t('flowEditor.test.clock')}
        description={t('flowEditor.test.clockHint')}
        value={clock}
        onChange={(e) => setClock(e.currentTarget.value)}
        data-testid="test-clock"
      />
      <ErrorAlert error={error} />
      {step && (
        <ScrollArea.Autosize mah={360} type="auto" offsetScrollbars>
          <Stack gap={6} p={2} data-testid="test-transcript">
            {transcript.map((entry, i) => (
              <Group
                // biome-ignore lint/suspicious/noArrayIndexKey: the transcript only grows at its end
                key={i}
                justify={entry.from === 'bot' ? 'flex-start' : 'flex-end'}
              >
                <Paper
                  px="sm"
                  py={6}
                  radius="lg"
                  maw="85%"
                  bg={entry.from === 'bot' ? 'gray.1' : 'indigo.6'}
                  c={entry.from === 'bot' ? undefined : 'white'}
                  data-testid="test-message"
                  data-from={entry.from}
                >
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {entry.text}
                  </Text>
                </Paper>
              </Group>
            ))}
            <div ref={bottom} />
          </Stack>
        </ScrollArea.Autosize>
      )}
      {step?.refused && (
        <Alert color="orange" variant="light" p="xs" data-testid="test-refused">
          {t('flowEditor.test.refused', { message: step.refused.message })}
        </Alert>
      )}
      {action && waiting && (
        <Paper withBorder p="xs" data-testid="test-controls">
          <ActionControls action={action} busy={busy} send={(event) => run(event)} />
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            mt={6}
            disabled={busy}
            onClick={() => run({ type: 'hangup' })}
            data-testid="test-hangup"
          >
            {t('flowEditor.test.hangup')}
          </Button>
        </Paper>
      )}
      {action && !waiting && (
        <Alert
          color={action.type === 'end' && action.reason === 'error' ? 'red' : 'teal'}
          variant="light"
          p="xs"
          data-testid="test-ended"
        >
          {action.type === 'hangup'
            ? t('flowEditor.test.hungUp')
            : t('flowEditor.test.ended', {
                reason: [action.reason, action.outcome, (action.error as { code?: string } | null)?.code]
                  .filter(Boolean)
                  .join(' · '),
              })}
        </Alert>
      )}
      {step && (
        <Box>
          <Text size="xs" fw={600} c="dimmed">
            {t('flowEditor.test.variables')}
          </Text>
          <Code block fz={11} data-testid="test-variables">
            {JSON.stringify(step.state.vars ?? {}, null, 1)}
          </Code>
        </Box>
      )}
    </Stack>
  );
}
