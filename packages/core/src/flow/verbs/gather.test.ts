import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

describe('gather', () => {
  const pin = single(
    {
      verb: 'gather',
      prompt: 'Enter your PIN, then hash.',
      into: 'pin',
      minLength: 4,
      maxLength: 6,
      retries: 2,
      invalidPrompt: 'Wrong format.',
    },
    ['ok', 'failed'],
  );

  it('voice digits: dtmf with maxDigits and finishOnKey; stores the value', () => {
    const c = new Conversation(pin, { channel: 'voice', language: 'en' });
    expect(c.action).toMatchObject({
      type: 'collect',
      mode: 'dtmf',
      maxDigits: 6,
      finishOnKey: '#',
      maxLength: 6,
    });
    c.input('0042');
    expect(c.outcome).toBe('ok');
    expect(c.step.state.vars).toMatchObject({ pin: '0042', input: '0042' });
  });

  it('chat digits: typed, spaces and dashes dropped', () => {
    const c = new Conversation(pin, { channel: 'chat', language: 'en' });
    expect(c.action).toMatchObject({ mode: 'text', maxDigits: null, finishOnKey: null });
    c.input(' 12-34 5 ');
    expect(c.step.state.vars.pin).toBe('12345');
  });

  it.each(['123', '1234567', '12a4', ''])('refuses %j and asks again', (value) => {
    const c = new Conversation(pin, { channel: 'voice' });
    c.input(value);
    expect(c.action).toMatchObject({ type: 'collect', prompt: 'Wrong format. Enter your PIN, then hash.' });
    expect(c.step.state.vars).not.toHaveProperty('pin');
  });

  it('takes failed after the last attempt', () => {
    const c = new Conversation(pin, { channel: 'voice' });
    c.input('1');
    c.send({ type: 'timeout' });
    c.input('x');
    expect(c.outcome).toBe('failed');
  });

  it('text with a pattern and a validate expression', () => {
    const email = single(
      {
        verb: 'gather',
        prompt: 'Your e-mail?',
        into: 'email',
        input: 'text',
        maxLength: 100,
        pattern: '^[^@ ]{1,64}@[^@ ]{1,64}$',
        validate: "not ('example' in input)",
        retries: 1,
      },
      ['ok', 'failed'],
    );
    const c = new Conversation(email, { channel: 'voice' });
    expect(c.action).toMatchObject({ mode: 'text' });
    c.input('no-at-sign');
    expect(c.step.state.vars).not.toHaveProperty('email');
    c.input('anna@mail.ru');
    expect(c.outcome).toBe('ok');
    expect(c.step.state.vars.email).toBe('anna@mail.ru');
    const d = new Conversation(email);
    d.input('a@example.com');
    d.input('b@example.org');
    expect(d.outcome).toBe('failed');
  });
});
