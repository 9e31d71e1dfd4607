import { weekdays } from '@hotline/protocol/config';
import { Button, Fieldset, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EntityFormProps } from '../../crud/entity-modal';
import { type Keyed, newKey, withKeys } from '../../crud/keyed-rows';
import { NameField } from '../../crud/name-field';
import type { Interval } from './week-summary';

export interface Holiday {
  date: string;
  name: string;
}

export interface CalendarForm {
  name: string;
  timeZone: string;
  weekly: Keyed<Interval>[];
  holidays: Keyed<Holiday>[];
}

let zones: string[] | undefined;
/** Every IANA zone the browser knows; UTC first since some engines leave it out of the list. */
function timeZones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
  return zones;
}

const HHMM = '([01][0-9]|2[0-3]):[0-5][0-9]|24:00';

export function CalendarFormFields({ value, onChange }: EntityFormProps<CalendarForm>) {
  const { t } = useTranslation();
  const updateInterval = (key: string, patch: Partial<Interval>) =>
    onChange({ weekly: value.weekly.map((row) => (row.key === key ? { ...row, ...patch } : row)) });
  const updateHoliday = (key: string, patch: Partial<Holiday>) =>
    onChange({ holidays: value.holidays.map((row) => (row.key === key ? { ...row, ...patch } : row)) });
  const workweek = () =>
    onChange({
      weekly: withKeys(
        (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open: '09:00', close: '18:00' })),
      ),
    });
  return (
    <>
      <NameField value={value.name} onChange={(name) => onChange({ name })} autoFocus />
      <Select
        label={t('calendars.timeZone')}
        required
        searchable
        allowDeselect={false}
        data={timeZones()}
        limit={100}
        value={value.timeZone}
        onChange={(timeZone) => timeZone && onChange({ timeZone })}
        data-testid="field-time-zone"
      />
      <Fieldset legend={t('calendars.weekly')}>
        <Stack gap="xs">
          {value.weekly.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('calendars.noHours')}
            </Text>
          )}
          {value.weekly.map((row, index) => (
            <Group key={row.key} gap="xs" wrap="nowrap" align="flex-end" data-testid="weekly-row">
              <Select
                w={160}
                label={index === 0 ? t('calendars.day') : undefined}
                aria-label={t('calendars.day')}
                allowDeselect={false}
                data={weekdays.map((day) => ({ value: day, label: t(`weekdays.${day}`) }))}
                value={row.day}
                onChange={(day) => day && updateInterval(row.key, { day: day as Interval['day'] })}
              />
              <TextInput
                w={100}
                label={index === 0 ? t('calendars.open') : undefined}
                aria-label={t('calendars.open')}
                placeholder={t('calendars.timePlaceholder')}
                required
                pattern={HHMM}
                value={row.open}
                onChange={(event) => updateInterval(row.key, { open: event.currentTarget.value })}
              />
              <Text c="dimmed" pb={6}>
                –
              </Text>
              <TextInput
                w={100}
                label={index === 0 ? t('calendars.close') : undefined}
                aria-label={t('calendars.close')}
                placeholder={t('calendars.timePlaceholder')}
                required
                pattern={HHMM}
                value={row.close}
                onChange={(event) => updateInterval(row.key, { close: event.currentTarget.value })}
              />
              <RemoveButton
                onClick={() => onChange({ weekly: value.weekly.filter((r) => r.key !== row.key) })}
              />
            </Group>
          ))}
          <Group gap="xs">
            <Button
              size="xs"
              variant="light"
              onClick={() =>
                onChange({
                  weekly: [...value.weekly, { key: newKey(), day: 'mon', open: '09:00', close: '18:00' }],
                })
              }
              data-testid="weekly-add"
            >
              {t('calendars.addHours')}
            </Button>
            <Button size="xs" variant="subtle" onClick={workweek}>
              {t('calendars.workweek')}
            </Button>
          </Group>
        </Stack>
      </Fieldset>
      <Fieldset legend={t('calendars.holidays')}>
        <Stack gap="xs">
          {value.holidays.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('calendars.noHolidays')}
            </Text>
          )}
          {value.holidays.map((row, index) => (
            <Group key={row.key} gap="xs" wrap="nowrap" align="flex-end" data-testid="holiday-row">
              <TextInput
                w={170}
                type="date"
                label={index === 0 ? t('calendars.date') : undefined}
                aria-label={t('calendars.date')}
                required
                value={row.date}
                onChange={(event) => updateHoliday(row.key, { date: event.currentTarget.value })}
              />
              <TextInput
                flex={1}
                label={index === 0 ? t('calendars.holidayName') : undefined}
                aria-label={t('calendars.holidayName')}
                placeholder={t('calendars.holidayName')}
                maxLength={120}
                value={row.name}
                onChange={(event) => updateHoliday(row.key, { name: event.currentTarget.value })}
              />
              <RemoveButton
                onClick={() => onChange({ holidays: value.holidays.filter((r) => r.key !== row.key) })}
              />
            </Group>
          ))}
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() =>
                onChange({ holidays: [...value.holidays, { key: newKey(), date: '', name: '' }] })
              }
              data-testid="holiday-add"
            >
              {t('calendars.addHoliday')}
            </Button>
          </Group>
        </Stack>
      </Fieldset>
    </>
  );
}

function RemoveButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <Button variant="subtle" color="red" onClick={onClick} aria-label={t('common.remove')}>
      ×
    </Button>
  );
}
