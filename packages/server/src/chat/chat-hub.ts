import type {
  ChatMessage,
  ChatServerFrame,
  ConversationStatus,
  WidgetServerFrame,
} from '@hotline/protocol/chat';
import type { Principal } from '../stores/principal';
import type { ConversationStatusReader } from './conversation-status';
import type { Conversation } from './conversations';

/**
 * Live fan-out of a process's chats: the widget sockets of each conversation (customers) and the
 * agent/supervisor sockets watching it (watchers). Messages reach a sink once, in seq order, after a
 * replay: while a sink replays stored messages, live ones wait in `pending` and are delivered after,
 * skipping what the replay already sent.
 *
 * Visibility: customers get `public` messages only; watchers by their access — the assigned agent and
 * supervisors everything, an agent with an open offer everything but whispers.
 *
 * Status frames: a conversation is marked dirty on routing changes and pushed within
 * `STATUS_DEBOUNCE_MS` if its status changed; queued ones are pushed every `STATUS_REFRESH_MS` anyway
 * (their estimated wait ages). The hub keeps the ids of conversations last seen queued per tenant,
 * so a queue move touches the waiting chats of that tenant, not every open socket.
 *
 * Cost per message: it is serialised once, and each frame kind (customer, watcher) built once from
 * it, however many sinks it reaches (`sendSerialized`).
 */
export type ChatAccess = 'supervisor' | 'assigned' | 'offered';

const STATUS_DEBOUNCE_MS = 100;
export const STATUS_REFRESH_MS = 5_000;

interface Sink<F> {
  send(frame: F): void;
  /** Sends a frame already serialised as JSON (shared by every sink a message goes to). */
  sendSerialized(json: string): void;
  /** Highest seq sent. */
  lastSent: number;
  /** Live messages held back while the replay runs. */
  pending: ChatMessage[] | null;
}

export interface CustomerSink extends Sink<WidgetServerFrame> {
  readonly conv: Conversation;
  /** The last status pushed, as JSON (to push only changes); set through `ChatHub.sentStatus`. */
  lastStatus: string | null;
}

export interface WatcherSink extends Sink<ChatServerFrame> {
  readonly tenantId: string;
  readonly interactionId: string;
  readonly principal: Principal;
  access: ChatAccess;
}

export function visibleTo(access: ChatAccess | 'customer', m: ChatMessage): boolean {
  if (access === 'customer') return m.visibility === 'public';
  if (access === 'offered') return m.visibility !== 'whisper';
  return true;
}

export const visibilitiesFor = (access: ChatAccess | 'customer'): ChatMessage['visibility'][] =>
  access === 'customer'
    ? ['public']
    : access === 'offered'
      ? ['public', 'internal']
      : ['public', 'internal', 'whisper'];

export class ChatHub {
  readonly #customers = new Map<string, Set<CustomerSink>>();
  readonly #watchers = new Map<string, Set<WatcherSink>>();
  readonly #dirty = new Set<string>();
  /** Per tenant, the conversations whose customers were last told `queued`. */
  readonly #queued = new Map<string, Set<string>>();
  #force = false;
  #timer: NodeJS.Timeout | null = null;
  readonly #refresh: NodeJS.Timeout;

  constructor(
    private readonly reader: ConversationStatusReader,
    private readonly onError: (err: unknown) => void,
  ) {
    this.#refresh = setInterval(() => this.#refreshQueued(), STATUS_REFRESH_MS);
    this.#refresh.unref();
  }

