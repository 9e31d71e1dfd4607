import { describe, expect, it } from 'vitest';
import { type Interval, summarizeWeek } from './week-summary';

const name = (day: string) => day[0]!.toUpperCase() + day.slice(1);
const workday = (day: Interval['day']): Interval => ({ day, open: '09:00', close: '18:00' });

describe('summarizeWeek', () => {
  it('merges consecutive days with the same hours', () => {
    const week = [...(['mon', 'tue', 'wed', 'thu', 'fri'] as const).map(workday)];
    week.push({ day: 'sat', open: '10:00', close: '14:00' });
    expect(summarizeWeek(week, name)).toBe('Mon–Fri 09:00–18:00; Sat 10:00–14:00');
  });

  it('does not merge across a closed day', () => {
    expect(summarizeWeek([workday('mon'), workday('wed')], name)).toBe('Mon 09:00–18:00; Wed 09:00–18:00');
  });

  it('lists split shifts in time order, whatever the input order', () => {
    const week: Interval[] = [
      { day: 'mon', open: '14:00', close: '18:00' },
      { day: 'mon', open: '09:00', close: '13:00' },
    ];
    expect(summarizeWeek(week, name)).toBe('Mon 09:00–13:00, 14:00–18:00');
  });

  it('is empty for a calendar without hours', () => {
    expect(summarizeWeek([], name)).toBe('');
  });
});
