import type {
  AttachmentDto,
  ChatMessage,
  ConversationStatus,
  StartConversationBody,
  WidgetConfig,
} from '@hotline/protocol/chat';
import type { Locale } from '@hotline/protocol/common';

/** An answer other than 2xx; `code` is the server's stable error code (`NETWORK` when none came). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface OfflineMessage {
  name: string;
  email?: string;
  phone?: string;
  topic?: string;
  message: string;
  callback: boolean;
  language: Locale;
}

export interface StartReply {
  conversationId: string;
  visitorToken: string;
  status: ConversationStatus;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * The widget's REST calls to the Hotline server it was loaded from (`origin`). Cross-origin and
 * without cookies: the public calls carry the tenant slug, the others `Authorization: Bearer hlv_…`.
 * Answers are trusted to match the protocol's types (same server, same contract); failures become
 * `ApiError` with the server's code.
 */
export class WidgetApi {
  constructor(
    private readonly origin: string,
    private readonly tenant: string,
    private readonly fetchFn: Fetch = (input, init) => fetch(input, init),
  ) {}

  config(language: Locale): Promise<WidgetConfig> {
    return this.json(`/api/widget/${encodeURIComponent(this.tenant)}/config?lang=${language}`);
  }

  start(body: StartConversationBody): Promise<StartReply> {
    return this.json(`/api/widget/${encodeURIComponent(this.tenant)}/conversations`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }

  /** Also answered with a conversation and a visitor token (the message waits as an interaction). */
  offline(body: OfflineMessage): Promise<StartReply> {
    return this.json(`/api/widget/${encodeURIComponent(this.tenant)}/offline-messages`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }

  status(token: string, conversationId: string): Promise<ConversationStatus> {
    return this.json(this.conversation(conversationId), {}, token);
  }

  async messages(token: string, conversationId: string, after: number): Promise<ChatMessage[]> {
    const page = await this.json<{ items: ChatMessage[] }>(
      `${this.conversation(conversationId)}/messages?after=${after}`,
      {},
      token,
    );
    return page.items;
  }

  upload(token: string, conversationId: string, file: Blob, fileName: string): Promise<AttachmentDto> {
    const form = new FormData();
    form.append('file', file, fileName);
    return this.json(
      `${this.conversation(conversationId)}/attachments`,
      { method: 'POST', body: form },
      token,
    );
  }

  attachment(token: string, conversationId: string, attachmentId: string): Promise<Blob> {
    return this.blob(`${this.conversation(conversationId)}/attachments/${attachmentId}`, token);
  }

  end(token: string, conversationId: string): Promise<ConversationStatus> {
    return this.json(`${this.conversation(conversationId)}/end`, { method: 'POST' }, token);
  }

  rate(token: string, conversationId: string, score: number, comment: string): Promise<ConversationStatus> {
    return this.json(
      `${this.conversation(conversationId)}/rating`,
      { method: 'POST', body: JSON.stringify({ score, comment }) },
      token,
    );
  }

  transcript(token: string, conversationId: string): Promise<Blob> {
    return this.blob(`${this.conversation(conversationId)}/transcript`, token);
  }

  private conversation(conversationId: string): string {
    return `/api/widget/conversations/${encodeURIComponent(conversationId)}`;
  }

  private async json<T>(path: string, init: RequestInit = {}, token?: string): Promise<T> {
    const response = await this.request(path, init, token, 'application/json');
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async blob(path: string, token: string): Promise<Blob> {
    return (await this.request(path, {}, token, '*/*')).blob();
  }

  private async request(
    path: string,
    init: RequestInit,
    token: string | undefined,
    accept: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (typeof init.body === 'string') headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchFn(`${this.origin}${path}`, {
        ...init,
        headers,
        credentials: 'omit',
        mode: 'cors',
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : String(error));
    }
    if (response.ok) return response;
    let code = 'INTERNAL';
    let message = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.code === 'string') code = body.error.code;
      if (typeof body.error?.message === 'string') message = body.error.message;
    } catch {
      // not our error body (a proxy's page): keep the status
    }
    throw new ApiError(response.status, code, message);
  }
}
