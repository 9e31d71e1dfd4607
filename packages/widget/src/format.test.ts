import { describe, expect, it } from 'vitest';
import { checkFile, formatBytes, formatTime, formatWait } from './format';

describe('formatBytes', () => {
  it.each([
    [0, 'en', '0 B'],
    [1023, 'en', '1,023 B'],
    [1024, 'en', '1 KB'],
    [1536, 'en', '1.5 KB'],
    [15_360, 'en', '15 KB'],
    [10 * 1024 * 1024, 'en', '10 MB'],
    [2.25 * 1024 * 1024, 'en', '2.3 MB'],
    [5 * 1024 ** 4, 'en', '5,120 GB'],
    [1536, 'ru', '1,5 КБ'],
    [10 * 1024 * 1024, 'ru', '10 МБ'],
    [-5, 'en', '0 B'],
  ] as const)('%d (%s) → %s', (bytes, locale, text) => {
    // ru groups thousands with a no-break space; compare with plain spaces
    expect(formatBytes(bytes, locale).replace(/\s/g, ' ')).toBe(text);
  });
});

describe('formatWait', () => {
  it.each([
    [0, 'en', 'less than a minute'],
    [59, 'en', 'less than a minute'],
    [60, 'en', 'about 1 minute'],
    [61, 'en', 'about 2 minutes'],
    [600, 'en', 'about 10 minutes'],
    [89 * 60, 'en', 'about 89 minutes'],
    [90 * 60, 'en', 'about 2 hours'],
    [3 * 3600, 'en', 'about 3 hours'],
    [30, 'ru', 'меньше минуты'],
    [120, 'ru', 'около 2 минут'],
    [21 * 60, 'ru', 'около 21 минуты'],
    [5 * 3600, 'ru', 'около 5 часов'],
  ] as const)('%d s (%s) → %s', (seconds, locale, text) => {
    expect(formatWait(seconds, locale)).toBe(text);
  });
});

describe('checkFile', () => {
  const limits = { maxAttachmentBytes: 1000, attachmentTypes: ['image/png', 'application/pdf'] };
  it('accepts an allowed type within the size', () => {
    expect(checkFile({ size: 1000, type: 'image/png' }, limits)).toBeNull();
    expect(checkFile({ size: 0, type: 'application/pdf' }, limits)).toBeNull();
  });
  it('refuses a larger file', () => {
    expect(checkFile({ size: 1001, type: 'image/png' }, limits)).toBe('size');
  });
  it('refuses a type not on the list (type before size)', () => {
    expect(checkFile({ size: 10, type: 'text/html' }, limits)).toBe('type');
    expect(checkFile({ size: 10_000, type: 'image/svg+xml' }, limits)).toBe('type');
  });
  it('lets a file of unknown type through for the server to judge by content', () => {
    expect(checkFile({ size: 10, type: '' }, limits)).toBeNull();
    expect(checkFile({ size: 10_000, type: '' }, limits)).toBe('size');
  });
});

describe('formatTime', () => {
  it('formats hours and minutes, and nothing for garbage', () => {
    expect(formatTime('2025-03-04T10:05:00', 'en')).toMatch(/^10:05( AM)?$/);
    expect(formatTime('2025-03-04T18:30:00', 'ru')).toBe('18:30');
    expect(formatTime('not a date', 'en')).toBe('');
  });
});
