import type { ChatMessage, ConversationStatus, WidgetServerFrame } from '@hotline/protocol/chat';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConversationEvent,
  type ConversationState,
  initialConversation,
  lastIncomingSeq,
  type PendingMessage,
  reduceConversation,
  sendable,
  tickOf,
} from './conversation';

const conversationId = '00000000-0000-4000-8000-000000000001';

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function message(seq: number, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: uuid(1000 + seq),
    interactionId: conversationId,
    seq,
    author: { kind: 'agent', userId: uuid(7), name: 'Anna' },
    visibility: 'public',
    text: `message ${seq}`,
    attachment: null,
    clientId: null,
    createdAt: '2025-01-01T10:00:00.000Z',
    ...overrides,
  };
}

function pending(clientId: string, text = `text of ${clientId}`): PendingMessage {
  return { clientId, text, attachment: null, createdAt: '2025-01-01T10:00:00.000Z', error: null };
}

function status(overrides: Partial<ConversationStatus> = {}): ConversationStatus {
  return {
    conversationId,
    status: 'connected',
    position: null,
    ewtSeconds: null,
    agentName: 'Anna',
    lastSeq: 0,
    readByAgentSeq: 0,
    rated: false,
    ...overrides,
  };
}

function run(events: ConversationEvent[], state = initialConversation()): ConversationState {
  return events.reduce(reduceConversation, state);
}

const frame = (f: WidgetServerFrame): ConversationEvent => ({ type: 'frame', frame: f });
const seqs = (state: ConversationState) => state.messages.map((m) => m.seq);

describe('receiving messages', () => {
  it('keeps them sorted by seq whatever order they arrive in', () => {
    const state = run([3, 1, 5, 2, 4].map((seq) => frame({ type: 'message', message: message(seq) })));
    expect(seqs(state)).toEqual([1, 2, 3, 4, 5]);
    expect(state.lastSeq).toBe(5);
  });

  it('shows a replayed message once (same seq and id)', () => {
    const live = run([1, 2, 3].map((seq) => frame({ type: 'message', message: message(seq) })));
    const replayed = run(
      [2, 3, 4].map((seq) => frame({ type: 'message', message: message(seq) })),
      live,
    );
    expect(seqs(replayed)).toEqual([1, 2, 3, 4]);
  });

  it('treats a history page like live frames (dedupe across both)', () => {
    const state = run([
      frame({ type: 'message', message: message(2) }),
      { type: 'history', messages: [message(1), message(2), message(3)] },
      frame({ type: 'message', message: message(3) }),
    ]);
    expect(seqs(state)).toEqual([1, 2, 3]);
  });

  it('returns the same state object for a duplicate (nothing to redraw)', () => {
    const state = run([frame({ type: 'message', message: message(1) })]);
    expect(reduceConversation(state, frame({ type: 'message', message: message(1) })).messages).toBe(
      state.messages,
    );
  });

  it('never shows internal notes or whispers even if one reached it', () => {
    const state = run([
      frame({ type: 'message', message: message(1) }),
      frame({ type: 'message', message: message(2, { visibility: 'internal' }) }),
      frame({
        type: 'message',
        message: message(3, {
          visibility: 'whisper',
          author: { kind: 'supervisor', userId: null, name: 'Boss' },
        }),
      }),
    ]);
    expect(seqs(state)).toEqual([1]);
    expect(state.lastSeq).toBe(1);
  });

  it('keeps the first copy when another id claims a seq already shown', () => {
    const state = run([
      frame({ type: 'message', message: message(1) }),
      frame({ type: 'message', message: message(1, { id: uuid(9999), text: 'impostor' }) }),
    ]);
    expect(state.messages).toHaveLength(1);
    expect(state.messages[0]!.text).toBe('message 1');
  });

  it('a message from the agent ends the agent typing indicator', () => {
    const typing = run([frame({ type: 'typing', active: true })]);
    expect(typing.agentTyping).toBe(true);
    expect(run([frame({ type: 'message', message: message(1) })], typing).agentTyping).toBe(false);
    const own = message(2, { author: { kind: 'customer', userId: null, name: 'Bob' } });
    expect(run([frame({ type: 'message', message: own })], typing).agentTyping).toBe(true);
  });
});

