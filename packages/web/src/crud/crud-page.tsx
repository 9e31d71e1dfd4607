import { Button } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type ComponentType, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Collection } from '../api/http';
import { ConfirmModal } from './confirm-modal';
import { type Column, DataTable } from './data-table';
import { type EntityFormProps, EntityModal } from './entity-modal';
import { PageHeader } from './page-header';
import { usePagedList } from './use-paged-list';

export interface CrudPageProps<T extends { id: string }, F, C, U> {
  api: Collection<T, C, U>;
  /** Prefix of the page's `data-testid`s, e.g. `skills` → `skills-table`, `skills-row`. */
  testId: string;
  title: string;
  createLabel: string;
  editLabel: string;
  /** Without it the page is a read-only list. */
  editable: boolean;
  columns: Column<T>[];
  Form: ComponentType<EntityFormProps<F>>;
  emptyForm: () => F;
  /** May fetch more (e.g. a user's skills) before the form opens. */
  toForm: (item: T) => F | Promise<F>;
  toCreateBody: (form: F) => C;
  toUpdateBody: (form: F) => U;
  /** Runs after the entity itself was saved, with its id (e.g. to save a user's skills). */
  afterSave?: (saved: T, form: F) => Promise<unknown>;
  describe: (item: T) => string;
  modalSize?: string;
  /** Extra controls in the header, before the create button (e.g. a search box). */
  toolbar?: ReactNode;
}

/** The entity in the modal: `null` while creating. Kept after closing so the closing modal does not flicker. */
type Editing<T> = { item: T | null };

/**
 * The common admin page: a paginated table, a create/edit modal and a delete confirmation, over one
 * `/api/<resource>` collection.
 */
export function CrudPage<T extends { id: string }, F, C, U>(props: CrudPageProps<T, F, C, U>) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { api } = props;
  const { page, setPage, query } = usePagedList(api.key, api.list);
  const [opened, setOpened] = useState(false);
  const [editing, setEditing] = useState<Editing<T>>({ item: null });
  const [form, setForm] = useState<F | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState<T | null>(null);

  const refresh = () => client.invalidateQueries({ queryKey: api.key });

  const open = (item: T | null) => {
    setEditing({ item });
    setOpened(true);
    setError(null);
    if (!item) {
      setForm(props.emptyForm());
      return;
    }
    setForm(null);
    Promise.resolve()
      .then(() => props.toForm(item))
      .then(setForm, setError);
  };
  const close = () => setOpened(false);

  const submit = async () => {
    if (form === null) return;
    setBusy(true);
    setError(null);
    try {
      const saved = editing.item
        ? await api.update(editing.item.id, props.toUpdateBody(form))
        : await api.create(props.toCreateBody(form));
      // From here on a retry must update, not create a duplicate.
      setEditing({ item: saved });
      await props.afterSave?.(saved, form);
      close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      void refresh();
    }
  };

  return (
    <>
      <PageHeader title={props.title} readOnly={!props.editable}>
        {props.toolbar}
        {props.editable && (
          <Button onClick={() => open(null)} data-testid="create-button">
            {props.createLabel}
          </Button>
        )}
      </PageHeader>
      <DataTable
        testId={props.testId}
        columns={props.columns}
        data={query.data}
        error={query.error}
        page={page}
        onPage={setPage}
        actions={
          props.editable
            ? (item) => (
                <>
                  <Button size="xs" variant="light" onClick={() => open(item)} data-testid="edit-button">
                    {t('common.edit')}
                  </Button>
                  <Button
                    size="xs"
                    variant="light"
                    color="red"
                    onClick={() => setDeleting(item)}
                    data-testid="delete-button"
                  >
                    {t('common.delete')}
                  </Button>
                </>
              )
            : undefined
        }
      />
      <EntityModal
        title={editing.item ? props.editLabel : props.createLabel}
        opened={opened}
        mode={editing.item ? 'edit' : 'create'}
        value={form}
        onChange={(patch) => setForm((current) => (current === null ? current : { ...current, ...patch }))}
        Form={props.Form}
        busy={busy}
        error={error}
        size={props.modalSize}
        onSubmit={submit}
        onClose={close}
      />
      <ConfirmModal
        opened={deleting !== null}
        title={t('crud.deleteTitle')}
        message={deleting ? t('crud.deleteMessage', { name: props.describe(deleting) }) : ''}
        confirmLabel={t('common.delete')}
        onConfirm={async () => {
          if (deleting) await api.remove(deleting.id);
          await refresh();
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
