import type { MeResponse } from '@hotline/protocol/auth';
import { Badge, Burger, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from './language-switch';

interface HeaderProps {
  me: MeResponse;
  navOpened: boolean;
  onToggleNav: () => void;
  onLogout: () => void;
}

export function Header({ me, navOpened, onToggleNav, onLogout }: HeaderProps) {
  const { t } = useTranslation();
  const name = me.user?.displayName ?? t('header.apiKey');
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        <Burger
          opened={navOpened}
          onClick={onToggleNav}
          hiddenFrom="sm"
          size="sm"
          aria-label={t('header.menu')}
        />
        <Title order={3} c="indigo.7" data-testid="product-name">
          {t('app.name')}
        </Title>
        <Badge variant="outline" color="gray" size="lg" tt="none" visibleFrom="xs" data-testid="tenant-name">
          {me.tenant.name}
        </Badge>
      </Group>
      <Group gap="md" wrap="nowrap">
        <Stack gap={0} align="flex-end" visibleFrom="sm">
          <Text size="sm" fw={600} data-testid="user-name">
            {name}
          </Text>
          <Text size="xs" c="dimmed" data-testid="user-role">
            {t(`roles.${me.role}`)}
          </Text>
        </Stack>
        <LanguageSwitch />
        <Button variant="default" size="xs" onClick={onLogout} data-testid="logout-button">
          {t('header.logout')}
        </Button>
      </Group>
    </Group>
  );
}
