import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

describe('condition', () => {
  it.each([
    ["contact.tier == 'gold'", 'true'],
    ["contact.tier == 'silver'", 'false'],
    ["starts_with(caller.number, '+7') and sys.hour >= 9", 'true'],
    ['contact.missing', 'false'],
  ])('%s → %s', (when, outcome) => {
    const c = new Conversation(single({ verb: 'condition', when }, ['true', 'false']), {
      channel: 'voice',
      caller: { number: '+74950000000' },
      contact: { tier: 'gold' },
      timeZone: 'Europe/Moscow',
    });
    expect(c.outcome).toBe(outcome);
  });

  it('reads the local hour and weekday in the context’s time zone', () => {
    // T0 is Monday 09:00 UTC = 12:00 in Moscow.
    const sut = single({ verb: 'condition', when: "sys.hour == 12 and sys.weekday == 'mon'" }, [
      'true',
      'false',
    ]);
    expect(new Conversation(sut, { channel: 'chat', timeZone: 'Europe/Moscow' }).outcome).toBe('true');
    expect(new Conversation(sut, { channel: 'chat', timeZone: 'Not/AZone' }).outcome).toBe('false');
  });

  it('a failing expression ends the flow with EXPRESSION_FAILED (no onError here)', () => {
    const c = new Conversation(
      single({ verb: 'condition', when: 'number(caller.number) / 0 > 1' }, ['true', 'false']),
      {
        channel: 'voice',
        caller: { number: '123' },
      },
    );
    expect(c.action).toMatchObject({ type: 'end', reason: 'error', error: { code: 'EXPRESSION_FAILED' } });
  });
});
