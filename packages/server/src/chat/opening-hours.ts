import { type BusinessCalendar, isOpen } from '@hotline/core/calendar/business-hours';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Whether the widget's calendar is open at a moment (core's business-hours rules). A missing
 * calendar (deleted since the settings were saved) counts as always open: the widget should not go
 * dark because of a stale reference.
 */
export async function calendarOpen(
  db: Kysely<Database>,
  tenantId: string,
  calendarId: string | null,
  atMillis: number,
): Promise<boolean> {
  if (calendarId === null) return true;
  const row = await db
    .selectFrom('calendars')
    .select(['time_zone', 'weekly', 'holidays'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', calendarId)
    .executeTakeFirst();
  if (!row) return true;
  return isOpen(
    {
      timeZone: row.time_zone,
      weekly: row.weekly as BusinessCalendar['weekly'],
      holidays: row.holidays as BusinessCalendar['holidays'],
    },
    atMillis,
  );
}
