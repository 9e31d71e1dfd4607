import type { Calendar, CreateCalendarBody } from '@hotline/protocol/config';
import { useTranslation } from 'react-i18next';
import { calendars } from '../../api/resources';
import { usePermissions } from '../../auth/use-permissions';
import { CrudPage } from '../../crud/crud-page';
import { withKeys, withoutKey } from '../../crud/keyed-rows';
import { type CalendarForm, CalendarFormFields } from './calendar-form';
import { summarizeWeek } from './week-summary';

const emptyForm = (): CalendarForm => ({
  name: '',
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  weekly: [],
  holidays: [],
});

const toForm = (calendar: Calendar): CalendarForm => ({
  name: calendar.name,
  timeZone: calendar.timeZone,
  weekly: withKeys(calendar.weekly),
  holidays: withKeys(calendar.holidays),
});

const toBody = (form: CalendarForm): CreateCalendarBody => ({
  name: form.name.trim(),
  timeZone: form.timeZone,
  weekly: form.weekly.map(withoutKey),
  holidays: form.holidays.map(withoutKey).map(({ date, name }) => ({ date, name: name.trim() })),
});

export function CalendarsPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  return (
    <CrudPage
      api={calendars}
      testId="calendars"
      title={t('calendars.title')}
      createLabel={t('calendars.create')}
      editLabel={t('calendars.edit')}
      editable={editConfig}
      modalSize="lg"
      columns={[
        { key: 'name', header: t('fields.name'), render: (calendar: Calendar) => calendar.name },
        {
          key: 'timeZone',
          header: t('calendars.timeZone'),
          render: (calendar: Calendar) => calendar.timeZone,
        },
        {
          key: 'weekly',
          header: t('calendars.weekly'),
          render: (calendar: Calendar) =>
            summarizeWeek(calendar.weekly, (day) => t(`weekdaysShort.${day}`)) || t('calendars.noHours'),
        },
        {
          key: 'holidays',
          header: t('calendars.holidays'),
          render: (calendar: Calendar) => calendar.holidays.length,
        },
      ]}
      Form={CalendarFormFields}
      emptyForm={emptyForm}
      toForm={toForm}
      toCreateBody={toBody}
      toUpdateBody={toBody}
      describe={(calendar) => calendar.name}
    />
  );
}
