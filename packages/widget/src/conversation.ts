import type {
  AttachmentDto,
  ChatMessage,
  ConversationStatus,
  WidgetServerFrame,
} from '@hotline/protocol/chat';

/**
 * The conversation as the visitor sees it, as a pure reducer: server frames, history pages and the
 * visitor's own sends go in, the next state comes out. Rules that keep "nothing lost, nothing twice":
 * - stored messages are unique by `id` and by `seq` and kept sorted by `seq`, whatever order or how
 *   often they arrive (live, replayed after `hello{after}`, fetched);
 * - a message the visitor sends waits in `outbox` (persisted by the caller) until the server
 *   acknowledges its `clientId` — by an `ack` or by the stored message itself coming back;
 * - `lastSeq` (what `hello{after}` asks from) only moves on messages the server sent in full, never on
 *   an `ack`: an ack for seq 7 can overtake the agent's seq 6 still on its way, and asking "after 7"
 *   would lose it. A replay that overlaps is harmless (dedupe).
 */
export interface PendingMessage {
  clientId: string;
  text: string;
  attachment: AttachmentDto | null;
  createdAt: string;
  /** The server's error code when it refused this message (it is not re-sent until retried). */
  error: string | null;
}

export interface ConversationState {
  status: ConversationStatus | null;
  /** Public messages, sorted by `seq`, unique by `seq` and `id`. */
  messages: ChatMessage[];
  /** The highest `seq` received as a full message: `hello{after}` resumes from here. */
  lastSeq: number;
  /** Sent by the visitor, not yet acknowledged, in the order written. */
  outbox: PendingMessage[];
  agentTyping: boolean;
  deliveredByAgentSeq: number;
  readByAgentSeq: number;
}

export type ConversationEvent =
  | { type: 'frame'; frame: WidgetServerFrame }
  | { type: 'history'; messages: ChatMessage[] }
  | { type: 'send'; message: PendingMessage }
  | { type: 'retry'; clientId: string }
  | { type: 'discard'; clientId: string }
  | { type: 'typing-expired' }
  | { type: 'status'; status: ConversationStatus };

export function initialConversation(outbox: PendingMessage[] = []): ConversationState {
  return {
    status: null,
    messages: [],
    lastSeq: 0,
    outbox,
    agentTyping: false,
    deliveredByAgentSeq: 0,
    readByAgentSeq: 0,
  };
}

export function reduceConversation(state: ConversationState, event: ConversationEvent): ConversationState {
  switch (event.type) {
    case 'frame':
      return reduceFrame(state, event.frame);
    case 'history':
      return event.messages.reduce(receive, state);
    case 'send':
      if (state.outbox.some((p) => p.clientId === event.message.clientId)) return state;
      return { ...state, outbox: [...state.outbox, event.message] };
    case 'retry':
      return {
        ...state,
        outbox: state.outbox.map((p) => (p.clientId === event.clientId ? { ...p, error: null } : p)),
      };
    case 'discard':
      return { ...state, outbox: state.outbox.filter((p) => p.clientId !== event.clientId) };
    case 'typing-expired':
      return state.agentTyping ? { ...state, agentTyping: false } : state;
    case 'status':
      return applyStatus(state, event.status);
  }
}

function reduceFrame(state: ConversationState, frame: WidgetServerFrame): ConversationState {
  switch (frame.type) {
    case 'welcome':
    case 'status':
      return applyStatus(state, frame.status);
    case 'message':
      return receive(state, frame.message);
    case 'ack':
      return acknowledge(state, frame);
    case 'typing':
      return state.agentTyping === frame.active ? state : { ...state, agentTyping: frame.active };
    case 'mark':
      if (frame.mark === 'read') {
        return {
          ...state,
          readByAgentSeq: Math.max(state.readByAgentSeq, frame.seq),
          deliveredByAgentSeq: Math.max(state.deliveredByAgentSeq, frame.seq),
        };
      }
      return { ...state, deliveredByAgentSeq: Math.max(state.deliveredByAgentSeq, frame.seq) };
    case 'error':
      if (frame.clientId === undefined) return state;
      return {
        ...state,
        outbox: state.outbox.map((p) => (p.clientId === frame.clientId ? { ...p, error: frame.code } : p)),
      };
    case 'pong':
      return state;
  }
}

