import type { Role } from '@hotline/protocol/common';
import type { ApiKey } from '@hotline/protocol/config';
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiKeys } from '../api/resources';
import { ConfirmModal } from '../crud/confirm-modal';
import { DataTable } from '../crud/data-table';
import { type EntityFormProps, EntityModal } from '../crud/entity-modal';
import { formatDateTime } from '../crud/format';
import { NameField } from '../crud/name-field';
import { PageHeader } from '../crud/page-header';
import { RoleSelect } from '../crud/role-select';
import { usePagedList } from '../crud/use-paged-list';

interface KeyForm {
  name: string;
  role: Role;
}

function KeyFormFields({ value, onChange }: EntityFormProps<KeyForm>) {
  const { t } = useTranslation();
  return (
    <>
      <NameField value={value.name} onChange={(name) => onChange({ name })} autoFocus />
      <RoleSelect
        label={t('apiKeys.role')}
        description={t('apiKeys.roleHint')}
        required
        value={value.role}
        onChange={(role) => onChange({ role })}
        data-testid="field-role"
      />
    </>
  );
}

/** API keys: created with a name and a role, revealed once, then only revocable. */
export function ApiKeysPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const { page, setPage, query } = usePagedList(apiKeys.key, apiKeys.list);
  const [form, setForm] = useState<KeyForm>({ name: '', role: 'admin' });
  const [formOpened, setFormOpened] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await apiKeys.create({ name: form.name.trim(), role: form.role });
      setFormOpened(false);
      setSecret(created.secret);
      await client.invalidateQueries({ queryKey: apiKeys.key });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('apiKeys.title')}>
        <Button
          onClick={() => {
            setError(null);
            setForm({ name: '', role: 'admin' });
            setFormOpened(true);
          }}
          data-testid="create-button"
        >
          {t('apiKeys.create')}
        </Button>
      </PageHeader>
      <DataTable
        testId="api-keys"
        data={query.data}
        error={query.error}
        page={page}
        onPage={setPage}
        columns={[
          { key: 'name', header: t('fields.name'), render: (key: ApiKey) => key.name },
          {
            key: 'role',
            header: t('apiKeys.role'),
            render: (key: ApiKey) => <Badge variant="light">{t(`roles.${key.role}`)}</Badge>,
          },
          { key: 'prefix', header: t('apiKeys.prefix'), render: (key: ApiKey) => <Code>{key.prefix}…</Code> },
          {
            key: 'created',
            header: t('apiKeys.createdAt'),
            render: (key: ApiKey) => formatDateTime(key.createdAt, i18n.language),
          },
          {
            key: 'used',
            header: t('apiKeys.lastUsedAt'),
            render: (key: ApiKey) => formatDateTime(key.lastUsedAt, i18n.language) || t('apiKeys.neverUsed'),
          },
        ]}
        actions={(key) => (
          <Button
            size="xs"
            variant="light"
            color="red"
            onClick={() => setRevoking(key)}
            data-testid="revoke-button"
          >
            {t('apiKeys.revoke')}
          </Button>
        )}
      />
      <EntityModal
        title={t('apiKeys.create')}
        opened={formOpened}
        mode="create"
        value={form}
        onChange={(patch) => setForm((current) => ({ ...current, ...patch }))}
        Form={KeyFormFields}
        busy={busy}
        error={error}
        onSubmit={create}
        onClose={() => setFormOpened(false)}
      />
      <SecretModal secret={secret} onClose={() => setSecret(null)} />
      <ConfirmModal
        opened={revoking !== null}
        title={t('apiKeys.revokeTitle')}
        message={revoking ? t('apiKeys.revokeMessage', { name: revoking.name }) : ''}
        confirmLabel={t('apiKeys.revoke')}
        onConfirm={async () => {
          if (revoking) await apiKeys.revoke(revoking.id);
          await client.invalidateQueries({ queryKey: apiKeys.key });
        }}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}

function SecretModal({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={secret !== null}
      onClose={onClose}
      title={t('apiKeys.secretTitle')}
      size="lg"
      closeOnClickOutside={false}
      data-testid="secret-modal"
    >
      <Stack>
        <Alert color="yellow" variant="light">
          {t('apiKeys.secretWarning')}
        </Alert>
        <Code block data-testid="api-key-secret" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
          {secret}
        </Code>
        <Group justify="space-between">
          <CopyButton value={secret ?? ''}>
            {({ copied, copy }) => (
              <Button
                variant="light"
                color={copied ? 'teal' : 'blue'}
                onClick={copy}
                data-testid="copy-secret"
              >
                {copied ? t('apiKeys.copied') : t('apiKeys.copy')}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose}>{t('apiKeys.secretDone')}</Button>
        </Group>
        <Text size="xs" c="dimmed">
          {t('apiKeys.secretUsage')}
        </Text>
      </Stack>
    </Modal>
  );
}
