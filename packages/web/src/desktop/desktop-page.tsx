import {
  Badge,
  Center,
  Grid,
  Group,
  Loader,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dispositionCodes, notReadyReasons, queues as queuesApi } from '../api/resources';
import { useMe } from '../auth/session';
import { ErrorAlert } from '../crud/error-alert';
import { useAllItems } from '../crud/use-paged-list';
import { unreadCount } from '../realtime/chat-log';
import { ConnectionBadge } from '../realtime/connection-badge';
import {
  useConnectionStatus,
  useConversations,
  useRealtimeClient,
  useWatchAll,
} from '../realtime/use-realtime';
import { beep } from './beep';
import { CustomerPanel } from './customer-panel';
import { type AgentState, agentApi, type Interaction, interactionApi } from './desktop-api';
import { OfferCard } from './offer-card';
import { shortcutOf } from './shortcuts';
import { ShortcutsHelp } from './shortcuts-help';
import { Softphone } from './softphone';
import { StateBar } from './state-bar';
import { TransferModal } from './transfer-modal';
import { useAgent, useNow } from './use-agent';
import {
  formatCountdown,
  formatDuration,
  keepSelection,
  offerDeadline,
  splitWork,
  stepSelection,
  type WorkItem,
} from './work-items';
import { customerNameOf, WorkView } from './work-view';

/**
 * The agent desktop: routing state, incoming offers (with a chime and a countdown), the open
 * interactions with unread counts, the selected conversation and the customer panel. Works for any
 * channel the router offers; chats get the message view, other channels their facts.
 */
