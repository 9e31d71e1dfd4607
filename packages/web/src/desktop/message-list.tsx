import type { AttachmentDto, ChatMessage } from '@hotline/protocol/chat';
import { Anchor, Box, Button, Group, Image, Paper, ScrollArea, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { type Conversation, type PendingMessage, type Tick, tickOf } from '../realtime/chat-log';
import { interactionApi } from './desktop-api';

/**
 * A conversation as bubbles: the customer on the left, the agent side on the right; internal notes
 * and supervisor whispers look different and say who sees them; system lines are centred. Every
 * text (names included) is rendered as text, never as HTML.
 */
interface MessageListProps {
  interactionId: string;
  messages: readonly ChatMessage[];
  /** For delivery ticks; omitted in a transcript. */
  conversation?: Conversation;
  pending?: readonly PendingMessage[];
  onRetry?: (clientId: string) => void;
  typingName?: string | null;
  /** Height of the scroll area; the list keeps the newest message in view. */
  height: number | string;
}

export function MessageList(props: MessageListProps) {
  const { t } = useTranslation();
  const viewport = useRef<HTMLDivElement>(null);
  const count = props.messages.length + (props.pending?.length ?? 0);
  // Keep the newest line in view whenever a message or the typing line appears.
  const bottom = `${count}:${props.typingName ?? ''}`;
  useEffect(() => {
    const el = viewport.current;
    if (el && bottom) el.scrollTo({ top: el.scrollHeight });
  }, [bottom]);
  return (
    <ScrollArea h={props.height} viewportRef={viewport} type="auto" data-testid="message-list">
      <Stack gap="xs" p="xs">
        {count === 0 && (
          <Text c="dimmed" ta="center" size="sm" py="lg">
            {t('desktop.noMessages')}
          </Text>
        )}
        {props.messages.map((m) => (
          <Bubble
            key={m.seq}
            interactionId={props.interactionId}
            message={m}
            tick={props.conversation ? tickOf(props.conversation, m) : null}
          />
        ))}
        {props.pending?.map((p) => (
          <PendingBubble
            key={p.clientId}
            interactionId={props.interactionId}
            pending={p}
            onRetry={props.onRetry}
          />
        ))}
        {props.typingName && (
          <Text size="xs" c="dimmed" fs="italic" data-testid="customer-typing">
            {t('desktop.typing', { name: props.typingName })}
          </Text>
        )}
      </Stack>
    </ScrollArea>
  );
}

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function Bubble({
  interactionId,
  message,
  tick,
}: {
  interactionId: string;
  message: ChatMessage;
  tick: Tick | null;
}) {
  const { t } = useTranslation();
  const kind = message.author.kind;
  if (kind === 'system') {
    return (
      <Text size="xs" c="dimmed" ta="center" data-testid="message-system">
        {message.text} · {time(message.createdAt)}
      </Text>
    );
  }
  const ours = kind !== 'customer';
  const variant =
    message.visibility === 'internal'
      ? 'internal'
      : message.visibility === 'whisper'
        ? 'whisper'
        : ours
          ? 'ours'
          : 'theirs';
  const colors = {
    theirs: { bg: 'gray.1', bd: 'transparent' },
    ours: { bg: 'indigo.0', bd: 'transparent' },
    internal: { bg: 'yellow.0', bd: 'yellow.5' },
    whisper: { bg: 'grape.0', bd: 'grape.4' },
  }[variant];
  return (
    <Group justify={ours ? 'flex-end' : 'flex-start'} data-testid={`message-${variant}`}>
      <Paper
        px="sm"
        py={6}
        maw="78%"
        bg={colors.bg}
        withBorder={variant === 'internal' || variant === 'whisper'}
        style={{
          borderColor: `var(--mantine-color-${colors.bd.replace('.', '-')})`,
          borderStyle: variant === 'internal' ? 'dashed' : undefined,
        }}
      >
        {variant === 'internal' && (
          <Text size="xs" fw={700} c="yellow.9">
            {t('desktop.internalNote')}
          </Text>
        )}
        {variant === 'whisper' && (
          <Text size="xs" fw={700} c="grape.8">
            {t('desktop.whisperFrom', { name: message.author.name })}
          </Text>
        )}
        <Text size="xs" c="dimmed" fw={600}>
          {message.author.name || (kind === 'bot' ? t('desktop.bot') : '')}
        </Text>
        {message.text && (
          <Text
            size="sm"
            style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
            data-testid="message-text"
          >
            {message.text}
          </Text>
        )}
        {message.attachment && <Attachment interactionId={interactionId} attachment={message.attachment} />}
        <Group gap={4} justify="flex-end">
          <Text size="10px" c="dimmed">
            {time(message.createdAt)}
          </Text>
          {tick && <TickMark tick={tick} />}
        </Group>
      </Paper>
    </Group>
  );
}

function PendingBubble({
  interactionId,
  pending,
  onRetry,
}: {
  interactionId: string;
  pending: PendingMessage;
  onRetry: ((clientId: string) => void) | undefined;
}) {
  const { t } = useTranslation();
  return (
    <Group justify="flex-end" data-testid="message-pending">
      <Paper
        px="sm"
        py={6}
        maw="78%"
        bg={pending.visibility === 'internal' ? 'yellow.0' : 'indigo.0'}
        opacity={0.75}
      >
        {pending.text && (
          <Text
            size="sm"
            style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
            data-testid="message-pending-text"
          >
            {pending.text}
          </Text>
        )}
        {pending.attachment && <Attachment interactionId={interactionId} attachment={pending.attachment} />}
        <Group gap={6} justify="flex-end">
          {pending.failed ? (
            <>
              <Text size="xs" c="red">
                {t('desktop.sendFailed')}
              </Text>
              {onRetry && (
                <Button size="compact-xs" variant="subtle" onClick={() => onRetry(pending.clientId)}>
                  {t('common.retry')}
                </Button>
              )}
            </>
          ) : (
            <TickMark tick="sending" />
          )}
        </Group>
      </Paper>
    </Group>
  );
}

function TickMark({ tick }: { tick: Tick }) {
  const { t } = useTranslation();
  const mark = { sending: '◷', failed: '!', sent: '✓', delivered: '✓✓', read: '✓✓' }[tick];
  return (
    <Text
      size="xs"
      c={tick === 'read' ? 'blue.6' : 'dimmed'}
      fw={700}
      title={t(`desktop.ticks.${tick}`)}
      aria-label={t(`desktop.ticks.${tick}`)}
      data-testid={`tick-${tick}`}
    >
      {mark}
    </Text>
  );
}

function Attachment({ interactionId, attachment }: { interactionId: string; attachment: AttachmentDto }) {
  const url = interactionApi.attachmentUrl(interactionId, attachment.id);
  const size = `${Math.max(1, Math.round(attachment.size / 1024))} KB`;
  return (
    <Box mt={4} data-testid="message-attachment">
      {attachment.mime.startsWith('image/') && (
        <Anchor href={url} target="_blank" rel="noreferrer">
          <Image
            src={url}
            alt={attachment.fileName}
            radius="sm"
            style={{ maxHeight: 180, maxWidth: 260, width: 'auto', height: 'auto' }}
            data-testid="attachment-preview"
          />
        </Anchor>
      )}
      <Anchor href={url} target="_blank" rel="noreferrer" size="xs">
        {attachment.fileName} · {size}
      </Anchor>
    </Box>
  );
}
