import type { ContactDto, ContactInteraction } from '@hotline/protocol/contacts';
import {
  ActionIcon,
  Badge,
  Button,
  Center,
  Divider,
  Group,
  Loader,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../crud/error-alert';
import { BotSummary, botOf } from './bot-summary';
import { contactApi, type Interaction, interactionApi } from './desktop-api';
import { MessageList } from './message-list';

/**
 * The screen pop: who the customer is (profile fields, identities), what the interaction carries
 * (subject, form fields, the page they came from) and every earlier interaction on any channel;
 * a click opens its transcript. The profile can be edited here.
 */
export function CustomerPanel({ interaction }: { interaction: Interaction | undefined }) {
  const { t } = useTranslation();
  if (!interaction) return null;
  const contactId = interaction.contactId ?? null;
  const bot = botOf(interaction.data);
  return (
    <Stack gap="sm" data-testid="customer-panel">
      <Title order={5}>{t('desktop.customer')}</Title>
      {contactId ? <ContactProfile contactId={contactId} /> : <InlineContact interaction={interaction} />}
      <InteractionFacts interaction={interaction} />
      {bot && <BotSummary bot={bot} />}
      {contactId && <History contactId={contactId} current={interaction.id} />}
    </Stack>
  );
}

function InlineContact({ interaction }: { interaction: Interaction }) {
  const { t } = useTranslation();
  const label = useFieldLabel();
  const entries = Object.entries(interaction.contact);
  if (entries.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('desktop.noContact')}
      </Text>
    );
  }
  return <Facts rows={entries.map(([k, v]) => [label(k), v])} />;
}

/**
 * Known contact and widget fields by their translated name; anything else by its own key. Each key is
 * spelled out: a computed key makes the typed `t` instantiate the whole resource (TS2589).
 */
function useFieldLabel(): (key: string) => string {
  const { t } = useTranslation();
  const labels: Record<string, string> = {
    name: t('desktop.fields.name'),
    email: t('desktop.fields.email'),
    phone: t('desktop.fields.phone'),
    page: t('desktop.fields.page'),
    topic: t('desktop.fields.topic'),
    language: t('desktop.fields.language'),
    did: t('desktop.fields.did'),
    caller: t('desktop.fields.caller'),
  };
  return (key) => (Object.hasOwn(labels, key) ? labels[key]! : key);
}

/**
 * Screen-pop fields the channels keep for the system (ids), not for the agent to read. A voicemail's
 * `kind`, id and length are shown by its own card (`voicemail-card.tsx`).
 */
const internalFields = new Set(['callId', 'trunkId', 'callback', 'kind', 'voicemailId', 'durationSec']);

