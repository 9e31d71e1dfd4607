import { agentId, interactionId, queueId } from '@hotline/core/ids';
import { millis } from '@hotline/core/ports';
import { queueConfig } from '@hotline/core/routing/queue-config';
import { RoutingEngine } from '@hotline/core/routing/routing-engine';
import { describe, expect, it } from 'vitest';
import { positionsOf } from './conversation-status';
import { RateLimiter } from './rate-limiter';
import { renderTranscript } from './transcript';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate, per key', () => {
    let now = 0;
    const sut = new RateLimiter({ burst: 3, perSecond: 2 }, { now: () => now });
    expect([1, 2, 3, 4].map(() => sut.take('a'))).toEqual([true, true, true, false]);
    expect(sut.take('b')).toBe(true);
    expect(sut.retryAfterSeconds('a')).toBe(1);
    now = 499;
    expect(sut.take('a')).toBe(false);
    now = 500;
    expect(sut.take('a')).toBe(true);
    expect(sut.take('a')).toBe(false);
    now = 60_000_000;
    expect([1, 2, 3, 4].map(() => sut.take('a'))).toEqual([true, true, true, false]);
  });
});

describe('renderTranscript', () => {
  it('writes public messages as plain text with names and UTC times, in the visitor language', () => {
    const base = {
      interactionId: 'i',
      attachment: null,
      clientId: null,
      createdAt: '2025-02-03T10:11:12.000Z',
    };
    const text = renderTranscript({
      tenantName: 'Shop',
      startedAt: new Date('2025-02-03T10:00:00Z'),
      language: 'ru',
      messages: [
        {
          ...base,
          id: '1',
          seq: 1,
          author: { kind: 'customer', userId: null, name: '' },
          visibility: 'public',
          text: '<b>hi</b>',
        },
        {
          ...base,
          id: '2',
          seq: 2,
          author: { kind: 'agent', userId: 'u', name: 'Anna' },
          visibility: 'internal',
          text: 'note',
        },
        {
          ...base,
          id: '3',
          seq: 3,
          author: { kind: 'agent', userId: 'u', name: 'Anna' },
          visibility: 'public',
          text: 'see file',
          attachment: { id: 'a', fileName: 'terms.pdf', mime: 'application/pdf', size: 10 },
        },
      ],
    });
    expect(text).toBe(
      [
        'Чат с Shop',
        'Начат: 2025-02-03 10:00:00 (Время UTC)',
        '',
        '[2025-02-03 10:11:12] Вы: <b>hi</b>',
        '[2025-02-03 10:11:12] Anna: see file',
        '[2025-02-03 10:11:12] Anna: (вложение: terms.pdf, 10 B)',
        '',
      ].join('\n'),
    );
  });
});

describe('positionsOf', () => {
  it('gives the same queue positions as engine.position, by one sort per busy queue', () => {
    const engine = new RoutingEngine({ random: () => 0.5 });
    engine.setQueues(
      [
        queueConfig({ id: queueId('big'), name: 'Big' }),
        queueConfig({ id: queueId('small'), name: 'Small' }),
      ],
      millis(0),
    );
    // One agent takes the first chat (offered: no position), everyone else waits.
    engine.upsertAgent(
      {
        id: agentId('ann'),
        capacity: { voice: 0, chat: 1, email: 0, sms: 0, messenger: 0, task: 0 },
        skills: new Map(),
      },
      millis(0),
    );
    engine.login(agentId('ann'), millis(0));
    engine.setReady(agentId('ann'), millis(0));
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `c${i}`;
      ids.push(id);
      engine.enqueue(
        {
          id: interactionId(id),
          channel: i % 3 === 0 ? 'email' : 'chat',
          queueId: queueId(i % 10 === 9 ? 'small' : 'big'),
          priority: i % 4,
          enqueuedAt: millis(1000 - (i % 7) * 100),
          callback: i % 11 === 5,
        },
        millis(10 + i),
      );
    }
    const views = ids.map((id) => engine.interaction(interactionId(id)));
    const sut = positionsOf(engine, views);
    for (const v of views) expect([v!.id, sut.get(v!.id) ?? null]).toEqual([v!.id, engine.position(v!.id)]);
    expect([...sut.values()].length).toBeGreaterThan(30);
  });
});
