import type { AttachmentDto, ChatMessage } from '@hotline/protocol/chat';
import { ApiError } from '../api/http';

export interface Outgoing {
  text: string;
  visibility: 'public' | 'internal';
  attachment: AttachmentDto | null;
}

export interface OutboxDeps {
  /** `POST /api/interactions/:id/messages` under `clientId`; resolves to the stored message. */
  post(interactionId: string, clientId: string, message: Outgoing): Promise<ChatMessage>;
  /** The server has it (also when it had it already: the same `clientId` is never stored twice). */
  stored(interactionId: string, message: ChatMessage): void;
  /** Marks the pending message failed (refused by the server) or sending again. */
  setFailed(interactionId: string, clientId: string, failed: boolean): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface Entry {
  clientId: string;
  message: Outgoing;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The server could not be reached (down, restarting, connection reset): worth sending again. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'NETWORK' || [502, 503, 504].includes(error.status));
}

const MAX_BACKOFF_MS = 15_000;

/**
 * The agent's messages on their way to the server. Each conversation's messages go one at a time,
 * in the order written, each under its `clientId`. When the server cannot be reached the message
 * stays pending (shown as sending) and its conversation waits: everything queued is sent again when
 * the realtime socket is live again (`resume`) or after a backoff, whichever comes first. So what an
 * agent types during an outage arrives once, in order, after the server is back. A refusal (ended
 * chat, bad input) marks that message failed, rejects its promise and lets the next one go; Retry
 * queues it again under the same `clientId`.
 *
 * Lives as long as the page's realtime client; not persisted (a reload drops unsent messages).
 */
export class ChatOutbox {
  readonly #deps: OutboxDeps;
  readonly #queues = new Map<string, Entry[]>();
  readonly #sending = new Set<string>();
  #blocked = false;
  #attempt = 0;
  #timer: unknown = null;

  constructor(deps: OutboxDeps) {
    this.#deps = deps;
  }

  /** Resolves once stored; rejects (and marks it failed) when the server refuses it. */
  send(interactionId: string, clientId: string, message: Outgoing): Promise<void> {
    const queue = this.#queues.get(interactionId) ?? [];
    const queued = queue.find((e) => e.clientId === clientId);
    if (queued) return new Promise((resolve, reject) => queue.push({ ...queued, resolve, reject }));
    this.#deps.setFailed(interactionId, clientId, false);
    return new Promise<void>((resolve, reject) => {
      queue.push({ clientId, message, resolve, reject });
      this.#queues.set(interactionId, queue);
      if (!this.#blocked) void this.#pump(interactionId);
    });
  }

  /** The server is reachable again (the realtime socket is live): send what waits, now. */
  resume(): void {
    this.#deps.clearTimeout(this.#timer);
    this.#timer = null;
    this.#attempt = 0;
    this.#blocked = false;
    for (const id of this.#queues.keys()) void this.#pump(id);
  }

  /** Messages not yet stored, in all conversations. */
  get size(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  async #pump(interactionId: string): Promise<void> {
    if (this.#sending.has(interactionId)) return;
    this.#sending.add(interactionId);
    try {
      for (;;) {
        const queue = this.#queues.get(interactionId);
        const head = queue?.[0];
        if (!queue || !head || this.#blocked) return;
        try {
          const stored = await this.#deps.post(interactionId, head.clientId, head.message);
          this.#deps.stored(interactionId, stored);
          this.#attempt = 0;
          this.#done(queue, head.clientId, (e) => e.resolve());
        } catch (error) {
          if (isUnreachable(error)) {
            this.#block();
            return;
          }
          this.#deps.setFailed(interactionId, head.clientId, true);
          this.#done(queue, head.clientId, (e) => e.reject(error));
        }
        if (queue.length === 0) this.#queues.delete(interactionId);
      }
    } finally {
      this.#sending.delete(interactionId);
    }
  }

  /** Removes every entry of `clientId` (a retry may have queued it twice) and settles them. */
  #done(queue: Entry[], clientId: string, settle: (e: Entry) => void): void {
    for (let i = queue.length - 1; i >= 0; i--) {
      if (queue[i]!.clientId !== clientId) continue;
      settle(queue[i]!);
      queue.splice(i, 1);
    }
  }

  #block(): void {
    this.#blocked = true;
    if (this.#timer !== null) return;
    const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** this.#attempt++);
    this.#timer = this.#deps.setTimeout(() => {
      this.#timer = null;
      this.#blocked = false;
      for (const id of this.#queues.keys()) void this.#pump(id);
    }, delay);
  }
}
