import { Badge, Group, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function PageHeader(props: { title: string; readOnly?: boolean; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Group justify="space-between" mb="md">
      <Group gap="sm">
        <Title order={2} data-testid="page-title">
          {props.title}
        </Title>
        {props.readOnly && (
          <Badge variant="light" color="gray" data-testid="read-only">
            {t('common.readOnly')}
          </Badge>
        )}
      </Group>
      <Group gap="sm">{props.children}</Group>
    </Group>
  );
}
