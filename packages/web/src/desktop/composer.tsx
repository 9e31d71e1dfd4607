import {
  type AttachmentDto,
  attachmentTypes,
  MAX_ATTACHMENT_BYTES,
  MAX_MESSAGE_CHARS,
} from '@hotline/protocol/chat';
import {
  Badge,
  Button,
  CloseButton,
  FileButton,
  Group,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/http';
import { ErrorAlert } from '../crud/error-alert';
import type { RealtimeClient } from '../realtime/realtime-client';
import { interactionApi } from './desktop-api';
import { opensTemplatesInComposer, sendsMessage } from './shortcuts';
import { TemplatePicker } from './template-picker';
import { useSend } from './use-chat';

interface ComposerProps {
  client: RealtimeClient | null;
  interactionId: string;
  /** Values for template variables (`customer.name`, `agent.name`). */
  variables: Record<string, string | null>;
  templatesOpen: boolean;
  onTemplatesOpen: (open: boolean) => void;
}

/**
 * Reply or internal note. Enter sends, Shift+Enter starts a new line, "/" in an empty box opens the
 * reply templates (as does Alt+T). Attachments are uploaded first and sent with the next message;
 * the server decides the type by content, the checks here only save a pointless upload.
 */
export function Composer({
  client,
  interactionId,
  variables,
  templatesOpen,
  onTemplatesOpen,
}: ComposerProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'internal'>('public');
  const [attachment, setAttachment] = useState<AttachmentDto | null>(null);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const { send } = useSend(client, interactionId);

  // A fresh box for every conversation; stop "typing" when leaving one.
  useEffect(() => {
    setText('');
    setAttachment(null);
    setError(null);
    setVisibility('public');
    return () => client?.typing(interactionId, false);
  }, [client, interactionId]);

  const submit = () => {
    const body = text.trim();
    if (!body && !attachment) return;
    setError(null);
    setText('');
    setAttachment(null);
    client?.typing(interactionId, false);
    send({ text: body, visibility, attachment }).catch(setError);
  };

  const upload = async (file: File | null) => {
    if (!file) return;
    setError(null);
    if (file.size > MAX_ATTACHMENT_BYTES) {
      setError(
        new ApiError(
          413,
          'PAYLOAD_TOO_LARGE',
          t('desktop.attachmentTooLarge', { mb: MAX_ATTACHMENT_BYTES >> 20 }),
        ),
      );
      return;
    }
    setUploading(true);
    try {
      setAttachment(await interactionApi.upload(interactionId, file));
    } catch (e) {
      setError(e);
    } finally {
      setUploading(false);
    }
  };

  const insert = (rendered: string) => {
    setText((current) => (current.trim() ? `${current.trimEnd()} ${rendered}` : rendered));
    onTemplatesOpen(false);
    requestAnimationFrame(() => box.current?.focus());
  };

  return (
    <Stack gap={6} data-testid="composer">
      <Group justify="space-between">
        <SegmentedControl
          size="xs"
          value={visibility}
          onChange={(v) => setVisibility(v as 'public' | 'internal')}
          data={[
            { value: 'public', label: t('desktop.reply') },
            { value: 'internal', label: t('desktop.note') },
          ]}
          data-testid="composer-visibility"
        />
        <Group gap="xs">
          <Button
            size="compact-sm"
            variant="subtle"
            onClick={() => onTemplatesOpen(true)}
            data-testid="templates-button"
          >
            {t('desktop.templates')}
          </Button>
          <FileButton onChange={(f) => void upload(f)} accept={attachmentTypes.join(',')}>
            {(props) => (
              <Button
                size="compact-sm"
                variant="subtle"
                loading={uploading}
                {...props}
                data-testid="attach-button"
              >
                {t('desktop.attach')}
              </Button>
            )}
          </FileButton>
        </Group>
      </Group>
      {attachment && (
        <Group gap={4}>
          <Badge variant="light" tt="none" data-testid="composer-attachment">
            {attachment.fileName}
          </Badge>
          <CloseButton size="sm" aria-label={t('common.remove')} onClick={() => setAttachment(null)} />
        </Group>
      )}
      <Textarea
        ref={box}
        autosize
        minRows={2}
        maxRows={6}
        maxLength={MAX_MESSAGE_CHARS}
        value={text}
        placeholder={visibility === 'internal' ? t('desktop.notePlaceholder') : t('desktop.replyPlaceholder')}
        styles={
          visibility === 'internal' ? { input: { background: 'var(--mantine-color-yellow-0)' } } : undefined
        }
        onChange={(e) => {
          setText(e.currentTarget.value);
          if (visibility === 'public') client?.typing(interactionId, e.currentTarget.value.length > 0);
        }}
        onKeyDown={(e) => {
          if (opensTemplatesInComposer(e, text)) {
            e.preventDefault();
            onTemplatesOpen(true);
          } else if (sendsMessage({ ...e, isComposing: e.nativeEvent.isComposing })) {
            e.preventDefault();
            submit();
          }
        }}
        data-testid="composer-input"
      />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {t('desktop.composerHint')}
        </Text>
        <Button size="xs" onClick={submit} disabled={!text.trim() && !attachment} data-testid="send-button">
          {visibility === 'internal' ? t('desktop.addNote') : t('desktop.send')}
        </Button>
      </Group>
      <ErrorAlert error={error} />
      <TemplatePicker
        opened={templatesOpen}
        onClose={() => onTemplatesOpen(false)}
        variables={variables}
        onPick={insert}
      />
    </Stack>
  );
}
