import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BusinessCalendar, isOpen, nextChange, type Weekday } from './business-hours';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const weekdays: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const officeHours = (timeZone: string, holidays: string[] = []): BusinessCalendar => ({
  timeZone,
  weekly: weekdays.map((day) => ({ day, open: '09:00', close: '17:00' })),
  holidays: holidays.map((date) => ({ date })),
});

/** Walks `nextChange` from `start` and returns the instants it reports, in order. */
function changes(calendar: BusinessCalendar, start: string, count: number): (string | null)[] {
  const out: (string | null)[] = [];
  let t: number | null = at(start);
  for (let i = 0; i < count && t !== null; i++) {
    t = nextChange(calendar, t);
    out.push(iso(t));
  }
  return out;
}

describe('isOpen', () => {
  it.each([
    // Berlin in winter is UTC+1, in summer UTC+2; the opening hour follows the wall clock.
    ['2025-01-06T07:59:59Z', false, 'Monday 08:59:59 CET'],
    ['2025-01-06T08:00:00Z', true, 'Monday 09:00 CET'],
    ['2025-01-06T15:59:59Z', true, 'Monday 16:59:59 CET'],
    ['2025-01-06T16:00:00Z', false, 'Monday 17:00 CET: close is exclusive'],
    ['2025-07-07T07:00:00Z', true, 'Monday 09:00 CEST'],
    ['2025-07-07T06:59:00Z', false, 'Monday 08:59 CEST'],
    ['2025-07-07T15:00:00Z', false, 'Monday 17:00 CEST'],
    ['2025-01-11T10:00:00Z', false, 'Saturday'],
    ['2025-12-25T10:00:00Z', false, 'Christmas (a holiday), a Thursday'],
    ['2025-12-24T10:00:00Z', true, 'the day before Christmas'],
  ])('Berlin office hours at %s → %s (%s)', (when, open) => {
    expect(isOpen(officeHours('Europe/Berlin', ['2025-12-25']), at(when))).toBe(open);
  });

  it.each([
    ['2025-03-07T14:00:00Z', true, 'Friday 09:00 EST'],
    ['2025-03-10T13:00:00Z', true, 'Monday 09:00 EDT'],
    ['2025-03-10T12:59:00Z', false, 'Monday 08:59 EDT, which was 09:59 in UTC-5 terms last week'],
    ['2025-03-10T21:00:00Z', false, 'Monday 17:00 EDT'],
    ['2025-11-03T14:00:00Z', true, 'Monday 09:00 EST after the fall change'],
    ['2025-11-03T13:30:00Z', false, 'Monday 08:30 EST'],
  ])('New York office hours at %s → %s (%s)', (when, open) => {
    expect(isOpen(officeHours('America/New_York'), at(when))).toBe(open);
  });

  it('takes holidays by the local date, not the UTC date', () => {
    const tokyo: BusinessCalendar = {
      timeZone: 'Asia/Tokyo',
      weekly: (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({
        day,
        open: '00:00',
        close: '24:00',
      })),
      holidays: [{ date: '2025-01-01' }],
    };
    expect(isOpen(tokyo, at('2024-12-31T14:59:59Z'))).toBe(true); // 23:59:59 on 31 December in Tokyo
    expect(isOpen(tokyo, at('2024-12-31T15:00:00Z'))).toBe(false); // midnight of the holiday
    expect(isOpen(tokyo, at('2025-01-01T14:59:59Z'))).toBe(false);
    expect(isOpen(tokyo, at('2025-01-01T15:00:00Z'))).toBe(true);
  });

  it('is closed with no hours at all and open around the clock with 00:00–24:00 every day', () => {
    const never: BusinessCalendar = { timeZone: 'UTC', weekly: [], holidays: [] };
    expect(isOpen(never, at('2025-05-05T12:00:00Z'))).toBe(false);
    expect(nextChange(never, at('2025-05-05T12:00:00Z'))).toBeNull();
    const always: BusinessCalendar = {
      timeZone: 'Europe/Berlin',
      weekly: (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({
        day,
        open: '00:00',
        close: '24:00',
      })),
      holidays: [],
    };
    for (const when of ['2025-03-30T01:00:00Z', '2025-10-26T00:30:00Z', '2025-06-01T23:59:59Z']) {
      expect(isOpen(always, at(when))).toBe(true);
    }
    expect(nextChange(always, at('2025-03-29T12:00:00Z'))).toBeNull();
  });
});

