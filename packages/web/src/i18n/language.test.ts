import { describe, expect, it } from 'vitest';
import { pickLanguage } from './language';

describe('pickLanguage', () => {
  it.each([
    [{ stored: 'ru', userLocale: 'en', browser: 'en-US' }, 'ru'],
    [{ stored: null, userLocale: 'ru', browser: 'en-US' }, 'ru'],
    [{ stored: 'de', userLocale: null, browser: 'ru-RU' }, 'ru'],
    [{ browser: 'RU' }, 'ru'],
    [{ browser: 'de-DE' }, 'en'],
    [{}, 'en'],
  ] as const)('%j → %s', (input, expected) => {
    expect(pickLanguage(input)).toBe(expected);
  });
});