function Facts({ rows }: { rows: [string, string][] }) {
  return (
    <Table withRowBorders={false} verticalSpacing={2} fz="sm">
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Td c="dimmed" w="35%" style={{ verticalAlign: 'top' }}>
              {k}
            </Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{v}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function InteractionFacts({ interaction }: { interaction: Interaction }) {
  const { t } = useTranslation();
  const label = useFieldLabel();
  const rows: [string, string][] = [];
  if (interaction.subject) rows.push([t('desktop.subject'), interaction.subject]);
  for (const [k, v] of Object.entries(interaction.data)) {
    if (internalFields.has(k)) continue;
    if (typeof v === 'string' || typeof v === 'number') rows.push([label(k), String(v)]);
  }
  if (rows.length === 0) return null;
  return (
    <Paper withBorder p="xs" radius="sm">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" mb={4}>
        {t('desktop.thisInteraction')}
      </Text>
      <Facts rows={rows} />
    </Paper>
  );
}

function ContactProfile({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const contact = useQuery({ queryKey: contactApi.key(contactId), queryFn: () => contactApi.get(contactId) });
  const [editing, setEditing] = useState(false);
  if (contact.error) return <ErrorAlert error={contact.error} />;
  if (!contact.data) return <Loader size="sm" />;
  const c = contact.data;
  const rows: [string, string][] = [[t('desktop.fields.name'), c.name || '—']];
  if (c.email) rows.push([t('desktop.fields.email'), c.email]);
  if (c.phone) rows.push([t('desktop.fields.phone'), c.phone]);
  for (const [k, v] of Object.entries(c.attributes)) rows.push([k, v]);
  return (
    <Stack gap={6}>
      <Group justify="space-between">
        <Text fw={700} data-testid="contact-name">
          {c.name || t('desktop.unnamed')}
        </Text>
        <Button size="compact-xs" variant="light" onClick={() => setEditing(true)} data-testid="contact-edit">
          {t('common.edit')}
        </Button>
      </Group>
      <Facts rows={rows} />
      {c.identities.length > 0 && (
        <Group gap={4} data-testid="contact-identities">
          {c.identities.map((i) => (
            <Badge key={`${i.kind}:${i.value}`} variant="outline" color="gray" tt="none" size="sm">
              {t(`desktop.identity.${i.kind}`)}: {i.kind === 'visitor' ? `${i.value.slice(0, 8)}…` : i.value}
            </Badge>
          ))}
        </Group>
      )}
      <ContactEditor contact={c} opened={editing} onClose={() => setEditing(false)} />
    </Stack>
  );
}

interface Draft {
  name: string;
  email: string;
  phone: string;
  attributes: { key: string; value: string }[];
}

function ContactEditor({
  contact,
  opened,
  onClose,
}: {
  contact: ContactDto;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toDraft = (): Draft => ({
    name: contact.name,
    email: contact.email ?? '',
    phone: contact.phone ?? '',
    attributes: Object.entries(contact.attributes).map(([key, value]) => ({ key, value })),
  });
  const [draft, setDraft] = useState<Draft>(toDraft);
  const [openedFor, setOpenedFor] = useState<boolean>(false);
  if (opened !== openedFor) {
    setOpenedFor(opened);
    if (opened) setDraft(toDraft());
  }
  const save = useMutation({
    mutationFn: () =>
      contactApi.update(contact.id, {
        name: draft.name.trim(),
        email: draft.email.trim() || null,
        phone: draft.phone.trim() || null,
        attributes: Object.fromEntries(
          draft.attributes.filter((a) => a.key.trim()).map((a) => [a.key.trim(), a.value]),
        ),
      }),
    onSuccess: (updated) => {
      queryClient.setQueryData(contactApi.key(contact.id), updated);
      onClose();
    },
  });
  const setAttr = (i: number, patch: Partial<{ key: string; value: string }>) =>
    setDraft((d) => ({ ...d, attributes: d.attributes.map((a, j) => (j === i ? { ...a, ...patch } : a)) }));
  return (
    <Modal opened={opened} onClose={onClose} title={t('desktop.editContact')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
        data-testid="contact-form"
      >
        <Stack>
          <TextInput
            label={t('desktop.fields.name')}
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
            data-testid="contact-field-name"
          />
          <TextInput
            label={t('desktop.fields.email')}
            value={draft.email}
            onChange={(e) => setDraft({ ...draft, email: e.currentTarget.value })}
          />
          <TextInput
            label={t('desktop.fields.phone')}
            value={draft.phone}
            onChange={(e) => setDraft({ ...draft, phone: e.currentTarget.value })}
          />
          <Text size="sm" fw={500}>
            {t('desktop.attributes')}
          </Text>
          {draft.attributes.map((a, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, never reordered
            <Group key={i} gap="xs" wrap="nowrap">
              <TextInput
                placeholder={t('desktop.attributeKey')}
                value={a.key}
                onChange={(e) => setAttr(i, { key: e.currentTarget.value })}
                w="40%"
              />
              <TextInput
                placeholder={t('desktop.attributeValue')}
                value={a.value}
                onChange={(e) => setAttr(i, { value: e.currentTarget.value })}
                style={{ flex: 1 }}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={t('common.remove')}
                onClick={() =>
                  setDraft((d) => ({ ...d, attributes: d.attributes.filter((_, j) => j !== i) }))
                }
              >
                ✕
              </ActionIcon>
            </Group>
          ))}
          <Button
            variant="light"
            size="xs"
            onClick={() => setDraft((d) => ({ ...d, attributes: [...d.attributes, { key: '', value: '' }] }))}
          >
            {t('desktop.addAttribute')}
          </Button>
          <ErrorAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="contact-save">
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function History({ contactId, current }: { contactId: string; current: string }) {
  const { t } = useTranslation();
  const history = useQuery({
    queryKey: contactApi.historyKey(contactId),
    queryFn: () => contactApi.history(contactId),
  });
  const [open, setOpen] = useState<ContactInteraction | null>(null);
  return (
    <Stack gap={4}>
      <Divider label={t('desktop.history')} labelPosition="left" />
      {history.error ? (
        <ErrorAlert error={history.error} />
      ) : !history.data ? (
        <Loader size="sm" />
      ) : history.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('desktop.noHistory')}
        </Text>
      ) : (
        history.data.map((h) => (
          <UnstyledButton
            key={h.id}
            onClick={() => setOpen(h)}
            p={6}
            style={{ borderRadius: 6, border: '1px solid var(--mantine-color-gray-3)' }}
            data-testid="history-item"
          >
            <Group justify="space-between" gap={4} wrap="nowrap">
              <Group gap={4} wrap="nowrap">
                <Badge size="xs" variant="light">
                  {t(`channels.${h.channel}`)}
                </Badge>
                {h.id === current && (
                  <Badge size="xs" color="green" variant="light">
                    {t('desktop.current')}
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed">
                {new Date(h.createdAt).toLocaleDateString()}
              </Text>
            </Group>
            <Text size="sm" lineClamp={1}>
              {h.subject || t(`desktop.states.${h.state}`)}
            </Text>
            <Text size="xs" c="dimmed" lineClamp={1}>
              {[h.agentName, h.dispositionName, h.rating ? '★'.repeat(h.rating) : null]
                .filter(Boolean)
                .join(' · ')}
            </Text>
          </UnstyledButton>
        ))
      )}
      <TranscriptModal item={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}

/** An earlier interaction: its messages for a chat, its facts for any channel. */
export function TranscriptModal({ item, onClose }: { item: ContactInteraction | null; onClose: () => void }) {
  const { t } = useTranslation();
  const id = item?.id ?? '';
  const messages = useQuery({
    queryKey: interactionApi.messagesKey(id),
    queryFn: () => interactionApi.messages(id),
    enabled: item !== null && item.channel === 'chat',
  });
  return (
    <Modal
      opened={item !== null}
      onClose={onClose}
      size="lg"
      title={item ? `${t(`channels.${item.channel}`)} · ${new Date(item.createdAt).toLocaleString()}` : ''}
      data-testid="transcript"
    >
      {item && (
        <Stack>
          <Facts
            rows={[
              [t('desktop.subject'), item.subject || '—'],
              [t('desktop.state'), t(`desktop.states.${item.state}`)],
              [t('desktop.queue'), item.queueName ?? '—'],
              [t('desktop.agent'), item.agentName ?? '—'],
              [t('desktop.disposition'), item.dispositionName ?? '—'],
              [t('desktop.rating'), item.rating ? '★'.repeat(item.rating) : '—'],
            ]}
          />
          {item.channel === 'chat' &&
            (messages.error ? (
              <ErrorAlert error={messages.error} />
            ) : !messages.data ? (
              <Center>
                <Loader size="sm" />
              </Center>
            ) : (
              <Paper withBorder>
                <MessageList interactionId={item.id} messages={messages.data} height={360} />
              </Paper>
            ))}
          <Text size="xs" c="dimmed">
            {item.id}
          </Text>
        </Stack>
      )}
    </Modal>
  );
}
