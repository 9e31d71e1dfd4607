import type { FlowIssueDto, FlowVersion } from '@hotline/protocol/flows';
import {
  Anchor,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Select,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../../api/http';
import { calendars, queues } from '../../api/resources';
import { usePermissions } from '../../auth/use-permissions';
import { ConfirmModal } from '../../crud/confirm-modal';
import { ErrorAlert } from '../../crud/error-alert';
import { useAllItems } from '../../crud/use-paged-list';
import { starterDocument, withKey } from './flow-document';
import type { FlowDoc } from './flow-verbs';
import { FlowWorkspace, type SidePanel } from './flow-workspace';
import { flows } from './flows-api';

/** The version the editor holds: which one it came from, and its document as loaded or last saved. */
interface Loaded {
  version: number | null;
  state: FlowVersion['state'] | 'new';
  saved: FlowDoc;
}

/**
 * `/admin/flows/:id`: one flow in the visual editor. The document is the source of truth: the graph,
 * the forms and the JSON tab all edit it, and "Save draft" sends it as it is (the server validates it
 * and answers issues, which are listed and marked on the graph). Publish turns the saved draft into the
 * version new conversations run.
 */
export function FlowEditorPage() {
  const { t } = useTranslation('flows');
  const { id = '' } = useParams();
  const { editConfig } = usePermissions();
  const client = useQueryClient();
  const detail = useQuery({ queryKey: [...flows.key, id], queryFn: () => flows.detail(id) });
  const versions = useQuery({ queryKey: [...flows.key, id, 'versions'], queryFn: () => flows.versions(id) });
  const refs = {
    calendars: useAllItems(calendars.key, calendars.list),
    queues: useAllItems(queues.key, queues.list),
  };

  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [doc, setDoc] = useState<FlowDoc | null>(null);
  const [issues, setIssues] = useState<FlowIssueDto[] | null>(null);
  const [panel, setPanel] = useState<SidePanel>('properties');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  // A new workspace (layout, selection, test run) for every version opened.
  const [session, setSession] = useState(0);

  const open = (from: Loaded) => {
    setLoaded(from);
    setDoc(from.saved);
    setSession((n) => n + 1);
    setIssues(null);
    setNotice(null);
  };
  // Open the draft, else the published version, else a starter document, once; later refetches
  // must not overwrite edits.
  useEffect(() => {
    const data = detail.data;
    if (!data || loaded) return;
    const version = data.draft ?? data.published;
    const first: Loaded = version
      ? { version: version.version, state: version.state, saved: version.document }
      : { version: null, state: 'new', saved: starterDocument(data.name) };
    setLoaded(first);
    setDoc(first.saved);
  }, [detail.data, loaded]);

  if (detail.error) return <ErrorAlert error={detail.error} />;
  if (!detail.data || !loaded || !doc) {
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }
  const flow = detail.data;
  const dirty = JSON.stringify(doc) !== JSON.stringify(loaded.saved);
  const refresh = () => client.invalidateQueries({ queryKey: flows.key });

  const save = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const saved = await flows.saveDraft(flow.id, doc);
      // The server stores the document as sent; keep ours (jsonb may order keys its own way).
      setLoaded({ version: saved.version, state: 'draft', saved: doc });
      setIssues([]);
      setNotice(t('flowEditor.saved', { version: saved.version }));
    } catch (caught) {
      if (
        caught instanceof ApiError &&
        caught.code === 'VALIDATION_FAILED' &&
        Array.isArray(caught.details)
      ) {
        setIssues(caught.details as FlowIssueDto[]);
        setPanel('issues');
        setNotice(t('flowEditor.invalid', { count: caught.details.length }));
      } else setError(caught);
    } finally {
      setBusy(false);
      void refresh();
    }
  };

  const versionItems = versions.data?.items ?? [];
  const stateLabel = (state: Loaded['state']) => t(`flowEditor.states.${state}`);
  const canPublish = loaded.state === 'draft' && !dirty;

  return (
    <Stack gap="xs" h="calc(100vh - 100px)" data-testid="flow-editor">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
          <Anchor component={Link} to="/admin/flows" size="sm" data-testid="flow-back">
            ← {t('flowEditor.back')}
          </Anchor>
          <Title
            order={3}
            data-testid="page-title"
            style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}
          >
            {flow.name}
          </Title>
          <Badge
            variant="light"
            color={loaded.state === 'published' ? 'green' : loaded.state === 'draft' ? 'blue' : 'gray'}
            data-testid="flow-state"
          >
            {loaded.version ? `v${loaded.version} · ` : ''}
            {stateLabel(loaded.state)}
          </Badge>
          {dirty && (
            <>
              <Badge variant="dot" color="orange" data-testid="flow-dirty">
                {t('flowEditor.unsaved')}
              </Badge>
              <Button
                size="compact-xs"
                variant="subtle"
                color="gray"
                onClick={() => open(loaded)}
                data-testid="flow-discard"
              >
                {t('flowEditor.discard')}
              </Button>
            </>
          )}
        </Group>
        <Group gap="xs" wrap="nowrap">
          {notice && (
            <Text size="sm" c={issues && issues.length > 0 ? 'red' : 'teal'} data-testid="flow-notice">
              {notice}
            </Text>
          )}
          <Tooltip label={t('flowEditor.versionLocked')} disabled={!dirty}>
            <div>
              <Select
                disabled={dirty}
                size="xs"
                w={190}
                aria-label={t('flowEditor.version')}
                placeholder={t('flowEditor.version')}
                data={versionItems.map((v) => ({
                  value: String(v.version),
                  label: t('flowEditor.versionOption', { version: v.version, state: stateLabel(v.state) }),
                }))}
                value={loaded.version ? String(loaded.version) : null}
                onChange={(value) => {
                  const v = versionItems.find((item) => String(item.version) === value);
                  if (v) open({ version: v.version, state: v.state, saved: v.document });
                }}
                allowDeselect={false}
                data-testid="flow-version"
              />
            </div>
          </Tooltip>
          {editConfig && (
            <>
              <Button size="xs" onClick={save} loading={busy} data-testid="flow-save">
                {t('flowEditor.saveDraft')}
              </Button>
              <Tooltip label={t('flowEditor.publishSaveFirst')} disabled={canPublish}>
                <Button
                  size="xs"
                  color="green"
                  disabled={!canPublish}
                  onClick={() => setPublishing(true)}
                  data-testid="flow-publish"
                >
                  {t('flowEditor.publish')}
                </Button>
              </Tooltip>
            </>
          )}
        </Group>
      </Group>
      {loaded.state !== 'draft' && loaded.state !== 'new' && editConfig && (
        <Text size="xs" c="dimmed" data-testid="flow-viewing-old">
          {t('flowEditor.viewingOld', { version: loaded.version, state: stateLabel(loaded.state) })}
        </Text>
      )}
      <ErrorAlert error={error} />
      <FlowWorkspace
        key={session}
        doc={doc}
        onChange={setDoc}
        issues={issues}
        onIssues={(list) => {
          setIssues(list);
          setPanel('issues');
        }}
        panel={panel}
        onPanel={setPanel}
        refs={refs}
        readOnly={!editConfig}
      />
      <ConfirmModal
        opened={publishing}
        title={t('flowEditor.publishTitle')}
        message={t('flowEditor.publishMessage', { version: loaded.version ?? '' })}
        confirmLabel={t('flowEditor.publish')}
        onConfirm={async () => {
          const published = await flows.publish(flow.id);
          // Publishing stamps the version number into the document's `version`; mirror it.
          const stamped = withKey(doc, 'version', published.version);
          setDoc(stamped);
          setLoaded({ version: published.version, state: 'published', saved: stamped });
          setNotice(t('flowEditor.publishedNow', { version: published.version }));
          await refresh();
        }}
        onClose={() => setPublishing(false)}
      />
    </Stack>
  );
}
