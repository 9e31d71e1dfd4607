import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../../calendar/business-hours';
import { Conversation, single } from '../test-support';

const office: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
    day,
    open: '09:00',
    close: '18:00',
  })),
  holidays: [{ date: '2025-03-10' }],
};
const calendars = (id: string) => (id === 'office' ? office : undefined);
const at = (iso: string) => Date.parse(iso);

describe('business_hours', () => {
  const withHoliday = single({ verb: 'business_hours', calendar: 'office' }, ['open', 'closed', 'holiday']);
  const withoutHoliday = single({ verb: 'business_hours', calendar: 'office' }, ['open', 'closed']);

  it.each([
    ['2025-03-07T10:00:00+03:00', 'open', 'Friday morning'],
    ['2025-03-07T18:00:00+03:00', 'closed', 'Friday 18:00, close is exclusive'],
    ['2025-03-08T12:00:00+03:00', 'closed', 'Saturday'],
    ['2025-03-10T12:00:00+03:00', 'holiday', 'a Monday that is a holiday'],
    ['2025-03-10T20:00:00+03:00', 'holiday', 'a holiday evening is still the holiday'],
  ])('%s → %s (%s)', (when, outcome) => {
    expect(new Conversation(withHoliday, { channel: 'voice' }, { calendars }, at(when)).outcome).toBe(
      outcome,
    );
  });

  it('without a holiday edge a holiday is closed', () => {
    expect(
      new Conversation(withoutHoliday, { channel: 'voice' }, { calendars }, at('2025-03-10T12:00:00+03:00'))
        .outcome,
    ).toBe('closed');
  });

  it('an unknown calendar is a runtime error NO_CALENDAR', () => {
    const c = new Conversation(withHoliday, { channel: 'voice' }, {}, at('2025-03-07T10:00:00+03:00'));
    expect(c.action).toMatchObject({ type: 'end', reason: 'error', error: { code: 'NO_CALENDAR' } });
  });
});
