import type { AttachmentDto } from '@hotline/protocol/chat';
import type { PendingMessage } from './conversation';

/**
 * What survives a page reload, per tenant, in the host page's localStorage (`hotline-widget:<slug>`):
 * the visitor token (kept after a chat ends, so the next chat is the same visitor and contact), the
 * current conversation, its unacknowledged messages and whether the panel was open.
 * Everything read back is checked: a damaged or foreign value counts as absent, never as a crash.
 */
export interface StoredSession {
  visitorToken: string | null;
  conversationId: string | null;
  outbox: PendingMessage[];
  /** The newest incoming `seq` the visitor has seen (panel open): the launcher's unread badge counts after it. */
  seenSeq: number;
  open: boolean;
}

/** The subset of `Storage` used; tests pass a Map-backed one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A new, unshared empty session (callers mutate theirs). */
export function emptySession(): StoredSession {
  return { visitorToken: null, conversationId: null, outbox: [], seenSeq: 0, open: false };
}

export function sessionKey(tenant: string): string {
  return `hotline-widget:${tenant}`;
}

export function loadSession(storage: KeyValueStorage | null, tenant: string): StoredSession {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(sessionKey(tenant)) ?? null;
  } catch {
    return emptySession();
  }
  if (raw === null) return emptySession();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return emptySession();
  }
  if (!isRecord(value)) return emptySession();
  const conversationId = isUuid(value.conversationId) ? value.conversationId : null;
  return {
    visitorToken:
      typeof value.visitorToken === 'string' && value.visitorToken.length <= 200 ? value.visitorToken : null,
    conversationId,
    outbox: conversationId !== null && Array.isArray(value.outbox) ? value.outbox.filter(isPending) : [],
    seenSeq:
      conversationId !== null && Number.isSafeInteger(value.seenSeq) && (value.seenSeq as number) > 0
        ? (value.seenSeq as number)
        : 0,
    open: value.open === true,
  };
}

/**
 * Writes the session; false when the storage refused (private mode, quota): the chat still works for
 * this page view, it just will not resume after a reload.
 */
export function saveSession(
  storage: KeyValueStorage | null,
  tenant: string,
  session: StoredSession,
): boolean {
  if (!storage) return false;
  try {
    if (session.visitorToken === null && session.conversationId === null)
      storage.removeItem(sessionKey(tenant));
    else storage.setItem(sessionKey(tenant), JSON.stringify(session));
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUuid(value: unknown): value is string {
  return (
    typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
  );
}

function isPending(value: unknown): value is PendingMessage {
  if (!isRecord(value)) return false;
  return (
    typeof value.clientId === 'string' &&
    /^[A-Za-z0-9_-]{8,64}$/.test(value.clientId) &&
    typeof value.text === 'string' &&
    typeof value.createdAt === 'string' &&
    (value.error === null || typeof value.error === 'string') &&
    (value.attachment === null || isAttachment(value.attachment))
  );
}

function isAttachment(value: unknown): value is AttachmentDto {
  return (
    isRecord(value) &&
    isUuid(value.id) &&
    typeof value.fileName === 'string' &&
    typeof value.mime === 'string' &&
    typeof value.size === 'number'
  );
}
