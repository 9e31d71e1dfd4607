import type { ChatMessage, WidgetServerFrame } from '@hotline/protocol/chat';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConversationClient } from './client';
import type { SocketLike } from './connection';
import type { PendingMessage } from './conversation';

const conversationId = '00000000-0000-4000-8000-0000000000c1';
const token = 'hlv_visitor';

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The server side of `/api/widget/ws` in memory, faithful to the contract: `hello{after}` → `welcome`
 * then the public messages after `after`, then live; `send` is stored once per `clientId` and acked
 * (a repeat is acked with the stored message). Every frame takes 1 ms each way, in order per socket;
 * a connection that dies loses what was in flight. Faults can be injected: a crash after the commit
 * but before the ack, or before the commit; restarts (the log survives, like the database).
 */
class SimulatedServer {
  readonly log: ChatMessage[] = [];
  up = true;
  crashAfterStore = 0;
  crashBeforeStore = 0;
  readonly connections = new Set<SimulatedSocket>();
  private ids = 0;

  constructor(readonly random: () => number) {}

  connect(): SimulatedSocket {
    const socket = new SimulatedSocket(this);
    if (!this.up) {
      socket.kill(1006);
      return socket;
    }
    this.connections.add(socket);
    setTimeout(() => {
      if (!socket.dead) socket.onopen?.({} as Event);
    }, 1);
    return socket;
  }

  /** Every link dies (a network blip); the server keeps running. */
  dropLinks(): void {
    for (const socket of [...this.connections]) socket.kill(1006);
  }

  restart(): void {
    this.up = false;
    for (const socket of [...this.connections]) socket.kill(1006);
  }

  agentSays(text: string, visibility: ChatMessage['visibility'] = 'public'): void {
    this.store({ kind: 'agent', name: 'Anna' }, text, null, visibility);
  }

  receive(socket: SimulatedSocket, frame: { type: string; [key: string]: unknown }): void {
    if (frame.type === 'hello') {
      expect(frame).toMatchObject({ token, conversationId });
      socket.lastSent = frame.after as number;
      socket.deliver({ type: 'welcome', status: this.status() });
      for (const m of this.log) {
        if (m.visibility === 'public' && m.seq > socket.lastSent) {
          socket.lastSent = m.seq;
          socket.deliver({ type: 'message', message: m });
        }
      }
      socket.live = true;
      return;
    }
    if (frame.type === 'ping') {
      socket.deliver({ type: 'pong' });
      return;
    }
    if (frame.type !== 'send') return;
    const clientId = frame.clientId as string;
    const existing = this.log.find((m) => m.clientId === clientId);
    if (existing) {
      socket.deliver({ type: 'ack', clientId, id: existing.id, seq: existing.seq });
      return;
    }
    if (this.random() < this.crashBeforeStore) {
      socket.kill(1006);
      return;
    }
    const stored = this.store({ kind: 'customer', name: 'Bob' }, frame.text as string, clientId, 'public');
    if (this.random() < this.crashAfterStore) {
      socket.kill(1006);
      return;
    }
    socket.deliver({ type: 'ack', clientId, id: stored.id, seq: stored.seq });
  }

  private store(
    author: { kind: 'agent' | 'customer'; name: string },
    text: string,
    clientId: string | null,
    visibility: ChatMessage['visibility'],
  ): ChatMessage {
    this.ids += 1;
    const message: ChatMessage = {
      id: `00000000-0000-4000-8000-${String(this.ids).padStart(12, '0')}`,
      interactionId: conversationId,
      seq: this.log.length + 1,
      author: { ...author, userId: null },
      visibility,
      text,
      attachment: null,
      clientId,
      createdAt: new Date().toISOString(),
    };
    this.log.push(message);
    if (visibility === 'public') {
      for (const socket of this.connections) {
        if (socket.live && message.seq > socket.lastSent) {
          socket.lastSent = message.seq;
          socket.deliver({ type: 'message', message });
        }
      }
    }
    return message;
  }

  private status() {
    return {
      conversationId,
      status: 'connected' as const,
      position: null,
      ewtSeconds: null,
      agentName: 'Anna',
      lastSeq: this.log.length,
      readByAgentSeq: 0,
      rated: false,
    };
  }
}

class SimulatedSocket implements SocketLike {
  dead = false;
  live = false;
  lastSent = 0;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;

  constructor(private readonly server: SimulatedServer) {}

  send(data: string): void {
    if (this.dead) throw new Error('InvalidStateError');
    setTimeout(() => {
      if (!this.dead) this.server.receive(this, JSON.parse(data));
    }, 1);
  }

  close(code = 1000): void {
    this.kill(code);
  }

  /** The link is gone: frames in flight either way are lost, the client hears `close` 1 ms later. */
  kill(code: number): void {
    if (this.dead) return;
    this.dead = true;
    this.server.connections.delete(this);
    setTimeout(() => this.onclose?.({ code } as CloseEvent), 1);
  }

  deliver(frame: WidgetServerFrame): void {
    setTimeout(() => {
      if (!this.dead) this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
    }, 1);
  }
}

/** The widget on one page view; `reload()` makes a new one from what the page had persisted. */
class Visitor {
  client!: ConversationClient;
  saved: PendingMessage[] = [];
  sentTexts: string[] = [];
  private counter = 0;

  constructor(
    private readonly server: SimulatedServer,
    private readonly random: () => number,
  ) {
    this.boot();
  }

