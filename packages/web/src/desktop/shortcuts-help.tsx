import { Button, Group, Kbd, Popover, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { shortcuts } from './shortcuts';

/** The list of keyboard shortcuts (opened by its button or Alt+/). */
export function ShortcutsHelp({
  opened,
  onChange,
}: {
  opened: boolean;
  onChange: (opened: boolean) => void;
}) {
  const { t } = useTranslation();
  return (
    <Popover opened={opened} onChange={onChange} position="bottom-end" withArrow shadow="md">
      <Popover.Target>
        <Button size="xs" variant="subtle" onClick={() => onChange(!opened)} data-testid="shortcuts-button">
          {t('desktop.shortcutsTitle')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown data-testid="shortcuts-help">
        <Stack gap={6}>
          {shortcuts.map((s) => (
            <Group key={s.action} justify="space-between" gap="lg">
              <Text size="sm">{t(`desktop.shortcuts.${s.action}`)}</Text>
              <Group gap={4}>
                {s.keys.map((k) => (
                  <Kbd key={k}>{k}</Kbd>
                ))}
              </Group>
            </Group>
          ))}
          <Group justify="space-between" gap="lg">
            <Text size="sm">{t('desktop.shortcuts.slash')}</Text>
            <Kbd>/</Kbd>
          </Group>
          <Group justify="space-between" gap="lg">
            <Text size="sm">{t('desktop.shortcuts.send')}</Text>
            <Kbd>Enter</Kbd>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
