import type { AgentStateDto } from '@hotline/protocol/routing';
import { Badge, Button, Group, Paper, Table, Text, UnstyledButton } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../crud/error-alert';
import { statusColor } from '../desktop/state-bar';
import { formatDuration } from '../desktop/work-items';
import { supervisorApi } from './supervisor-api';

interface AgentGridProps {
  agents: readonly AgentStateDto[];
  names: ReadonlyMap<string, string>;
  now: number;
  canControl: boolean;
  onChanged: (state: AgentStateDto) => void;
  onOpen: (interactionId: string) => void;
}

/** Every agent: state and time in it, current work (a click opens it), handled today, and the controls. */
export function AgentGrid({ agents, names, now, canControl, onChanged, onOpen }: AgentGridProps) {
  const { t } = useTranslation();
  const force = useMutation({
    mutationFn: ({ id, state }: { id: string; state: 'not_ready' | 'logged_out' }) =>
      supervisorApi.forceState(id, state),
    onSuccess: onChanged,
  });
  const sorted = [...agents].sort(
    (a, b) =>
      Number(a.presence === 'logged_out') - Number(b.presence === 'logged_out') ||
      (names.get(a.agentId) ?? '').localeCompare(names.get(b.agentId) ?? ''),
  );
  return (
    <Paper withBorder radius="md" p="sm" data-testid="agent-grid">
      <ErrorAlert error={force.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('supervisor.agent')}</Table.Th>
              <Table.Th>{t('supervisor.state')}</Table.Th>
              <Table.Th>{t('supervisor.timeInState')}</Table.Th>
              <Table.Th>{t('supervisor.currentWork')}</Table.Th>
              <Table.Th ta="right">{t('supervisor.handledToday')}</Table.Th>
              {canControl && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sorted.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={6}>
                  <Text c="dimmed" ta="center">
                    {t('supervisor.noAgents')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {sorted.map((a) => (
              <Table.Tr
                key={a.agentId}
                data-testid="agent-row"
                data-agent={names.get(a.agentId) ?? a.agentId}
              >
                <Table.Td fw={600}>{names.get(a.agentId) ?? `${a.agentId.slice(0, 8)}…`}</Table.Td>
                <Table.Td>
                  <Group gap={6}>
                    <Badge color={statusColor[a.status]} data-testid="agent-row-status">
                      {t(`desktop.status.${a.status}`)}
                    </Badge>
                    {a.presence === 'not_ready' && a.reason && (
                      <Text size="xs" c="dimmed">
                        {a.reason === 'missed'
                          ? t('desktop.missedReason')
                          : a.reason === 'supervisor'
                            ? t('desktop.supervisorReason')
                            : a.reason}
                      </Text>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td ff="monospace">{formatDuration(now - Date.parse(a.since))}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {a.work.length === 0 && (
                      <Text size="xs" c="dimmed">
                        —
                      </Text>
                    )}
                    {a.work.map((w) => (
                      <UnstyledButton
                        key={w.interactionId}
                        onClick={() => onOpen(w.interactionId)}
                        data-testid="agent-work"
                      >
                        <Badge
                          variant="light"
                          color={
                            w.phase === 'connected' ? 'blue' : w.phase === 'wrap_up' ? 'violet' : 'orange'
                          }
                          tt="none"
                        >
                          {t(`channels.${w.channel}`)} · {t(`desktop.phase.${w.phase}`)} ·{' '}
                          {formatDuration(now - Date.parse(w.since))}
                        </Badge>
                      </UnstyledButton>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td ta="right" data-testid="agent-row-handled">
                  {a.handledToday}
                </Table.Td>
                {canControl && (
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-xs"
                        variant="light"
                        color="red"
                        disabled={a.presence !== 'ready' || force.isPending}
                        onClick={() => force.mutate({ id: a.agentId, state: 'not_ready' })}
                        data-testid="force-not-ready"
                      >
                        {t('supervisor.forceNotReady')}
                      </Button>
                      <Button
                        size="compact-xs"
                        variant="default"
                        disabled={a.presence === 'logged_out' || force.isPending}
                        onClick={() => force.mutate({ id: a.agentId, state: 'logged_out' })}
                        data-testid="force-logout"
                      >
                        {t('supervisor.forceLogout')}
                      </Button>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
