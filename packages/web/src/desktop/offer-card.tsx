import type { Queue } from '@hotline/protocol/config';
import { Badge, Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { BotSummary, botOf } from './bot-summary';
import { interactionApi } from './desktop-api';
import { formatCountdown, type WorkItem } from './work-items';

interface OfferCardProps {
  item: WorkItem;
  queues: ReadonlyMap<string, Queue>;
  deadline: number | null;
  now: number;
  busy: boolean;
  first: boolean;
  onAccept: () => void;
  onDecline: () => void;
}

/** An incoming offer: channel, queue, who the customer is and what about, and the time left to accept. */
export function OfferCard({ item, queues, deadline, now, busy, first, onAccept, onDecline }: OfferCardProps) {
  const { t } = useTranslation();
  const interaction = useQuery({
    queryKey: interactionApi.key(item.interactionId),
    queryFn: () => interactionApi.get(item.interactionId),
  });
  const ix = interaction.data;
  const bot = botOf(ix?.data);
  // A callback (the caller hung up in the queue): accepting dials this number.
  const callback = callbackNumber(ix?.data);
  const queue = ix?.queueId ? queues.get(ix.queueId) : undefined;
  const total = queue ? queue.offerTimeoutSeconds * 1000 : null;
  // `now` ticks once a second, so it may lag the offer's start: never show more than the timeout.
  const left =
    deadline === null ? null : Math.max(0, Math.min(deadline - now, total ?? Number.POSITIVE_INFINITY));
  const name = ix
    ? ix.contact.name || ix.contact.email || ix.contact.phone || t('desktop.unknownCustomer')
    : '…';
  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      shadow="sm"
      style={{ borderColor: 'var(--mantine-color-orange-5)', borderWidth: 2 }}
      data-testid="offer-card"
    >
      <Stack gap={6}>
        <Group justify="space-between">
          <Group gap={6}>
            <Badge color="orange">{t('desktop.incoming')}</Badge>
            <Badge variant="light">{t(`channels.${item.channel}`)}</Badge>
            {callback && (
              <Badge color="grape" data-testid="offer-callback">
                {t('desktop.callbackTo', { number: callback })}
              </Badge>
            )}
          </Group>
          {left !== null && (
            <Text fw={700} c={left < 5_000 ? 'red' : undefined} data-testid="offer-countdown">
              {formatCountdown(left)}
            </Text>
          )}
        </Group>
        <Text fw={700} data-testid="offer-customer">
          {name}
        </Text>
        {ix?.subject && (
          <Text size="sm" lineClamp={2}>
            {ix.subject}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {queue ? t('desktop.viaQueue', { queue: queue.name }) : null}
          {ix?.data.topic ? ` · ${String(ix.data.topic)}` : ''}
        </Text>
        {bot && <BotSummary bot={bot} compact />}
        {left !== null && total && (
          <Progress value={(left / total) * 100} color={left < 5_000 ? 'red' : 'orange'} size="sm" />
        )}
        <Group grow>
          <Button
            color="green"
            onClick={onAccept}
            loading={busy}
            title={first ? 'Alt+A' : undefined}
            data-testid="offer-accept"
          >
            {t('desktop.accept')}
          </Button>
          <Button variant="default" onClick={onDecline} disabled={busy} data-testid="offer-decline">
            {t('desktop.decline')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function callbackNumber(data: Record<string, unknown> | undefined): string | null {
  const cb = data?.callback;
  if (typeof cb !== 'object' || cb === null) return null;
  const number = (cb as { number?: unknown }).number;
  return typeof number === 'string' ? number : null;
}
