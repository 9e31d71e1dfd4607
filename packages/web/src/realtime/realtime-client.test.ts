import type { ChatMessage } from '@hotline/protocol/chat';
import { beforeEach, describe, expect, it } from 'vitest';
import { unreadCount } from './chat-log';
import { RealtimeClient, type RealtimeDeps, type SocketLike } from './realtime-client';

/** An in-memory socket: the test plays the server by calling `open`, `receive` and `drop`. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.closed = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

/** Timers run only when the test says so, in due order. */
class FakeTimers {
  now = 1_000_000;
  #next = 1;
  #due = new Map<number, { at: number; fn: () => void }>();
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.#due.delete(id as number);
  };
  advance(ms: number) {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.#due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > until) break;
      this.#due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = until;
  }
}

const IX = '11111111-1111-4111-8111-111111111111';
const ME = '22222222-2222-4222-8222-222222222222';

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

const event = (seq: string, type = 'agent.state_changed') => ({
  type: 'event',
  seq,
  at: '2030-01-01T00:00:00.000Z',
  event: { type },
});

describe('RealtimeClient', () => {
  let sockets: FakeSocket[];
  let timers: FakeTimers;
  let stored: string | null;
  let sut: RealtimeClient;
  const socket = () => sockets.at(-1)!;

  const makeClient = () =>
    new RealtimeClient({
      connect: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
      random: () => 1,
      now: () => timers.now,
      seqStore: {
        load: () => stored,
        save: (seq) => {
          stored = seq;
        },
      },
    } satisfies RealtimeDeps);

  beforeEach(() => {
    sockets = [];
    timers = new FakeTimers();
    stored = null;
    sut = makeClient();
  });

  it('subscribes live-only on a first visit, then resumes from the stored seq', () => {
    sut.start();
    socket().open();
    expect(socket().sent).toEqual([{ type: 'subscribe' }]);
    socket().receive({ type: 'ready', seq: '41' });
    expect(sut.status).toBe('live');
    expect(stored).toBe('41');

    const again = makeClient();
    again.start();
    socket().open();
    expect(socket().sent).toEqual([{ type: 'subscribe', after: '41' }]);
  });

  it('delivers each event once, in order, flagged as replayed before ready', () => {
    const seen: [string, boolean][] = [];
    stored = '9';
    sut = makeClient();
    sut.onEvent((frame, replayed) => seen.push([frame.seq, replayed]));
    sut.start();
    socket().open();
    socket().receive(event('10'));
    socket().receive(event('10'));
    socket().receive(event('9'));
    socket().receive({ type: 'ready', seq: '11' });
    socket().receive(event('11'));
    socket().receive(event('12'));
    expect(seen).toEqual([
      ['10', true],
      ['12', false],
    ]);
    expect(stored).toBe('12');
  });

  it('compares seqs beyond 2^53 exactly', () => {
    const seen: string[] = [];
    sut.onEvent((frame) => seen.push(frame.seq));
    sut.start();
    socket().open();
    socket().receive({ type: 'ready', seq: '9007199254740993' });
    socket().receive(event('9007199254740993'));
    socket().receive(event('9007199254740994'));
    expect(seen).toEqual(['9007199254740994']);
  });

  it('reconnects with growing jittered delays and resumes after the last seq', () => {
    sut.start();
    socket().open();
    socket().receive({ type: 'ready', seq: '5' });
    socket().receive(event('6'));
    socket().drop();
    expect(sut.status).toBe('reconnecting');
    expect(sockets).toHaveLength(1);
    timers.advance(499);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
    socket().drop();
    timers.advance(999);
    expect(sockets).toHaveLength(2);
    timers.advance(1);
    expect(sockets).toHaveLength(3);
    socket().open();
    expect(socket().sent[0]).toEqual({ type: 'subscribe', after: '6' });
    socket().receive({ type: 'ready', seq: '6' });
    // Backoff starts over once a connection got through.
    socket().drop();
    timers.advance(500);
    expect(sockets).toHaveLength(4);
  });

  it('gives up when the server says the session ended (4401)', () => {
    let ended = 0;
    sut.onSessionEnded = () => ended++;
    sut.start();
    socket().open();
    socket().drop(4401);
    timers.advance(60_000);
    expect(sut.status).toBe('ended');
    expect(ended).toBe(1);
    expect(sockets).toHaveLength(1);
  });

  it('pings, and reopens a socket that stayed silent for a whole period', () => {
    sut.start();
    socket().open();
    socket().receive({ type: 'ready', seq: '1' });
    timers.advance(25_000);
    expect(socket().sent.at(-1)).toEqual({ type: 'ping' });
    socket().receive({ type: 'pong' });
    timers.advance(25_000);
    expect(sockets).toHaveLength(1);
    timers.advance(25_000);
    expect(sockets[0]!.closed).toBe(4000);
    timers.advance(500);
    expect(sockets).toHaveLength(2);
  });

  it('watches open chats and re-watches after a reconnect from the last message seq', () => {
    sut.start();
    socket().open();
    const unwatch = sut.watch(IX);
    expect(socket().sent.at(-1)).toEqual({ type: 'watch', interactionId: IX, after: 0 });
    socket().receive({ type: 'chat.message', message: message(1) });
    socket().receive({ type: 'chat.message', message: message(2) });
    socket().receive({ type: 'chat.watching', interactionId: IX, lastSeq: 2, readByCustomerSeq: 0 });
    expect(sut.chatFrames).toBe('supported');
    expect(sut.conversation(IX).watching).toBe(true);
    socket().drop();
    expect(sut.conversation(IX).watching).toBe(false);
    timers.advance(500);
    socket().open();
    expect(socket().sent).toContainEqual({ type: 'watch', interactionId: IX, after: 2 });
    // The replay repeats what we had: nothing is shown twice.
    socket().receive({ type: 'chat.message', message: message(2) });
    socket().receive({ type: 'chat.message', message: message(3) });
    expect(sut.conversation(IX).messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    unwatch();
    expect(socket().sent.at(-1)).toEqual({ type: 'unwatch', interactionId: IX });
  });

  it('sends a watch again when the server does not confirm it (refused right after a restart)', () => {
    sut.start();
    socket().open();
    sut.watch(IX);
    const watches = () => socket().sent.filter((f) => f.type === 'watch').length;
    expect(watches()).toBe(1);
    socket().receive({ type: 'error', code: 'FORBIDDEN', message: 'not yet' });
    timers.advance(3_000);
    expect(watches()).toBe(2);
    socket().receive({ type: 'chat.watching', interactionId: IX, lastSeq: 0, readByCustomerSeq: 0 });
    timers.advance(30_000);
    // Confirmed: no more re-sends; and never more than a few per connection.
    expect(watches()).toBe(2);
  });

  it('gives up re-sending an unconfirmed watch after a few tries on one connection', () => {
    sut.start();
    socket().open();
    sut.watch(IX);
    for (let i = 0; i < 10; i++) {
      socket().receive({ type: 'pong' }); // the connection itself stays alive
      timers.advance(3_000);
    }
    expect(sockets).toHaveLength(1);
    expect(socket().sent.filter((f) => f.type === 'watch').length).toBe(6);
  });

  it('shares one watch between views and ends it with the last one', () => {
    sut.start();
    socket().open();
    const a = sut.watch(IX);
    const b = sut.watch(IX);
    expect(socket().sent.filter((f) => f.type === 'watch')).toHaveLength(1);
    a();
    a();
    expect(socket().sent.filter((f) => f.type === 'unwatch')).toHaveLength(0);
    b();
    expect(socket().sent.filter((f) => f.type === 'unwatch')).toHaveLength(1);
  });

  it('marks customer messages delivered on arrival and read when the agent looks', () => {
    sut.start();
    socket().open();
    sut.watch(IX);
    socket().receive({ type: 'chat.message', message: message(1) });
    socket().receive({
      type: 'chat.message',
      message: message(2, { author: { kind: 'agent', userId: ME, name: 'Ann' } }),
    });
    expect(socket().sent).toContainEqual({ type: 'mark', interactionId: IX, mark: 'delivered', seq: 1 });
    expect(unreadCount(sut.conversation(IX), ME)).toBe(1);
    sut.markRead(IX);
    sut.markRead(IX);
    expect(unreadCount(sut.conversation(IX), ME)).toBe(0);
    expect(socket().sent.filter((f) => f.type === 'mark' && f.mark === 'read')).toEqual([
      { type: 'mark', interactionId: IX, mark: 'read', seq: 1 },
    ]);
  });

  it('thins out typing frames and sends the stop once', () => {
    sut.start();
    socket().open();
    sut.typing(IX, true);
    timers.advance(1_000);
    sut.typing(IX, true);
    timers.advance(2_500);
    sut.typing(IX, true);
    sut.typing(IX, false);
    sut.typing(IX, false);
    expect(socket().sent.filter((f) => f.type === 'typing')).toEqual([
      { type: 'typing', interactionId: IX, active: true },
      { type: 'typing', interactionId: IX, active: true },
      { type: 'typing', interactionId: IX, active: false },
    ]);
  });

  it('stops sending chat frames when the server does not know them', () => {
    sut.start();
    socket().open();
    socket().receive({ type: 'ready', seq: '1' });
    sut.watch(IX);
    socket().receive({ type: 'error', code: 'INVALID_FRAME', message: 'expected subscribe or ping' });
    expect(sut.chatFrames).toBe('unsupported');
    const before = socket().sent.length;
    sut.typing(IX, true);
    sut.markRead(IX);
    expect(socket().sent).toHaveLength(before);
    // REST pages still fill the log.
    sut.ingest(IX, [message(1), message(2)]);
    expect(sut.conversation(IX).lastSeq).toBe(2);
  });

  it('ignores frames it cannot read and notifies subscribers of changes', () => {
    let changes = 0;
    sut.subscribe(() => changes++);
    sut.start();
    socket().open();
    const after = changes;
    socket().onmessage?.({ data: 'not json' });
    socket().receive({ type: 'event', seq: 'x', event: { type: 'a' } });
    socket().receive({ type: 'chat.message', message: { seq: 1 } });
    expect(changes).toBe(after);
    expect(sut.lastSeq).toBeNull();
  });

  it('hands the newest queues frame to supervisors', () => {
    const seen: number[] = [];
    sut.onQueues((f) => seen.push(f.items.length));
    sut.start();
    socket().open();
    socket().receive({ type: 'queues', items: [{ queueId: 'q', waiting: 1 }] });
    expect(seen).toEqual([1]);
    expect(sut.queues?.items).toHaveLength(1);
  });

  it('stops for good: no reconnect after stop()', () => {
    sut.start();
    socket().open();
    sut.stop();
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.closed).toBe(1000);
    expect(sut.status).toBe('idle');
  });
});
