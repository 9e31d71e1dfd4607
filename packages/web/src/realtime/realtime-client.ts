import type { PhoneClientFrame, PhoneServerFrame } from '@hotline/protocol/agent-phone';
import type { ChatMessage, ChatServerFrame } from '@hotline/protocol/chat';
import {
  addMessages,
  addPending,
  applyChatFrame,
  type Conversation,
  dropPending,
  emptyConversation,
  lastCustomerSeq,
  markRead,
  type PendingMessage,
  setPendingFailed,
} from './chat-log';
import { compareSeq, type EventFrame, parseFrame, type QueuesFrame, reconnectDelay } from './frames';

/** The part of a browser `WebSocket` the client uses, so tests can hand it an in-memory one. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: (() => void) | null;
}

export interface RealtimeDeps {
  connect(): SocketLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
  now(): number;
  /** Where the last outbox `seq` survives a page reload (sessionStorage in the browser). */
  seqStore: { load(): string | null; save(seq: string): void };
}

/**
 * `connecting`: the first connection is being opened. `replaying`: subscribed, stored events are
 * arriving. `live`: caught up. `reconnecting`: the socket dropped, the next attempt is scheduled.
 * `ended`: the server closed it because the session ended (code 4401); nothing is retried.
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'replaying' | 'live' | 'reconnecting' | 'ended';

/** Whether the server answers the chat frames (`watch` …); until it does, chats are polled over REST. */
export type ChatFrameSupport = 'unknown' | 'supported' | 'unsupported';

export const SESSION_ENDED_CLOSE_CODE = 4401;
const OPEN = 1;
const HEARTBEAT_MS = 25_000;
/** How long a watch may go unconfirmed before it is sent again, and how often per connection. */
const WATCH_CONFIRM_MS = 3_000;
const WATCH_RETRIES = 5;
/** A `typing: true` is repeated at most this often while the agent keeps typing. */
const TYPING_REPEAT_MS = 3_000;

type EventListener = (frame: EventFrame, replayed: boolean) => void;

/**
 * One WebSocket to `/api/ws` for the browser session. Subscribes with the last outbox `seq` it has
 * seen (kept across reloads), reconnects with jittered exponential backoff and resumes from that
 * `seq`; an event at or below it is never delivered twice. Watches the open conversations
 * (`watch{after}` from the last message `seq` held, again after every reconnect), keeps their logs
 * (`chat-log.ts`) and sends the agent's typing and read marks.
 *
 * Not thread-safe in any sense that matters in a browser: all callbacks run on the event loop.
 * Listeners and `subscribe` callbacks must not throw; a throwing listener is isolated.
 */
export class RealtimeClient {
  readonly #deps: RealtimeDeps;
  #socket: SocketLike | null = null;
  #status: ConnectionStatus = 'idle';
  #attempt = 0;
  #retryTimer: unknown = null;
  #heartbeatTimer: unknown = null;
  #watchCheckTimer: unknown = null;
  /** Watch re-sends on this connection for conversations the server has not confirmed. */
  #watchRetries = 0;
  #heardSinceBeat = true;
  #lastSeq: string | null;
  #chatFrames: ChatFrameSupport = 'unknown';
  #sentChatFrame = false;
  #stopped = true;
  readonly #watchers = new Map<string, number>();
  readonly #conversations = new Map<string, Conversation>();
  readonly #sentMarks = new Map<string, { delivered: number; read: number }>();
  readonly #typingSentAt = new Map<string, number>();
  readonly #eventListeners = new Set<EventListener>();
  readonly #queuesListeners = new Set<(frame: QueuesFrame) => void>();
  readonly #changeListeners = new Set<() => void>();
  readonly #phoneListeners = new Set<(frame: PhoneServerFrame) => void>();
  #queues: QueuesFrame | null = null;
  onSessionEnded: (() => void) | null = null;

  constructor(deps: RealtimeDeps) {
    this.#deps = deps;
    this.#lastSeq = deps.seqStore.load();
  }

  get status(): ConnectionStatus {
    return this.#status;
  }
  get lastSeq(): string | null {
    return this.#lastSeq;
  }
  get chatFrames(): ChatFrameSupport {
    return this.#chatFrames;
  }
  /** The newest `queues` frame (supervisors only). */
  get queues(): QueuesFrame | null {
    return this.#queues;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#setStatus('connecting');
    this.#open();
  }

