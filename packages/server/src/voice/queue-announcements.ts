import type { Language } from '@hotline/core/flow/flow-types';

/**
 * What a caller waiting in a queue hears between the music: their place and the estimated wait, in
 * Russian or English, at a per-queue interval. Pure: the channel asks when the next one is due and
 * what to say; the position and EWT come from the routing engine (`engine.position`,
 * `core/routing/wait-estimate.ts`), the audio from the TTS cache.
 */
export interface AnnouncementSettings {
  /** 0: never. */
  readonly intervalMs: number;
  readonly position: boolean;
  readonly wait: boolean;
}

export const defaultAnnouncementSettings: AnnouncementSettings = {
  intervalMs: 45_000,
  position: true,
  wait: true,
};

/** The first announcement comes this soon after entering the queue (the caller learns where they are). */
export const FIRST_ANNOUNCEMENT_AFTER_MS = 3_000;

/**
 * When the next announcement is due: `FIRST_ANNOUNCEMENT_AFTER_MS` after entering the queue, then
 * every `intervalMs` after the previous one started; null when announcements are off.
 */
export function nextAnnouncementAt(
  settings: AnnouncementSettings,
  queuedAt: number,
  lastAnnouncedAt: number | null,
): number | null {
  if (settings.intervalMs <= 0 || (!settings.position && !settings.wait)) return null;
  if (lastAnnouncedAt === null) return queuedAt + Math.min(FIRST_ANNOUNCEMENT_AFTER_MS, settings.intervalMs);
  return lastAnnouncedAt + settings.intervalMs;
}

/**
 * The sentence to speak, or null when there is nothing to say. `ewtMs` null means nobody who could
 * take the call is staffed (the estimate is unknown): the caller is told agents are busy instead.
 */
export function announcementText(
  language: Language,
  settings: Pick<AnnouncementSettings, 'position' | 'wait'>,
  position: number | null,
  ewtMs: number | null,
): string | null {
  const parts: string[] = [];
  if (settings.position && position !== null && position >= 1) {
    parts.push(
      language === 'ru'
        ? `Ваш номер в очереди: ${spellNumber(position, 'ru', 'masculine')}.`
        : `You are number ${spellNumber(position, 'en')} in the queue.`,
    );
  }
  if (settings.wait && position !== null) parts.push(waitSentence(language, ewtMs));
  return parts.length === 0 ? null : parts.join(' ');
}

function waitSentence(language: Language, ewtMs: number | null): string {
  if (ewtMs === null) {
    return language === 'ru'
      ? 'Все операторы сейчас заняты, пожалуйста, оставайтесь на линии.'
      : 'All our agents are busy at the moment, please stay on the line.';
  }
  const minutes = Math.ceil(ewtMs / 60_000);
  if (minutes <= 1) {
    return language === 'ru'
      ? 'Примерное время ожидания — меньше минуты.'
      : 'The estimated waiting time is less than a minute.';
  }
  if (minutes > 60) {
    return language === 'ru'
      ? 'Примерное время ожидания — больше часа.'
      : 'The estimated waiting time is more than an hour.';
  }
  return language === 'ru'
    ? `Примерное время ожидания — ${spellNumber(minutes, 'ru', 'feminine')} ${ruPlural(minutes, ['минута', 'минуты', 'минут'])}.`
    : `The estimated waiting time is about ${spellNumber(minutes, 'en')} minutes.`;
}

/** Russian plural form: 1 минута, 2 минуты, 5 минут, 21 минута, 11 минут. */
export function ruPlural(n: number, forms: readonly [string, string, string]): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return forms[0];
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return forms[1];
  return forms[2];
}

const EN_ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const RU_ONES_M = [
  'ноль',
  'один',
  'два',
  'три',
  'четыре',
  'пять',
  'шесть',
  'семь',
  'восемь',
  'девять',
  'десять',
  'одиннадцать',
  'двенадцать',
  'тринадцать',
  'четырнадцать',
  'пятнадцать',
  'шестнадцать',
  'семнадцать',
  'восемнадцать',
  'девятнадцать',
];
const RU_TENS = [
  '',
  '',
  'двадцать',
  'тридцать',
  'сорок',
  'пятьдесят',
  'шестьдесят',
  'семьдесят',
  'восемьдесят',
  'девяносто',
];
const RU_HUNDREDS = [
  '',
  'сто',
  'двести',
  'триста',
  'четыреста',
  'пятьсот',
  'шестьсот',
  'семьсот',
  'восемьсот',
  'девятьсот',
];

/**
 * Whole numbers 0–999 in words (larger ones as digits, which espeak-ng reads itself). Russian agrees
 * in gender with the noun that follows (одна минута, две минуты; один, два for the place in queue):
 * the synthesiser reads "2 минуты" as "два минуты", which is why numbers are spelled out here.
 */
export function spellNumber(
  n: number,
  language: Language,
  gender: 'masculine' | 'feminine' = 'masculine',
): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) return String(n);
  if (language === 'en') {
    if (n < 20) return EN_ONES[n]!;
    if (n < 100) return EN_TENS[Math.floor(n / 10)]! + (n % 10 ? `-${EN_ONES[n % 10]}` : '');
    const rest = n % 100;
    return `${EN_ONES[Math.floor(n / 100)]} hundred${rest ? ` and ${spellNumber(rest, 'en')}` : ''}`;
  }
  const words: string[] = [];
  if (n >= 100) words.push(RU_HUNDREDS[Math.floor(n / 100)]!);
  const rest = n % 100;
  if (rest >= 20) {
    words.push(RU_TENS[Math.floor(rest / 10)]!);
    if (rest % 10) words.push(ruUnit(rest % 10, gender));
  } else if (rest > 0 || n === 0) {
    words.push(ruUnit(rest, gender));
  }
  return words.join(' ');
}

function ruUnit(n: number, gender: 'masculine' | 'feminine'): string {
  if (gender === 'feminine' && n === 1) return 'одна';
  if (gender === 'feminine' && n === 2) return 'две';
  return RU_ONES_M[n]!;
}
