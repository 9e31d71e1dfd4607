import { Badge, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ConnectionStatus } from './realtime-client';

const color: Record<ConnectionStatus, string> = {
  idle: 'gray',
  connecting: 'yellow',
  replaying: 'yellow',
  live: 'green',
  reconnecting: 'orange',
  ended: 'red',
};

/** The realtime socket's state, so an agent knows when the view may be stale. */
export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const { t } = useTranslation();
  return (
    <Tooltip label={t(`desktop.connectionHint.${status}`)}>
      <Badge variant="dot" color={color[status]} data-testid="connection-status" data-status={status}>
        {t(`desktop.connection.${status}`)}
      </Badge>
    </Tooltip>
  );
}
