import type { ChatMessage } from '@hotline/protocol/chat';
import { describe, expect, it } from 'vitest';
import { type ConversationState, initialConversation, reduceConversation } from './conversation';
import { marksDue, unreadCount } from './marks';

function withMessages(authors: ('agent' | 'customer' | 'system')[]): ConversationState {
  return authors.reduce(
    (state, kind, index) =>
      reduceConversation(state, {
        type: 'frame',
        frame: {
          type: 'message',
          message: {
            id: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
            interactionId: '00000000-0000-4000-8000-000000000000',
            seq: index + 1,
            author: { kind, userId: null, name: kind },
            visibility: 'public',
            text: 'x',
            attachment: null,
            clientId: null,
            createdAt: '2025-01-01T00:00:00Z',
          } satisfies ChatMessage,
        },
      }),
    initialConversation(),
  );
}

describe('marksDue', () => {
  const state = withMessages(['agent', 'customer', 'agent', 'customer']); // incoming: 1, 3

  it('marks delivered when not seen, read when seen', () => {
    expect(marksDue(state, { delivered: 0, read: 0 }, false)).toEqual([{ mark: 'delivered', seq: 3 }]);
    expect(marksDue(state, { delivered: 0, read: 0 }, true)).toEqual([{ mark: 'read', seq: 3 }]);
  });

  it('owes nothing once marked', () => {
    expect(marksDue(state, { delivered: 3, read: 0 }, false)).toEqual([]);
    expect(marksDue(state, { delivered: 3, read: 3 }, true)).toEqual([]);
    expect(marksDue(state, { delivered: 3, read: 3 }, false)).toEqual([]);
  });

  it('delivered earlier, read now that the visitor looks', () => {
    expect(marksDue(state, { delivered: 3, read: 1 }, true)).toEqual([{ mark: 'read', seq: 3 }]);
  });

  it("never marks the visitor's own messages; nothing before any incoming message", () => {
    expect(marksDue(withMessages(['customer', 'customer']), { delivered: 0, read: 0 }, true)).toEqual([]);
    expect(marksDue(initialConversation(), { delivered: 0, read: 0 }, true)).toEqual([]);
  });
});

describe('unreadCount', () => {
  it('counts incoming messages after what the visitor saw', () => {
    const state = withMessages(['agent', 'customer', 'agent', 'system', 'customer']);
    expect(unreadCount(state, 0)).toBe(3);
    expect(unreadCount(state, 1)).toBe(2);
    expect(unreadCount(state, 3)).toBe(1);
    expect(unreadCount(state, 5)).toBe(0);
  });
});