function applyStatus(state: ConversationState, status: ConversationStatus): ConversationState {
  return {
    ...state,
    status,
    agentTyping: status.status === 'connected' ? state.agentTyping : false,
    readByAgentSeq: Math.max(state.readByAgentSeq, status.readByAgentSeq),
    deliveredByAgentSeq: Math.max(state.deliveredByAgentSeq, status.readByAgentSeq),
  };
}

/** A stored message from the server: insert it once; it also settles the visitor's pending send. */
function receive(state: ConversationState, message: ChatMessage): ConversationState {
  if (message.visibility !== 'public') return state;
  const outbox =
    message.clientId !== null && state.outbox.some((p) => p.clientId === message.clientId)
      ? state.outbox.filter((p) => p.clientId !== message.clientId)
      : state.outbox;
  return {
    ...state,
    messages: insert(state.messages, message),
    lastSeq: Math.max(state.lastSeq, message.seq),
    outbox,
    agentTyping: message.author.kind === 'customer' ? state.agentTyping : false,
  };
}

/**
 * The server stored the visitor's message as `id`/`seq`: it leaves the outbox and shows at its place in
 * the log, built from what was sent (the full message, if it comes, replaces it — same id).
 */
function acknowledge(
  state: ConversationState,
  ack: { clientId: string; id: string; seq: number },
): ConversationState {
  const pending = state.outbox.find((p) => p.clientId === ack.clientId);
  if (!pending) return state;
  const stored: ChatMessage = {
    id: ack.id,
    interactionId: state.status?.conversationId ?? '',
    seq: ack.seq,
    author: { kind: 'customer', userId: null, name: '' },
    visibility: 'public',
    text: pending.text,
    attachment: pending.attachment,
    clientId: pending.clientId,
    createdAt: pending.createdAt,
  };
  return {
    ...state,
    outbox: state.outbox.filter((p) => p !== pending),
    messages: insertIfAbsent(state.messages, stored),
  };
}

/** Inserts by `seq`; a message with the same `id` is replaced (the server's copy wins), same `seq` kept. */
function insert(messages: ChatMessage[], message: ChatMessage): ChatMessage[] {
  const index = findSeq(messages, message.seq);
  const existing = messages[index];
  if (existing && existing.seq === message.seq) {
    if (existing.id !== message.id || sameMessage(existing, message)) return messages;
    const next = messages.slice();
    next[index] = message;
    return next;
  }
  const next = messages.slice();
  next.splice(index, 0, message);
  return next;
}

function insertIfAbsent(messages: ChatMessage[], message: ChatMessage): ChatMessage[] {
  const existing = messages[findSeq(messages, message.seq)];
  if (existing && existing.seq === message.seq) return messages;
  return insert(messages, message);
}

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return a.text === b.text && a.author.name === b.author.name && a.createdAt === b.createdAt;
}

/** The index of `seq`, or where it would go. */
function findSeq(messages: ChatMessage[], seq: number): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (messages[middle]!.seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

export type Tick = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

/** The tick under one of the visitor's messages. */
export function tickOf(state: ConversationState, message: ChatMessage | PendingMessage): Tick {
  if (!('seq' in message)) return message.error === null ? 'sending' : 'failed';
  if (message.seq <= state.readByAgentSeq) return 'read';
  if (message.seq <= state.deliveredByAgentSeq) return 'delivered';
  return 'sent';
}

/** The highest `seq` of a message from the other side (agent, bot, system); 0 when none. */
export function lastIncomingSeq(state: ConversationState): number {
  for (let i = state.messages.length - 1; i >= 0; i -= 1) {
    const message = state.messages[i]!;
    if (message.author.kind !== 'customer') return message.seq;
  }
  return 0;
}

/** Outbox entries to (re-)send now: all but the ones the server refused. */
export function sendable(state: ConversationState): PendingMessage[] {
  return state.outbox.filter((p) => p.error === null);
}
