import { describe, expect, it } from 'vitest';
import {
  emptySession,
  type KeyValueStorage,
  loadSession,
  type StoredSession,
  saveSession,
  sessionKey,
} from './session';

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const conversationId = '0a1b2c3d-0000-4000-8000-000000000001';
const session: StoredSession = {
  visitorToken: 'hlv_secret',
  conversationId,
  outbox: [
    { clientId: 'client-aaa1', text: 'hi', attachment: null, createdAt: '2025-01-01T00:00:00Z', error: null },
    {
      clientId: 'client-aaa2',
      text: '',
      attachment: {
        id: '0a1b2c3d-0000-4000-8000-000000000002',
        fileName: 'a.png',
        mime: 'image/png',
        size: 10,
      },
      createdAt: '2025-01-01T00:00:01Z',
      error: 'RATE_LIMITED',
    },
  ],
  seenSeq: 4,
  open: true,
};

describe('session storage', () => {
  it('round-trips, per tenant', () => {
    const storage = memoryStorage();
    expect(saveSession(storage, 'acme', session)).toBe(true);
    expect(loadSession(storage, 'acme')).toEqual(session);
    expect(loadSession(storage, 'other')).toEqual(emptySession());
    expect([...storage.data.keys()]).toEqual([sessionKey('acme')]);
    expect(sessionKey('acme')).toBe('hotline-widget:acme');
  });

  it('keeps the visitor token after the conversation is forgotten, and removes an empty session', () => {
    const storage = memoryStorage();
    saveSession(storage, 'acme', { ...session, conversationId: null, outbox: [], seenSeq: 0 });
    expect(loadSession(storage, 'acme')).toMatchObject({ visitorToken: 'hlv_secret', conversationId: null });
    saveSession(storage, 'acme', emptySession());
    expect(storage.data.size).toBe(0);
  });

  it.each([
    ['not JSON', '{oops'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"hlv_x"'],
  ])('reads %s as no session', (_name, raw) => {
    const storage = memoryStorage();
    storage.data.set(sessionKey('acme'), raw);
    expect(loadSession(storage, 'acme')).toEqual(emptySession());
  });

  it('drops fields of the wrong shape one by one', () => {
    const storage = memoryStorage();
    storage.data.set(
      sessionKey('acme'),
      JSON.stringify({
        visitorToken: 42,
        conversationId: 'not-a-uuid',
        outbox: [session.outbox[0]],
        seenSeq: 3,
        open: 'yes',
      }),
    );
    // no valid conversation: its outbox and seenSeq go too
    expect(loadSession(storage, 'acme')).toEqual(emptySession());
  });

  it('drops malformed outbox entries and keeps the good ones', () => {
    const storage = memoryStorage();
    storage.data.set(
      sessionKey('acme'),
      JSON.stringify({
        ...session,
        outbox: [
          session.outbox[0],
          { clientId: 'short', text: 'x', attachment: null, createdAt: 'x', error: null },
          { clientId: 'client-bad1', text: 5, attachment: null, createdAt: 'x', error: null },
          { clientId: 'client-bad2', text: 'x', attachment: { id: 'nope' }, createdAt: 'x', error: null },
          'junk',
          session.outbox[1],
        ],
        seenSeq: -1,
      }),
    );
    const loaded = loadSession(storage, 'acme');
    expect(loaded.outbox).toEqual(session.outbox);
    expect(loaded.seenSeq).toBe(0);
  });

  it('survives a storage that throws (privacy mode, quota) or is missing', () => {
    const hostile: KeyValueStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(loadSession(hostile, 'acme')).toEqual(emptySession());
    expect(saveSession(hostile, 'acme', session)).toBe(false);
    expect(loadSession(null, 'acme')).toEqual(emptySession());
    expect(saveSession(null, 'acme', session)).toBe(false);
  });

  it('returns a fresh object each time (callers may mutate it)', () => {
    const a = loadSession(null, 'acme');
    a.outbox.push(session.outbox[0]!);
    expect(loadSession(null, 'acme').outbox).toEqual([]);
    expect(emptySession().outbox).toEqual([]);
  });
});
