import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './error-alert';

interface ConfirmModalProps {
  title: string;
  message: string;
  confirmLabel: string;
  /** Open while set; the modal stays open and shows the error if `onConfirm` rejects. */
  opened: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

/** Asks before a destructive action and reports why it failed (e.g. IN_USE). */
export function ConfirmModal(props: ConfirmModalProps) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setError(null);
    props.onClose();
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={props.opened} onClose={close} title={props.title} data-testid="confirm-modal">
      <Stack>
        <Text>{props.message}</Text>
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('common.cancel')}
          </Button>
          <Button color="red" loading={busy} onClick={confirm} data-testid="confirm-button">
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
