import { WIDGET_WS_PATH } from '@hotline/protocol/chat';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ConnectionOptions,
  type ConnectionState,
  type SocketLike,
  WidgetConnection,
  widgetWsPath,
} from './connection';

/** A WebSocket stand-in the test drives: `open()`, `deliver(frame)`, `drop(code)`. */
class FakeSocket implements SocketLike {
  sent: unknown[] = [];
  closedWith: number | null = null;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.closedWith !== null) throw new Error('closed');
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000): void {
    this.closedWith = code;
  }
  open(): void {
    this.onopen?.({} as Event);
  }
  deliver(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) } as MessageEvent);
  }
  drop(code = 1006): void {
    this.closedWith ??= code;
    this.onclose?.({ code } as CloseEvent);
  }
}

const conversationId = '00000000-0000-4000-8000-000000000001';
const welcome = {
  type: 'welcome',
  status: {
    conversationId,
    status: 'queued',
    position: 1,
    ewtSeconds: 30,
    agentName: null,
    lastSeq: 0,
    readByAgentSeq: 0,
    rated: false,
  },
};

describe('WidgetConnection', () => {
  let sockets: FakeSocket[];
  let frames: unknown[];
  let states: ConnectionState[];
  let ready: number;
  let rejected: number[];
  let after: number;
  let random: number;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    frames = [];
    states = [];
    ready = 0;
    rejected = [];
    after = 0;
    random = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function connect(overrides: Partial<ConnectionOptions> = {}): WidgetConnection {
    const sut = new WidgetConnection({
      url: 'ws://hotline.test/api/widget/ws',
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      hello: () => ({ type: 'hello', token: 'hlv_t', conversationId, after }),
      onFrame: (frame) => frames.push(frame),
      onReady: () => {
        ready += 1;
      },
      onState: (state) => states.push(state),
      onRejected: (code) => rejected.push(code),
      timers: { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as never) },
      random: () => random,
      pingMs: 1_000,
      helloTimeoutMs: 2_000,
      ...overrides,
    });
    sut.start();
    return sut;
  }

  const last = () => sockets[sockets.length - 1]!;

  it('uses the protocol path', () => {
    expect(widgetWsPath).toBe(WIDGET_WS_PATH);
  });

  it('says hello with the current after on open, and is ready only on welcome', () => {
    const sut = connect();
    after = 12;
    last().open();
    expect(last().sent).toEqual([{ type: 'hello', token: 'hlv_t', conversationId, after: 12 }]);
    expect(sut.isReady).toBe(false);
    expect(sut.send({ type: 'typing', active: true })).toBe(false);
    last().deliver(welcome);
    expect(sut.isReady).toBe(true);
    expect(ready).toBe(1);
    expect(frames).toEqual([welcome]);
    expect(states).toEqual(['connecting', 'open']);
    expect(sut.send({ type: 'typing', active: true })).toBe(true);
    expect(last().sent.at(-1)).toEqual({ type: 'typing', active: true });
  });

  it('passes every frame on in order and ignores garbage', () => {
    connect();
    last().open();
    last().deliver(welcome);
    last().deliver('not json');
    last().deliver('42');
    last().deliver({ no: 'type' });
    last().deliver({ type: 'typing', active: true });
    last().deliver({ type: 'pong' });
    expect(frames).toEqual([welcome, { type: 'typing', active: true }, { type: 'pong' }]);
  });

  it('reconnects after a drop with growing delays, asking from the new after, and resets on welcome', () => {
    connect();
    last().open();
    last().deliver(welcome);
    after = 5;

    last().drop(1006);
    expect(states.at(-1)).toBe('connecting');
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1); // attempt 0: 250..500 ms, random = 0
    expect(sockets).toHaveLength(2);

    last().drop(1006); // refused while the server restarts
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1); // attempt 1: 500 ms
    expect(sockets).toHaveLength(3);
    last().drop(1006);
    vi.advanceTimersByTime(1000); // attempt 2
    expect(sockets).toHaveLength(4);

    last().open();
    expect(last().sent[0]).toEqual({ type: 'hello', token: 'hlv_t', conversationId, after: 5 });
    last().deliver(welcome);
    expect(ready).toBe(2);

    last().drop(1001); // server going away: back to the first delay
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(5);
  });

  it('jitter decides where in the window a retry lands', () => {
    random = 0.999;
    connect();
    last().drop(1006);
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
  });

  it('reconnectNow skips the wait (network back online)', () => {
    const sut = connect();
    last().drop(1006);
    last().drop(1006); // a late duplicate close of the same socket is ignored
    sut.reconnectNow();
    expect(sockets).toHaveLength(2);
    sut.reconnectNow(); // already connecting: no second socket
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(2);
  });

  it.each([1008, 4401, 4403, 4404])('stops for good on close code %i', (code) => {
    connect();
    last().open();
    last().drop(code);
    expect(rejected).toEqual([code]);
    vi.advanceTimersByTime(120_000);
    expect(sockets).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
  });

  it.each(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'])(
    'stops for good on a %s error for the hello',
    (code) => {
      connect();
      last().open();
      last().deliver({ type: 'error', code, message: 'no' });
      expect(frames).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(last().closedWith).toBe(1000);
      vi.advanceTimersByTime(120_000);
      expect(sockets).toHaveLength(1);
    },
  );

  it('an error about one message (clientId) keeps the connection', () => {
    const sut = connect();
    last().open();
    last().deliver(welcome);
    last().deliver({
      type: 'error',
      code: 'NOT_FOUND',
      message: 'no such attachment',
      clientId: 'client-aaa1',
    });
    expect(rejected).toEqual([]);
    expect(sut.isReady).toBe(true);
  });

  it('drops a socket that opens but never welcomes, and retries', () => {
    connect();
    last().open();
    vi.advanceTimersByTime(1_999);
    expect(last().closedWith).toBeNull();
    vi.advanceTimersByTime(1);
    expect(sockets[0]!.closedWith).toBe(4000);
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });

  it('pings when quiet and drops a link that stays silent', () => {
    const sut = connect();
    last().open();
    last().deliver(welcome);
    vi.advanceTimersByTime(1_000);
    expect(last().sent.at(-1)).toEqual({ type: 'ping' });
    last().deliver({ type: 'pong' }); // alive
    vi.advanceTimersByTime(1_000);
    vi.advanceTimersByTime(1_000);
    expect(sut.isReady).toBe(true);
    vi.advanceTimersByTime(1_000); // three silent intervals: dead
    expect(sockets[0]!.closedWith).toBe(4000);
    expect(sut.isReady).toBe(false);
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });

  it('stop closes the socket and never reconnects; events of the old socket are ignored', () => {
    const sut = connect();
    const first = last();
    first.open();
    first.deliver(welcome);
    sut.stop();
    expect(first.closedWith).toBe(1000);
    expect(sut.isReady).toBe(false);
    first.deliver({ type: 'typing', active: true });
    first.drop(1006);
    vi.advanceTimersByTime(120_000);
    expect(sockets).toHaveLength(1);
    expect(frames).toEqual([welcome]);
    expect(sut.send({ type: 'ping' })).toBe(false);
  });

  it('retries when the socket cannot even be created', () => {
    let fail = true;
    connect({
      createSocket: (url) => {
        if (fail) throw new Error('SyntaxError');
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    expect(sockets).toHaveLength(0);
    fail = false;
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(1);
  });
});
