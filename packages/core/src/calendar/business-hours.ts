import { type Millis, millis } from '../ports';

/**
 * Business hours: whether a calendar is open at an instant, and when that next changes.
 *
 * A calendar is weekly opening intervals in wall-clock time of an IANA time zone, minus holidays
 * (whole local days). Intervals never span midnight (`open < close`, `close` may be `24:00`); hours
 * across midnight are two intervals (`fri 22:00–24:00`, `sat 00:00–02:00`), and a change at their
 * seam is no change. Wall-clock rules decide across DST changes: an interval opening at 02:30 on the
 * night the clocks skip 02:00–03:00 opens at 03:00; in the hour that repeats, a time inside an
 * interval is open both times it occurs.
 *
 * Pure: time zones come from `Intl.DateTimeFormat` (the ICU data of the runtime), nothing else.
 */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface BusinessCalendar {
  readonly timeZone: string;
  /** `open`/`close` as `HH:MM` local time, `open < close`; `close` may be `24:00`. */
  readonly weekly: readonly { readonly day: Weekday; readonly open: string; readonly close: string }[];
  /** Closed all day on these local dates (`YYYY-MM-DD`). */
  readonly holidays: readonly { readonly date: string }[];
}

const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** UTC offsets lie within −12 h … +14 h; a window this wide around a local day holds all its instants. */
const OFFSET_SPAN = 14 * HOUR;
/** How far `nextChange` looks ahead before answering "no change". */
export const NEXT_CHANGE_HORIZON_DAYS = 366;

/** Whether `calendar` is open at `at` (ms since the epoch). */
export function isOpen(calendar: BusinessCalendar, at: number): boolean {
  return compile(calendar).isOpenAt(at);
}

/**
 * The first instant after `at` at which `isOpen` gives another answer than at `at`, or null when that
 * does not happen within `NEXT_CHANGE_HORIZON_DAYS` (a calendar never open, or open around the clock).
 */
export function nextChange(calendar: BusinessCalendar, at: number): Millis | null {
  const c = compile(calendar);
  const state = c.isOpenAt(at);
  if (c.hasNoHours) return null;
  // Flips happen only at candidate instants: interval edges and local midnights (each time that wall
  // time occurs) and the zone's offset changes. Between two candidates nothing changes, so the first
  // candidate whose answer differs is the change. Candidates of later days are never earlier than
  // their day's start minus the largest offset, which bounds what can be checked after each day.
  const firstDay = c.localDay(at) - 1;
  let pending: number[] = [];
  for (let day = firstDay; day <= firstDay + NEXT_CHANGE_HORIZON_DAYS; day++) {
    pending.push(...c.candidatesOn(day));
    const safeBefore = (day + 1) * DAY - OFFSET_SPAN;
    pending.sort((x, y) => x - y);
    const keep: number[] = [];
    for (const t of pending) {
      if (t <= at) continue;
      if (t >= safeBefore) keep.push(t);
      else if (c.isOpenAt(t) !== state) return millis(t);
    }
    pending = keep;
  }
  return null;
}

interface Wall {
  /** Days since 1970-01-01 of the local date. */
  day: number;
  /** Minutes since local midnight. */
  minute: number;
  /** The local wall time read as if it were UTC, in ms (seconds precision). */
  asUtc: number;
}

/** A calendar prepared for repeated questions; cheap to build. */
class CompiledCalendar {
  readonly #zone: ZoneClock;
  /** Per weekday (0 = Monday): [open, close) in minutes since local midnight. */
  readonly #hours: [number, number][][] = weekdays.map(() => []);
  readonly #holidays: Set<string>;
  readonly hasNoHours: boolean;

  constructor(calendar: BusinessCalendar) {
    this.#zone = zoneClock(calendar.timeZone);
    for (const i of calendar.weekly) {
      this.#hours[weekdays.indexOf(i.day)]!.push([minutesOf(i.open), minutesOf(i.close)]);
    }
    this.#holidays = new Set(calendar.holidays.map((h) => h.date));
    const allDay = this.#hours.every((list) => list.some(([o, c]) => o === 0 && c === 24 * 60));
    this.hasNoHours = calendar.weekly.length === 0 || (allDay && this.#holidays.size === 0);
  }

  isOpenAt(at: number): boolean {
    const wall = this.#zone.wall(at);
    if (this.#holidays.has(isoDate(wall.day))) return false;
    return this.#hours[weekdayOf(wall.day)]!.some(([o, c]) => o <= wall.minute && wall.minute < c);
  }

  localDay(at: number): number {
    return this.#zone.wall(at).day;
  }

  /** Every instant at which the answer may flip that belongs to local day `day`, unsorted. */
  candidatesOn(day: number): number[] {
    const minutes = new Set([0]);
    for (const [o, c] of this.#hours[weekdayOf(day)]!) {
      minutes.add(o);
      if (c < 24 * 60) minutes.add(c);
    }
    const out: number[] = [];
    for (const minute of minutes) out.push(...this.#zone.instantsOf(day, minute));
    const transition = this.#zone.offsetChangeBetween(day * DAY - OFFSET_SPAN, (day + 1) * DAY + OFFSET_SPAN);
    if (transition !== null) out.push(transition);
    return out;
  }
}

/** Wall-clock arithmetic of one IANA zone through `Intl`. */
interface ZoneClock {
  wall(at: number): Wall;
  /** The instants whose local wall time is `minute` on `day`: none in a skipped hour, two in a repeated one. */
  instantsOf(day: number, minute: number): number[];
  /** The instant (ms) the UTC offset changes within (from, to], assuming at most one change; or null. */
  offsetChangeBetween(from: number, to: number): number | null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneClock(timeZone: string): ZoneClock {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const fmt = format;

  const wall = (at: number): Wall => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(at)) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    const hour = p.hour === 24 ? 0 : p.hour!;
    const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, hour, p.minute!, p.second!);
    return { day: Math.floor(asUtc / DAY), minute: hour * 60 + p.minute!, asUtc };
  };
  /** Local minus UTC, in ms. */
  const offsetAt = (at: number) => wall(at).asUtc - (at - mod(at, 1000));

  return {
    wall,
    instantsOf(day, minute) {
      const asUtc = day * DAY + minute * MINUTE;
      const offsets = new Set([offsetAt(asUtc - OFFSET_SPAN), offsetAt(asUtc + OFFSET_SPAN)]);
      const out: number[] = [];
      for (const offset of offsets) {
        const t = asUtc - offset;
        const w = wall(t);
        if (w.day === day && w.minute === minute) out.push(t);
      }
      return out;
    },
    offsetChangeBetween(from, to) {
      const before = offsetAt(from);
      if (offsetAt(to) === before) return null;
      // The smallest instant in (from, to] with another offset, to the millisecond.
      let lo = from;
      let hi = to;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (offsetAt(mid) === before) lo = mid;
        else hi = mid;
      }
      return hi;
    },
  };
}

function compile(calendar: BusinessCalendar): CompiledCalendar {
  return new CompiledCalendar(calendar);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** 0 = Monday; 1970-01-01 was a Thursday. */
function weekdayOf(day: number): number {
  return mod(day + 3, 7);
}

/** `YYYY-MM-DD` of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's civil_from_days). */
function isoDate(day: number): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;