  boot(): void {
    this.client = new ConversationClient({
      url: 'ws://hotline.test/api/widget/ws',
      conversationId,
      token,
      outbox: this.saved,
      createSocket: () => this.server.connect(),
      timers: { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as never) },
      random: this.random,
      now: () => new Date(),
      newClientId: () => {
        this.counter += 1;
        return `client-${String(this.counter).padStart(6, '0')}`;
      },
      saveOutbox: (outbox) => {
        this.saved = outbox;
      },
      onChange: () => {},
      onRejected: () => {
        throw new Error('rejected');
      },
    });
    this.client.start();
  }

  say(text: string): void {
    this.sentTexts.push(text);
    this.client.send(text);
  }

  reload(): void {
    this.client.stop();
    this.boot();
  }
}

describe('ConversationClient against a flaky server', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-01-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a message once connected, shows the ack, re-sends after a drop, and the server stores it once', () => {
    const server = new SimulatedServer(() => 0.5);
    const visitor = new Visitor(server, () => 0);
    visitor.say('written while connecting');
    expect(visitor.saved.map((p) => p.text)).toEqual(['written while connecting']); // saved before sent
    vi.advanceTimersByTime(10);
    expect(server.log.map((m) => m.text)).toEqual(['written while connecting']);
    expect(visitor.client.state.outbox).toEqual([]);
    expect(visitor.saved).toEqual([]);

    // the server commits the next one, then dies before the ack
    server.crashAfterStore = 1;
    visitor.say('committed, ack lost');
    vi.advanceTimersByTime(10);
    expect(visitor.client.state.outbox).toHaveLength(1);
    server.crashAfterStore = 0;
    server.restart();
    vi.advanceTimersByTime(5_000); // refused while down
    server.up = true;
    vi.advanceTimersByTime(40_000);
    expect(server.log.map((m) => m.text)).toEqual(['written while connecting', 'committed, ack lost']);
    expect(visitor.client.state.outbox).toEqual([]);
    expect(visitor.client.state.messages.map((m) => m.text)).toEqual([
      'written while connecting',
      'committed, ack lost',
    ]);
  });

  it('a page reload resumes: history replayed once, the saved outbox sent with the same clientId', () => {
    const server = new SimulatedServer(() => 0.5);
    const visitor = new Visitor(server, () => 0);
    vi.advanceTimersByTime(10);
    server.agentSays('Hello, how can I help?');
    visitor.say('My order is late');
    vi.advanceTimersByTime(10);
    server.restart();
    visitor.say('are you there?');
    visitor.reload();
    server.up = true;
    vi.advanceTimersByTime(5_000);
    expect(server.log.map((m) => m.text)).toEqual([
      'Hello, how can I help?',
      'My order is late',
      'are you there?',
    ]);
    expect(server.log[2]!.clientId).toBe('client-000002');
    expect(visitor.client.state.messages.map((m) => m.text)).toEqual(server.log.map((m) => m.text));
  });

  it('a RATE_LIMITED message is tried again later and then stored', () => {
    const server = new SimulatedServer(() => 0.5);
    const visitor = new Visitor(server, () => 0);
    vi.advanceTimersByTime(10);
    const original = server.receive.bind(server);
    let refuse = true;
    server.receive = (socket, frame) => {
      if (frame.type === 'send' && refuse) {
        refuse = false;
        socket.deliver({
          type: 'error',
          code: 'RATE_LIMITED',
          message: 'slow down',
          clientId: frame.clientId as string,
        });
        return;
      }
      original(socket, frame);
    };
    visitor.say('hello');
    vi.advanceTimersByTime(10);
    expect(visitor.client.state.outbox[0]!.error).toBe('RATE_LIMITED');
    expect(server.log).toEqual([]);
    vi.advanceTimersByTime(5_000);
    expect(server.log.map((m) => m.text)).toEqual(['hello']);
    expect(visitor.client.state.outbox).toEqual([]);
  });

  /**
   * Random schedules: the visitor writes, the agent writes (some internal notes), links drop, the
   * server crashes before or after committing, restarts, the page reloads. Once the weather clears,
   * the server has every message the visitor wrote exactly once, in the order written, and the
   * widget shows exactly the public log.
   */
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('nothing lost, nothing twice (seed %i)', (seed) => {
    const random = prng(seed);
    const server = new SimulatedServer(random);
    server.crashAfterStore = 0.08;
    server.crashBeforeStore = 0.04;
    const visitor = new Visitor(server, random);
    let written = 0;
    let agent = 0;
    for (let step = 0; step < 150; step += 1) {
      vi.advanceTimersByTime(Math.floor(random() * 400));
      const roll = random();
      if (roll < 0.4) visitor.say(`visitor ${++written}`);
      else if (roll < 0.6) server.agentSays(`agent ${++agent}`, random() < 0.2 ? 'internal' : 'public');
      else if (roll < 0.68) server.dropLinks();
      else if (roll < 0.71) server.restart();
      else if (roll < 0.74) server.up = true;
      else if (roll < 0.76) visitor.reload();
    }
    server.up = true;
    server.crashAfterStore = 0;
    server.crashBeforeStore = 0;
    vi.advanceTimersByTime(120_000);

    const stored = server.log.filter((m) => m.author.kind === 'customer').map((m) => m.text);
    expect(stored).toEqual(visitor.sentTexts);
    expect(new Set(server.log.map((m) => m.clientId).filter(Boolean)).size).toBe(stored.length);
    expect(visitor.client.state.outbox).toEqual([]);
    expect(visitor.saved).toEqual([]);
    const shown = visitor.client.state.messages;
    expect(shown.map((m) => [m.seq, m.id, m.text])).toEqual(
      server.log.filter((m) => m.visibility === 'public').map((m) => [m.seq, m.id, m.text]),
    );
  });
});
