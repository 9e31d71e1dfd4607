import { preChatFieldModes, type WidgetSettings } from '@hotline/protocol/chat';
import {
  Button,
  Card,
  Code,
  CopyButton,
  Fieldset,
  Group,
  Loader,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { calendars, queues, skills, widgetSettings } from '../../api/resources';
import { useMe } from '../../auth/session';
import { usePermissions } from '../../auth/use-permissions';
import { ErrorAlert } from '../../crud/error-alert';
import { PageHeader } from '../../crud/page-header';
import { useAllItems, useAllItemsQuery } from '../../crud/use-paged-list';
import { flows } from '../flows/flows-api';
import { TopicsEditor } from './topics-editor';
import {
  embedSnippet,
  toBody,
  toForm,
  topicsWithoutQueue,
  type WidgetSettingsForm,
} from './widget-settings-form';

const preChatFields = ['name', 'email', 'phone'] as const;
type PreChatFieldMode = (typeof preChatFieldModes)[number];

/** `/admin/widget`: the website chat widget of the tenant — one settings document and its embed code. */
export function WidgetSettingsPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  const client = useQueryClient();
  const slug = useMe().data?.tenant.slug;
  const settings = useQuery({ queryKey: widgetSettings.key, queryFn: widgetSettings.get });
  // The topics' queues and skills and the calendar are selects: the form waits for their options.
  const queueQuery = useAllItemsQuery(queues.key, queues.list);
  const skillQuery = useAllItemsQuery(skills.key, skills.list);
  const calendarQuery = useAllItemsQuery(calendars.key, calendars.list);
  const queueList = queueQuery.data?.items ?? [];
  const skillList = skillQuery.data?.items ?? [];
  const calendarList = calendarQuery.data?.items ?? [];
  const allFlows = useAllItems(flows.key, flows.list);

  const [form, setForm] = useState<WidgetSettingsForm | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  // Only published flows can start chats (the server checks again and otherwise queues the chat).
  const flowList = allFlows.filter((f) => f.published !== null || f.id === form?.flowId);

  // Fill the form from the server once; later refetches must not overwrite unsaved edits.
  useEffect(() => {
    if (settings.data && form === null) setForm(toForm(settings.data));
  }, [settings.data, form]);

  const lists = [queueQuery, skillQuery, calendarQuery];
  const failed = settings.error ?? lists.find((list) => list.error)?.error;
  if (failed) return <ErrorAlert error={failed} />;
  if (!form || lists.some((list) => !list.data)) return <Loader data-testid="widget-loading" />;

  const change = (patch: Partial<WidgetSettingsForm>) => {
    setForm({ ...form, ...patch });
    setSaved(false);
  };
  const incomplete = topicsWithoutQueue(form).length > 0;
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const stored: WidgetSettings = await widgetSettings.put(toBody(form));
      client.setQueryData(widgetSettings.key, stored);
      setForm(toForm(stored));
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const snippet = embedSnippet(window.location.origin, slug ?? '');

  return (
    <Stack maw={900} data-testid="widget-settings">
      <PageHeader title={t('widgetSettings.title')} readOnly={!editConfig}>
        {editConfig && (
          <Group gap="sm">
            {saved && (
              <Text size="sm" c="green" data-testid="widget-saved">
                {t('widgetSettings.saved')}
              </Text>
            )}
            <Button onClick={save} loading={busy} disabled={incomplete} data-testid="widget-save">
              {t('common.save')}
            </Button>
          </Group>
        )}
      </PageHeader>
      <ErrorAlert error={error} />

      <Card withBorder>
        <Stack gap="xs">
          <Text fw={500}>{t('widgetSettings.embed')}</Text>
          <Text size="sm" c="dimmed">
            {t('widgetSettings.embedHint')}
          </Text>
          <Code block data-testid="widget-snippet">
            {snippet}
          </Code>
          <Group>
            <CopyButton value={snippet}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy} data-testid="widget-snippet-copy">
                  {copied ? t('widgetSettings.copied') : t('widgetSettings.copy')}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Stack>
      </Card>

      <Fieldset disabled={!editConfig} variant="unstyled">
        <Stack>
          <Switch
            label={t('widgetSettings.enabled')}
            description={t('widgetSettings.enabledHint')}
            checked={form.enabled}
            onChange={(e) => change({ enabled: e.currentTarget.checked })}
            data-testid="widget-enabled"
          />
          <Textarea
            label={t('widgetSettings.allowedOrigins')}
            description={t('widgetSettings.allowedOriginsHint')}
            placeholder="https://shop.example"
            autosize
            minRows={2}
            value={form.allowedOrigins}
            onChange={(e) => change({ allowedOrigins: e.currentTarget.value })}
            data-testid="widget-origins"
          />

          <Stack gap={4}>
            <Text fw={500}>{t('widgetSettings.preChat')}</Text>
            {preChatFields.map((field) => (
              <Group key={field} justify="space-between" maw={480}>
                <Text size="sm">{t(`widgetSettings.preChatFields.${field}`)}</Text>
                <SegmentedControl
                  size="xs"
                  data={preChatFieldModes.map((mode) => ({
                    value: mode,
                    label: t(`widgetSettings.modes.${mode}`),
                  }))}
                  value={form.preChat[field]}
                  onChange={(mode) =>
                    change({ preChat: { ...form.preChat, [field]: mode as PreChatFieldMode } })
                  }
                  data-testid={`widget-prechat-${field}`}
                />
              </Group>
            ))}
          </Stack>

          <TopicsEditor
            topics={form.topics}
            queues={queueList}
            skills={skillList}
            onChange={(topics) => change({ topics })}
            readOnly={!editConfig}
          />

          <Select
            label={t('widgetSettings.calendar')}
            description={t('widgetSettings.calendarHint')}
            placeholder={t('widgetSettings.alwaysOpen')}
            clearable
            data={calendarList.map((calendar) => ({ value: calendar.id, label: calendar.name }))}
            value={form.calendarId}
            onChange={(calendarId) => change({ calendarId })}
            data-testid="widget-calendar"
          />
          <Select
            label={t('widgetSettings.bot')}
            description={t('widgetSettings.botHint')}
            placeholder={t('widgetSettings.noBot')}
            clearable
            data={flowList.map((flow) => ({ value: flow.id, label: flow.name }))}
            value={form.flowId}
            onChange={(flowId) => change({ flowId })}
            data-testid="widget-flow"
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Textarea
              label={t('widgetSettings.greetingEn')}
              maxLength={500}
              autosize
              minRows={2}
              value={form.greeting.en}
              onChange={(e) => change({ greeting: { ...form.greeting, en: e.currentTarget.value } })}
              data-testid="widget-greeting-en"
            />
            <Textarea
              label={t('widgetSettings.greetingRu')}
              maxLength={500}
              autosize
              minRows={2}
              value={form.greeting.ru}
              onChange={(e) => change({ greeting: { ...form.greeting, ru: e.currentTarget.value } })}
              data-testid="widget-greeting-ru"
            />
          </SimpleGrid>
          <Stack gap={4}>
            <Text fw={500} size="sm">
              {t('widgetSettings.offlineMode')}
            </Text>
            <SegmentedControl
              w="fit-content"
              data={(['message', 'callback'] as const).map((mode) => ({
                value: mode,
                label: t(`widgetSettings.offlineModes.${mode}`),
              }))}
              value={form.offlineMode}
              onChange={(mode) => change({ offlineMode: mode as WidgetSettings['offlineMode'] })}
              data-testid="widget-offline-mode"
            />
          </Stack>
        </Stack>
      </Fieldset>
    </Stack>
  );
}
