import { type ConversationState, lastIncomingSeq } from './conversation';

export interface MarksSent {
  delivered: number;
  read: number;
}

/**
 * Which `mark` frames the widget owes the agent now: `delivered` up to the newest incoming message as
 * soon as it is here, `read` only while the visitor can see it (panel open, page visible). Never a
 * mark at or below one already sent, so marks go out once, however often this is asked.
 */
export function marksDue(
  state: ConversationState,
  sent: MarksSent,
  seen: boolean,
): { mark: 'delivered' | 'read'; seq: number }[] {
  const newest = lastIncomingSeq(state);
  const due: { mark: 'delivered' | 'read'; seq: number }[] = [];
  if (seen && newest > sent.read) due.push({ mark: 'read', seq: newest });
  else if (newest > sent.delivered && newest > sent.read) due.push({ mark: 'delivered', seq: newest });
  return due;
}

/** Messages from the agent side the visitor has not seen yet (the launcher's badge). */
export function unreadCount(state: ConversationState, readUpTo: number): number {
  let count = 0;
  for (const message of state.messages) {
    if (message.seq > readUpTo && message.author.kind !== 'customer') count += 1;
  }
  return count;
}
