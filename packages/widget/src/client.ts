import type { AttachmentDto, WidgetClientFrame, WidgetServerFrame } from '@hotline/protocol/chat';
import { type ConnectionState, type SocketLike, type Timers, WidgetConnection } from './connection';
import {
  type ConversationEvent,
  type ConversationState,
  initialConversation,
  type PendingMessage,
  reduceConversation,
  sendable,
} from './conversation';

export interface ConversationClientOptions {
  url: string;
  conversationId: string;
  token: string;
  /** Unacknowledged messages from an earlier page view (persisted outbox). */
  outbox: PendingMessage[];
  createSocket(url: string): SocketLike;
  timers: Timers;
  random(): number;
  now(): Date;
  newClientId(): string;
  /** Called whenever the outbox changes; persist it before anything else happens. */
  saveOutbox(outbox: PendingMessage[]): void;
  /** After every change of the state or the connection. */
  onChange(): void;
  /** Every frame, after it has been applied to the state. */
  onFrame?(frame: WidgetServerFrame): void;
  /** The server refused this conversation for good (bad token, not found). */
  onRejected(): void;
  /** A rate-limited message is tried again after this long. */
  rateLimitRetryMs?: number;
}

/**
 * One conversation, without any DOM: the state (through the reducer), the persisted outbox and the
 * WebSocket. A message is written to the outbox (and saved) before it is sent; after every `welcome`
 * — first connect, reconnect, server restart, page reload — everything still unacknowledged is sent
 * again with its `clientId`, so the server stores it once and the visitor sees it once.
 */
export class ConversationClient {
  private current: ConversationState;
  private readonly connection: WidgetConnection;
  private connectionNow: ConnectionState = 'closed';
  private opened = false;

  constructor(private readonly o: ConversationClientOptions) {
    this.current = initialConversation(o.outbox);
    this.connection = new WidgetConnection({
      url: o.url,
      createSocket: o.createSocket,
      hello: () => ({
        type: 'hello',
        token: o.token,
        conversationId: o.conversationId,
        after: this.current.lastSeq,
      }),
      onFrame: (frame) => this.receive(frame),
      onReady: () => {
        this.opened = true;
        this.flush();
        o.onChange();
      },
      onState: (state) => {
        this.connectionNow = state;
        o.onChange();
      },
      onRejected: () => o.onRejected(),
      timers: o.timers,
      random: o.random,
    });
  }

  get state(): ConversationState {
    return this.current;
  }

  get connectionState(): ConnectionState {
    return this.connectionNow;
  }

  /** Whether a connection has been ready at least once (before that, "reconnecting" would be wrong). */
  get everConnected(): boolean {
    return this.opened;
  }

  get ready(): boolean {
    return this.connection.isReady;
  }

  start(): void {
    this.connection.start();
  }

  stop(): void {
    this.connection.stop();
  }

  reconnectNow(): void {
    this.connection.reconnectNow();
  }

  /** Queues a message (saved first) and sends it if connected; returns its `clientId`. */
  send(text: string, attachment: AttachmentDto | null = null): string {
    const clientId = this.o.newClientId();
    const message: PendingMessage = {
      clientId,
      text,
      attachment,
      createdAt: this.o.now().toISOString(),
      error: null,
    };
    this.apply({ type: 'send', message });
    this.connection.send(sendFrame(message));
    return clientId;
  }

  retry(clientId: string): void {
    this.apply({ type: 'retry', clientId });
    this.flush();
  }

  /** Typing and marks: best effort, false when not connected. */
  signal(frame: Extract<WidgetClientFrame, { type: 'typing' | 'mark' }>): boolean {
    return this.connection.send(frame);
  }

  /** A state change learnt elsewhere (a REST answer with the status, the typing timeout). */
  apply(event: ConversationEvent): void {
    const before = this.current;
    this.current = reduceConversation(before, event);
    if (this.current.outbox !== before.outbox) this.o.saveOutbox(this.current.outbox);
    if (this.current !== before) this.o.onChange();
  }

  private receive(frame: WidgetServerFrame): void {
    this.apply({ type: 'frame', frame });
    if (frame.type === 'error' && frame.code === 'RATE_LIMITED' && frame.clientId !== undefined) {
      const clientId = frame.clientId;
      this.o.timers.setTimeout(() => this.retry(clientId), this.o.rateLimitRetryMs ?? 5_000);
    }
    this.o.onFrame?.(frame);
  }

  /** Everything unacknowledged and not refused, in the order written. */
  private flush(): void {
    for (const pending of sendable(this.current)) {
      if (!this.connection.send(sendFrame(pending))) return;
    }
  }
}

function sendFrame(message: PendingMessage): WidgetClientFrame {
  return message.attachment
    ? { type: 'send', clientId: message.clientId, text: message.text, attachmentId: message.attachment.id }
    : { type: 'send', clientId: message.clientId, text: message.text };
}
