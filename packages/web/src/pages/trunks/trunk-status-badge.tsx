import type { TrunkStatus } from '@hotline/protocol/trunks';
import { Badge, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const colors: Record<TrunkStatus['state'], string> = {
  up: 'green',
  down: 'red',
  unknown: 'gray',
  disabled: 'dark',
};

/** The trunk's live state; the tooltip says since when, the last SIP status and why it is down. */
export function TrunkStatusBadge({ status }: { status: TrunkStatus }) {
  const { t, i18n } = useTranslation();
  const lines = [
    status.since
      ? t('trunks.since', { time: new Date(status.since).toLocaleString(i18n.language) })
      : t('trunks.noChangeYet'),
    ...(status.lastCode === null ? [] : [t('trunks.lastCode', { code: status.lastCode })]),
    ...(status.detail === null ? [] : [status.detail]),
    t(`trunks.registration.${status.registration}`),
  ];
  return (
    <Tooltip label={lines.join(' · ')} withArrow>
      <Badge
        color={colors[status.state]}
        variant="light"
        data-testid="trunk-status"
        data-state={status.state}
      >
        {t(`trunks.states.${status.state}`)}
      </Badge>
    </Tooltip>
  );
}
