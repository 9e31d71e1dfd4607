import type { AgentStateDto, QueueLive } from '@hotline/protocol/routing';
import { Grid, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration } from '../desktop/work-items';
import { type ChartOption, EChart } from './echart';
import { type AgentBucket, agentCounts, type HistoryPoint, totals } from './wallboard-model';

const bucketColors: Record<AgentBucket, string> = {
  ready: '#40c057',
  busy: '#228be6',
  wrap_up: '#7950f2',
  not_ready: '#fa5252',
  logged_out: '#adb5bd',
};

const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);

/** Live per-queue figures, totals and three charts; redrawn from every `queues` frame. */
export function Wallboard({
  queues,
  agents,
  history,
}: {
  queues: readonly QueueLive[];
  agents: readonly AgentStateDto[];
  history: readonly HistoryPoint[];
}) {
  const { t } = useTranslation();
  const sum = totals(queues);
  const counts = useMemo(() => agentCounts(agents), [agents]);

  const waitingOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 36, right: 12, top: 32, bottom: 24 },
      // A fixed 15-minute window ending now, so the axis does not jump while history builds up.
      xAxis: { type: 'time', min: (history.at(-1)?.at ?? 0) - 15 * 60_000, max: history.at(-1)?.at ?? 0 },
      yAxis: { type: 'value', minInterval: 1 },
      series: queues.map((q) => ({
        name: q.name,
        type: 'line',
        step: 'end',
        showSymbol: false,
        data: history.map((p) => [p.at, p.waiting[q.queueId] ?? 0]),
      })),
    }),
    [queues, history],
  );
  const todayOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 36, right: 12, top: 32, bottom: 24 },
      xAxis: { type: 'category', data: queues.map((q) => q.name) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t('supervisor.answered'),
          type: 'bar',
          stack: 'handled',
          color: '#40c057',
          data: queues.map((q) => q.answeredToday),
        },
        {
          name: t('supervisor.abandoned'),
          type: 'bar',
          stack: 'handled',
          color: '#fa5252',
          data: queues.map((q) => q.abandonedToday),
        },
        {
          name: t('supervisor.offered'),
          type: 'bar',
          color: '#adb5bd',
          data: queues.map((q) => q.offeredToday),
        },
      ],
    }),
    [queues, t],
  );
  const agentsOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['45%', '70%'],
          center: ['50%', '42%'],
          label: { show: false },
          data: (Object.keys(bucketColors) as AgentBucket[])
            .filter((b) => b !== 'logged_out')
            .map((b) => ({
              name: t(`supervisor.buckets.${b}`),
              value: counts[b],
              itemStyle: { color: bucketColors[b] },
            })),
        },
      ],
    }),
    [counts, t],
  );

  return (
    <Stack gap="md" data-testid="wallboard">
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Stat
          label={t('supervisor.waiting')}
          value={String(sum.waiting)}
          color={sum.waiting > 0 ? 'orange' : undefined}
          testId="stat-waiting"
        />
        <Stat label={t('supervisor.longestWait')} value={formatDuration(sum.longestWaitSeconds * 1000)} />
        <Stat label={t('supervisor.serviceLevel')} value={percent(sum.serviceLevel)} />
        <Stat label={t('supervisor.offered')} value={String(sum.offered)} testId="stat-offered" />
        <Stat label={t('supervisor.answered')} value={String(sum.answered)} testId="stat-answered" />
        <Stat label={t('supervisor.abandoned')} value={String(sum.abandoned)} />
        <Stat
          label={t('supervisor.buckets.ready')}
          value={String(counts.ready)}
          color="green"
          testId="stat-ready"
        />
        <Stat
          label={t('supervisor.busyNotReady')}
          value={`${counts.busy + counts.wrap_up} / ${counts.not_ready}`}
        />
      </SimpleGrid>
      <Paper withBorder radius="md" p="sm">
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing={6} data-testid="wallboard-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('supervisor.queue')}</Table.Th>
                <Table.Th ta="right">{t('supervisor.waiting')}</Table.Th>
                <Table.Th ta="right">{t('supervisor.longestWait')}</Table.Th>
                <Table.Th ta="right">{t('supervisor.serviceLevel')}</Table.Th>
                <Table.Th ta="right">{t('supervisor.offered')}</Table.Th>
                <Table.Th ta="right">{t('supervisor.answered')}</Table.Th>
                <Table.Th ta="right">{t('supervisor.abandoned')}</Table.Th>
                <Table.Th ta="right">{t('supervisor.agentsReady')}</Table.Th>
                <Table.Th ta="right">{t('supervisor.ewt')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {queues.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={9}>
                    <Text c="dimmed" ta="center">
                      {t('supervisor.noQueues')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {queues.map((q) => (
                <Table.Tr key={q.queueId} data-testid="wallboard-row" data-queue={q.name}>
                  <Table.Td fw={600}>{q.name}</Table.Td>
                  <Table.Td
                    ta="right"
                    fw={q.waiting > 0 ? 700 : undefined}
                    c={q.waiting > 0 ? 'orange.8' : undefined}
                  >
                    {q.waiting}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace">
                    {formatDuration(q.longestWaitSeconds * 1000)}
                  </Table.Td>
                  <Table.Td ta="right">{percent(q.serviceLevel)}</Table.Td>
                  <Table.Td ta="right" data-testid="queue-offered">
                    {q.offeredToday}
                  </Table.Td>
                  <Table.Td ta="right" data-testid="queue-answered">
                    {q.answeredToday}
                  </Table.Td>
                  <Table.Td ta="right" data-testid="queue-abandoned">
                    {q.abandonedToday}
                  </Table.Td>
                  <Table.Td ta="right">
                    {t('supervisor.readyOfLoggedIn', { ready: q.ready, loggedIn: q.loggedIn })}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace">
                    {q.ewtSeconds === null ? '—' : formatDuration(q.ewtSeconds * 1000)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <ChartCard title={t('supervisor.waitingOverTime')}>
            <EChart option={waitingOption} height={240} testId="chart-waiting" />
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <ChartCard title={t('supervisor.today')}>
            <EChart option={todayOption} height={240} testId="chart-today" />
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 3 }}>
          <ChartCard title={t('supervisor.agentStates')}>
            <EChart option={agentsOption} height={240} testId="chart-agents" />
          </ChartCard>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Stat({
  label,
  value,
  color,
  testId,
}: {
  label: string;
  value: string;
  color?: string;
  testId?: string;
}) {
  return (
    <Paper withBorder radius="md" p="xs">
      <Text size="xs" c="dimmed" lineClamp={1}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

function ChartCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Group mb={4}>
        <Title order={6}>{title}</Title>
      </Group>
      {children}
    </Paper>
  );
}