describe('across DST changes', () => {
  it('opens an interval that starts in the skipped hour when the clocks jump (Berlin, spring)', () => {
    // 2025-03-30 01:00Z: 02:00 CET becomes 03:00 CEST; 02:30 never happens that night.
    const night: BusinessCalendar = {
      timeZone: 'Europe/Berlin',
      weekly: [{ day: 'sun', open: '02:30', close: '05:00' }],
      holidays: [],
    };
    expect(isOpen(night, at('2025-03-30T00:59:59Z'))).toBe(false);
    expect(isOpen(night, at('2025-03-30T01:00:00Z'))).toBe(true);
    expect(changes(night, '2025-03-30T00:00:00Z', 3)).toEqual([
      '2025-03-30T01:00:00.000Z', // the jump itself (local 03:00)
      '2025-03-30T03:00:00.000Z', // 05:00 CEST
      '2025-04-06T00:30:00.000Z', // next Sunday 02:30 CEST
    ]);
  });

  it('is open twice in the repeated hour (Berlin, autumn)', () => {
    // 2025-10-26 01:00Z: 03:00 CEST becomes 02:00 CET; 02:00–03:00 happens twice.
    const night: BusinessCalendar = {
      timeZone: 'Europe/Berlin',
      weekly: [{ day: 'sun', open: '01:00', close: '02:30' }],
      holidays: [],
    };
    expect(changes(night, '2025-10-25T22:00:00Z', 5)).toEqual([
      '2025-10-25T23:00:00.000Z', // 01:00 CEST opens
      '2025-10-26T00:30:00.000Z', // 02:30 CEST closes
      '2025-10-26T01:00:00.000Z', // back to 02:00 CET: open again
      '2025-10-26T01:30:00.000Z', // 02:30 CET closes
      '2025-11-02T00:00:00.000Z', // next Sunday 01:00 CET
    ]);
    expect(isOpen(night, at('2025-10-26T00:45:00Z'))).toBe(false);
    expect(isOpen(night, at('2025-10-26T01:15:00Z'))).toBe(true);
  });

  it('moves the opening by an hour over the weekend of the change (New York, spring)', () => {
    // 2025-03-09 07:00Z: 02:00 EST becomes 03:00 EDT.
    expect(changes(officeHours('America/New_York'), '2025-03-07T21:00:00Z', 3)).toEqual([
      '2025-03-07T22:00:00.000Z', // Friday 17:00 EST
      '2025-03-10T13:00:00.000Z', // Monday 09:00 EDT
      '2025-03-10T21:00:00.000Z', // Monday 17:00 EDT
    ]);
  });

  it('moves it back in autumn (New York)', () => {
    // 2025-11-02 06:00Z: 02:00 EDT becomes 01:00 EST.
    expect(changes(officeHours('America/New_York'), '2025-10-31T20:00:00Z', 3)).toEqual([
      '2025-10-31T21:00:00.000Z', // Friday 17:00 EDT
      '2025-11-03T14:00:00.000Z', // Monday 09:00 EST
      '2025-11-03T22:00:00.000Z',
    ]);
  });
});

