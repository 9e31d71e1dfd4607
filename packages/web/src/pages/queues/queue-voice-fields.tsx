import type { QueueVoiceSettings, RecordingPolicy } from '@hotline/protocol/queue-voice';
import { queueVoiceDefaults, recordingPolicySchema } from '@hotline/protocol/queue-voice';
import { Divider, Select, SimpleGrid, Switch } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { request } from '../../api/http';
import { IntInput } from '../../crud/int-input';

/** What the queue form edits of `/api/queues/{id}/voice` (the music prompt is kept as loaded). */
export interface QueueVoiceForm {
  announceIntervalSeconds: number;
  announcePosition: boolean;
  announceWait: boolean;
  musicPrompt: string | null;
  recording: RecordingPolicy;
  callbackDigit: string | null;
}

export const defaultQueueVoice = (): QueueVoiceForm => ({ ...queueVoiceDefaults });

export const queueVoiceApi = {
  get: async (queueId: string): Promise<QueueVoiceForm> => {
    const s = await request<QueueVoiceSettings>('GET', `/queues/${queueId}/voice`);
    return {
      announceIntervalSeconds: s.announceIntervalSeconds,
      announcePosition: s.announcePosition,
      announceWait: s.announceWait,
      musicPrompt: s.musicPrompt,
      recording: s.recording,
      callbackDigit: s.callbackDigit,
    };
  },
  put: (queueId: string, form: QueueVoiceForm) =>
    request<QueueVoiceSettings>('PUT', `/queues/${queueId}/voice`, form),
};

const CALLBACK_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

/** Phone calls in this queue: call recording and what waiting callers hear. */
export function QueueVoiceFields({
  value,
  onChange,
}: {
  value: QueueVoiceForm;
  onChange: (patch: Partial<QueueVoiceForm>) => void;
}) {
  const { t } = useTranslation();
  const announcing = value.announceIntervalSeconds > 0;
  return (
    <>
      <Divider label={t('calls.queueVoice')} labelPosition="left" mt="sm" />
      <SimpleGrid cols={2}>
        <Select
          label={t('calls.recordingPolicy')}
          allowDeselect={false}
          data={recordingPolicySchema.options.map((p) => ({
            value: p,
            label: t(`calls.recordingPolicies.${p}`),
          }))}
          value={value.recording}
          onChange={(recording) => recording && onChange({ recording: recording as RecordingPolicy })}
          data-testid="field-recording"
        />
        <IntInput
          label={t('calls.announceEvery')}
          description={t('calls.announceEveryHint')}
          min={0}
          max={3_600}
          value={value.announceIntervalSeconds}
          onChange={(n) => onChange({ announceIntervalSeconds: n > 0 && n < 10 ? 10 : n })}
          data-testid="field-announce-interval"
        />
        <Select
          label={t('calls.callbackKey')}
          description={t('calls.callbackKeyHint')}
          data={[
            { value: '', label: t('calls.callbackOff') },
            ...CALLBACK_KEYS.map((k) => ({ value: k, label: k })),
          ]}
          value={value.callbackDigit ?? ''}
          onChange={(key) => onChange({ callbackDigit: key ? key : null })}
          allowDeselect={false}
          data-testid="field-callback-key"
        />
        <div />
        <Switch
          label={t('calls.announcePosition')}
          disabled={!announcing}
          checked={value.announcePosition}
          onChange={(e) => onChange({ announcePosition: e.currentTarget.checked })}
        />
        <Switch
          label={t('calls.announceWait')}
          disabled={!announcing}
          checked={value.announceWait}
          onChange={(e) => onChange({ announceWait: e.currentTarget.checked })}
        />
      </SimpleGrid>
    </>
  );
}