describe('sending and acknowledgements', () => {
  it('a sent message waits in the outbox until its ack, then shows at its seq', () => {
    const sent = run([{ type: 'send', message: pending('client-aaa1') }]);
    expect(sent.outbox.map((p) => p.clientId)).toEqual(['client-aaa1']);
    expect(sent.messages).toEqual([]);
    const acked = run([frame({ type: 'ack', clientId: 'client-aaa1', id: uuid(55), seq: 4 })], sent);
    expect(acked.outbox).toEqual([]);
    expect(acked.messages).toMatchObject([
      {
        id: uuid(55),
        seq: 4,
        text: 'text of client-aaa1',
        clientId: 'client-aaa1',
        author: { kind: 'customer' },
      },
    ]);
  });

  it('an ack does not move lastSeq: an agent message with a lower seq may still be on its way', () => {
    const state = run([
      frame({ type: 'message', message: message(5) }),
      { type: 'send', message: pending('client-aaa1') },
      frame({ type: 'ack', clientId: 'client-aaa1', id: uuid(55), seq: 7 }),
    ]);
    expect(state.lastSeq).toBe(5);
    const later = run([frame({ type: 'message', message: message(6) })], state);
    expect(seqs(later)).toEqual([5, 6, 7]);
    expect(later.lastSeq).toBe(6);
  });

  it('the stored copy arriving before the ack settles the outbox too; the late ack changes nothing', () => {
    const own = message(3, {
      id: uuid(55),
      clientId: 'client-aaa1',
      author: { kind: 'customer', userId: null, name: 'Bob' },
      text: 'hello',
    });
    const state = run([
      { type: 'send', message: pending('client-aaa1', 'hello') },
      frame({ type: 'message', message: own }),
    ]);
    expect(state.outbox).toEqual([]);
    expect(state.messages).toEqual([own]);
    const after = run([frame({ type: 'ack', clientId: 'client-aaa1', id: uuid(55), seq: 3 })], state);
    expect(after).toBe(state);
  });

  it('the stored copy arriving after the ack replaces the one built from the ack (same id)', () => {
    const own = message(3, {
      id: uuid(55),
      clientId: 'client-aaa1',
      author: { kind: 'customer', userId: null, name: 'Bob' },
      text: 'hello',
      createdAt: '2025-01-01T10:00:01.234Z',
    });
    const state = run([
      { type: 'send', message: pending('client-aaa1', 'hello') },
      frame({ type: 'ack', clientId: 'client-aaa1', id: uuid(55), seq: 3 }),
      frame({ type: 'message', message: own }),
    ]);
    expect(state.messages).toEqual([own]);
    expect(state.lastSeq).toBe(3);
  });

  it('an ack repeated after a re-send (same clientId) shows the message once', () => {
    const state = run([
      { type: 'send', message: pending('client-aaa1') },
      frame({ type: 'ack', clientId: 'client-aaa1', id: uuid(55), seq: 2 }),
      frame({ type: 'ack', clientId: 'client-aaa1', id: uuid(55), seq: 2 }),
    ]);
    expect(seqs(state)).toEqual([2]);
  });

  it('sending the same clientId twice keeps one outbox entry', () => {
    const state = run([
      { type: 'send', message: pending('client-aaa1') },
      { type: 'send', message: pending('client-aaa1') },
    ]);
    expect(state.outbox).toHaveLength(1);
  });

  it('keeps the outbox in the order written', () => {
    const state = run(
      ['c1-aaaaaa', 'c2-aaaaaa', 'c3-aaaaaa'].map((id) => ({ type: 'send', message: pending(id) })),
    );
    const acked = run([frame({ type: 'ack', clientId: 'c2-aaaaaa', id: uuid(60), seq: 1 })], state);
    expect(acked.outbox.map((p) => p.clientId)).toEqual(['c1-aaaaaa', 'c3-aaaaaa']);
  });

  it('an error for a clientId marks that message failed; it is not re-sent until retried', () => {
    const state = run([
      { type: 'send', message: pending('c1-aaaaaa') },
      { type: 'send', message: pending('c2-aaaaaa') },
      frame({ type: 'error', code: 'RATE_LIMITED', message: 'slow down', clientId: 'c1-aaaaaa' }),
    ]);
    expect(state.outbox[0]!.error).toBe('RATE_LIMITED');
    expect(sendable(state).map((p) => p.clientId)).toEqual(['c2-aaaaaa']);
    expect(tickOf(state, state.outbox[0]!)).toBe('failed');
    const retried = run([{ type: 'retry', clientId: 'c1-aaaaaa' }], state);
    expect(sendable(retried).map((p) => p.clientId)).toEqual(['c1-aaaaaa', 'c2-aaaaaa']);
    expect(run([{ type: 'discard', clientId: 'c1-aaaaaa' }], state).outbox.map((p) => p.clientId)).toEqual([
      'c2-aaaaaa',
    ]);
  });

  it('an error frame without clientId leaves the messages alone', () => {
    const state = run([{ type: 'send', message: pending('c1-aaaaaa') }]);
    expect(run([frame({ type: 'error', code: 'INTERNAL', message: 'x' })], state)).toBe(state);
  });

  it('starts from a persisted outbox (page reload)', () => {
    const state = initialConversation([pending('c1-aaaaaa')]);
    expect(sendable(state)).toHaveLength(1);
  });
});

