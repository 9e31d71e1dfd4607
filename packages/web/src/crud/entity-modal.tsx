import { Button, Center, Group, Loader, Modal, Stack } from '@mantine/core';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './error-alert';

export type FormMode = 'create' | 'edit';

/** The contract of an entity form: a controlled value and patches back. Forms hold no server state. */
export interface EntityFormProps<F> {
  value: F;
  onChange: (patch: Partial<F>) => void;
  mode: FormMode;
}

interface EntityModalProps<F> {
  title: string;
  opened: boolean;
  mode: FormMode;
  /** `null` while the form's data is still loading. */
  value: F | null;
  onChange: (patch: Partial<F>) => void;
  Form: ComponentType<EntityFormProps<F>>;
  busy: boolean;
  error: unknown;
  size?: string;
  onSubmit: () => void;
  onClose: () => void;
}

export function EntityModal<F>(props: EntityModalProps<F>) {
  const { t } = useTranslation();
  const { Form } = props;
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title} size={props.size ?? 'md'}>
      {props.value === null ? (
        <Center py="xl">{props.error ? <ErrorAlert error={props.error} /> : <Loader />}</Center>
      ) : (
        <form
          data-testid="entity-form"
          onSubmit={(event) => {
            event.preventDefault();
            props.onSubmit();
          }}
        >
          <Stack>
            <Form value={props.value} onChange={props.onChange} mode={props.mode} />
            <ErrorAlert error={props.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={props.onClose}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={props.busy} data-testid="form-submit">
                {t('common.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
