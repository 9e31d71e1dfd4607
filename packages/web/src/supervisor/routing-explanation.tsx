import { Badge, Group, Loader, Paper, Stack, Table, Text, Timeline } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../crud/error-alert';
import { type Reason, readDecision, readWaiting, reasonSummary } from './explanation';
import { supervisorApi } from './supervisor-api';

interface Names {
  agents: ReadonlyMap<string, string>;
  queues: ReadonlyMap<string, string>;
  skills: ReadonlyMap<string, string>;
}

const nameOr = (map: ReadonlyMap<string, string>, id: string) => map.get(id) ?? `${id.slice(0, 8)}…`;

export function reasonText(t: TFunction, reason: Reason, names: Names): string {
  switch (reason.code) {
    case 'missing_skill':
      return t('supervisor.reasons.missing_skill', {
        skill: nameOr(names.skills, reason.skillId),
        level: reason.level,
        required: reason.required,
      });
    case 'reserved_for_other_agent':
      return t('supervisor.reasons.reserved_for_other_agent', {
        agent: nameOr(names.agents, reason.agentId),
      });
    case 'not_ready':
      return reason.reason
        ? `${t('supervisor.reasons.not_ready')}: ${reason.reason}`
        : t('supervisor.reasons.not_ready');
    case 'other':
      return reason.raw;
    default:
      return t(`supervisor.reasons.${reason.code}`);
  }
}

/** Why an interaction went to whom (every decision), and why it is still waiting if it is. */
export function RoutingExplanation({ interactionId, names }: { interactionId: string; names: Names }) {
  const { t } = useTranslation();
  const query = useQuery({
    queryKey: supervisorApi.routingKey(interactionId),
    queryFn: () => supervisorApi.routing(interactionId),
    refetchInterval: 5_000,
  });
  if (query.error) return <ErrorAlert error={query.error} />;
  if (!query.data) return <Loader size="sm" />;
  const decisions = query.data.decisions.map(readDecision);
  const waiting = readWaiting(query.data.waiting);
  return (
    <Stack gap="sm" data-testid="routing-explanation">
      {waiting && (
        <Paper withBorder p="sm" bg="orange.0">
          <Text fw={700} size="sm">
            {t('supervisor.waitingWhy', {
              queue: nameOr(names.queues, waiting.queueId),
              stage: waiting.stage,
            })}
          </Text>
          <Group gap={4} my={4}>
            {reasonSummary(waiting.agents).map((r) => (
              <Badge key={r.code} variant="light" color="orange" tt="none">
                {t(`supervisor.reasonsShort.${r.code}`)}: {r.count}
              </Badge>
            ))}
            {waiting.agents.length === 0 && (
              <Text size="sm" c="dimmed">
                {t('supervisor.nobodyInPools')}
              </Text>
            )}
          </Group>
          <Table fz="xs" verticalSpacing={2}>
            <Table.Tbody>
              {waiting.agents.slice(0, 50).map((a) => (
                <Table.Tr key={`${a.agentId}:${a.queueId}`}>
                  <Table.Td>{nameOr(names.agents, a.agentId)}</Table.Td>
                  <Table.Td c="dimmed">{reasonText(t, a.reason, names)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {decisions.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('supervisor.noDecisions')}
        </Text>
      ) : (
        <Timeline bulletSize={14} lineWidth={2}>
          {decisions.map((d, i) => (
            <Timeline.Item
              // biome-ignore lint/suspicious/noArrayIndexKey: decisions are an append-only list in order
              key={i}
              title={`${new Date(d.at).toLocaleTimeString()} · ${t(`supervisor.triggers.${d.trigger}`, { defaultValue: d.trigger })}`}
            >
              <Text size="sm" data-testid="decision-chosen">
                {d.chosen.length === 0
                  ? t('supervisor.chosenNobody')
                  : t('supervisor.chosen', {
                      agents: d.chosen.map((id) => nameOr(names.agents, id)).join(', '),
                    })}
              </Text>
              {d.pools.map((p) => (
                <Text key={`${p.queueId}:${p.relaxLevelsBy}`} size="xs" c="dimmed">
                  {t('supervisor.pool', {
                    queue: nameOr(names.queues, p.queueId),
                    members: p.members,
                    available: p.available,
                    relax: p.relaxLevelsBy,
                  })}
                </Text>
              ))}
              {d.candidates.length > 0 && (
                <Text size="xs">
                  {t('supervisor.candidates')}:{' '}
                  {d.candidates
                    .map(
                      (c) =>
                        `${nameOr(names.agents, c.agentId)} (${t(`strategies.${c.strategy}` as 'strategies.random', { defaultValue: c.strategy })} ${c.primary})`,
                    )
                    .join(', ')}
                </Text>
              )}
              {d.skipped.map((s) => (
                <Text key={s.agentId} size="xs" c="red.8">
                  {nameOr(names.agents, s.agentId)}: {reasonText(t, s.reason, names)}
                </Text>
              ))}
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Stack>
  );
}
