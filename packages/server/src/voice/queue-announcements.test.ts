import { describe, expect, it } from 'vitest';
import {
  announcementText,
  defaultAnnouncementSettings,
  FIRST_ANNOUNCEMENT_AFTER_MS,
  nextAnnouncementAt,
  ruPlural,
  spellNumber,
} from './queue-announcements';

describe('queue announcements', () => {
  const every30 = { intervalMs: 30_000, position: true, wait: true };

  it('schedules the first soon after entering the queue, then every interval after the previous one', () => {
    expect(nextAnnouncementAt(every30, 1_000, null)).toBe(1_000 + FIRST_ANNOUNCEMENT_AFTER_MS);
    expect(nextAnnouncementAt(every30, 1_000, 4_000)).toBe(34_000);
    // A late announcement (the caller heard a long prompt) moves the next one, not a burst to catch up.
    expect(nextAnnouncementAt(every30, 1_000, 50_000)).toBe(80_000);
    // An interval shorter than the first delay is not exceeded.
    expect(nextAnnouncementAt({ ...every30, intervalMs: 2_000 }, 0, null)).toBe(2_000);
  });

  it('is off with interval 0 or nothing to say', () => {
    expect(nextAnnouncementAt({ ...every30, intervalMs: 0 }, 0, null)).toBeNull();
    expect(nextAnnouncementAt({ intervalMs: 30_000, position: false, wait: false }, 0, null)).toBeNull();
    expect(defaultAnnouncementSettings.intervalMs).toBeGreaterThan(0);
  });

  it('speaks place and wait in English', () => {
    expect(announcementText('en', every30, 3, 150_000)).toBe(
      'You are number three in the queue. The estimated waiting time is about three minutes.',
    );
    expect(announcementText('en', every30, 1, 20_000)).toBe(
      'You are number one in the queue. The estimated waiting time is less than a minute.',
    );
    expect(announcementText('en', { position: false, wait: true }, 21, null)).toBe(
      'All our agents are busy at the moment, please stay on the line.',
    );
  });

  it('speaks place and wait in Russian with the right gender and plural', () => {
    expect(announcementText('ru', every30, 2, 120_000)).toBe(
      'Ваш номер в очереди: два. Примерное время ожидания — две минуты.',
    );
    expect(announcementText('ru', every30, 21, 21 * 60_000)).toBe(
      'Ваш номер в очереди: двадцать один. Примерное время ожидания — двадцать одна минута.',
    );
    expect(announcementText('ru', every30, 5, 11 * 60_000)).toContain('одиннадцать минут.');
    expect(announcementText('ru', every30, 1, 2 * 3_600_000)).toContain('больше часа');
  });

  it('says nothing for a caller no longer waiting', () => {
    expect(announcementText('ru', every30, null, 60_000)).toBeNull();
  });

  it('spells numbers and picks Russian plural forms', () => {
    expect([0, 7, 13, 40, 99, 101, 999].map((n) => spellNumber(n, 'en'))).toEqual([
      'zero',
      'seven',
      'thirteen',
      'forty',
      'ninety-nine',
      'one hundred and one',
      'nine hundred and ninety-nine',
    ]);
    expect(spellNumber(342, 'ru', 'feminine')).toBe('триста сорок две');
    expect(spellNumber(1000, 'ru')).toBe('1000');
    const forms = ['минута', 'минуты', 'минут'] as const;
    expect([1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 111, 101].map((n) => ruPlural(n, forms))).toEqual([
      'минута',
      'минуты',
      'минуты',
      'минут',
      'минут',
      'минут',
      'минут',
      'минута',
      'минуты',
      'минут',
      'минут',
      'минута',
    ]);
  });
});
