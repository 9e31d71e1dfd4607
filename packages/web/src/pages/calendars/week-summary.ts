import { weekdays } from '@hotline/protocol/config';

type Weekday = (typeof weekdays)[number];

export interface Interval {
  day: Weekday;
  open: string;
  close: string;
}

/**
 * A compact description of weekly opening hours: consecutive days with identical hours are merged,
 * e.g. `Mon–Fri 09:00–18:00; Sat 10:00–14:00`. Days without hours are left out.
 */
export function summarizeWeek(weekly: readonly Interval[], dayName: (day: Weekday) => string): string {
  const hoursOf = (day: Weekday) =>
    weekly
      .filter((interval) => interval.day === day)
      .map((interval) => `${interval.open}–${interval.close}`)
      .sort()
      .join(', ');
  const groups: { first: Weekday; last: Weekday; hours: string }[] = [];
  for (const day of weekdays) {
    const hours = hoursOf(day);
    const previous = groups.at(-1);
    const adjacent = previous && weekdays.indexOf(previous.last) === weekdays.indexOf(day) - 1;
    if (hours && previous && adjacent && previous.hours === hours) previous.last = day;
    else if (hours) groups.push({ first: day, last: day, hours });
  }
  return groups
    .map(({ first, last, hours }) =>
      first === last ? `${dayName(first)} ${hours}` : `${dayName(first)}–${dayName(last)} ${hours}`,
    )
    .join('; ');
}