  stop(): void {
    this.#stopped = true;
    this.#deps.clearTimeout(this.#retryTimer);
    this.#deps.clearTimeout(this.#heartbeatTimer);
    this.#deps.clearTimeout(this.#watchCheckTimer);
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'done');
    }
    this.#setStatus('idle');
  }

  // ── Subscriptions ─────────────────────────────────────────────────────────

  /** Domain events for this principal; `replayed` is true for stored ones sent before `ready`. */
  onEvent(listener: EventListener): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  onQueues(listener: (frame: QueuesFrame) => void): () => void {
    this.#queuesListeners.add(listener);
    return () => this.#queuesListeners.delete(listener);
  }

  /** The softphone's frames (`phone.*`), for `desktop/use-softphone.ts`. */
  onPhone(listener: (frame: PhoneServerFrame) => void): () => void {
    this.#phoneListeners.add(listener);
    return () => this.#phoneListeners.delete(listener);
  }

  /** Sends a softphone frame; false while the socket is not open (the caller retries on `live`). */
  sendPhone(frame: PhoneClientFrame): boolean {
    return this.#send(frame);
  }

  /** Any change of status, chat support or a conversation (for `useSyncExternalStore`). */
  subscribe(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  // ── Conversations ─────────────────────────────────────────────────────────

  conversation(interactionId: string): Conversation {
    let c = this.#conversations.get(interactionId);
    if (!c) {
      c = emptyConversation(interactionId);
      this.#conversations.set(interactionId, c);
    }
    return c;
  }

  /** Starts (or shares) a watch of a conversation; the returned function ends this share of it. */
  watch(interactionId: string): () => void {
    const count = this.#watchers.get(interactionId) ?? 0;
    this.#watchers.set(interactionId, count + 1);
    if (count === 0) this.#sendWatch(interactionId);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#watchers.get(interactionId) ?? 1) - 1;
      if (left > 0) {
        this.#watchers.set(interactionId, left);
        return;
      }
      this.#watchers.delete(interactionId);
      this.#sendChat({ type: 'unwatch', interactionId });
      this.#update(interactionId, (c) => ({ ...c, watching: false }));
    };
  }

  /** Messages from a REST page (history, a send's answer, the polling fallback). */
  ingest(interactionId: string, messages: readonly ChatMessage[]): void {
    this.#update(interactionId, (c) => addMessages(c, messages, 'rest'));
    this.#markDelivered(interactionId);
  }

  addPending(interactionId: string, message: PendingMessage): void {
    this.#update(interactionId, (c) => addPending(c, message));
  }
  setPendingFailed(interactionId: string, clientId: string, failed: boolean): void {
    this.#update(interactionId, (c) => setPendingFailed(c, clientId, failed));
  }
  dropPending(interactionId: string, clientId: string): void {
    this.#update(interactionId, (c) => dropPending(c, clientId));
  }

  /** The agent has seen everything held: the local unread count drops, the customer gets a read mark. */
  markRead(interactionId: string): void {
    this.#update(interactionId, markRead);
    const c = this.conversation(interactionId);
    const seq = lastCustomerSeq(c);
    const sent = this.#marks(interactionId);
    if (seq > sent.read && this.#sendChat({ type: 'mark', interactionId, mark: 'read', seq })) {
      sent.read = seq;
      sent.delivered = Math.max(sent.delivered, seq);
    }
  }

  /** Call on every keystroke; repeats are thinned out here. */
  typing(interactionId: string, active: boolean): void {
    const now = this.#deps.now();
    const last = this.#typingSentAt.get(interactionId);
    if (active) {
      if (last !== undefined && now - last < TYPING_REPEAT_MS) return;
      if (this.#sendChat({ type: 'typing', interactionId, active: true }))
        this.#typingSentAt.set(interactionId, now);
    } else if (last !== undefined) {
      this.#typingSentAt.delete(interactionId);
      this.#sendChat({ type: 'typing', interactionId, active: false });
    }
  }

  // ── Connection ────────────────────────────────────────────────────────────

  #open(): void {
    const socket = this.#deps.connect();
    this.#socket = socket;
    this.#sentChatFrame = false;
    this.#watchRetries = 0;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#setStatus('replaying');
      this.#send(
        this.#lastSeq === null ? { type: 'subscribe' } : { type: 'subscribe', after: this.#lastSeq },
      );
      for (const id of this.#watchers.keys()) this.#sendWatch(id);
      this.#beat();
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket || typeof event.data !== 'string') return;
      this.#heardSinceBeat = true;
      const frame = parseFrame(event.data);
      if (frame) this.#handle(frame);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#deps.clearTimeout(this.#heartbeatTimer);
      for (const id of this.#watchers.keys()) this.#update(id, (c) => ({ ...c, watching: false }));
      if (event.code === SESSION_ENDED_CLOSE_CODE) {
        this.#stopped = true;
        this.#setStatus('ended');
        this.onSessionEnded?.();
        return;
      }
      if (this.#stopped) return;
      this.#setStatus('reconnecting');
      const delay = reconnectDelay(this.#attempt++, this.#deps.random());
      this.#retryTimer = this.#deps.setTimeout(() => {
        if (!this.#stopped) this.#open();
      }, delay);
    };
    socket.onerror = () => {
      // A close event follows; reconnecting happens there.
    };
  }

  /** Pings every 25 s; a socket that stayed silent for a whole period is presumed dead and reopened. */
  #beat(): void {
    this.#deps.clearTimeout(this.#heartbeatTimer);
    this.#heardSinceBeat = true;
    const tick = () => {
      const socket = this.#socket;
      if (!socket) return;
      if (!this.#heardSinceBeat) {
        socket.close(4000, 'heartbeat lost');
        // Browsers report the close asynchronously; do not wait for it.
        socket.onclose?.({ code: 4000 });
        return;
      }
      this.#heardSinceBeat = false;
      this.#send({ type: 'ping' });
      this.#heartbeatTimer = this.#deps.setTimeout(tick, HEARTBEAT_MS);
    };
    this.#heartbeatTimer = this.#deps.setTimeout(tick, HEARTBEAT_MS);
  }

  #handle(frame: NonNullable<ReturnType<typeof parseFrame>>): void {
    switch (frame.type) {
      case 'ready':
        if (this.#lastSeq === null || compareSeq(frame.seq, this.#lastSeq) > 0) this.#saveSeq(frame.seq);
        this.#attempt = 0;
        this.#setStatus('live');
        return;
      case 'event': {
        if (this.#lastSeq !== null && compareSeq(frame.seq, this.#lastSeq) <= 0) return;
        this.#saveSeq(frame.seq);
        const replayed = this.#status === 'replaying';
        for (const listener of this.#eventListeners) isolate(() => listener(frame, replayed));
        return;
      }
      case 'queues':
        this.#queues = frame;
        for (const listener of this.#queuesListeners) isolate(() => listener(frame));
        return;
      case 'error':
        // The server answers a frame it does not know with INVALID_FRAME: until it has confirmed a
        // watch, that means chat frames are not served yet; stop sending them (ten would close us).
        if (frame.code === 'INVALID_FRAME' && this.#sentChatFrame && this.#chatFrames !== 'supported') {
          this.#chatFrames = 'unsupported';
          this.#changed();
        }
        return;
      case 'pong':
        return;
      case 'phone.answer':
      case 'phone.state':
      case 'phone.check-done':
      case 'phone.dtmf':
      case 'phone.recording':
      case 'phone.transfer':
      case 'phone.error':
        for (const listener of this.#phoneListeners) isolate(() => listener(frame));
        return;
      default:
        this.#handleChat(frame);
    }
  }

  #handleChat(frame: ChatServerFrame): void {
    if (this.#chatFrames !== 'supported') {
      this.#chatFrames = 'supported';
      this.#changed();
    }
    const id = frame.type === 'chat.message' ? frame.message.interactionId : frame.interactionId;
    this.#update(id, (c) => applyChatFrame(c, frame, this.#deps.now()));
    if (frame.type === 'chat.message' || frame.type === 'chat.watching') this.#markDelivered(id);
  }

  #markDelivered(interactionId: string): void {
    if (!this.#watchers.has(interactionId)) return;
    const seq = lastCustomerSeq(this.conversation(interactionId));
    const sent = this.#marks(interactionId);
    if (seq > sent.delivered && this.#sendChat({ type: 'mark', interactionId, mark: 'delivered', seq })) {
      sent.delivered = seq;
    }
  }

  #marks(interactionId: string): { delivered: number; read: number } {
    let m = this.#sentMarks.get(interactionId);
    if (!m) {
      m = { delivered: 0, read: 0 };
      this.#sentMarks.set(interactionId, m);
    }
    return m;
  }

  #sendWatch(interactionId: string): void {
    this.#sendChat({ type: 'watch', interactionId, after: this.conversation(interactionId).lastSeq });
    this.#checkWatchesSoon();
  }

  /**
   * A watch the server has not confirmed (`chat.watching`) within a few seconds — refused while the
   * server was still restoring after a restart, or lost — is sent again, a few times per connection;
   * otherwise the conversation would stay silent until the next reconnect.
   */
  #checkWatchesSoon(): void {
    this.#deps.clearTimeout(this.#watchCheckTimer);
    this.#watchCheckTimer = this.#deps.setTimeout(() => {
      if (!this.#socket || this.#chatFrames === 'unsupported') return;
      const unconfirmed = [...this.#watchers.keys()].filter((id) => !this.conversation(id).watching);
      if (unconfirmed.length === 0 || this.#watchRetries >= WATCH_RETRIES) return;
      this.#watchRetries++;
      for (const id of unconfirmed) this.#sendWatch(id);
    }, WATCH_CONFIRM_MS);
  }

  /** Sends a chat frame unless the server is known not to take them; false when not sent. */
  #sendChat(frame: Record<string, unknown> & { type: string }): boolean {
    if (this.#chatFrames === 'unsupported') return false;
    if (!this.#send(frame)) return false;
    this.#sentChatFrame = true;
    return true;
  }

  #send(frame: Record<string, unknown>): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  #saveSeq(seq: string): void {
    this.#lastSeq = seq;
    this.#deps.seqStore.save(seq);
  }

  #update(interactionId: string, fn: (c: Conversation) => Conversation): void {
    const before = this.conversation(interactionId);
    const after = fn(before);
    if (after === before) return;
    this.#conversations.set(interactionId, after);
    this.#changed();
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#changeListeners) isolate(listener);
  }
}

function isolate(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    console.error(error);
  }
}
