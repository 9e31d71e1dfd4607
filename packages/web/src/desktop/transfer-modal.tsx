import type { Queue } from '@hotline/protocol/config';
import { Button, Group, Modal, Select, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../auth/session';
import { ErrorAlert } from '../crud/error-alert';
import { type AgentState, agentApi } from './desktop-api';

interface TransferModalProps {
  interactionId: string | null;
  queues: readonly Queue[];
  currentQueueId: string | null;
  onClose: () => void;
  onDone: (state: AgentState) => void;
}

/**
 * Transfer to a queue, optionally to one agent of it first (who gets it exclusively for a minute),
 * with a note for the next agent. The agents come from the colleague directory (name, status, free
 * chats), which every agent may read; ready agents with room are listed first.
 */
export function TransferModal({
  interactionId,
  queues,
  currentQueueId,
  onClose,
  onDone,
}: TransferModalProps) {
  const { t } = useTranslation();
  const myId = useMe().data?.user?.id ?? null;
  const [queueId, setQueueId] = useState<string | null>(null);
  const [agentId, setAgentId] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const opened = interactionId !== null;
  useEffect(() => {
    if (opened) {
      setQueueId(currentQueueId);
      setAgentId(null);
      setNote('');
    }
  }, [opened, currentQueueId]);
  const agents = useQuery({
    queryKey: agentApi.directoryKey,
    queryFn: agentApi.directory,
    enabled: opened,
    // Fresh each time the dialog opens: statuses and free chats change by the second.
    staleTime: 0,
    retry: false,
  });
  const transfer = useMutation({
    mutationFn: () =>
      agentApi.transfer(interactionId!, {
        queueId: queueId!,
        ...(agentId ? { agentId } : {}),
        note: note.trim(),
      }),
    onSuccess: (state) => {
      onDone(state);
      onClose();
    },
  });
  const agentOptions = [...(agents.data ?? [])]
    .filter((a) => a.agentId !== myId)
    .sort((a, b) => Number(b.freeChats > 0) - Number(a.freeChats > 0))
    .map((a) => ({
      value: a.agentId,
      // Free chats say nothing about someone logged out.
      label:
        a.status === 'logged_out'
          ? t('desktop.transferAgentAway', { name: a.displayName, status: t('desktop.status.logged_out') })
          : t('desktop.transferAgentOption', {
              name: a.displayName,
              status: t(`desktop.status.${a.status}`),
              free: a.freeChats,
            }),
    }));
  return (
    <Modal opened={opened} onClose={onClose} title={t('desktop.transferTitle')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (queueId) transfer.mutate();
        }}
        data-testid="transfer-form"
      >
        <Stack>
          <Select
            label={t('desktop.transferQueue')}
            data={queues.map((q) => ({ value: q.id, label: q.name }))}
            value={queueId}
            onChange={setQueueId}
            required
            searchable
            comboboxProps={{ withinPortal: true }}
            data-testid="transfer-queue"
          />
          {agents.error ? (
            <Text size="xs" c="dimmed">
              {t('desktop.transferNoAgents')}
            </Text>
          ) : (
            <Select
              label={t('desktop.transferAgent')}
              description={t('desktop.transferAgentHint')}
              data={agentOptions}
              value={agentId}
              onChange={setAgentId}
              clearable
              searchable
              comboboxProps={{ withinPortal: true }}
              data-testid="transfer-agent"
            />
          )}
          <Textarea
            label={t('desktop.transferNote')}
            value={note}
            maxLength={2000}
            autosize
            minRows={2}
            onChange={(e) => setNote(e.currentTarget.value)}
            data-testid="transfer-note"
          />
          <ErrorAlert error={transfer.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              disabled={!queueId}
              loading={transfer.isPending}
              data-testid="transfer-submit"
            >
              {t('desktop.transfer')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
