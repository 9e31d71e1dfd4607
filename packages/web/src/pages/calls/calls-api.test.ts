import { describe, expect, it } from 'vitest';
import { callQuery, emptyCallFilter, formatDuration } from './calls-api';

describe('callQuery', () => {
  it('sends nothing for an empty filter', () => {
    expect(callQuery(emptyCallFilter)).toEqual({});
  });

  it('turns local days into their bounds and passes the rest', () => {
    const q = callQuery({
      ...emptyCallFilter,
      fromDate: '2026-03-01',
      toDate: '2026-03-01',
      number: ' +7 900 ',
      outcome: 'abandoned',
      queueId: 'q',
    });
    expect(new Date(q.from!).getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(new Date(q.to!).getTime()).toBe(new Date(2026, 2, 2).getTime());
    expect(q).toMatchObject({ number: '+7 900', outcome: 'abandoned', queueId: 'q' });
  });

  it('ignores half-typed dates', () => {
    expect(callQuery({ ...emptyCallFilter, fromDate: '2026-03' })).toEqual({});
  });
});

describe('formatDuration', () => {
  it.each([
    [null, ''],
    [0, '0:00'],
    [65, '1:05'],
    [3600 + 62, '1:01:02'],
  ])('%s → %s', (sec, text) => {
    expect(formatDuration(sec)).toBe(text);
  });
});