export function DesktopPage() {
  const { t } = useTranslation();
  const me = useMe().data;
  const queryClient = useQueryClient();
  const client = useRealtimeClient();
  const connection = useConnectionStatus(client);
  const { state, offerExpiry, command } = useAgent(client);
  const now = useNow(1000);
  const reasons = useAllItems(notReadyReasons.key, notReadyReasons.list);
  const codes = useAllItems(dispositionCodes.key, dispositionCodes.list);
  const queueList = useAllItems(queuesApi.key, queuesApi.list);
  const queues = useMemo(() => new Map(queueList.map((q) => [q.id, q])), [queueList]);

  const [selected, setSelected] = useState<string | null>(null);
  // The close form belongs to one conversation: switching away hides it.
  const [closingOf, setClosingOf] = useState<string | null>(null);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [transferOf, setTransferOf] = useState<Interaction | null>(null);

  const work = state.data?.work ?? [];
  const { offers, open } = splitWork(work);
  const current = keepSelection(open, selected);
  const currentItem = open.find((w) => w.interactionId === current) ?? null;
  const chatIds = open.filter((w) => w.channel === 'chat').map((w) => w.interactionId);
  // Every open chat is watched, not only the one shown, so that unread counts stay current.
  useWatchAll(client, chatIds);
  const conversations = useConversations(client, chatIds);
  const unread = new Map(conversations.map((c) => [c.interactionId, unreadCount(c, me?.user?.id ?? null)]));

  // A new offer rings once (not on a reload that finds it already there).
  const rung = useRef<Set<string> | null>(null);
  const offerIds = offers.map((o) => o.interactionId).join(',');
  useEffect(() => {
    if (!state.data) return;
    const ids = offerIds ? offerIds.split(',') : [];
    if (rung.current === null) {
      rung.current = new Set(ids);
      return;
    }
    if (ids.some((id) => !rung.current!.has(id))) beep();
    rung.current = new Set(ids);
  }, [offerIds, state.data]);

  const run = (fn: () => Promise<AgentState>) => command.mutate(fn);
  const accept = (id: string) => {
    command.mutate(() => agentApi.accept(id), { onSuccess: () => setSelected(id) });
  };
  const onState = (next: AgentState) => queryClient.setQueryData(agentApi.key, next);

  // Keyboard shortcuts (Alt + key, on any layout).
  const handler = useRef<(e: KeyboardEvent) => void>(() => {});
  handler.current = (e: KeyboardEvent) => {
    const action = shortcutOf(e);
    if (!action) return;
    e.preventDefault();
    switch (action) {
      case 'accept':
        if (offers[0]) accept(offers[0].interactionId);
        break;
      case 'decline':
        if (offers[0]) run(() => agentApi.decline(offers[0]!.interactionId));
        break;
      case 'nextChat':
      case 'previousChat':
        setSelected(stepSelection(open, current, action === 'nextChat' ? 1 : -1));
        break;
      case 'templates':
        if (currentItem?.phase === 'connected' && currentItem.channel === 'chat') setTemplatesOpen(true);
        break;
      case 'close':
        if (currentItem?.phase === 'connected') setClosingOf(currentItem.interactionId);
        break;
      case 'help':
        setHelpOpen((o) => !o);
        break;
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => handler.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  const currentInteraction = useQuery({
    queryKey: interactionApi.key(current ?? ''),
    queryFn: () => interactionApi.get(current!),
    enabled: current !== null,
  });

  if (!state.data) {
    return (
      <Center py="xl" data-testid="agent-desktop">
        {state.error ? <ErrorAlert error={state.error} /> : <Loader />}
      </Center>
    );
  }
  const agent = state.data;
  const voiceOffer = offers.find((o) => o.channel === 'voice');
  const voiceCall = open.find((w) => w.channel === 'voice' && w.phase === 'connected');
  return (
    <Stack gap="sm" data-testid="agent-desktop">
      <StateBar
        state={agent}
        reasons={reasons}
        now={now}
        busy={command.isPending}
        onLogin={() => run(agentApi.login)}
        onReady={() => run(agentApi.ready)}
        onNotReady={(reasonId) => run(() => agentApi.notReady(reasonId))}
        onLogout={() => run(agentApi.logout)}
      >
        <ConnectionBadge status={connection} />
        <ShortcutsHelp opened={helpOpen} onChange={setHelpOpen} />
      </StateBar>
      <ErrorAlert error={command.error} />
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, md: 3 }}>
          <Stack gap="xs">
            {offers.map((o, i) => (
              <OfferCard
                key={o.interactionId}
                item={o}
                queues={queues}
                deadline={offerDeadline(o, offerExpiry, offerTimeoutOf(o, queues, queryClient))}
                now={now}
                busy={command.isPending}
                first={i === 0}
                onAccept={() => accept(o.interactionId)}
                onDecline={() => run(() => agentApi.decline(o.interactionId))}
              />
            ))}
            <Paper withBorder radius="md" p="xs">
              <Group justify="space-between" mb={4}>
                <Title order={6}>{t('desktop.myWork')}</Title>
                <Badge variant="light" color="gray" data-testid="work-count">
                  {open.length}
                </Badge>
              </Group>
              <ScrollArea.Autosize mah="calc(100vh - 330px)">
                <Stack gap={4} data-testid="work-list">
                  {open.length === 0 && (
                    <Text size="sm" c="dimmed" py="sm" ta="center">
                      {agent.presence === 'logged_out' ? t('desktop.loggedOutHint') : t('desktop.noWork')}
                    </Text>
                  )}
                  {open.map((w) => (
                    <WorkListItem
                      key={w.interactionId}
                      item={w}
                      selected={w.interactionId === current}
                      unread={unread.get(w.interactionId) ?? 0}
                      now={now}
                      onSelect={() => setSelected(w.interactionId)}
                    />
                  ))}
                </Stack>
              </ScrollArea.Autosize>
            </Paper>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          {currentItem ? (
            <WorkView
              key={currentItem.interactionId}
              client={client}
              item={currentItem}
              agentName={me?.user?.displayName ?? ''}
              queues={queues}
              codes={codes}
              now={now}
              closing={closingOf === currentItem.interactionId}
              onClosing={(on) => setClosingOf(on ? currentItem.interactionId : null)}
              templatesOpen={templatesOpen}
              onTemplatesOpen={setTemplatesOpen}
              onTransfer={setTransferOf}
              onState={onState}
            />
          ) : (
            <Paper withBorder radius="md" p="xl">
              <Text c="dimmed" ta="center" data-testid="no-selection">
                {agent.presence === 'ready' ? t('desktop.waitingForWork') : t('desktop.nothingSelected')}
              </Text>
            </Paper>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 3 }}>
          {client && (
            <Softphone
              client={client}
              loggedIn={agent.presence !== 'logged_out'}
              ringing={voiceOffer !== undefined}
              callSince={voiceCall ? Date.parse(voiceCall.since) : null}
              now={now}
              onAnswer={() => voiceOffer && accept(voiceOffer.interactionId)}
              onHangUp={() => voiceCall && run(() => agentApi.end(voiceCall.interactionId))}
            />
          )}
          <Paper withBorder radius="md" p="sm" mt="sm">
            {current ? (
              currentInteraction.error ? (
                <ErrorAlert error={currentInteraction.error} />
              ) : (
                <CustomerPanel interaction={currentInteraction.data} />
              )
            ) : (
              <Text size="sm" c="dimmed">
                {t('desktop.customerPanelEmpty')}
              </Text>
            )}
          </Paper>
        </Grid.Col>
      </Grid>
      <TransferModal
        interactionId={transferOf?.id ?? null}
        queues={queueList}
        currentQueueId={transferOf?.queueId ?? null}
        onClose={() => setTransferOf(null)}
        onDone={onState}
      />
    </Stack>
  );
}

