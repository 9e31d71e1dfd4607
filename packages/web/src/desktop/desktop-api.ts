import type { AttachmentDto, ChatMessage, ReplyTemplate, SendMessageBody } from '@hotline/protocol/chat';
import type { ContactDto, ContactInteraction } from '@hotline/protocol/contacts';
import type { AgentStateDto, DirectoryEntry, InteractionDto } from '@hotline/protocol/routing';
import { ApiError, request } from '../api/http';

/**
 * The endpoints the agent desktop calls. Some are being built alongside it (chat messages,
 * attachments, contacts, reply templates); until a server answers them the calls reject with
 * `ApiError` (`ROUTE_NOT_FOUND`), which the views show as an error, never a crash.
 */
export type AgentState = AgentStateDto;
/** The interaction DTO with the contact link the chat server adds. */
export type Interaction = InteractionDto & { contactId?: string | null };

export const agentApi = {
  key: ['agent', 'me'] as const,
  me: () => request<AgentState>('GET', '/agent/me'),
  login: () => request<AgentState>('POST', '/agent/login'),
  logout: () => request<AgentState>('POST', '/agent/logout'),
  ready: () => request<AgentState>('PUT', '/agent/state', { state: 'ready' }),
  notReady: (reasonId?: string) =>
    request<AgentState>(
      'PUT',
      '/agent/state',
      reasonId ? { state: 'not_ready', reasonId } : { state: 'not_ready' },
    ),
  accept: (id: string) => request<AgentState>('POST', `/agent/offers/${id}/accept`),
  decline: (id: string) => request<AgentState>('POST', `/agent/offers/${id}/decline`),
  end: (id: string) => request<AgentState>('POST', `/agent/interactions/${id}/end`),
  wrapUp: (id: string, body: { dispositionCodeId?: string; notes: string }) =>
    request<AgentState>('POST', `/agent/interactions/${id}/wrap-up`, body),
  transfer: (id: string, body: { queueId: string; agentId?: string; note: string }) =>
    request<AgentState>('POST', `/agent/interactions/${id}/transfer`, body),
  directoryKey: ['agent', 'directory'] as const,
  /** Colleagues as an agent may see them (name, status, free chats), for the transfer dialog. */
  directory: async () => (await request<{ items: DirectoryEntry[] }>('GET', '/agent/directory')).items,
};

export const interactionApi = {
  key: (id: string) => ['interaction', id] as const,
  get: (id: string) => request<Interaction>('GET', `/interactions/${id}`),
  messagesKey: (id: string) => ['interaction', id, 'messages'] as const,
  messages: async (id: string, after = 0) =>
    itemsOf(
      await request<unknown>('GET', `/interactions/${id}/messages?after=${after}&limit=500`),
    ) as ChatMessage[],
  send: (id: string, body: SendMessageBody) =>
    request<ChatMessage>('POST', `/interactions/${id}/messages`, body),
  upload: (id: string, file: File) => uploadFile(`/interactions/${id}/attachments`, file),
  attachmentUrl: (id: string, attachmentId: string) => `/api/interactions/${id}/attachments/${attachmentId}`,
};

export const contactApi = {
  key: (id: string) => ['contact', id] as const,
  get: (id: string) => request<ContactDto>('GET', `/contacts/${id}`),
  update: (
    id: string,
    body: {
      name?: string;
      email?: string | null;
      phone?: string | null;
      attributes?: Record<string, string>;
    },
  ) => request<ContactDto>('PATCH', `/contacts/${id}`, body),
  historyKey: (id: string) => ['contact', id, 'interactions'] as const,
  history: async (id: string) =>
    itemsOf(await request<unknown>('GET', `/contacts/${id}/interactions`)) as ContactInteraction[],
};

export const templateApi = {
  key: ['reply-templates'] as const,
  list: async () => itemsOf(await request<unknown>('GET', '/reply-templates?limit=500')) as ReplyTemplate[],
};

/** A list endpoint may answer `{items}` (a page) or a bare array; both are accepted. */
export function itemsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const items = (body as { items?: unknown } | null)?.items;
  if (Array.isArray(items)) return items;
  throw new ApiError(200, 'BAD_RESPONSE', 'expected a list');
}

/** `multipart/form-data` with the file in field `file`; the answer is the stored attachment. */
async function uploadFile(path: string, file: File): Promise<AttachmentDto> {
  const form = new FormData();
  form.append('file', file, file.name);
  let response: Response;
  try {
    response = await fetch(`/api${path}`, { method: 'POST', body: form, credentials: 'same-origin' });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : String(cause));
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw typeof error?.code === 'string'
      ? new ApiError(response.status, error.code, String(error.message ?? ''))
      : new ApiError(response.status, 'BAD_RESPONSE', text.slice(0, 200) || `HTTP ${response.status}`);
  }
  const attachment = (json as { attachment?: unknown } | undefined)?.attachment ?? json;
  if (!attachment || typeof (attachment as { id?: unknown }).id !== 'string') {
    throw new ApiError(response.status, 'BAD_RESPONSE', 'no attachment in the answer');
  }
  return attachment as AttachmentDto;
}

/** An idempotency key for a message: safe to send again after a lost answer. */
export function newClientId(): string {
  return crypto.randomUUID();
}
