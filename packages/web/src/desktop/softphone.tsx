import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RealtimeClient } from '../realtime/realtime-client';
import { useConnectionStatus } from '../realtime/use-realtime';
import {
  dialableNumber,
  KEYPAD,
  keypadDigit,
  type NumberTransferState,
  type SoftphoneStatus,
} from './softphone-logic';
import { useSoftphone } from './use-softphone';
import { formatDuration } from './work-items';

const statusColor: Record<SoftphoneStatus, string> = {
  off: 'gray',
  starting: 'yellow',
  connecting: 'yellow',
  connected: 'green',
  failed: 'red',
  elsewhere: 'gray',
};

/**
 * The agent's phone on the desktop: connects once when the agent is logged in to routing and stays
 * connected (calls are bridged in, no new ICE per call); answer and hang-up act on the ringing or
 * connected voice interaction; mute, the DTMF keypad (also the keyboard's digits while the pointer is
 * over it), the call timer, device choice and the audio check. A missing or denied microphone says
 * what to do.
 */
export function Softphone({
  client,
  loggedIn,
  ringing,
  callSince,
  now,
  onAnswer,
  onHangUp,
}: {
  client: RealtimeClient;
  /** The agent is logged in to routing: the phone connects by itself once. */
  loggedIn: boolean;
  /** A voice offer is waiting. */
  ringing: boolean;
  /** The connected voice interaction's start (ms), or null. */
  callSince: number | null;
  now: number;
  onAnswer: () => void;
  onHangUp: () => void;
}) {
  const { t } = useTranslation('softphone');
  const phone = useSoftphone(client);
  const { state } = phone;
  const connection = useConnectionStatus(client);
  const started = useRef(false);
  const start = phone.start;
  useEffect(() => {
    if (loggedIn && !started.current && connection === 'live') {
      started.current = true;
      void start();
    }
  }, [loggedIn, connection, start]);

  // A lost connection comes back by itself (2, 4, 8 … 30 s); not after a refusal that would repeat.
  const retries = useRef(0);
  useEffect(() => {
    if (state.status === 'connected') retries.current = 0;
    const fatal =
      state.mic !== null ||
      state.error === 'VOICE_UNAVAILABLE' ||
      state.error === 'BAD_OFFER' ||
      state.error === 'NO_COMMON_CODEC';
    if (state.status !== 'failed' || fatal || !started.current) return;
    const delay = Math.min(30_000, 2_000 * 2 ** retries.current++);
    const timer = setTimeout(() => void start(), delay);
    return () => clearTimeout(timer);
  }, [state.status, state.mic, state.error, start]);

  const connected = state.status === 'connected';
  const since = callSince ?? state.callSince;
  const onCall = since !== null;
  const keyDown = (e: React.KeyboardEvent) => {
    const digit = keypadDigit(e.key);
    if (digit && connected) phone.sendDigits(digit);
  };

  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      data-testid="softphone"
      data-recording={state.recording ?? ''}
      onKeyDown={keyDown}
    >
      <Group justify="space-between" mb="xs">
        <Title order={6}>{t('title')}</Title>
        <Badge
          color={statusColor[state.status]}
          variant="light"
          data-testid="softphone-status"
          data-status={state.status}
        >
          {t(`status.${state.status}`)}
        </Badge>
      </Group>
      <Stack gap="xs">
        {state.mic && (
          <Alert color="red" data-testid="softphone-mic-error" data-problem={state.mic}>
            {t(`mic.${state.mic}`)}
          </Alert>
        )}
        {state.error && (
          <Alert color="orange" data-testid="softphone-error" data-code={state.error}>
            {t(`error.${state.error}`)}
          </Alert>
        )}
        {(state.status === 'off' || state.status === 'failed' || state.status === 'elsewhere') &&
          state.error !== 'VOICE_UNAVAILABLE' && (
            <Button size="xs" onClick={() => void phone.start()} data-testid="softphone-connect">
              {state.status === 'off'
                ? t('connect')
                : state.status === 'elsewhere'
                  ? t('useHere')
                  : t('reconnect')}
            </Button>
          )}
        {ringing && !onCall && (
          <Group justify="space-between" data-testid="softphone-ringing">
            <Text size="sm" fw={600} c="green">
              {t('ringing')}
            </Text>
            <Button
              size="xs"
              color="green"
              onClick={onAnswer}
              disabled={!connected}
              data-testid="softphone-answer"
            >
              {t('answer')}
            </Button>
          </Group>
        )}
        {onCall && (
          <Group justify="space-between">
            <Text size="sm" fw={600}>
              {t('onCall')}{' '}
              <Text span ff="monospace" data-testid="softphone-timer">
                {formatDuration(now - since)}
              </Text>
            </Text>
            <Button size="xs" color="red" onClick={onHangUp} data-testid="softphone-hangup">
              {t('hangUp')}
            </Button>
          </Group>
        )}
        {onCall && state.recording === 'available' && (
          <Button size="xs" variant="light" color="red" onClick={phone.record} data-testid="softphone-record">
            {t('record')}
          </Button>
        )}
        {onCall && state.recording === 'recording' && (
          <Badge color="red" variant="dot" data-testid="softphone-recording">
            {t('recording')}
          </Badge>
        )}
        {onCall && state.recording === 'failed' && (
          <Alert color="orange" data-testid="softphone-recording-failed">
            {t('recordingFailed')}
          </Alert>
        )}
        {state.transfer && <TransferStatus transfer={state.transfer} />}
        {connected && state.mode === 'call' && state.transfer?.status !== 'dialling' && (
          <NumberTransferForm onTransfer={phone.transferToNumber} />
        )}
        {connected && (
          <Group gap="xs">
            <Button
              size="xs"
              variant={state.muted ? 'filled' : 'light'}
              color={state.muted ? 'red' : 'gray'}
              onClick={() => phone.setMuted(!state.muted)}
              data-testid="softphone-mute"
              aria-pressed={state.muted}
            >
              {state.muted ? t('unmute') : t('mute')}
            </Button>
            <Button
              size="xs"
              variant="light"
              onClick={phone.checkAudio}
              disabled={state.mode !== 'idle'}
              data-testid="softphone-check"
            >
              {t('checkAudio')}
            </Button>
          </Group>
        )}
        {state.mode === 'check' && (
          <Text size="xs" c="dimmed" data-testid="softphone-checking">
            {t('checking')}
          </Text>
        )}
        {state.check && (
          <Text
            size="xs"
            c={state.check.micToneHz === null ? 'red' : 'dimmed'}
            data-testid="softphone-check-result"
            data-tone-hz={state.check.micToneHz ?? ''}
          >
            {state.check.micToneHz === null
              ? t('checkSilent')
              : t('checkResult', { level: state.check.micRmsDbfs.toFixed(0) })}
          </Text>
        )}
        {connected && (
          <>
            <Text size="xs" c="dimmed">
              {t('keypad')}
            </Text>
            <SimpleGrid cols={3} spacing={4} verticalSpacing={4}>
              {KEYPAD.map((d) => (
                <Button
                  key={d}
                  size="xs"
                  variant="default"
                  onClick={() => phone.sendDigits(d)}
                  data-testid={`softphone-key-${d === '*' ? 'star' : d === '#' ? 'hash' : d}`}
                >
                  {d}
                </Button>
              ))}
            </SimpleGrid>
            {state.keysHeard && (
              <Text size="xs" c="dimmed" ff="monospace" data-testid="softphone-keys-heard">
                {t('keysHeard', { keys: state.keysHeard })}
              </Text>
            )}
          </>
        )}
        {(phone.inputs.length > 0 || phone.outputs.length > 0) && (
          <Stack gap={4}>
            <Select
              size="xs"
              label={t('microphone')}
              data={[
                { value: '', label: t('defaultDevice') },
                ...phone.inputs
                  .filter((d) => d.deviceId && d.deviceId !== 'default')
                  .map((d, i) => ({ value: d.deviceId, label: d.label || `#${i + 1}` })),
              ]}
              value={phone.inputId}
              onChange={(v) => void phone.selectInput(v ?? '')}
              allowDeselect={false}
              data-testid="softphone-input"
            />
            <Select
              size="xs"
              label={t('speaker')}
              data={[
                { value: '', label: t('defaultDevice') },
                ...phone.outputs
                  .filter((d) => d.deviceId && d.deviceId !== 'default')
                  .map((d, i) => ({ value: d.deviceId, label: d.label || `#${i + 1}` })),
              ]}
              value={phone.outputId}
              onChange={(v) => void phone.selectOutput(v ?? '')}
              allowDeselect={false}
              data-testid="softphone-output"
            />
          </Stack>
        )}
        {state.status !== 'off' && state.status !== 'elsewhere' && (
          <Button size="xs" variant="subtle" color="gray" onClick={phone.stop} data-testid="softphone-off">
            {t('turnOff')}
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

/** How the last transfer to a number went: ringing, connected (the agent wraps up), or why not. */
function TransferStatus({ transfer }: { transfer: NumberTransferState }) {
  const { t } = useTranslation('softphone');
  const { number, status, code } = transfer;
  const text =
    status === 'dialling'
      ? t('transferDialling', { number })
      : status === 'connected'
        ? t('transferConnected', { number })
        : t('transferFailed', { number, reason: t(`transferFailure.${code ?? 'FAILED'}`) });
  return (
    <Alert
      color={status === 'failed' ? 'orange' : status === 'connected' ? 'green' : 'blue'}
      p="xs"
      data-testid="softphone-transfer-status"
      data-status={status}
      data-code={code ?? ''}
    >
      <Text size="sm">{text}</Text>
    </Alert>
  );
}

/**
 * A blind transfer to an outside number, as on a desk phone: type it, press Transfer. Keys typed here
 * are the number, not tones for the caller (the panel's keypad shortcut does not see them).
 */
function NumberTransferForm({ onTransfer }: { onTransfer: (number: string) => void }) {
  const { t } = useTranslation('softphone');
  const [typed, setTyped] = useState('');
  const number = dialableNumber(typed);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (number) onTransfer(number);
      }}
      data-testid="softphone-transfer-form"
    >
      <Stack gap={4}>
        <TextInput
          size="xs"
          label={t('transferTo')}
          placeholder="+7 495 …"
          title={t('transferNumberHint')}
          value={typed}
          inputMode="tel"
          maxLength={40}
          onChange={(e) => setTyped(e.currentTarget.value)}
          onKeyDown={(e) => e.stopPropagation()}
          data-testid="softphone-transfer-number"
        />
        <Button size="xs" type="submit" variant="light" disabled={!number} data-testid="softphone-transfer">
          {t('transfer')}
        </Button>
      </Stack>
    </form>
  );
}