/** The queue's offer timeout for an offer whose interaction is already loaded (by the offer card). */
function offerTimeoutOf(
  item: WorkItem,
  queues: ReadonlyMap<string, { offerTimeoutSeconds: number }>,
  queryClient: ReturnType<typeof useQueryClient>,
): number | undefined {
  const ix = queryClient.getQueryData<Interaction>(interactionApi.key(item.interactionId));
  return ix?.queueId ? queues.get(ix.queueId)?.offerTimeoutSeconds : undefined;
}

function WorkListItem({
  item,
  selected,
  unread,
  now,
  onSelect,
}: {
  item: WorkItem;
  selected: boolean;
  unread: number;
  now: number;
  onSelect: () => void;
}) {
  const { t } = useTranslation();
  const interaction = useQuery({
    queryKey: interactionApi.key(item.interactionId),
    queryFn: () => interactionApi.get(item.interactionId),
  });
  const wrapLeft = item.wrapUpUntil ? Date.parse(item.wrapUpUntil) - now : null;
  return (
    <UnstyledButton
      onClick={onSelect}
      p="xs"
      bg={selected ? 'indigo.0' : undefined}
      style={{
        borderRadius: 8,
        border: `1px solid var(--mantine-color-${selected ? 'indigo-3' : 'gray-3'})`,
      }}
      data-testid="work-item"
      data-selected={selected}
    >
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={unread > 0 ? 700 : 500} lineClamp={1}>
          {customerNameOf(interaction.data) ?? t('desktop.unknownCustomer')}
        </Text>
        <Text size="xs" ff="monospace" c={item.phase === 'wrap_up' ? 'violet' : 'dimmed'}>
          {item.phase === 'wrap_up' && wrapLeft !== null
            ? formatCountdown(wrapLeft)
            : formatDuration(now - Date.parse(item.since))}
        </Text>
      </Group>
      <Group gap={4} mt={2}>
        <Badge size="xs" variant="light">
          {t(`channels.${item.channel}`)}
        </Badge>
        <Badge size="xs" variant="outline" color={item.phase === 'wrap_up' ? 'violet' : 'blue'}>
          {t(`desktop.phase.${item.phase}`)}
        </Badge>
        {unread > 0 && (
          <Badge
            size="sm"
            color="red"
            variant="filled"
            circle={unread < 10}
            title={t('desktop.unread', { n: unread })}
            data-testid="work-unread"
          >
            {unread}
          </Badge>
        )}
      </Group>
    </UnstyledButton>
  );
}
