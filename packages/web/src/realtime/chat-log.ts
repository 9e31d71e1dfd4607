import type { AttachmentDto, ChatMessage, ChatServerFrame } from '@hotline/protocol/chat';

/**
 * One conversation as the desktop holds it: the server's append-only log (messages by `seq`), the
 * agent's own messages still on their way (keyed by `clientId`), marks both ways and the customer's
 * typing. Pure: every function returns a new value and takes the time it needs as an argument, so
 * the same frames in any order and any number of repeats give the same state.
 */
export interface PendingMessage {
  clientId: string;
  text: string;
  visibility: 'public' | 'internal';
  attachment: AttachmentDto | null;
  createdAt: string;
  failed: boolean;
}

export interface Conversation {
  interactionId: string;
  /** Sorted by `seq`, each `seq` once. */
  messages: readonly ChatMessage[];
  /** The highest `seq` held: a resume (`watch{after}`, `?after=`) starts after it. */
  lastSeq: number;
  pending: readonly PendingMessage[];
  /** This side has read everything up to here. */
  readSeq: number;
  /** The customer's marks on the agent side's messages. */
  deliveredToCustomerSeq: number;
  readByCustomerSeq: number;
  /** The customer is typing until this time (epoch ms); a lost "stopped" frame expires by itself. */
  customerTypingUntil: number | null;
  /** The server confirmed the watch (replay done). */
  watching: boolean;
}

/** How long a "typing" frame counts without a refresh. */
export const TYPING_TTL_MS = 6_000;

export function emptyConversation(interactionId: string): Conversation {
  return {
    interactionId,
    messages: [],
    lastSeq: 0,
    pending: [],
    readSeq: 0,
    deliveredToCustomerSeq: 0,
    readByCustomerSeq: 0,
    customerTypingUntil: null,
    watching: false,
  };
}

/**
 * Adds messages; a `seq` already held is ignored. `from` decides how far `lastSeq` (where a resume
 * starts) may move: the watch stream sends everything visible in order, so it moves to the newest;
 * a REST answer (a send's reply, a history page) may skip ahead of messages not seen yet — the
 * customer's, written meanwhile — so it moves only over seqs held without a gap.
 */
export function addMessages(
  conversation: Conversation,
  incoming: readonly ChatMessage[],
  from: 'stream' | 'rest' = 'stream',
): Conversation {
  const fresh = incoming.filter((m) => m.interactionId === conversation.interactionId);
  if (fresh.length === 0) return conversation;
  const bySeq = new Map<number, ChatMessage>();
  for (const m of conversation.messages) bySeq.set(m.seq, m);
  let added = false;
  for (const m of fresh) {
    if (!bySeq.has(m.seq)) {
      bySeq.set(m.seq, m);
      added = true;
    }
  }
  const stored = new Set(fresh.map((m) => m.clientId).filter((id): id is string => id !== null));
  const pending = conversation.pending.filter((p) => !stored.has(p.clientId));
  if (!added && pending.length === conversation.pending.length) return conversation;
  const messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const customerSpoke = fresh.some((m) => m.author.kind === 'customer' && m.seq > conversation.lastSeq);
  return {
    ...conversation,
    messages,
    pending,
    lastSeq:
      from === 'stream'
        ? Math.max(conversation.lastSeq, messages.at(-1)?.seq ?? 0)
        : contiguous(conversation.lastSeq, bySeq),
    // A message from the customer ends their typing.
    customerTypingUntil: customerSpoke ? null : conversation.customerTypingUntil,
  };
}

/** The highest seq reached from `from` over seqs all held. */
function contiguous(from: number, held: ReadonlyMap<number, unknown>): number {
  let seq = from;
  while (held.has(seq + 1)) seq++;
  return seq;
}

export function applyChatFrame(
  conversation: Conversation,
  frame: ChatServerFrame,
  now: number,
): Conversation {
  switch (frame.type) {
    case 'chat.message':
      return addMessages(conversation, [frame.message]);
    case 'chat.watching':
      if (frame.interactionId !== conversation.interactionId) return conversation;
      return {
        ...conversation,
        // Everything visible up to here has been sent on the stream.
        lastSeq: Math.max(conversation.lastSeq, frame.lastSeq),
        watching: true,
        readByCustomerSeq: Math.max(conversation.readByCustomerSeq, frame.readByCustomerSeq),
        deliveredToCustomerSeq: Math.max(conversation.deliveredToCustomerSeq, frame.readByCustomerSeq),
      };
    case 'chat.typing':
      if (frame.interactionId !== conversation.interactionId) return conversation;
      return { ...conversation, customerTypingUntil: frame.active ? now + TYPING_TTL_MS : null };
    case 'chat.mark': {
      if (frame.interactionId !== conversation.interactionId) return conversation;
      const delivered = Math.max(conversation.deliveredToCustomerSeq, frame.seq);
      return frame.mark === 'read'
        ? {
            ...conversation,
            deliveredToCustomerSeq: delivered,
            readByCustomerSeq: Math.max(conversation.readByCustomerSeq, frame.seq),
          }
        : { ...conversation, deliveredToCustomerSeq: delivered };
    }
  }
}

export function addPending(conversation: Conversation, message: PendingMessage): Conversation {
  if (conversation.pending.some((p) => p.clientId === message.clientId)) return conversation;
  if (conversation.messages.some((m) => m.clientId === message.clientId)) return conversation;
  return { ...conversation, pending: [...conversation.pending, message] };
}

export function setPendingFailed(
  conversation: Conversation,
  clientId: string,
  failed: boolean,
): Conversation {
  return {
    ...conversation,
    pending: conversation.pending.map((p) => (p.clientId === clientId ? { ...p, failed } : p)),
  };
}

export function dropPending(conversation: Conversation, clientId: string): Conversation {
  return { ...conversation, pending: conversation.pending.filter((p) => p.clientId !== clientId) };
}

/** Everything held counts as read; returns the same object when nothing changes. */
export function markRead(conversation: Conversation): Conversation {
  return conversation.readSeq >= conversation.lastSeq
    ? conversation
    : { ...conversation, readSeq: conversation.lastSeq };
}

/** Messages after the read mark that someone else wrote (the customer, a supervisor's whisper …). */
export function unreadCount(conversation: Conversation, myUserId: string | null): number {
  let n = 0;
  for (let i = conversation.messages.length - 1; i >= 0; i--) {
    const m = conversation.messages[i]!;
    if (m.seq <= conversation.readSeq) break;
    if (m.author.kind === 'system') continue;
    if (myUserId !== null && m.author.userId === myUserId) continue;
    n++;
  }
  return n;
}

export function isCustomerTyping(conversation: Conversation, now: number): boolean {
  return conversation.customerTypingUntil !== null && conversation.customerTypingUntil > now;
}

/** The highest customer message held, for the agent side's `delivered`/`read` marks. */
export function lastCustomerSeq(conversation: Conversation): number {
  for (let i = conversation.messages.length - 1; i >= 0; i--) {
    const m = conversation.messages[i]!;
    if (m.author.kind === 'customer') return m.seq;
  }
  return 0;
}

export type Tick = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

/** The state mark of an agent-side public message as the customer's marks tell it. */
export function tickOf(conversation: Conversation, message: ChatMessage): Tick | null {
  if (message.visibility !== 'public' || message.author.kind === 'customer') return null;
  if (message.seq <= conversation.readByCustomerSeq) return 'read';
  if (message.seq <= conversation.deliveredToCustomerSeq) return 'delivered';
  return 'sent';
}
