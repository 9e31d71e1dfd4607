import type { DispositionCode, Queue } from '@hotline/protocol/config';
import { Badge, Button, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../crud/error-alert';
import { isCustomerTyping } from '../realtime/chat-log';
import type { RealtimeClient } from '../realtime/realtime-client';
import { Composer } from './composer';
import { type AgentState, agentApi, type Interaction, interactionApi } from './desktop-api';
import { MessageList } from './message-list';
import { useChatFeed, useSend } from './use-chat';
import { VoicemailCard } from './voicemail-card';
import { voicemailTaskOf } from './voicemail-task';
import { formatDuration, type WorkItem } from './work-items';
import { WrapUpForm } from './wrap-up-form';

interface WorkViewProps {
  client: RealtimeClient | null;
  item: WorkItem;
  agentName: string;
  queues: ReadonlyMap<string, Queue>;
  codes: readonly DispositionCode[];
  now: number;
  closing: boolean;
  onClosing: (closing: boolean) => void;
  templatesOpen: boolean;
  onTemplatesOpen: (open: boolean) => void;
  onTransfer: (interaction: Interaction) => void;
  onState: (state: AgentState) => void;
}

export const customerNameOf = (ix: Interaction | undefined): string | null =>
  ix?.contact.name || ix?.contact.email || ix?.contact.phone || null;

/**
 * The selected interaction: its header and actions, the conversation (for chats) or its facts
 * (other channels), the composer while connected, and the close form (Alt+C, or after the end).
 */
export function WorkView(props: WorkViewProps) {
  const { t } = useTranslation();
  const { item } = props;
  const interaction = useQuery({
    queryKey: interactionApi.key(item.interactionId),
    queryFn: () => interactionApi.get(item.interactionId),
  });
  const ix = interaction.data;
  const end = useMutation({ mutationFn: () => agentApi.end(item.interactionId), onSuccess: props.onState });
  const connected = item.phase === 'connected';
  const showClose = item.phase === 'wrap_up' || (props.closing && connected);
  const customer = customerNameOf(ix) ?? t('desktop.unknownCustomer');
  const voicemail = voicemailTaskOf(ix?.data);
  return (
    // The view fills the window below the state bar; the message list takes what the rest leaves.
    <Stack gap="xs" h="calc(100vh - 190px)" mih={460} data-testid="work-view">
      <Group justify="space-between" wrap="nowrap">
        <Stack gap={0} style={{ minWidth: 0, flex: 1 }}>
          <Group gap="xs">
            <Title order={4} lineClamp={1} style={{ overflowWrap: 'anywhere' }} data-testid="work-customer">
              {customer}
            </Title>
            <Badge variant="light">{t(`channels.${item.channel}`)}</Badge>
            <Badge variant="outline" color={item.phase === 'wrap_up' ? 'violet' : 'blue'}>
              {t(`desktop.phase.${item.phase}`)}
            </Badge>
          </Group>
          <Text size="xs" c="dimmed">
            {[
              ix?.queueId ? props.queues.get(ix.queueId)?.name : null,
              ix?.subject,
              formatDuration(props.now - Date.parse(item.since)),
            ]
              .filter(Boolean)
              .join(' · ')}
          </Text>
        </Stack>
        {connected && (
          <Group gap="xs" wrap="nowrap">
            <Button
              size="xs"
              variant="light"
              onClick={() => ix && props.onTransfer(ix)}
              disabled={!ix}
              data-testid="transfer-button"
            >
              {t('desktop.transfer')}
            </Button>
            <Button
              size="xs"
              variant="light"
              color="violet"
              onClick={() => end.mutate()}
              loading={end.isPending}
              data-testid="end-button"
            >
              {item.channel === 'voice' ? t('desktop.endCall') : t('desktop.end')}
            </Button>
            <Button
              size="xs"
              color="violet"
              onClick={() => props.onClosing(!props.closing)}
              data-testid="close-button"
            >
              {t('desktop.close')}
            </Button>
          </Group>
        )}
      </Group>
      <ErrorAlert error={interaction.error ?? end.error} />
      {item.channel === 'chat' ? (
        <ChatPane {...props} customer={customer} interaction={ix} composer={connected && !showClose} />
      ) : (
        <Paper withBorder p="md" style={{ flex: 1 }}>
          <Text c="dimmed" size="sm">
            {item.channel === 'voice' ? t('desktop.voiceCall') : t('desktop.noChatChannel')}
          </Text>
          {ix?.subject && <Text mt="xs">{ix.subject}</Text>}
          {voicemail && <VoicemailCard task={voicemail} />}
          {ix?.notes && (
            <Text mt="xs" size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {ix.notes}
            </Text>
          )}
          <TransferNotes interaction={ix} />
        </Paper>
      )}
      {showClose && <WrapUpForm item={item} codes={props.codes} now={props.now} onDone={props.onState} />}
    </Stack>
  );
}

/**
 * What previous agents wrote when they transferred it. Chats show these notes in the conversation
 * (internal messages); other channels have no log, so they are listed here.
 */
function TransferNotes({ interaction }: { interaction: Interaction | undefined }) {
  const { t } = useTranslation();
  const notes = interaction?.transferNotes ?? [];
  if (notes.length === 0) return null;
  return (
    <Stack gap={4} mt="sm" data-testid="transfer-notes">
      <Text size="xs" fw={700} c="yellow.9">
        {t('desktop.transferNotes')}
      </Text>
      {notes.map((n) => (
        <Paper key={n.at + n.note} p="xs" bg="yellow.0" withBorder data-testid="transfer-note-item">
          <Text size="xs" c="dimmed" fw={600}>
            {n.fromName}
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {n.note}
          </Text>
        </Paper>
      ))}
    </Stack>
  );
}

function ChatPane(
  props: WorkViewProps & { customer: string; interaction: Interaction | undefined; composer: boolean },
) {
  const { t } = useTranslation();
  const { client, item } = props;
  const { conversation, error } = useChatFeed(client, item.interactionId);
  const { retry } = useSend(client, item.interactionId);
  const lastSeq = conversation?.lastSeq ?? 0;

  // The open chat is being read: mark it (locally and for the customer's ticks) while the tab is visible.
  useEffect(() => {
    if (!client || lastSeq === 0) return;
    const mark = () => {
      if (document.visibilityState === 'visible') client.markRead(item.interactionId);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [client, item.interactionId, lastSeq]);

  if (!conversation) {
    return (
      <Center style={{ flex: 1 }}>
        <Loader />
      </Center>
    );
  }
  return (
    <>
      <Paper withBorder radius="md" style={{ flex: 1, minHeight: 0 }}>
        <MessageList
          interactionId={item.interactionId}
          messages={conversation.messages}
          pending={conversation.pending}
          conversation={conversation}
          onRetry={(clientId) => void retry(conversation, clientId).catch(() => {})}
          typingName={isCustomerTyping(conversation, props.now) ? props.customer : null}
          height="100%"
        />
      </Paper>
      <ErrorAlert error={error} />
      {props.composer && (
        <Composer
          client={client}
          interactionId={item.interactionId}
          variables={{
            'customer.name': props.interaction?.contact.name ?? null,
            'customer.email': props.interaction?.contact.email ?? null,
            'customer.phone': props.interaction?.contact.phone ?? null,
            'agent.name': props.agentName,
          }}
          templatesOpen={props.templatesOpen}
          onTemplatesOpen={props.onTemplatesOpen}
        />
      )}
      {item.phase !== 'connected' && (
        <Text size="xs" c="dimmed" ta="center">
          {t('desktop.chatEnded')}
        </Text>
      )}
    </>
  );
}
