import type { Locale } from '@hotline/protocol/common';
import { dictionaries } from './i18n';

/** `1 536` bytes → `1.5 KB` (en) / `1,5 КБ` (ru). Whole numbers below 10 units keep one decimal. */
export function formatBytes(bytes: number, locale: Locale): string {
  const units = dictionaries[locale].sizeUnits;
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
  return `${number} ${units[unit]}`;
}

/** An estimated wait for people: under a minute, whole minutes (rounded up), then hours. */
export function formatWait(seconds: number, locale: Locale): string {
  const t = dictionaries[locale];
  if (seconds < 60) return t.lessThanMinute;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return t.minutes(minutes);
  return t.hours(Math.round(minutes / 60));
}

export interface AttachmentLimits {
  maxAttachmentBytes: number;
  attachmentTypes: readonly string[];
}

/**
 * Checks a chosen file before uploading it, for the visitor's sake only: the server decides from the
 * content. A file whose browser-reported type is empty is let through (the server will judge it).
 */
export function checkFile(
  file: { size: number; type: string },
  limits: AttachmentLimits,
): 'size' | 'type' | null {
  if (file.type !== '' && !limits.attachmentTypes.includes(file.type)) return 'type';
  if (file.size > limits.maxAttachmentBytes) return 'size';
  return null;
}

/** Local time of a message, `14:05`. Returns '' for an unparsable timestamp. */
export function formatTime(iso: string, locale: Locale): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
}