describe('status, typing and marks', () => {
  it('welcome and status frames set the status', () => {
    const queued = status({ status: 'queued', position: 3, ewtSeconds: 120, agentName: null });
    const state = run([frame({ type: 'welcome', status: queued })]);
    expect(state.status).toEqual(queued);
    expect(run([frame({ type: 'status', status: status() })], state).status?.agentName).toBe('Anna');
  });

  it('ticks: sending → sent → delivered → read, read only moving forward', () => {
    const own = (seq: number) =>
      message(seq, { author: { kind: 'customer', userId: null, name: 'Bob' }, clientId: `c${seq}-aaaaaa` });
    let state = run([own(1), own(2), own(3)].map((m) => frame({ type: 'message', message: m })));
    expect(state.messages.map((m) => tickOf(state, m))).toEqual(['sent', 'sent', 'sent']);
    state = run([frame({ type: 'mark', by: 'agent', mark: 'delivered', seq: 2 })], state);
    expect(state.messages.map((m) => tickOf(state, m))).toEqual(['delivered', 'delivered', 'sent']);
    state = run([frame({ type: 'mark', by: 'agent', mark: 'read', seq: 1 })], state);
    expect(state.messages.map((m) => tickOf(state, m))).toEqual(['read', 'delivered', 'sent']);
    state = run([frame({ type: 'mark', by: 'agent', mark: 'read', seq: 3 })], state);
    expect(state.messages.map((m) => tickOf(state, m))).toEqual(['read', 'read', 'read']);
    // an older mark (reordered, replayed) never takes a tick back
    state = run([frame({ type: 'mark', by: 'agent', mark: 'delivered', seq: 1 })], state);
    state = run([frame({ type: 'status', status: status({ readByAgentSeq: 0 }) })], state);
    expect(state.messages.map((m) => tickOf(state, m))).toEqual(['read', 'read', 'read']);
    expect(tickOf(state, pending('c9-aaaaaa'))).toBe('sending');
  });

  it('the read mark carried by a status counts (after a reconnect)', () => {
    const state = run([frame({ type: 'welcome', status: status({ readByAgentSeq: 4 }) })]);
    expect(state.readByAgentSeq).toBe(4);
    expect(state.deliveredByAgentSeq).toBe(4);
  });

  it('typing turns on and off, expires, and stops when the chat is not connected', () => {
    let state = run([frame({ type: 'typing', active: true })]);
    expect(state.agentTyping).toBe(true);
    expect(run([frame({ type: 'typing', active: true })], state)).toBe(state);
    expect(run([{ type: 'typing-expired' }], state).agentTyping).toBe(false);
    expect(run([frame({ type: 'typing', active: false })], state).agentTyping).toBe(false);
    state = run([frame({ type: 'status', status: status({ status: 'ended' }) })], state);
    expect(state.agentTyping).toBe(false);
  });

  it('pong changes nothing', () => {
    const state = initialConversation();
    expect(reduceConversation(state, frame({ type: 'pong' }))).toBe(state);
  });

  it('lastIncomingSeq is the newest message not written by the visitor', () => {
    const state = run([
      frame({ type: 'message', message: message(1) }),
      frame({
        type: 'message',
        message: message(2, { author: { kind: 'customer', userId: null, name: 'B' } }),
      }),
    ]);
    expect(lastIncomingSeq(state)).toBe(1);
    expect(lastIncomingSeq(initialConversation())).toBe(0);
    const system = run(
      [
        frame({
          type: 'message',
          message: message(3, { author: { kind: 'system', userId: null, name: '' } }),
        }),
      ],
      state,
    );
    expect(lastIncomingSeq(system)).toBe(3);
  });
});

