import type { ReplyTemplate } from '@hotline/protocol/chat';
import {
  Badge,
  Center,
  Group,
  Loader,
  Modal,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../crud/error-alert';
import { templateApi } from './desktop-api';
import { fillTemplate } from './template-render';

interface TemplatePickerProps {
  opened: boolean;
  onClose: () => void;
  variables: Record<string, string | null>;
  onPick: (rendered: string) => void;
}

/** Search the agent's own and the shared reply templates; Enter takes the first match, ↑/↓ move. */
export function TemplatePicker({ opened, onClose, variables, onPick }: TemplatePickerProps) {
  const { t, i18n } = useTranslation();
  const [search, setSearch] = useState('');
  const [active, setActive] = useState(0);
  const templates = useQuery({ queryKey: templateApi.key, queryFn: templateApi.list, enabled: opened });
  useEffect(() => {
    if (opened) {
      setSearch('');
      setActive(0);
    }
  }, [opened]);

  const q = search.trim().toLowerCase();
  const language = i18n.resolvedLanguage ?? 'en';
  const list = (templates.data ?? [])
    .filter((tpl) => !q || tpl.name.toLowerCase().includes(q) || tpl.body.toLowerCase().includes(q))
    // Own templates first, then those in the interface language.
    .sort(
      (a, b) =>
        Number(a.shared) - Number(b.shared) ||
        Number(b.language === language) - Number(a.language === language) ||
        a.name.localeCompare(b.name),
    );
  const pick = (tpl: ReplyTemplate | undefined) => {
    if (tpl) onPick(fillTemplate(tpl.body, variables));
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={t('desktop.templates')}
      size="lg"
      data-testid="template-picker"
    >
      <Stack>
        <TextInput
          data-autofocus
          placeholder={t('desktop.templateSearch')}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              pick(list[active]);
            } else if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((i) => Math.min(i + 1, list.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((i) => Math.max(i - 1, 0));
            }
          }}
          data-testid="template-search"
        />
        {templates.error ? (
          <ErrorAlert error={templates.error} />
        ) : !templates.data ? (
          <Center py="md">
            <Loader size="sm" />
          </Center>
        ) : list.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t('desktop.noTemplates')}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={360}>
            <Stack gap={4}>
              {list.map((tpl, i) => (
                <UnstyledButton
                  key={tpl.id}
                  onClick={() => pick(tpl)}
                  onMouseEnter={() => setActive(i)}
                  p="xs"
                  bg={i === active ? 'indigo.0' : undefined}
                  style={{ borderRadius: 6 }}
                  data-testid="template-option"
                >
                  <Group gap="xs">
                    <Text fw={600} size="sm">
                      {tpl.name}
                    </Text>
                    <Badge size="xs" variant="light" color={tpl.shared ? 'teal' : 'gray'}>
                      {tpl.shared ? t('desktop.templateShared') : t('desktop.templatePersonal')}
                    </Badge>
                    {tpl.language && (
                      <Badge size="xs" variant="outline" color="gray">
                        {tpl.language.toUpperCase()}
                      </Badge>
                    )}
                  </Group>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {fillTemplate(tpl.body, variables)}
                  </Text>
                </UnstyledButton>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        )}
      </Stack>
    </Modal>
  );
}
