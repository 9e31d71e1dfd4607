import { describe, expect, it } from 'vitest';
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
