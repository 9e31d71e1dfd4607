import type { ChatMessage, ChatServerFrame, WidgetServerFrame } from '@hotline/protocol/chat';
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
 * (their estimated wait ages).
 */
export type ChatAccess = 'supervisor' | 'assigned' | 'offered';

const STATUS_DEBOUNCE_MS = 100;
export const STATUS_REFRESH_MS = 5_000;

interface Sink<F> {
  send(frame: F): void;
  /** Highest seq sent. */
  lastSent: number;
  /** Live messages held back while the replay runs. */
  pending: ChatMessage[] | null;
}

export interface CustomerSink extends Sink<WidgetServerFrame> {
  readonly conv: Conversation;
  /** The last status pushed, as JSON (to push only changes). */
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
      const customers = this.#customers.get(m.interactionId);
      if (customers && m.visibility === 'public') {
        for (const c of customers) deliver(c, m, customerFrame);
      }
      const watchers = this.#watchers.get(m.interactionId);
      if (watchers) {
        for (const w of watchers) {
          if (visibleTo(w.access, m)) deliver(w, m, watcherFrame);
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
    for (const [id, sinks] of this.#customers) {
      const first = sinks.values().next().value;
      if (first && first.conv.tenantId === tenantId && isQueued(first)) this.#dirty.add(id);
    }
    this.#schedule();
  }

  /** Sends the current status to one sink now (on hello). */
  async pushStatusTo(sink: CustomerSink): Promise<void> {
    const status = await this.reader.one(sink.conv);
    sink.lastStatus = JSON.stringify(status);
    sink.send({ type: 'status', status });
  }

  #refreshQueued(): void {
    for (const [id, sinks] of this.#customers) {
      const first = sinks.values().next().value;
      if (first && isQueued(first)) this.#dirty.add(id);
    }
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
        for (const sink of this.#customers.get(status.conversationId) ?? []) {
          if (!force && sink.lastStatus === json) continue;
          sink.lastStatus = json;
          sink.send({ type: 'status', status });
        }
      }
    }
  }
}

export const customerFrame = (message: ChatMessage): WidgetServerFrame => ({ type: 'message', message });
export const watcherFrame = (message: ChatMessage): ChatServerFrame => ({ type: 'chat.message', message });

function isQueued(sink: CustomerSink): boolean {
  return sink.lastStatus?.includes('"status":"queued"') === true;
}

function deliver<F>(sink: Sink<F>, m: ChatMessage, frame: (m: ChatMessage) => F): void {
  if (sink.pending) {
    sink.pending.push(m);
    return;
  }
  if (m.seq <= sink.lastSent) return;
  sink.lastSent = m.seq;
  sink.send(frame(m));
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
