import type { AttachmentDto } from '@hotline/protocol/chat';
import { useCallback, useEffect, useState } from 'react';
import type { Conversation } from '../realtime/chat-log';
import type { RealtimeClient } from '../realtime/realtime-client';
import { useChatFrameSupport, useConversation, useWatch } from '../realtime/use-realtime';
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

export interface Outgoing {
  text: string;
  visibility: 'public' | 'internal';
  attachment: AttachmentDto | null;
}

/**
 * Sends a message the way the log expects: shown at once as pending under a fresh `clientId`,
 * replaced by the stored copy from the answer or the socket (whichever comes first), marked failed
 * on an error; `retry` sends the same `clientId` again, so a message that did get stored is never
 * stored twice.
 */
export function useSend(client: RealtimeClient | null, interactionId: string) {
  const post = useCallback(
    async (clientId: string, message: Outgoing) => {
      if (!client) return;
      client.setPendingFailed(interactionId, clientId, false);
      try {
        const stored = await interactionApi.send(interactionId, {
          clientId,
          text: message.text,
          visibility: message.visibility,
          ...(message.attachment ? { attachmentId: message.attachment.id } : {}),
        });
        client.ingest(interactionId, [stored]);
      } catch (error) {
        client.setPendingFailed(interactionId, clientId, true);
        throw error;
      }
    },
    [client, interactionId],
  );
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
      return post(clientId, message);
    },
    [client, interactionId, post],
  );
  const retry = useCallback(
    (conversation: Conversation, clientId: string) => {
      const pending = conversation.pending.find((p) => p.clientId === clientId);
      return pending ? post(clientId, pending) : Promise.resolve();
    },
    [post],
  );
  return { send, retry };
}
