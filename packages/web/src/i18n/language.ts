import { type Locale, locales } from '@hotline/protocol/common';

export const LANGUAGE_STORAGE_KEY = 'hotline.language';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/**
 * The UI language: the user's explicit choice wins, then the locale set on their account, then the browser.
 * `browser` is a BCP 47 tag such as `ru-RU`; anything we do not translate falls back to English.
 */
export function pickLanguage(input: {
  stored?: string | null;
  userLocale?: string | null;
  browser?: string;
}): Locale {
  if (isLocale(input.stored)) return input.stored;
  if (isLocale(input.userLocale)) return input.userLocale;
  const primary = input.browser?.toLowerCase().split('-')[0];
  return isLocale(primary) ? primary : 'en';
}
