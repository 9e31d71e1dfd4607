import { describe, expect, it } from 'vitest';
import { dictionaries, pickLocale, ruPlural } from './i18n';

describe('pickLocale', () => {
  it.each([
    [['ru'], 'ru'],
    [['ru-RU'], 'ru'],
    [['RU_ru'], 'ru'],
    [[' ru '], 'ru'],
    [['en-GB'], 'en'],
    [['de'], 'en'],
    [[''], 'en'],
    [[null], 'en'],
    [[undefined], 'en'],
    [['rus'], 'en'],
    // data-lang first, then <html lang>: the first one we know wins
    [['ru', 'en'], 'ru'],
    [[undefined, 'ru'], 'ru'],
    [['fr', 'ru'], 'ru'],
    [['en', 'ru'], 'en'],
  ] as const)('%j → %s', (candidates, expected) => {
    expect(pickLocale(...candidates)).toBe(expected);
  });
});

describe('ruPlural', () => {
  const minutes = (n: number) => ruPlural(n, 'минута', 'минуты', 'минут');
  it.each([
    [1, 'минута'],
    [2, 'минуты'],
    [4, 'минуты'],
    [5, 'минут'],
    [11, 'минут'],
    [12, 'минут'],
    [14, 'минут'],
    [21, 'минута'],
    [22, 'минуты'],
    [25, 'минут'],
    [101, 'минута'],
    [111, 'минут'],
    [0, 'минут'],
  ])('%i → %s', (n, form) => {
    expect(minutes(n)).toBe(form);
  });
});

describe('dictionaries', () => {
  it('have the same entries with the same kinds in both languages', () => {
    const { en, ru } = dictionaries;
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(typeof ru[key], key).toBe(typeof en[key]);
    }
  });

  it('produce non-empty text for every entry, with the value in it', () => {
    for (const dictionary of Object.values(dictionaries)) {
      for (const [key, value] of Object.entries(dictionary)) {
        if (typeof value === 'string') expect(value.trim(), key).not.toBe('');
        if (typeof value === 'function') {
          const text = (value as (n: never) => string)(7 as never);
          expect(text, key).toContain('7');
        }
      }
    }
  });

  it('russian text is russian and english text is english', () => {
    expect(dictionaries.ru.startChat).toBe('Начать чат');
    expect(dictionaries.en.startChat).toBe('Start the chat');
    expect(dictionaries.ru.minutes(3)).toBe('около 3 минут');
    expect(dictionaries.ru.minutes(1)).toBe('около 1 минуты');
    expect(dictionaries.en.queuePosition(1)).toBe('You are next in the queue.');
    expect(dictionaries.en.queuePosition(3)).toBe('You are number 3 in the queue.');
  });
});