  close(): void {
    clearInterval(this.#refresh);
    if (this.#timer) clearTimeout(this.#timer);
  }

  addCustomer(sink: CustomerSink): void {
    add(this.#customers, sink.conv.interactionId, sink);
  }
  removeCustomer(sink: CustomerSink): void {
    remove(this.#customers, sink.conv.interactionId, sink);
    if (!this.#customers.has(sink.conv.interactionId)) {
      remove(this.#queued, sink.conv.tenantId, sink.conv.interactionId);
    }
  }
  addWatcher(sink: WatcherSink): void {
    add(this.#watchers, sink.interactionId, sink);
  }
  removeWatcher(sink: WatcherSink): void {
    remove(this.#watchers, sink.interactionId, sink);
  }
  watchersOf(interactionId: string): readonly WatcherSink[] {
    return [...(this.#watchers.get(interactionId) ?? [])];
  }
  hasCustomers(interactionId: string): boolean {
    return this.#customers.has(interactionId);
  }
  /** Interactions with someone live on either side. */
  isLive(interactionId: string): boolean {
    return this.#customers.has(interactionId) || this.#watchers.has(interactionId);
  }
  counts(): { customers: number; watchers: number } {
    let customers = 0;
    let watchers = 0;
    for (const s of this.#customers.values()) customers += s.size;
    for (const s of this.#watchers.values()) watchers += s.size;
    return { customers, watchers };
  }

  /** Committed messages: to every sink allowed to see them. */
  publish(messages: readonly ChatMessage[]): void {
    for (const m of messages) {
      let json: string | null = null;
      const customers = this.#customers.get(m.interactionId);
      if (customers && m.visibility === 'public') {
        let frame: string | null = null;
        for (const c of customers) {
          if (!due(c, m)) continue;
          json ??= JSON.stringify(m);
          frame ??= `{"type":"message","message":${json}}`;
          c.sendSerialized(frame);
        }
      }
      const watchers = this.#watchers.get(m.interactionId);
      if (watchers) {
        let frame: string | null = null;
        for (const w of watchers) {
          if (!visibleTo(w.access, m) || !due(w, m)) continue;
          json ??= JSON.stringify(m);
          frame ??= `{"type":"chat.message","message":${json}}`;
          w.sendSerialized(frame);
        }
      }
    }
  }

  /** Ends a replay: sends what arrived meanwhile (above `lastSent`) and goes live. */
  finishReplay<F>(sink: Sink<F>, frame: (m: ChatMessage) => F, visible: (m: ChatMessage) => boolean): void {
    const held = sink.pending ?? [];
    sink.pending = null;
    for (const m of held) if (visible(m)) deliver(sink, m, frame);
  }

  toCustomers(interactionId: string, frame: WidgetServerFrame): void {
    for (const c of this.#customers.get(interactionId) ?? []) c.send(frame);
  }
  toWatchers(interactionId: string, frame: ChatServerFrame): void {
    for (const w of this.#watchers.get(interactionId) ?? []) w.send(frame);
  }

  /** The conversation's status may have changed: push it to its customers soon (if it did). */
  statusChanged(interactionId: string): void {
    if (!this.#customers.has(interactionId)) return;
    this.#dirty.add(interactionId);
    this.#schedule();
  }

  /** Queue positions of a tenant may have moved: re-check its queued conversations. */
  queueMoved(tenantId: string): void {
    for (const id of this.#queued.get(tenantId) ?? []) this.#dirty.add(id);
    this.#schedule();
  }

  /** Records the status a customer sink was just sent (in a `welcome` or `status` frame). */
  sentStatus(sink: CustomerSink, status: ConversationStatus, json = JSON.stringify(status)): void {
    sink.lastStatus = json;
    const { tenantId, interactionId } = sink.conv;
    if (status.status === 'queued' && this.#customers.has(interactionId))
      add(this.#queued, tenantId, interactionId);
    else remove(this.#queued, tenantId, interactionId);
  }

  /** Sends the current status to one sink now (on hello). */
  async pushStatusTo(sink: CustomerSink): Promise<void> {
    const status = await this.reader.one(sink.conv);
    this.sentStatus(sink, status);
    sink.send({ type: 'status', status });
  }

  #refreshQueued(): void {
    for (const ids of this.#queued.values()) for (const id of ids) this.#dirty.add(id);
    this.#force = true;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#dirty.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pushDirty().catch(this.onError);
    }, STATUS_DEBOUNCE_MS);
  }

  async #pushDirty(): Promise<void> {
    const ids = [...this.#dirty];
    const force = this.#force;
    this.#dirty.clear();
    this.#force = false;
    const byTenant = new Map<string, Conversation[]>();
    for (const id of ids) {
      const first = this.#customers.get(id)?.values().next().value;
      if (!first) continue;
      const list = byTenant.get(first.conv.tenantId) ?? [];
      list.push(first.conv);
      byTenant.set(first.conv.tenantId, list);
    }
    for (const [tenantId, convs] of byTenant) {
      const statuses = await this.reader.many(tenantId, convs);
      for (const status of statuses) {
        const json = JSON.stringify(status);
        let frame: string | null = null;
        for (const sink of this.#customers.get(status.conversationId) ?? []) {
          if (!force && sink.lastStatus === json) continue;
          this.sentStatus(sink, status, json);
          frame ??= `{"type":"status","status":${json}}`;
          sink.sendSerialized(frame);
        }
      }
    }
  }
}

export const customerFrame = (message: ChatMessage): WidgetServerFrame => ({ type: 'message', message });
export const watcherFrame = (message: ChatMessage): ChatServerFrame => ({ type: 'chat.message', message });

/**
 * Whether a live message goes out to the sink now: not while its replay runs (it is held in
 * `pending`), nor when the replay already sent it. Advances `lastSent` when it does.
 */
function due<F>(sink: Sink<F>, m: ChatMessage): boolean {
  if (sink.pending) {
    sink.pending.push(m);
    return false;
  }
  if (m.seq <= sink.lastSent) return false;
  sink.lastSent = m.seq;
  return true;
}

function deliver<F>(sink: Sink<F>, m: ChatMessage, frame: (m: ChatMessage) => F): void {
  if (due(sink, m)) sink.send(frame(m));
}

function add<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function remove<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
