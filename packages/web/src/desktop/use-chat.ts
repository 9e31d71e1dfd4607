import { useCallback, useEffect, useState } from 'react';
import type { Conversation } from '../realtime/chat-log';
import type { RealtimeClient } from '../realtime/realtime-client';
import { useChatFrameSupport, useConversation, useWatch } from '../realtime/use-realtime';
import { ChatOutbox, type Outgoing } from './chat-outbox';
import { interactionApi, newClientId } from './desktop-api';

const WATCH_GRACE_MS = 2_500;
const POLL_MS = 3_000;

/**
 * The live log of one chat: watched over the realtime socket; when the socket cannot serve chat
 * frames (or the watch is not confirmed in time) the log is filled from
 * `GET /api/interactions/:id/messages?after=` instead, every 3 s while frames are unavailable.
 * `error` is the last failed REST call (shown by the view; the log keeps what it has).
 */
export function useChatFeed(client: RealtimeClient | null, interactionId: string | null) {
  useWatch(client, interactionId);
  const conversation = useConversation(client, interactionId);
  const support = useChatFrameSupport(client);
  const [error, setError] = useState<unknown>(null);
  const watching = conversation?.watching ?? false;

  useEffect(() => {
    // A confirmed watch replays what was missed: an error of the fallback (e.g. during an outage) is over.
    if (watching) setError(null);
    if (!client || !interactionId || watching) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const after = client.conversation(interactionId).lastSeq;
        client.ingest(interactionId, await interactionApi.messages(interactionId, after));
        if (!stopped) setError(null);
      } catch (e) {
        if (!stopped) setError(e);
      }
      if (!stopped && client.chatFrames === 'unsupported') timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, support === 'unsupported' ? 0 : WATCH_GRACE_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, interactionId, watching, support]);

  return { conversation, error };
}

/** One outbox per realtime client (the tab's session), sent again whenever the socket is live again. */
const outboxes = new WeakMap<RealtimeClient, ChatOutbox>();

function outboxOf(client: RealtimeClient): ChatOutbox {
  const outbox = outboxes.get(client);
  if (outbox) return outbox;
  const created = new ChatOutbox({
    post: (interactionId, clientId, message) =>
      interactionApi.send(interactionId, {
        clientId,
        text: message.text,
        visibility: message.visibility,
        ...(message.attachment ? { attachmentId: message.attachment.id } : {}),
      }),
    stored: (interactionId, message) => client.ingest(interactionId, [message]),
    setFailed: (interactionId, clientId, failed) => client.setPendingFailed(interactionId, clientId, failed),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  });
  let live = client.status === 'live';
  client.subscribe(() => {
    const now = client.status === 'live';
    if (now && !live) created.resume();
    live = now;
  });
  outboxes.set(client, created);
  return created;
}

/**
 * Sends a message the way the log expects: shown at once as pending under a fresh `clientId`,
 * replaced by the stored copy from the answer or the socket (whichever comes first). While the
 * server is unreachable it stays pending in the outbox and goes when the server is back
 * (`chat-outbox.ts`); a refusal marks it failed, and `retry` sends the same `clientId` again, so a
 * message that did get stored is never stored twice.
 */
export function useSend(client: RealtimeClient | null, interactionId: string) {
  const send = useCallback(
    (message: Outgoing) => {
      if (!client) return Promise.resolve();
      const clientId = newClientId();
      client.addPending(interactionId, {
        ...message,
        clientId,
        createdAt: new Date().toISOString(),
        failed: false,
      });
      return outboxOf(client).send(interactionId, clientId, message);
    },
    [client, interactionId],
  );
  const retry = useCallback(
    (conversation: Conversation, clientId: string) => {
      const pending = conversation.pending.find((p) => p.clientId === clientId);
      if (!client || !pending) return Promise.resolve();
      const { text, visibility, attachment } = pending;
      return outboxOf(client).send(interactionId, clientId, { text, visibility, attachment });
    },
    [client, interactionId],
  );
  return { send, retry };
}
