import { describe, expect, it } from 'vitest';
import { Conversation, single, T0 } from '../test-support';

describe('callback', () => {
  it('schedules a call back to the caller as soon as possible by default', () => {
    const c = new Conversation(single({ verb: 'callback', queue: 'support' }, ['scheduled', 'failed']), {
      channel: 'voice',
      caller: { number: '+7 (495) 123-45-67' },
    });
    expect(c.action).toEqual({ type: 'callback', number: '+74951234567', queue: 'support', at: null });
    c.done();
    expect(c.outcome).toBe('scheduled');
  });

  it('takes a number and a time from expressions', () => {
    const sut = single(
      { verb: 'callback', queue: 'q', number: 'phone', at: 'sys.now + 3600000' },
      ['scheduled', 'failed'],
      { phone: { type: 'string', default: '89001234567' } },
    );
    expect(new Conversation(sut, { channel: 'chat' }).action).toEqual({
      type: 'callback',
      number: '89001234567',
      queue: 'q',
      at: T0 + 3_600_000,
    });
  });

  it('fails without asking the channel when there is no usable number or the time has passed', () => {
    const none = single({ verb: 'callback', queue: 'q' }, ['scheduled', 'failed']);
    expect(new Conversation(none, { channel: 'chat' }).outcome).toBe('failed');
    const past = single({ verb: 'callback', queue: 'q', at: 'sys.now - 1' }, ['scheduled', 'failed']);
    expect(new Conversation(past, { channel: 'voice', caller: { number: '+1555000' } }).outcome).toBe(
      'failed',
    );
  });

  it('an error from the channel takes failed', () => {
    const c = new Conversation(single({ verb: 'callback', queue: 'q' }, ['scheduled', 'failed']), {
      channel: 'voice',
      caller: { number: '+1555000' },
    });
    c.send({ type: 'error' });
    expect(c.outcome).toBe('failed');
  });
});
