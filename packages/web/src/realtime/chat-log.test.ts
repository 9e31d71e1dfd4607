import type { ChatMessage } from '@hotline/protocol/chat';
import { describe, expect, it } from 'vitest';
import {
  addMessages,
  addPending,
  applyChatFrame,
  emptyConversation,
  isCustomerTyping,
  markRead,
  setPendingFailed,
  TYPING_TTL_MS,
  tickOf,
  unreadCount,
} from './chat-log';
import { compareSeq, parseFrame, reconnectDelay } from './frames';

const IX = '11111111-1111-4111-8111-111111111111';
const ME = '22222222-2222-4222-8222-222222222222';
const SUP = '33333333-3333-4333-8333-333333333333';

function message(seq: number, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    interactionId: IX,
    seq,
    author: { kind: 'customer', userId: null, name: 'Carol' },
    visibility: 'public',
    text: `message ${seq}`,
    attachment: null,
    clientId: null,
    createdAt: '2030-01-01T00:00:00.000Z',
    ...over,
  };
}
const mine = (seq: number, over: Partial<ChatMessage> = {}) =>
  message(seq, { author: { kind: 'agent', userId: ME, name: 'Ann' }, ...over });

describe('lastSeq, where a resume starts', () => {
  const msg = (seq: number): ChatMessage => ({
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    interactionId: 'ix',
    seq,
    author: { kind: 'agent', userId: null, name: 'A' },
    visibility: 'public',
    text: `m${seq}`,
    attachment: null,
    clientId: null,
    createdAt: '2030-01-01T00:00:00.000Z',
  });

  it('does not skip over messages not seen yet when a send answers with a later seq', () => {
    // Seen 1–2 on the stream; our own send (REST) got seq 5 while the customer's 3 and 4 were written.
    let c = addMessages(emptyConversation('ix'), [msg(1), msg(2)]);
    c = addMessages(c, [msg(5)], 'rest');
    expect(c.lastSeq).toBe(2);
    c = addMessages(c, [msg(3), msg(4)], 'rest');
    expect(c.lastSeq).toBe(5);
  });

  it('moves to the newest on the stream and to what the watch confirmed', () => {
    let c = addMessages(emptyConversation('ix'), [msg(1), msg(3)]);
    expect(c.lastSeq).toBe(3);
    c = applyChatFrame(
      c,
      { type: 'chat.watching', interactionId: 'ix', lastSeq: 7, readByCustomerSeq: 0 },
      0,
    );
    expect(c.lastSeq).toBe(7);
  });
});

