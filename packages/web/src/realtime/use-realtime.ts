import { WS_PATH } from '@hotline/protocol/routing';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ME_KEY } from '../api/query-client';
import { useMe } from '../auth/session';
import type { Conversation } from './chat-log';
import type { EventFrame, QueuesFrame } from './frames';
import { type RealtimeClient as Client, RealtimeClient, type SocketLike } from './realtime-client';

/**
 * React access to the one realtime socket of this browser tab. The socket belongs to the signed-in
 * user: it opens when the first realtime view mounts, stays open while the user moves between views
 * (one connection per session, not per page) and closes a minute after the last view unmounts, on
 * sign-out or when another user signs in.
 */
interface Shared {
  userId: string;
  client: RealtimeClient;
  views: number;
  idleTimer: ReturnType<typeof setTimeout> | null;
}
let shared: Shared | null = null;
const IDLE_CLOSE_MS = 60_000;

function browserClient(userId: string): RealtimeClient {
  const key = `hotline.realtime.seq.${userId}`;
  return new RealtimeClient({
    connect: () => {
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      return new WebSocket(`${scheme}://${window.location.host}${WS_PATH}`) as unknown as SocketLike;
    },
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    random: Math.random,
    now: Date.now,
    seqStore: {
      load: () => {
        try {
          return sessionStorage.getItem(key);
        } catch {
          return null;
        }
      },
      save: (seq) => {
        try {
          sessionStorage.setItem(key, seq);
        } catch {
          // Storage unavailable: the seq lives in memory only; a reload then subscribes live.
        }
      },
    },
  });
}

function acquire(userId: string): Shared {
  if (shared && shared.userId !== userId) {
    shared.client.stop();
    if (shared.idleTimer) clearTimeout(shared.idleTimer);
    shared = null;
  }
  if (!shared) shared = { userId, client: browserClient(userId), views: 0, idleTimer: null };
  if (shared.idleTimer) clearTimeout(shared.idleTimer);
  shared.idleTimer = null;
  shared.views++;
  shared.client.start();
  return shared;
}

function release(entry: Shared): void {
  entry.views--;
  if (entry.views > 0 || shared !== entry) return;
  entry.idleTimer = setTimeout(() => {
    if (shared === entry && entry.views === 0) {
      entry.client.stop();
      shared = null;
    }
  }, IDLE_CLOSE_MS);
}

/** The shared client for the signed-in user; `null` for an API-key principal (no socket). */
export function useRealtimeClient(): Client | null {
  const me = useMe().data;
  const userId = me?.user?.id ?? null;
  const queryClient = useQueryClient();
  const [client, setClient] = useState<Client | null>(null);
  useEffect(() => {
    if (!userId) return;
    const entry = acquire(userId);
    entry.client.onSessionEnded = () => void queryClient.invalidateQueries({ queryKey: ME_KEY });
    setClient(entry.client);
    return () => release(entry);
  }, [userId, queryClient]);
  return client;
}

const noop = () => () => {};

export function useConnectionStatus(client: Client | null) {
  return useSyncExternalStore(client ? (listener) => client.subscribe(listener) : noop, () =>
    client ? client.status : 'idle',
  );
}

export function useChatFrameSupport(client: Client | null) {
  return useSyncExternalStore(client ? (listener) => client.subscribe(listener) : noop, () =>
    client ? client.chatFrames : 'unknown',
  );
}

/** The live log of one conversation (a stable object until it changes). */
export function useConversation(client: Client | null, interactionId: string | null): Conversation | null {
  return useSyncExternalStore(
    client && interactionId ? (listener) => client.subscribe(listener) : noop,
    () => (client && interactionId ? client.conversation(interactionId) : null),
  );
}

/** Several conversations at once (the chat list's unread counts). */
export function useConversations(client: Client | null, ids: readonly string[]): Conversation[] {
  const key = ids.join(',');
  const cache = useRef<{ key: string; value: Conversation[] }>({ key: '', value: [] });
  const snapshot = useCallback(() => {
    if (!client) return cache.current.value;
    const value = key === '' ? [] : key.split(',').map((id) => client.conversation(id));
    const prev = cache.current;
    if (
      prev.key === key &&
      prev.value.length === value.length &&
      prev.value.every((c, i) => c === value[i])
    ) {
      return prev.value;
    }
    cache.current = { key, value };
    return value;
  }, [client, key]);
  return useSyncExternalStore(client ? (listener) => client.subscribe(listener) : noop, snapshot);
}

/** Calls `listener` for every routing event delivered to this principal. */
export function useRoutingEvents(
  client: Client | null,
  listener: (frame: EventFrame, replayed: boolean) => void,
): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    if (!client) return;
    return client.onEvent((frame, replayed) => latest.current(frame, replayed));
  }, [client]);
}

export function useQueuesFrame(client: Client | null): QueuesFrame | null {
  return useSyncExternalStore(client ? (listener) => client.onQueues(listener) : noop, () =>
    client ? client.queues : null,
  );
}

/** Watches a conversation while the calling view is mounted. */
export function useWatch(client: Client | null, interactionId: string | null): void {
  useEffect(() => {
    if (!client || !interactionId) return;
    return client.watch(interactionId);
  }, [client, interactionId]);
}

/** Watches several conversations (every open chat, for unread counts) while mounted. */
export function useWatchAll(client: Client | null, interactionIds: readonly string[]): void {
  const key = interactionIds.join(',');
  useEffect(() => {
    if (!client || key === '') return;
    const stops = key.split(',').map((id) => client.watch(id));
    return () => {
      for (const stop of stops) stop();
    };
  }, [client, key]);
}
