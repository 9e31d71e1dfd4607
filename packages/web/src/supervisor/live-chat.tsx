import type { InteractionDto } from '@hotline/protocol/routing';
import { Badge, Button, Divider, Drawer, Group, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../crud/error-alert';
import { newClientId } from '../desktop/desktop-api';
import { MessageList } from '../desktop/message-list';
import { sendsMessage } from '../desktop/shortcuts';
import { useChatFeed } from '../desktop/use-chat';
import { customerNameOf } from '../desktop/work-view';
import { isCustomerTyping } from '../realtime/chat-log';
import type { RealtimeClient } from '../realtime/realtime-client';
import { RoutingExplanation } from './routing-explanation';
import { supervisorApi } from './supervisor-api';

interface LiveChatProps {
  client: RealtimeClient | null;
  interactionId: string | null;
  names: Parameters<typeof RoutingExplanation>[0]['names'];
  now: number;
  onClose: () => void;
}

/**
 * A live interaction as the supervisor sees it: the conversation read-only (watched live), a whisper
 * that only the handling agent sees, taking the chat over, and the routing explanation.
 */
export function LiveChat({ client, interactionId, names, now, onClose }: LiveChatProps) {
  const { t } = useTranslation();
  const interaction = useQuery({
    queryKey: ['interaction', interactionId ?? ''],
    queryFn: () => supervisorApi.interaction(interactionId!),
    enabled: interactionId !== null,
  });
  const ix = interaction.data;
  return (
    <Drawer
      opened={interactionId !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={
        ix ? (
          <Group gap="xs">
            <Text fw={700}>{customerNameOf(ix) ?? t('desktop.unknownCustomer')}</Text>
            <Badge variant="light">{t(`channels.${ix.channel}`)}</Badge>
            <Badge variant="outline">{t(`desktop.states.${ix.state}`)}</Badge>
            {ix.agentId && (
              <Text size="sm" c="dimmed">
                {t('supervisor.handledBy', { agent: names.agents.get(ix.agentId) ?? '…' })}
              </Text>
            )}
          </Group>
        ) : (
          t('supervisor.liveChat')
        )
      }
      data-testid="live-chat"
    >
      {interactionId && (
        <Stack gap="sm">
          <ErrorAlert error={interaction.error} />
          {ix?.channel === 'chat' && <ChatMonitor client={client} interaction={ix} now={now} />}
          <Divider label={t('supervisor.routingTitle')} labelPosition="left" />
          <RoutingExplanation interactionId={interactionId} names={names} />
        </Stack>
      )}
    </Drawer>
  );
}

function ChatMonitor({
  client,
  interaction,
  now,
}: {
  client: RealtimeClient | null;
  interaction: InteractionDto;
  now: number;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { conversation, error } = useChatFeed(client, interaction.id);
  const [text, setText] = useState('');
  const live = interaction.state === 'connected';
  const whisper = useMutation({
    mutationFn: (body: string) =>
      supervisorApi.whisper(interaction.id, { clientId: newClientId(), text: body }),
    onSuccess: (message) => {
      setText('');
      client?.ingest(interaction.id, [message]);
    },
  });
  const takeOver = useMutation({
    mutationFn: () => supervisorApi.takeOver(interaction.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['interaction', interaction.id] }),
  });
  const submit = () => {
    if (text.trim()) whisper.mutate(text.trim());
  };
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Badge color="gray" variant="light">
          {t('supervisor.readOnly')}
        </Badge>
        <Button
          size="xs"
          color="orange"
          disabled={!live}
          loading={takeOver.isPending}
          onClick={() => takeOver.mutate()}
          data-testid="take-over"
        >
          {t('supervisor.takeOver')}
        </Button>
      </Group>
      {takeOver.isSuccess && (
        <Text size="sm" c="green">
          {t('supervisor.takenOver')}
        </Text>
      )}
      <ErrorAlert error={takeOver.error} />
      <Paper withBorder radius="md">
        <MessageList
          interactionId={interaction.id}
          messages={conversation?.messages ?? []}
          conversation={conversation ?? undefined}
          typingName={
            conversation && isCustomerTyping(conversation, now) ? (customerNameOf(interaction) ?? '…') : null
          }
          height="calc(100vh - 420px)"
        />
      </Paper>
      <ErrorAlert error={error} />
      <Textarea
        placeholder={t('supervisor.whisperPlaceholder')}
        value={text}
        disabled={!live}
        autosize
        minRows={2}
        maxLength={4000}
        styles={{ input: { background: 'var(--mantine-color-grape-0)' } }}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (sendsMessage({ ...e, isComposing: e.nativeEvent.isComposing })) {
            e.preventDefault();
            submit();
          }
        }}
        data-testid="whisper-input"
      />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {t('supervisor.whisperHint')}
        </Text>
        <Button
          size="xs"
          color="grape"
          onClick={submit}
          disabled={!live || !text.trim()}
          loading={whisper.isPending}
          data-testid="whisper-send"
        >
          {t('supervisor.whisper')}
        </Button>
      </Group>
      <ErrorAlert error={whisper.error} />
    </Stack>
  );
}
