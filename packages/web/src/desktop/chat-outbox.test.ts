import type { ChatMessage } from '@hotline/protocol/chat';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import { ChatOutbox, isUnreachable, type Outgoing } from './chat-outbox';

/** A server that stores by clientId (a repeat answers the stored copy) and can be down or refuse. */
function fakeServer() {
  const stored: ChatMessage[] = [];
  const calls: string[] = [];
  let down = false;
  let refuse: string | null = null;
  const timers: { fn: () => void; ms: number }[] = [];
  const events: string[] = [];
  const post = async (interactionId: string, clientId: string, message: Outgoing) => {
    calls.push(clientId);
    await Promise.resolve();
    if (down) throw new ApiError(0, 'NETWORK', 'Failed to fetch');
    if (refuse === clientId) throw new ApiError(409, 'CONVERSATION_ENDED', 'ended');
    const existing = stored.find((m) => m.clientId === clientId);
    if (existing) return existing;
    const m = {
      id: `m${stored.length + 1}`,
      interactionId,
      seq: stored.length + 1,
      author: { kind: 'agent', userId: 'u1', name: 'Ann' },
      visibility: message.visibility,
      text: message.text,
      attachment: null,
      clientId,
      createdAt: '2025-01-01T00:00:00.000Z',
    } satisfies ChatMessage;
    stored.push(m);
    return m;
  };
  const sut = new ChatOutbox({
    post,
    stored: (_id, m) => events.push(`stored:${m.clientId}`),
    setFailed: (_id, clientId, failed) => events.push(`${failed ? 'failed' : 'sending'}:${clientId}`),
    setTimeout: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimeout: (handle) => {
      const i = timers.indexOf(handle as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  return {
    sut,
    stored,
    calls,
    events,
    timers,
    setDown: (v: boolean) => {
      down = v;
    },
    setRefuse: (v: string | null) => {
      refuse = v;
    },
  };
}

const text = (t: string): Outgoing => ({ text: t, visibility: 'public', attachment: null });
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ChatOutbox', () => {
  it('sends in order and resolves each message once stored', async () => {
    const s = fakeServer();
    await Promise.all([s.sut.send('c1', 'a', text('one')), s.sut.send('c1', 'b', text('two'))]);
    expect(s.stored.map((m) => m.text)).toEqual(['one', 'two']);
    expect(s.sut.size).toBe(0);
  });

  it('keeps messages written while the server is down and sends them once, in order, on resume', async () => {
    const s = fakeServer();
    s.setDown(true);
    const first = s.sut.send('c1', 'a', text('during the outage'));
    await settle();
    const second = s.sut.send('c1', 'b', text('and another'));
    await settle();
    // Blocked: the second is not even tried while the first waits; nothing marked failed.
    expect(s.calls).toEqual(['a']);
    expect(s.events.filter((e) => e.startsWith('failed'))).toEqual([]);
    expect(s.sut.size).toBe(2);
    expect(s.timers.map((t) => t.ms)).toEqual([1_000]);

    s.setDown(false);
    s.sut.resume();
    await Promise.all([first, second]);
    expect(s.stored.map((m) => m.text)).toEqual(['during the outage', 'and another']);
    expect(s.timers).toEqual([]);
  });

  it('retries by itself with a growing backoff when no resume comes', async () => {
    const s = fakeServer();
    s.setDown(true);
    const sent = s.sut.send('c1', 'a', text('hello'));
    await settle();
    s.timers.shift()!.fn();
    await settle();
    expect(s.timers.map((t) => t.ms)).toEqual([2_000]);
    s.setDown(false);
    s.timers.shift()!.fn();
    await sent;
    expect(s.calls).toEqual(['a', 'a', 'a']);
    expect(s.stored).toHaveLength(1);
  });

  it('a message stored but unanswered (lost reply) is not stored twice when sent again', async () => {
    const s = fakeServer();
    await s.sut.send('c1', 'a', text('hello'));
    await s.sut.send('c1', 'a', text('hello'));
    expect(s.calls).toEqual(['a', 'a']);
    expect(s.stored).toHaveLength(1);
  });

  it('a refusal marks that message failed, rejects it, and lets the next one go', async () => {
    const s = fakeServer();
    s.setRefuse('a');
    const refused = s.sut.send('c1', 'a', text('too late'));
    const next = s.sut.send('c1', 'b', text('fine'));
    await expect(refused).rejects.toMatchObject({ code: 'CONVERSATION_ENDED' });
    await next;
    expect(s.events).toContain('failed:a');
    expect(s.stored.map((m) => m.clientId)).toEqual(['b']);
    // Retry under the same clientId.
    s.setRefuse(null);
    await s.sut.send('c1', 'a', text('too late'));
    expect(s.events.at(-1)).toBe('stored:a');
  });

  it('one conversation waiting for the network holds the others too (same server)', async () => {
    const s = fakeServer();
    s.setDown(true);
    const a = s.sut.send('c1', 'a', text('one'));
    await settle();
    const b = s.sut.send('c2', 'b', text('two'));
    await settle();
    expect(s.calls).toEqual(['a']);
    s.setDown(false);
    s.sut.resume();
    await Promise.all([a, b]);
    expect(s.stored.map((m) => m.clientId).sort()).toEqual(['a', 'b']);
  });
});

describe('isUnreachable', () => {
  it.each([
    [new ApiError(0, 'NETWORK', 'x'), true],
    [new ApiError(503, 'BAD_RESPONSE', 'x'), true],
    [new ApiError(502, 'BAD_RESPONSE', 'x'), true],
    [new ApiError(409, 'CONVERSATION_ENDED', 'x'), false],
    [new ApiError(500, 'INTERNAL', 'x'), false],
    [new Error('x'), false],
  ])('%s → %s', (error, expected) => {
    expect(isUnreachable(error)).toBe(expected);
  });
});
