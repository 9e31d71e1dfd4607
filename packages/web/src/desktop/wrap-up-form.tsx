import type { DispositionCode } from '@hotline/protocol/config';
import { Button, Group, Paper, Progress, Select, Stack, Text, Textarea } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../crud/error-alert';
import { type AgentState, agentApi } from './desktop-api';
import { formatCountdown, type WorkItem } from './work-items';

interface WrapUpFormProps {
  item: WorkItem;
  codes: readonly DispositionCode[];
  now: number;
  onDone: (state: AgentState) => void;
}

/**
 * Closing an interaction: a disposition code and notes. While connected, "Close" ends and closes it
 * at once; in wrap-up the form shows the time left before the router frees the agent by itself
 * (the code must be saved before then).
 */
export function WrapUpForm({ item, codes, now, onDone }: WrapUpFormProps) {
  const { t } = useTranslation();
  const [code, setCode] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  // The parent keys this form by interaction, so a fresh one starts empty.
  const close = useMutation({
    mutationFn: () =>
      agentApi.wrapUp(item.interactionId, {
        ...(code ? { dispositionCodeId: code } : {}),
        notes: notes.trim(),
      }),
    onSuccess: onDone,
  });
  const until = item.wrapUpUntil ? Date.parse(item.wrapUpUntil) : null;
  const total = until ? until - Date.parse(item.since) : null;
  const left = until ? Math.max(0, Math.min(until - now, total ?? Number.POSITIVE_INFINITY)) : null;
  return (
    <Paper withBorder p="sm" radius="md" bg="violet.0" data-testid="wrap-up-form">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          close.mutate();
        }}
      >
        <Stack gap="xs">
          <Group justify="space-between">
            <Text fw={700}>{item.phase === 'wrap_up' ? t('desktop.wrapUp') : t('desktop.closeTitle')}</Text>
            {left !== null && (
              <Text
                ff="monospace"
                fw={700}
                c={left < 10_000 ? 'red' : 'violet.8'}
                data-testid="wrap-up-timer"
              >
                {formatCountdown(left)}
              </Text>
            )}
          </Group>
          {left !== null && total ? <Progress value={(left / total) * 100} color="violet" size="xs" /> : null}
          <Select
            label={t('desktop.disposition')}
            placeholder={t('desktop.dispositionPick')}
            data={codes.map((c) => ({ value: c.id, label: `${c.code} — ${c.name}` }))}
            value={code}
            onChange={setCode}
            clearable
            searchable
            comboboxProps={{ withinPortal: true }}
            data-testid="wrap-up-disposition"
          />
          <Textarea
            label={t('desktop.wrapUpNotes')}
            value={notes}
            maxLength={10_000}
            autosize
            minRows={2}
            onChange={(e) => setNotes(e.currentTarget.value)}
            data-testid="wrap-up-notes"
          />
          <ErrorAlert error={close.error} />
          <Group justify="flex-end">
            <Button type="submit" color="violet" loading={close.isPending} data-testid="wrap-up-submit">
              {t('desktop.closeInteraction')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
