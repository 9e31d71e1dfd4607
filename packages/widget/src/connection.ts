import type { WidgetClientFrame, WidgetServerFrame } from '@hotline/protocol/chat';
import { backoffDelay, defaultBackoff } from './backoff';

/** Same as `WIDGET_WS_PATH` in the protocol (a unit test holds them equal; importing it would bundle zod). */
export const widgetWsPath = '/api/widget/ws';

/** The part of the browser's WebSocket used here; tests pass a fake. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ConnectionOptions {
  url: string;
  createSocket(url: string): SocketLike;
  /** Built at every (re)connect, so it carries the current `after`. */
  hello(): Extract<WidgetClientFrame, { type: 'hello' }>;
  /** Every frame from the server, in order. */
  onFrame(frame: WidgetServerFrame): void;
  /** After `welcome`: the conversation is live on this socket (time to re-send the outbox). */
  onReady(): void;
  onState(state: ConnectionState): void;
  /** The server closed for good (bad token, unknown conversation): do not reconnect. */
  onRejected(code: number): void;
  timers: Timers;
  random(): number;
  /** A ping after this much silence; the socket counts as dead after twice as much. */
  pingMs?: number;
  /** `welcome` must arrive this soon after the socket opens. */
  helloTimeoutMs?: number;
}

/** Close codes after which reconnecting cannot help. 1008: policy (e.g. the hello was refused). */
const rejectedCloseCodes = new Set([1008, 4400, 4401, 4403, 4404]);
/** Error codes in a frame without `clientId` that mean the same. */
export const rejectedErrorCodes = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']);

/**
 * One conversation's WebSocket, kept alive: `hello{after}` on every open, `welcome` makes it ready,
 * any close (network loss, server restart, a silent dead link found by the ping) reconnects after an
 * exponential backoff with jitter, reset once a `welcome` arrives again. Frames are sent only while
 * ready; the caller keeps unacknowledged messages and re-sends them from `onReady`.
 */
export class WidgetConnection {
  private socket: SocketLike | null = null;
  private ready = false;
  private stopped = true;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private helloTimer: unknown = null;
  private lastHeard = 0;
  private readonly pingMs: number;
  private readonly helloTimeoutMs: number;

  constructor(private readonly options: ConnectionOptions) {
    this.pingMs = options.pingMs ?? 25_000;
    this.helloTimeoutMs = options.helloTimeoutMs ?? 10_000;
  }

  get isReady(): boolean {
    return this.ready;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.ready = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      detach(socket);
      socket.close(1000, 'closed by the widget');
    }
    this.options.onState('closed');
  }

  /** The network is back (`online` event) or the visitor acted: skip the remaining wait. */
  reconnectNow(): void {
    if (this.stopped || this.socket) return;
    this.options.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  /** Sends when ready; false otherwise (the caller keeps what it must not lose). */
  send(frame: WidgetClientFrame): boolean {
    if (!this.ready || !this.socket) return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private open(): void {
    this.options.onState('connecting');
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(this.options.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.lastHeard = 0;
      socket.send(JSON.stringify(this.options.hello()));
      this.helloTimer = this.options.timers.setTimeout(() => this.drop(socket), this.helloTimeoutMs);
    };
    socket.onmessage = (event) => this.receive(socket, event.data);
    socket.onclose = (event) => this.closed(socket, event.code);
    socket.onerror = () => {
      // A close event follows; reconnecting is decided there.
    };
  }

  private receive(socket: SocketLike, data: unknown): void {
    if (socket !== this.socket || typeof data !== 'string') return;
    let frame: WidgetServerFrame;
    try {
      frame = JSON.parse(data) as WidgetServerFrame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') return;
    this.lastHeard = 0;
    if (frame.type === 'welcome') {
      this.options.timers.clearTimeout(this.helloTimer);
      this.helloTimer = null;
      this.ready = true;
      this.attempt = 0;
      this.options.onState('open');
      this.schedulePing();
    }
    if (frame.type === 'error' && frame.clientId === undefined && rejectedErrorCodes.has(frame.code)) {
      this.options.onFrame(frame);
      this.reject(4401);
      return;
    }
    this.options.onFrame(frame);
    if (frame.type === 'welcome' && socket === this.socket) this.options.onReady();
  }

  private closed(socket: SocketLike, code: number): void {
    if (socket !== this.socket) return;
    detach(socket);
    this.socket = null;
    this.ready = false;
    this.clearTimers();
    if (this.stopped) return;
    if (rejectedCloseCodes.has(code)) {
      this.reject(code);
      return;
    }
    this.options.onState('connecting');
    this.scheduleRetry();
  }

  private reject(code: number): void {
    this.stop();
    this.options.onRejected(code);
  }

  /** Closes a socket that stopped answering; `onclose` may never come for a dead link, so act now. */
  private drop(socket: SocketLike): void {
    if (socket !== this.socket) return;
    try {
      socket.close(4000, 'no answer');
    } catch {
      // already closing
    }
    this.closed(socket, 1006);
  }

  private scheduleRetry(): void {
    const delay = backoffDelay(this.attempt, this.options.random, defaultBackoff);
    this.attempt += 1;
    this.retryTimer = this.options.timers.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private schedulePing(): void {
    this.options.timers.clearTimeout(this.pingTimer);
    this.pingTimer = this.options.timers.setTimeout(() => {
      const socket = this.socket;
      if (!socket || !this.ready) return;
      this.lastHeard += 1;
      if (this.lastHeard > 2) {
        this.drop(socket);
        return;
      }
      this.send({ type: 'ping' });
      this.schedulePing();
    }, this.pingMs);
  }

  private clearTimers(): void {
    const { timers } = this.options;
    timers.clearTimeout(this.retryTimer);
    timers.clearTimeout(this.pingTimer);
    timers.clearTimeout(this.helloTimer);
    this.retryTimer = null;
    this.pingTimer = null;
    this.helloTimer = null;
  }
}

function detach(socket: SocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}
