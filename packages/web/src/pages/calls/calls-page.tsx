import { type CallOutcome, type CallRecord, callOutcomes } from '@hotline/protocol/calls';
import {
  Anchor,
  Badge,
  Button,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { queues, users } from '../../api/resources';
import { DataTable } from '../../crud/data-table';
import { formatDateTime } from '../../crud/format';
import { PageHeader } from '../../crud/page-header';
import { useAllItems, usePagedList } from '../../crud/use-paged-list';
import { type CallFilter, callsApi, emptyCallFilter, formatDuration } from './calls-api';

const outcomeColor: Record<CallOutcome, string> = {
  in_progress: 'blue',
  answered: 'green',
  self_service: 'teal',
  abandoned: 'red',
  overflow: 'orange',
  transferred: 'violet',
  callback_requested: 'grape',
  voicemail: 'cyan',
};

/**
 * Call detail records: every phone call of the tenant, newest first, with filters; a row opens the
 * call's facts and its recording (played in the page, or downloaded — the server logs each access).
 */
export function CallsPage() {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<CallFilter>(emptyCallFilter);
  const [debounced] = useDebouncedValue(filter, 300);
  const { page, setPage, query } = usePagedList([...callsApi.key, debounced], (request) =>
    callsApi.list(request, debounced),
  );
  const [open, setOpen] = useState<string | null>(null);
  const queueOptions = useAllItems(queues.key, queues.list).map((q) => ({ value: q.id, label: q.name }));
  const agentOptions = useAllItems(users.key, users.list).map((u) => ({ value: u.id, label: u.displayName }));
  const change = (patch: Partial<CallFilter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPage(1);
  };

  return (
    <>
      <PageHeader title={t('calls.title')} />
      <Group mb="md" align="flex-end" wrap="wrap">
        <TextInput
          type="date"
          label={t('calls.fromDate')}
          value={filter.fromDate}
          onChange={(e) => change({ fromDate: e.currentTarget.value })}
          data-testid="calls-from"
        />
        <TextInput
          type="date"
          label={t('calls.toDate')}
          value={filter.toDate}
          onChange={(e) => change({ toDate: e.currentTarget.value })}
          data-testid="calls-to"
        />
        <TextInput
          label={t('calls.number')}
          placeholder="+7 900…"
          value={filter.number}
          onChange={(e) => change({ number: e.currentTarget.value.replace(/[^+0-9 ()-]/g, '') })}
          data-testid="calls-number"
        />
        <Select
          label={t('calls.queue')}
          data={queueOptions}
          value={filter.queueId}
          onChange={(queueId) => change({ queueId })}
          clearable
          searchable
        />
        <Select
          label={t('calls.agent')}
          data={agentOptions}
          value={filter.agentId}
          onChange={(agentId) => change({ agentId })}
          clearable
          searchable
        />
        <Select
          label={t('calls.outcome')}
          data={callOutcomes.map((o) => ({ value: o, label: t(`calls.outcomes.${o}`) }))}
          value={filter.outcome}
          onChange={(outcome) => change({ outcome: outcome as CallOutcome | null })}
          clearable
          data-testid="calls-outcome"
        />
      </Group>
      <DataTable
        testId="calls"
        data={query.data}
        error={query.error}
        page={page}
        onPage={setPage}
        columns={[
          {
            key: 'arrivedAt',
            header: t('calls.arrivedAt'),
            render: (c: CallRecord) => formatDateTime(c.arrivedAt, i18n.language),
          },
          { key: 'from', header: t('calls.from'), render: (c: CallRecord) => c.fromNumber },
          { key: 'did', header: t('calls.did'), render: (c: CallRecord) => c.did },
          { key: 'queue', header: t('calls.queue'), render: (c: CallRecord) => c.queueName ?? '' },
          { key: 'agent', header: t('calls.agent'), render: agentsOf },
          {
            key: 'outcome',
            header: t('calls.outcome'),
            render: (c: CallRecord) => (
              <Badge variant="light" color={outcomeColor[c.outcome]}>
                {t(`calls.outcomes.${c.outcome}`)}
              </Badge>
            ),
          },
          {
            key: 'wait',
            header: t('calls.wait'),
            render: (c: CallRecord) => formatDuration(c.durations.waitSec),
          },
          {
            key: 'talk',
            header: t('calls.talk'),
            render: (c: CallRecord) => formatDuration(c.durations.talkSec),
          },
        ]}
        actions={(c) => (
          <Button
            size="xs"
            variant="subtle"
            onClick={() => setOpen(open === c.id ? null : c.id)}
            data-testid="call-toggle"
          >
            {open === c.id ? t('calls.hide') : t('calls.details')}
          </Button>
        )}
        expanded={(c) => (open === c.id ? <CallDetails call={c} /> : null)}
      />
    </>
  );
}

/** Who had the call: the agent who answered, then each one it was transferred to. */
const agentsOf = (c: CallRecord): string =>
  c.agents.length > 0 ? c.agents.map((leg) => leg.agentName ?? '?').join(' → ') : (c.agentName ?? '');

/** The call's agents in order: the queue each took it from, when, for how long, and how it left them. */
function AgentLegs({ call }: { call: CallRecord }) {
  const { t, i18n } = useTranslation();
  return (
    <Table withTableBorder fz="sm" data-testid="call-agents">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('calls.agent')}</Table.Th>
          <Table.Th>{t('calls.queue')}</Table.Th>
          <Table.Th>{t('calls.connectedAt')}</Table.Th>
          <Table.Th>{t('calls.talk')}</Table.Th>
          <Table.Th>{t('calls.legEnd')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {call.agents.map((leg) => (
          <Table.Tr key={`${leg.agentId}-${leg.connectedAt}`}>
            <Table.Td>{leg.agentName ?? '—'}</Table.Td>
            <Table.Td>{leg.queueName ?? '—'}</Table.Td>
            <Table.Td>{formatDateTime(leg.connectedAt, i18n.language)}</Table.Td>
            <Table.Td>{formatDuration(leg.talkSec) || '—'}</Table.Td>
            <Table.Td>
              {leg.endReason ? t(`calls.legEndReasons.${leg.endReason}`) : t('calls.onCall')}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function CallDetails({ call }: { call: CallRecord }) {
  const { t, i18n } = useTranslation();
  const time = (iso: string | null) => (iso ? formatDateTime(iso, i18n.language) : '—');
  const facts: [string, string][] = [
    [t('calls.to'), call.toNumber],
    [t('calls.trunk'), call.trunkName ?? '—'],
    [t('calls.answeredAt'), time(call.answeredAt)],
    [t('calls.queuedAt'), time(call.queuedAt)],
    [t('calls.agentAnsweredAt'), time(call.agentAnsweredAt)],
    [t('calls.endedAt'), time(call.endedAt)],
    [t('calls.flow'), formatDuration(call.durations.flowSec) || '—'],
    [t('calls.total'), formatDuration(call.durations.totalSec) || '—'],
    [t('calls.disposition'), call.disposition?.label ?? '—'],
    [
      t('calls.hangup'),
      call.hangupSide ? `${t(`calls.sides.${call.hangupSide}`)} (${call.hangupCause ?? ''})` : '—',
    ],
    [t('calls.codec'), call.codec ?? '—'],
    ...(call.transferredTo === null
      ? []
      : [
          [t('calls.transferredTo'), `${call.transferredTo} (${time(call.transferredAt)})`] as [
            string,
            string,
          ],
        ]),
  ];
  return (
    <Stack gap="sm" data-testid="call-details">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="xs">
        {facts.map(([label, value]) => (
          <Stack gap={0} key={label}>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text size="sm">{value}</Text>
          </Stack>
        ))}
      </SimpleGrid>
      {call.agents.length > 0 && <AgentLegs call={call} />}
      {call.hasRecording ? (
        <Group>
          {/* biome-ignore lint/a11y/useMediaCaption: a phone call recording has no caption track */}
          <audio controls preload="none" src={callsApi.recordingUrl(call.id)} data-testid="call-recording" />
          <Anchor href={callsApi.recordingUrl(call.id, true)} size="sm">
            {t('calls.download')}
          </Anchor>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t('calls.noRecording')}
        </Text>
      )}
    </Stack>
  );
}
