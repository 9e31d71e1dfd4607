import type { Page } from '@hotline/protocol/common';
import { type Voicemail, type VoicemailStatus, voicemailStatuses } from '@hotline/protocol/voicemails';
import { Anchor, Badge, Button, Group, Select } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type PageRequest, pageQuery, request } from '../../api/http';
import { queues } from '../../api/resources';
import { DataTable } from '../../crud/data-table';
import { ErrorAlert } from '../../crud/error-alert';
import { formatDateTime } from '../../crud/format';
import { PageHeader } from '../../crud/page-header';
import { useAllItems, usePagedList } from '../../crud/use-paged-list';
import { voicemailApi } from '../../desktop/voicemail-task';
import { formatDuration } from '../calls/calls-api';

const statusColor: Record<VoicemailStatus, string> = { new: 'blue', heard: 'gray', handled: 'green' };

const listVoicemails = (page: PageRequest, filter: { status: string | null; queueId: string | null }) =>
  request<Page<Voicemail>>(
    'GET',
    `/voicemails${pageQuery(page, {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.queueId ? { queueId: filter.queueId } : {}),
    })}`,
  );

/**
 * Every voicemail of the tenant for supervisors (`/api/voicemails`, `recordings.listen`): newest first,
 * by status and mailbox; a row plays the message (the server audits the playback) and marks it handled.
 * Agents hear the ones routed to them on the desktop (`desktop/voicemail-card.tsx`).
 */
export function VoicemailPage() {
  const { t, i18n } = useTranslation('voicemail');
  const [status, setStatus] = useState<string | null>('new');
  const [queueId, setQueueId] = useState<string | null>(null);
  const { page, setPage, query } = usePagedList(['voicemails', status, queueId], (p) =>
    listVoicemails(p, { status, queueId }),
  );
  const queueOptions = useAllItems(queues.key, queues.list).map((q) => ({ value: q.id, label: q.name }));
  const queryClient = useQueryClient();
  const mark = useMutation({
    mutationFn: (v: { id: string; status: VoicemailStatus }) => voicemailApi.setStatus(v.id, v.status),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['voicemails'] }),
  });
  return (
    <>
      <PageHeader title={t('listTitle')} />
      <Group mb="md" align="flex-end">
        <Select
          label={t('statusFilter')}
          data={voicemailStatuses.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          value={status}
          placeholder={t('any')}
          onChange={(s) => {
            setStatus(s);
            setPage(1);
          }}
          clearable
          data-testid="voicemail-status-filter"
        />
        <Select
          label={t('queue')}
          data={queueOptions}
          value={queueId}
          placeholder={t('any')}
          onChange={(q) => {
            setQueueId(q);
            setPage(1);
          }}
          clearable
          searchable
        />
      </Group>
      <ErrorAlert error={mark.error} />
      <DataTable
        testId="voicemails"
        data={query.data}
        error={query.error}
        page={page}
        onPage={setPage}
        columns={[
          {
            key: 'createdAt',
            header: t('received'),
            render: (v: Voicemail) => formatDateTime(v.createdAt, i18n.language),
          },
          { key: 'caller', header: t('caller'), render: (v: Voicemail) => v.caller },
          { key: 'queue', header: t('queue'), render: (v: Voicemail) => v.queueName ?? '' },
          { key: 'duration', header: t('length'), render: (v: Voicemail) => formatDuration(v.durationSec) },
          {
            key: 'status',
            header: t('statusFilter'),
            render: (v: Voicemail) => (
              <Badge variant="light" color={statusColor[v.status]} style={{ minWidth: 'max-content' }}>
                {t(`status.${v.status}`)}
              </Badge>
            ),
          },
          {
            key: 'audio',
            header: '',
            render: (v: Voicemail) => (
              <Group gap="xs" wrap="nowrap">
                {/* biome-ignore lint/a11y/useMediaCaption: a caller's voice message has no caption track */}
                <audio controls preload="none" src={voicemailApi.audioUrl(v.id)} style={{ height: 32 }} />
                <Anchor href={voicemailApi.audioUrl(v.id, true)} size="xs">
                  {t('download')}
                </Anchor>
              </Group>
            ),
          },
        ]}
        actions={(v: Voicemail) => (
          <Button
            size="xs"
            variant="subtle"
            onClick={() => mark.mutate({ id: v.id, status: v.status === 'handled' ? 'new' : 'handled' })}
            data-testid="voicemail-mark"
          >
            {v.status === 'handled' ? t('markNew') : t('markHandled')}
          </Button>
        )}
      />
    </>
  );
}
