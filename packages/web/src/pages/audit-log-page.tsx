import type { AuditEntry } from '@hotline/protocol/config';
import { Badge, Button, Code, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { auditLog, users } from '../api/resources';
import { DataTable } from '../crud/data-table';
import { formatDateTime } from '../crud/format';
import { PageHeader } from '../crud/page-header';
import { useAllItems, usePagedList } from '../crud/use-paged-list';

const actionColor = { create: 'green', update: 'blue', delete: 'red', access: 'gray' } as const;

/** Who changed which configuration and how; read-only, newest first as the server orders it. */
export function AuditLogPage() {
  const { t, i18n } = useTranslation();
  const [entityType, setEntityType] = useState('');
  const [entityId, setEntityId] = useState('');
  const [filter] = useDebouncedValue({ entityType: entityType.trim(), entityId: entityId.trim() }, 300);
  const { page, setPage, query } = usePagedList([...auditLog.key, filter], (request) =>
    auditLog.list(request, filter),
  );
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const userNames = new Map(useAllItems(users.key, users.list).map((user) => [user.id, user.displayName]));

  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const actor = (entry: AuditEntry) => {
    const who = entry.actorId ? (userNames.get(entry.actorId) ?? entry.actorId) : '';
    return `${t(`audit.actorTypes.${entry.actorType}`)}${who ? `: ${who}` : ''}`;
  };

  return (
    <>
      <PageHeader title={t('audit.title')} />
      <Group mb="md" align="flex-end">
        <TextInput
          label={t('audit.entityType')}
          placeholder={t('audit.entityTypePlaceholder')}
          value={entityType}
          onChange={(event) => {
            setEntityType(event.currentTarget.value);
            setPage(1);
          }}
          data-testid="filter-entity-type"
        />
        <TextInput
          w={340}
          label={t('audit.entityId')}
          value={entityId}
          onChange={(event) => {
            setEntityId(event.currentTarget.value);
            setPage(1);
          }}
          data-testid="filter-entity-id"
        />
      </Group>
      <DataTable
        testId="audit"
        data={query.data}
        error={query.error}
        page={page}
        onPage={setPage}
        columns={[
          {
            key: 'at',
            header: t('audit.at'),
            render: (entry: AuditEntry) => formatDateTime(entry.at, i18n.language),
          },
          { key: 'actor', header: t('audit.actor'), render: actor },
          {
            key: 'action',
            header: t('audit.action'),
            render: (entry: AuditEntry) => (
              <Badge variant="light" color={actionColor[entry.action]}>
                {t(`audit.actions.${entry.action}`)}
              </Badge>
            ),
          },
          {
            key: 'entityType',
            header: t('audit.entityType'),
            render: (entry: AuditEntry) => entry.entityType,
          },
          {
            key: 'entityId',
            header: t('audit.entityId'),
            render: (entry: AuditEntry) => <Code>{entry.entityId}</Code>,
          },
        ]}
        actions={(entry) => (
          <Button size="xs" variant="subtle" onClick={() => toggle(entry.id)} data-testid="audit-toggle">
            {open.has(entry.id) ? t('audit.hide') : t('audit.show')}
          </Button>
        )}
        expanded={(entry) => (open.has(entry.id) ? <ChangeView entry={entry} /> : null)}
      />
    </>
  );
}

function ChangeView({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={2} data-testid="audit-change">
      <JsonBlock label={t('audit.before')} value={entry.before} />
      <JsonBlock label={t('audit.after')} value={entry.after} />
    </SimpleGrid>
  );
}

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4} miw={0}>
      <Text size="xs" fw={600} c="dimmed" tt="uppercase">
        {label}
      </Text>
      {value === null || value === undefined ? (
        <Text size="sm" c="dimmed">
          {t('audit.nothing')}
        </Text>
      ) : (
        <Code block style={{ maxHeight: 320, overflow: 'auto' }}>
          {JSON.stringify(value, null, 2)}
        </Code>
      )}
    </Stack>
  );
}
