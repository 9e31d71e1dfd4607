import type { ChatServerFrame, chatClientFrameSchemas } from '@hotline/protocol/chat';
import type { z } from 'zod';
import { AppError } from '../errors';
import type { Principal } from '../stores/principal';
import { visibilitiesFor, visibleTo, type WatcherSink, watcherFrame } from './chat-hub';
import type { ChatService } from './chat-service';

/**
 * The chat frames of an agent's or supervisor's realtime socket (`/api/ws`): `watch` replays the
 * conversation after `after` (what the caller may see), then `chat.watching`, then live messages;
 * `unwatch`; `typing` and `mark` for a conversation being watched. One `AgentChat` per socket.
 */
export type ChatClientFrame = z.output<(typeof chatClientFrameSchemas)[number]>;

type ErrorFrame = { type: 'error'; code: string; message: string };
const REPLAY_PAGE = 500;

export class AgentChat {
  readonly #watching = new Map<string, WatcherSink>();

  constructor(
    private readonly chat: ChatService,
    private readonly principal: Principal,
    private readonly send: (frame: ChatServerFrame | ErrorFrame) => void,
    /** Sends a frame already serialised (a live message, serialised once for all its watchers). */
    private readonly sendSerialized: (json: string) => void,
  ) {}

  async handle(frame: ChatClientFrame): Promise<void> {
    try {
      switch (frame.type) {
        case 'watch':
          return await this.#watch(frame.interactionId, frame.after);
        case 'unwatch':
          return this.#unwatch(frame.interactionId);
        case 'typing': {
          const sink = this.#watched(frame.interactionId);
          if (sink.access === 'supervisor' || sink.access === 'offered') return;
          const { conv } = await this.chat.access(this.principal, frame.interactionId);
          return this.chat.agentTyping(conv, frame.active);
        }
        case 'mark':
          this.#watched(frame.interactionId);
          return await this.chat.agentMark(this.principal, frame.interactionId, frame.mark, frame.seq);
      }
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      this.send({ type: 'error', code: err.code, message: err.message });
    }
  }

  close(): void {
    for (const sink of this.#watching.values()) this.chat.hub.removeWatcher(sink);
    this.#watching.clear();
  }

  async #watch(interactionId: string, after: number): Promise<void> {
    this.#unwatch(interactionId);
    const { conv, access } = await this.chat.access(this.principal, interactionId);
    const sink: WatcherSink = {
      tenantId: conv.tenantId,
      interactionId,
      principal: this.principal,
      access,
      send: this.send,
      sendSerialized: this.sendSerialized,
      lastSent: after,
      pending: [],
    };
    this.#watching.set(interactionId, sink);
    this.chat.hub.addWatcher(sink);
    for (;;) {
      const page = await this.chat.log.read(conv.tenantId, interactionId, {
        after: sink.lastSent,
        limit: REPLAY_PAGE,
        visibilities: visibilitiesFor(access),
      });
      for (const m of page) {
        sink.lastSent = m.seq;
        this.send({ type: 'chat.message', message: m });
      }
      if (page.length < REPLAY_PAGE) break;
    }
    const last = await this.chat.log.lastSeq(conv.tenantId, interactionId);
    if (this.#watching.get(interactionId) !== sink) return;
    this.chat.hub.finishReplay(sink, watcherFrame, (m) => visibleTo(sink.access, m));
    this.send({
      type: 'chat.watching',
      interactionId,
      lastSeq: Math.max(last, sink.lastSent),
      readByCustomerSeq: conv.readByCustomerSeq,
    });
  }

  #unwatch(interactionId: string): void {
    const sink = this.#watching.get(interactionId);
    if (!sink) return;
    this.chat.hub.removeWatcher(sink);
    this.#watching.delete(interactionId);
  }

  #watched(interactionId: string): WatcherSink {
    const sink = this.#watching.get(interactionId);
    if (!sink) throw new AppError('NOT_FOUND', 'watch the conversation first');
    return sink;
  }
}
