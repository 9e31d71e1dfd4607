import { type BusinessCalendar, isOpen } from '../../calendar/business-hours';
import { obj, str } from '../shape';
import { defineVerb, next } from './verb';

/**
 * `business_hours`: asks the tenant's calendar `calendar` (by id, from `FlowEnv.calendars`) about the
 * current time. Outcomes `open`, `closed`, and optionally `holiday` (the local date is one of the
 * calendar's holidays); without a `holiday` edge a holiday takes `closed`. An unknown calendar is a
 * runtime error (`NO_CALENDAR`).
 *
 * The answers come from `isOpen` (calendar/business-hours.ts); "is it a holiday" is `isOpen` of the
 * same calendar opened around the clock, so holidays are decided by the same time-zone rules.
 */
export const businessHours = defineVerb({
  name: 'business_hours',
  fields: obj({ calendar: str({ max: 128 }) }),
  outcomes: () => ({ required: ['open', 'closed'], optional: ['holiday'] }),
  enter(node, rt) {
    const calendar = rt.env.calendars?.(node.calendar);
    if (!calendar) return { kind: 'fail', code: 'NO_CALENDAR', message: `no calendar "${node.calendar}"` };
    if (isOpen(calendar, rt.env.now)) return next('open');
    if (rt.hasEdge('holiday') && isHoliday(calendar, rt.env.now)) return next('holiday');
    return next('closed');
  },
});

const allWeek = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({
  day,
  open: '00:00',
  close: '24:00',
}));

function isHoliday(calendar: BusinessCalendar, at: number): boolean {
  return !isOpen({ ...calendar, weekly: allWeek }, at);
}
