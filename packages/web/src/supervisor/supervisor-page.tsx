import type { AgentStateDto } from '@hotline/protocol/routing';
import { Button, Center, Group, Loader, Paper, Stack, Tabs, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { queues as queuesApi, skills as skillsApi, users } from '../api/resources';
import { useMe } from '../auth/session';
import { ErrorAlert } from '../crud/error-alert';
import { useAllItems } from '../crud/use-paged-list';
import { useNow } from '../desktop/use-agent';
import { ConnectionBadge } from '../realtime/connection-badge';
import {
  useConnectionStatus,
  useQueuesFrame,
  useRealtimeClient,
  useRoutingEvents,
} from '../realtime/use-realtime';
import { AgentGrid } from './agent-grid';
import { LiveChat } from './live-chat';
import { RoutingExplanation } from './routing-explanation';
import { supervisorApi } from './supervisor-api';
import { Wallboard } from './wallboard';
import { addSample, applyAgentEvent, type HistoryPoint } from './wallboard-model';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The supervisor's live view: the wallboard (per-queue figures from the live `queues` frames, charts),
 * the agent grid (kept current from agent events, refetched at most every 2 s), any interaction's
 * conversation and routing explanation.
 */
export function SupervisorPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const role = useMe().data?.role;
  const client = useRealtimeClient();
  const connection = useConnectionStatus(client);
  const frame = useQueuesFrame(client);
  const now = useNow(1000);
  const [tab, setTab] = useState<string | null>('wallboard');
  const [open, setOpen] = useState<string | null>(null);
  const [lookup, setLookup] = useState('');
  const [explained, setExplained] = useState<string | null>(null);

  const queuesQuery = useQuery({ queryKey: supervisorApi.queuesKey, queryFn: supervisorApi.queues });
  const agentsQuery = useQuery({
    queryKey: supervisorApi.agentsKey,
    queryFn: supervisorApi.agents,
    refetchInterval: 30_000,
  });
  const liveQueues = frame?.items ?? queuesQuery.data?.items ?? [];
  const agents = agentsQuery.data?.items ?? [];

  const userList = useAllItems(users.key, users.list);
  const queueList = useAllItems(queuesApi.key, queuesApi.list);
  const skillList = useAllItems(skillsApi.key, skillsApi.list);
  const names = useMemo(
    () => ({
      agents: new Map(userList.map((u) => [u.id, u.displayName])),
      queues: new Map(queueList.map((q) => [q.id, q.name])),
      skills: new Map(skillList.map((s) => [s.id, s.name])),
    }),
    [userList, queueList, skillList],
  );

  // The chart's history: one sample per frame (thinned), plus one from the first REST answer.
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  useEffect(() => {
    if (liveQueues.length > 0) setHistory((h) => addSample(h, liveQueues, Date.now()));
  }, [liveQueues]);

  // Agent events update the grid at once; work changes come with the next (throttled) fetch.
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useRoutingEvents(client, (f, replayed) => {
    if (replayed) return;
    const e = f.event;
    if (e.type === 'agent.state_changed') {
      queryClient.setQueryData<{ items: AgentStateDto[] }>(supervisorApi.agentsKey, (old) => {
        const next = old ? applyAgentEvent(old.items, e as Parameters<typeof applyAgentEvent>[1]) : null;
        return next ? { items: next } : old;
      });
    }
    if (!refetchTimer.current) {
      refetchTimer.current = setTimeout(() => {
        refetchTimer.current = null;
        void queryClient.invalidateQueries({ queryKey: supervisorApi.agentsKey });
      }, 2_000);
    }
  });
  useEffect(
    () => () => {
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
    },
    [],
  );

  const onAgentChanged = (state: AgentStateDto) =>
    queryClient.setQueryData<{ items: AgentStateDto[] }>(supervisorApi.agentsKey, (old) =>
      old ? { items: old.items.map((a) => (a.agentId === state.agentId ? state : a)) } : old,
    );

  return (
    <Stack gap="sm" data-testid="supervisor">
      <Group justify="space-between">
        <Title order={2} data-testid="page-title">
          {t('supervisor.title')}
        </Title>
        <ConnectionBadge status={connection} />
      </Group>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="wallboard" data-testid="tab-wallboard">
            {t('supervisor.tabs.wallboard')}
          </Tabs.Tab>
          <Tabs.Tab value="agents" data-testid="tab-agents">
            {t('supervisor.tabs.agents')}
          </Tabs.Tab>
          <Tabs.Tab value="routing" data-testid="tab-routing">
            {t('supervisor.tabs.routing')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="wallboard" pt="sm">
          {queuesQuery.error && !frame ? (
            <ErrorAlert error={queuesQuery.error} />
          ) : !queuesQuery.data && !frame ? (
            <Center py="xl">
              <Loader />
            </Center>
          ) : (
            <Wallboard queues={liveQueues} agents={agents} history={history} />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="agents" pt="sm">
          {agentsQuery.error ? (
            <ErrorAlert error={agentsQuery.error} />
          ) : !agentsQuery.data ? (
            <Center py="xl">
              <Loader />
            </Center>
          ) : (
            <AgentGrid
              agents={agents}
              names={names.agents}
              now={now}
              canControl={role !== 'agent'}
              onChanged={onAgentChanged}
              onOpen={setOpen}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="routing" pt="sm">
          <Paper withBorder radius="md" p="sm">
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (UUID.test(lookup.trim())) setExplained(lookup.trim());
              }}
            >
              <Group align="flex-end">
                <TextInput
                  label={t('supervisor.interactionId')}
                  placeholder="00000000-0000-0000-0000-000000000000"
                  value={lookup}
                  onChange={(e) => setLookup(e.currentTarget.value)}
                  error={lookup.trim() && !UUID.test(lookup.trim()) ? t('supervisor.badId') : undefined}
                  style={{ flex: 1 }}
                  data-testid="routing-lookup"
                />
                <Button type="submit" data-testid="routing-show">
                  {t('supervisor.explain')}
                </Button>
                {explained && (
                  <Button variant="light" onClick={() => setOpen(explained)}>
                    {t('supervisor.openInteraction')}
                  </Button>
                )}
              </Group>
            </form>
            {explained && (
              <Stack mt="md">
                <RoutingExplanation interactionId={explained} names={names} />
              </Stack>
            )}
          </Paper>
        </Tabs.Panel>
      </Tabs>
      <LiveChat client={client} interactionId={open} names={names} now={now} onClose={() => setOpen(null)} />
    </Stack>
  );
}
