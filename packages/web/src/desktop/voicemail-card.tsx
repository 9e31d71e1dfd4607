import { Anchor, Badge, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../crud/error-alert';
import { type VoicemailTask, voicemailApi } from './voicemail-task';

const statusColor = { new: 'blue', heard: 'gray', handled: 'green' } as const;

/**
 * A voicemail's task on the desktop: who called, which number, how long, the message in a player
 * (the audio URL; the server audits the first playback and marks it heard) and "Mark handled".
 * The caller's number and length come from the task itself, so they show even before the voicemail
 * loads (or when the agent may no longer open it).
 */
export function VoicemailCard({ task }: { task: VoicemailTask }) {
  const { t } = useTranslation('voicemail');
  const queryClient = useQueryClient();
  const key = voicemailApi.key(task.voicemailId);
  const voicemail = useQuery({ queryKey: key, queryFn: () => voicemailApi.get(task.voicemailId) });
  const setStatus = useMutation({
    mutationFn: (status: 'new' | 'handled') => voicemailApi.setStatus(task.voicemailId, status),
    onSuccess: (v) => queryClient.setQueryData(key, v),
  });
  const status = voicemail.data?.status;
  const seconds = voicemail.data?.durationSec ?? task.durationSec;
  return (
    <Stack gap="xs" mt="xs" data-testid="voicemail-card">
      <Group gap="xs">
        <Title order={5}>{t('title')}</Title>
        {status && (
          <Badge variant="light" color={statusColor[status]} data-testid="voicemail-status">
            {t(`status.${status}`)}
          </Badge>
        )}
      </Group>
      <Text size="sm" data-testid="voicemail-caller">
        {[
          task.caller && t('from', { caller: task.caller }),
          task.did && t('dialled', { did: task.did }),
          seconds !== null && t('duration', { seconds }),
        ]
          .filter(Boolean)
          .join(' · ')}
      </Text>
      {voicemail.error ? (
        <Text size="sm" c="dimmed">
          {t('unavailable')}
        </Text>
      ) : (
        <Group gap="sm">
          {/* biome-ignore lint/a11y/useMediaCaption: a caller's voice message has no caption track */}
          <audio
            controls
            preload="none"
            src={voicemailApi.audioUrl(task.voicemailId)}
            // The server marked it heard before sending the first byte: show it once audio flows.
            onPlaying={() => void queryClient.invalidateQueries({ queryKey: key })}
            data-testid="voicemail-audio"
          />
          <Anchor href={voicemailApi.audioUrl(task.voicemailId, true)} size="sm">
            {t('download')}
          </Anchor>
          {status && (
            <Button
              size="xs"
              variant="light"
              loading={setStatus.isPending}
              onClick={() => setStatus.mutate(status === 'handled' ? 'new' : 'handled')}
              data-testid="voicemail-handled"
            >
              {status === 'handled' ? t('markNew') : t('markHandled')}
            </Button>
          )}
        </Group>
      )}
      <ErrorAlert error={setStatus.error} />
    </Stack>
  );
}