describe('conversation log', () => {
  it('keeps each seq once, sorted, whatever the arrival order and repeats', () => {
    let c = emptyConversation(IX);
    c = addMessages(c, [message(3), message(1)]);
    c = addMessages(c, [message(2), message(3), message(1)]);
    expect(c.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(c.lastSeq).toBe(3);
    const same = addMessages(c, [message(2)]);
    expect(same).toBe(c);
  });

  it('ignores messages of another conversation', () => {
    const c = emptyConversation(IX);
    expect(addMessages(c, [message(1, { interactionId: SUP })])).toBe(c);
  });

  it('replaces a pending message when its stored copy arrives, by clientId', () => {
    let c = addPending(emptyConversation(IX), {
      clientId: 'client-000001',
      text: 'hello',
      visibility: 'public',
      attachment: null,
      createdAt: '2030-01-01T00:00:00.000Z',
      failed: false,
    });
    c = addPending(c, { ...c.pending[0]!, text: 'duplicate' });
    expect(c.pending).toHaveLength(1);
    c = setPendingFailed(c, 'client-000001', true);
    expect(c.pending[0]!.failed).toBe(true);
    c = addMessages(c, [mine(1, { clientId: 'client-000001', text: 'hello' })]);
    expect(c.pending).toEqual([]);
    expect(c.messages).toHaveLength(1);
    // A message already stored is not pending again (a retry after the ack).
    expect(addPending(c, { ...c.messages[0]!, clientId: 'client-000001', failed: false } as never)).toBe(c);
  });

  it.each([
    ['nothing read', 0, 3],
    ['up to 1', 1, 2],
    ['everything', 5, 0],
  ])('counts unread from others, not my own or system lines (%s)', (_name, readSeq, expected) => {
    let c = addMessages(emptyConversation(IX), [
      message(1),
      mine(2),
      message(3, { author: { kind: 'system', userId: null, name: '' } }),
      message(4, { author: { kind: 'supervisor', userId: SUP, name: 'Sam' }, visibility: 'whisper' }),
      message(5),
    ]);
    c = { ...c, readSeq };
    expect(unreadCount(c, ME)).toBe(expected);
  });

  it('markRead moves the read mark to the last seq', () => {
    const c = addMessages(emptyConversation(IX), [message(1), message(2)]);
    expect(unreadCount(markRead(c), ME)).toBe(0);
    const read = markRead(c);
    expect(markRead(read)).toBe(read);
  });

  it('typing expires on its own and ends with the customer’s message', () => {
    const now = 5_000;
    let c = applyChatFrame(
      emptyConversation(IX),
      { type: 'chat.typing', interactionId: IX, active: true },
      now,
    );
    expect(isCustomerTyping(c, now + TYPING_TTL_MS - 1)).toBe(true);
    expect(isCustomerTyping(c, now + TYPING_TTL_MS)).toBe(false);
    c = applyChatFrame(c, { type: 'chat.message', message: message(1) }, now + 10);
    expect(isCustomerTyping(c, now + 20)).toBe(false);
    c = applyChatFrame(c, { type: 'chat.typing', interactionId: IX, active: true }, now);
    c = applyChatFrame(c, { type: 'chat.typing', interactionId: IX, active: false }, now);
    expect(isCustomerTyping(c, now)).toBe(false);
  });

  it('ticks follow the customer’s marks and never go back', () => {
    let c = addMessages(emptyConversation(IX), [mine(1), mine(2), mine(3), message(4)]);
    c = applyChatFrame(
      c,
      { type: 'chat.mark', interactionId: IX, by: 'customer', mark: 'delivered', seq: 2 },
      0,
    );
    c = applyChatFrame(c, { type: 'chat.mark', interactionId: IX, by: 'customer', mark: 'read', seq: 1 }, 0);
    c = applyChatFrame(
      c,
      { type: 'chat.mark', interactionId: IX, by: 'customer', mark: 'delivered', seq: 1 },
      0,
    );
    expect(c.messages.map((m) => tickOf(c, m))).toEqual(['read', 'delivered', 'sent', null]);
    const note = mine(5, { visibility: 'internal' });
    expect(tickOf(c, note)).toBeNull();
  });

  it('a watch confirmation carries the customer’s read mark', () => {
    const c = applyChatFrame(
      emptyConversation(IX),
      { type: 'chat.watching', interactionId: IX, lastSeq: 4, readByCustomerSeq: 3 },
      0,
    );
    expect(c.watching).toBe(true);
    expect(c.readByCustomerSeq).toBe(3);
  });
});

describe('frames', () => {
  it.each([
    ['{"type":"ready","seq":"12"}', { type: 'ready', seq: '12' }],
    ['{"type":"pong"}', { type: 'pong' }],
    [
      '{"type":"error","code":"INVALID_FRAME","message":"m"}',
      { type: 'error', code: 'INVALID_FRAME', message: 'm' },
    ],
    [
      `{"type":"chat.typing","interactionId":"${IX}","active":true}`,
      { type: 'chat.typing', interactionId: IX, active: true },
    ],
  ])('parses %s', (text, expected) => {
    expect(parseFrame(text)).toEqual(expected);
  });

  it.each([
    'nope',
    '[]',
    '{"type":"ready","seq":-1}',
    '{"type":"ready","seq":"1e3"}',
    '{"type":"event","seq":"1","at":"x","event":{}}',
    '{"type":"chat.message","message":{"seq":0}}',
    '{"type":"chat.mark","interactionId":"x","mark":"seen","seq":1}',
    '{"type":"surprise"}',
  ])('drops %s', (text) => {
    expect(parseFrame(text)).toBeNull();
  });

  it('compares decimal seqs as integers', () => {
    expect(compareSeq('9', '10')).toBe(-1);
    expect(compareSeq('10', '10')).toBe(0);
    expect(compareSeq('18446744073709551615', '18446744073709551614')).toBe(1);
  });

  it.each([
    [0, 0, 250],
    [0, 1, 500],
    [1, 1, 1_000],
    [3, 1, 4_000],
    [4, 1, 5_000],
    [5, 1, 5_000],
    [50, 1, 5_000],
  ])('backoff attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(reconnectDelay(attempt, random)).toBe(expected);
  });
});