describe('nextChange', () => {
  it('treats hours across midnight as one stretch', () => {
    const late: BusinessCalendar = {
      timeZone: 'Europe/Berlin',
      weekly: [
        { day: 'fri', open: '22:00', close: '24:00' },
        { day: 'sat', open: '00:00', close: '02:00' },
      ],
      holidays: [],
    };
    expect(isOpen(late, at('2025-01-10T22:59:59Z'))).toBe(true); // Friday 23:59:59 CET
    expect(isOpen(late, at('2025-01-10T23:00:00Z'))).toBe(true); // Saturday 00:00 CET
    expect(changes(late, '2025-01-10T20:00:00Z', 3)).toEqual([
      '2025-01-10T21:00:00.000Z', // Friday 22:00 CET
      '2025-01-11T01:00:00.000Z', // Saturday 02:00 CET, not midnight
      '2025-01-17T21:00:00.000Z',
    ]);
  });

  it('skips holidays, including a closure of several weeks', () => {
    const berlin = officeHours('Europe/Berlin', ['2025-12-25', '2025-12-26']);
    expect(changes(berlin, '2025-12-24T15:00:00Z', 2)).toEqual([
      '2025-12-24T16:00:00.000Z', // Wednesday 17:00
      '2025-12-29T08:00:00.000Z', // Monday 09:00: Thursday and Friday are holidays
    ]);
    const closure = Array.from({ length: 40 }, (_, i) => iso(at('2026-01-01T12:00:00Z') + i * 86_400_000)!);
    const shut = officeHours(
      'Europe/Berlin',
      closure.map((d) => d.slice(0, 10)),
    );
    expect(iso(nextChange(shut, at('2025-12-31T16:00:00Z')))).toBe('2026-02-10T08:00:00.000Z');
  });

  it('answers the moment itself as not a change, and a moment inside an interval with its end', () => {
    const berlin = officeHours('Europe/Berlin');
    expect(iso(nextChange(berlin, at('2025-01-06T08:00:00Z')))).toBe('2025-01-06T16:00:00.000Z');
    expect(iso(nextChange(berlin, at('2025-01-06T12:34:56.789Z')))).toBe('2025-01-06T16:00:00.000Z');
  });

  // Random calendars against a brute-force scan minute by minute over the weeks of both DST changes.
  const interval = fc
    .record({
      day: fc.constantFrom<Weekday>('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'),
      open: fc.integer({ min: 0, max: 47 }),
      length: fc.integer({ min: 1, max: 48 }),
    })
    .map(({ day, open, length }) => ({
      day,
      open: hhmm(open * 30),
      close: hhmm(Math.min(48, open + length) * 30),
    }));
  const starts = [
    '2025-03-27T10:00:00Z', // Berlin and New York springs are on different weekends
    '2025-03-06T10:00:00Z',
    '2025-10-23T10:00:00Z',
    '2025-10-30T10:00:00Z',
  ];
  it.each(['Europe/Berlin', 'America/New_York'])('agrees with a minute-by-minute scan in %s', (zone) => {
    fc.assert(
      fc.property(
        fc.array(interval, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...starts),
        fc.integer({ min: 0, max: 4 * 24 * 60 }),
        (weekly, start, offsetMinutes) => {
          const calendar: BusinessCalendar = { timeZone: zone, weekly, holidays: [{ date: '2025-03-29' }] };
          const from = at(start) + offsetMinutes * 60_000;
          const expected = scan(calendar, from, 9 * 24 * 60);
          const got = nextChange(calendar, from);
          if (expected !== null) expect(iso(got)).toBe(iso(expected));
          else expect(got === null || got > from + 9 * 24 * 60 * 60_000).toBe(true);
        },
      ),
      { numRuns: 12, seed: 4 },
    );
  });
});

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The first whole UTC minute after `from` with another answer (both zones change on whole minutes). */
function scan(calendar: BusinessCalendar, from: number, minutes: number): number | null {
  const state = isOpen(calendar, from);
  for (let i = 1; i <= minutes; i++) {
    const t = from + i * 60_000;
    if (isOpen(calendar, t) !== state) return t;
  }
  return null;
}