/**
 * Nothing lost, nothing twice: the server's log is fixed; the widget receives any mix of live frames,
 * duplicates, reordering and replays, and its own sends are acknowledged (possibly twice, possibly
 * before or after their stored copy). At the end it must show exactly the public log, in order, with
 * an empty outbox.
 */
describe('delivery in any order', () => {
  it('always ends with exactly the public log, in order, and an empty outbox', () => {
    const arbitraryLog = fc
      .array(
        fc.record({
          kind: fc.constantFrom('agent', 'customer', 'internal'),
          text: fc.string({ maxLength: 5 }),
        }),
        { minLength: 1, maxLength: 25 },
      )
      .map((entries) =>
        entries.map((entry, index) => {
          const seq = index + 1;
          const customer = entry.kind === 'customer';
          return message(seq, {
            text: entry.text,
            visibility: entry.kind === 'internal' ? 'internal' : 'public',
            author: customer
              ? { kind: 'customer', userId: null, name: 'Bob' }
              : { kind: 'agent', userId: uuid(7), name: 'Anna' },
            clientId: customer ? `client-${seq}-x` : null,
          });
        }),
      );

    fc.assert(
      fc.property(
        arbitraryLog.chain((log) =>
          fc.tuple(
            fc.constant(log),
            // every delivery of a message or of an ack, one to three times each, shuffled
            fc.shuffledSubarray(
              log.flatMap((m): ConversationEvent[] => {
                const copies: ConversationEvent[] = [
                  frame({ type: 'message', message: m }),
                  frame({ type: 'message', message: m }),
                ];
                if (m.clientId) {
                  copies.push(frame({ type: 'ack', clientId: m.clientId, id: m.id, seq: m.seq }));
                }
                return copies;
              }),
              { minLength: 0 },
            ),
          ),
        ),
        ([log, noise]) => {
          const sends: ConversationEvent[] = log
            .filter((m) => m.clientId)
            .map((m) => ({ type: 'send', message: pending(m.clientId!, m.text) }));
          // the reliable stream (what hello{after} replay guarantees) comes last
          const guaranteed = log.map((m) => frame({ type: 'message', message: m }));
          const state = run([...sends, ...noise, ...guaranteed]);
          const expected = log.filter((m) => m.visibility === 'public');
          expect(state.messages).toEqual(expected);
          expect(state.outbox).toEqual([]);
          expect(state.lastSeq).toBe(Math.max(0, ...expected.map((m) => m.seq)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
