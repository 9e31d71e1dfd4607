import type { NotReadyReason } from '@hotline/protocol/config';
import { Badge, Button, Group, Menu, Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentState } from './desktop-api';
import { formatDuration } from './work-items';

export const statusColor: Record<AgentState['status'], string> = {
  logged_out: 'gray',
  ready: 'green',
  not_ready: 'red',
  reserved: 'orange',
  busy: 'blue',
  wrap_up: 'violet',
};

interface StateBarProps {
  state: AgentState;
  reasons: readonly NotReadyReason[];
  now: number;
  busy: boolean;
  onLogin: () => void;
  onReady: () => void;
  onNotReady: (reasonId?: string) => void;
  onLogout: () => void;
  children?: ReactNode;
}

/** The agent's routing state, how long they have been in it, and the buttons to change it. */
export function StateBar({
  state,
  reasons,
  now,
  busy,
  onLogin,
  onReady,
  onNotReady,
  onLogout,
  children,
}: StateBarProps) {
  const { t } = useTranslation();
  const loggedIn = state.presence !== 'logged_out';
  return (
    <Paper withBorder p="xs" radius="md" data-testid="state-bar">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="sm">
          <Badge size="lg" color={statusColor[state.status]} data-testid="agent-status">
            {t(`desktop.status.${state.status}`)}
          </Badge>
          {state.presence === 'not_ready' && state.reason && (
            <Text size="sm" c="dimmed" data-testid="agent-reason">
              {state.reason === 'missed'
                ? t('desktop.missedReason')
                : state.reason === 'supervisor'
                  ? t('desktop.supervisorReason')
                  : state.reason}
            </Text>
          )}
          <Text size="sm" ff="monospace" data-testid="agent-time-in-state">
            {formatDuration(now - Date.parse(state.since))}
          </Text>
          <Text size="sm" c="dimmed">
            {t('desktop.handledToday', { n: state.handledToday })}
          </Text>
          {state.capacity.chat.max > 0 && (
            <Text size="sm" c="dimmed" data-testid="agent-chat-capacity">
              {t('desktop.chatCapacity', state.capacity.chat)}
            </Text>
          )}
        </Group>
        <Group gap="xs">
          {!loggedIn ? (
            <Button size="xs" onClick={onLogin} loading={busy} data-testid="agent-login">
              {t('desktop.login')}
            </Button>
          ) : (
            <>
              <Button
                size="xs"
                color="green"
                variant={state.presence === 'ready' ? 'filled' : 'light'}
                onClick={onReady}
                disabled={busy || state.presence === 'ready'}
                data-testid="agent-ready"
              >
                {t('desktop.ready')}
              </Button>
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <Button
                    size="xs"
                    color="red"
                    variant={state.presence === 'not_ready' ? 'filled' : 'light'}
                    disabled={busy}
                    data-testid="agent-not-ready"
                  >
                    {t('desktop.notReady')} ▾
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => onNotReady()} data-testid="reason-none">
                    {t('desktop.noReason')}
                  </Menu.Item>
                  {reasons.map((r) => (
                    <Menu.Item key={r.id} onClick={() => onNotReady(r.id)} data-testid="reason-option">
                      {r.name}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
              <Button
                size="xs"
                variant="default"
                onClick={onLogout}
                disabled={busy}
                data-testid="agent-logout"
              >
                {t('desktop.logoutRouting')}
              </Button>
            </>
          )}
          {children}
        </Group>
      </Group>
    </Paper>
  );
}
