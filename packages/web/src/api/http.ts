import type { Page } from '@hotline/protocol/common';

/**
 * A failed API call. `code` is the stable machine code from the server's `{ error: { code, message } }`
 * body, or `NETWORK` / `BAD_RESPONSE` when no such body arrived.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * Calls the Hotline API with the session cookie (never a stored token). Resolves to the parsed JSON body,
 * or `undefined` for 204; rejects with `ApiError`.
 */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    // Only with a body: the server rejects an empty body declared as JSON.
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : String(cause));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = parseJson(text);
  if (!response.ok) throw toApiError(response.status, json, text);
  if (json === undefined) throw new ApiError(response.status, 'BAD_RESPONSE', text.slice(0, 200));
  return json as T;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(status: number, json: unknown, text: string): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
    ?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(status, error.code, String(error.message ?? ''), error.details);
  }
  return new ApiError(status, 'BAD_RESPONSE', text.slice(0, 200) || `HTTP ${status}`);
}

export interface PageRequest {
  limit: number;
  offset: number;
}

export function pageQuery({ limit, offset }: PageRequest, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ limit: String(limit), offset: String(offset), ...extra });
  return `?${params}`;
}

/** The REST verbs every configuration collection under `/api/<resource>` answers. */
export function collection<T, CreateBody, UpdateBody = Partial<CreateBody>>(resource: string) {
  return {
    key: [resource] as const,
    list: (page: PageRequest) => request<Page<T>>('GET', `/${resource}${pageQuery(page)}`),
    get: (id: string) => request<T>('GET', `/${resource}/${id}`),
    create: (body: CreateBody) => request<T>('POST', `/${resource}`, body),
    update: (id: string, body: UpdateBody) => request<T>('PATCH', `/${resource}/${id}`, body),
    remove: (id: string) => request<void>('DELETE', `/${resource}/${id}`),
  };
}
export type Collection<T, CreateBody = unknown, UpdateBody = Partial<CreateBody>> = ReturnType<
  typeof collection<T, CreateBody, UpdateBody>
>;
