import { describe, expect, it } from 'vitest';
import { dictionaries } from './i18n';
import { normalizePhone, validateOffline, validatePreChat } from './validate';

const t = dictionaries.en;
const fields = (over: Partial<Record<'name' | 'email' | 'phone' | 'message', string>> = {}) => ({
  name: '',
  email: '',
  phone: '',
  message: '',
  ...over,
});

describe('validatePreChat', () => {
  const modes = { name: 'required', email: 'optional', phone: 'hidden' } as const;

  it('requires what is required and nothing else', () => {
    expect(validatePreChat(fields(), modes, 100, t)).toEqual({ name: t.required });
    expect(validatePreChat(fields({ name: '  ' }), modes, 100, t)).toEqual({ name: t.required });
    expect(validatePreChat(fields({ name: 'Bob' }), modes, 100, t)).toEqual({});
  });

  it('checks an optional field only when filled', () => {
    expect(validatePreChat(fields({ name: 'Bob', email: 'nope' }), modes, 100, t)).toEqual({
      email: t.invalidEmail,
    });
    expect(validatePreChat(fields({ name: 'Bob', email: 'bob@example.com' }), modes, 100, t)).toEqual({});
  });

  it('ignores a hidden field whatever it holds', () => {
    expect(validatePreChat(fields({ name: 'Bob', phone: 'garbage' }), modes, 100, t)).toEqual({});
  });

  it('checks phones after dropping the usual separators', () => {
    const phoneRequired = { name: 'hidden', email: 'hidden', phone: 'required' } as const;
    expect(validatePreChat(fields({ phone: '+7 (900) 123-45-67' }), phoneRequired, 100, t)).toEqual({});
    expect(validatePreChat(fields({ phone: 'call me' }), phoneRequired, 100, t)).toEqual({
      phone: t.invalidPhone,
    });
    expect(validatePreChat(fields({ phone: '12' }), phoneRequired, 100, t)).toEqual({
      phone: t.invalidPhone,
    });
    expect(validatePreChat(fields(), phoneRequired, 100, t)).toEqual({ phone: t.required });
  });

  it('limits the first message', () => {
    expect(validatePreChat(fields({ name: 'B', message: 'x'.repeat(101) }), modes, 100, t)).toEqual({
      message: t.tooLong(100),
    });
  });
});

describe('validateOffline', () => {
  it('needs a name, a message and a way to answer', () => {
    expect(validateOffline(fields(), false, 100, t)).toEqual({
      name: t.required,
      message: t.required,
      form: t.needContact,
    });
    expect(
      validateOffline(fields({ name: 'B', message: 'hi', email: 'b@example.com' }), false, 100, t),
    ).toEqual({});
    expect(validateOffline(fields({ name: 'B', message: 'hi', phone: '+4912345' }), false, 100, t)).toEqual(
      {},
    );
  });

  it('a call back needs a phone', () => {
    expect(
      validateOffline(fields({ name: 'B', message: 'hi', email: 'b@example.com' }), true, 100, t),
    ).toEqual({
      phone: t.required,
    });
    expect(
      validateOffline(fields({ name: 'B', message: 'hi', phone: '8 800 555 35 35' }), true, 100, t),
    ).toEqual({});
  });

  it('reports a bad e-mail rather than "no contact"', () => {
    expect(validateOffline(fields({ name: 'B', message: 'hi', email: 'x@' }), false, 100, t)).toEqual({
      email: t.invalidEmail,
    });
  });
});

describe('normalizePhone', () => {
  it('keeps digits and a leading plus', () => {
    expect(normalizePhone(' +7 (900) 123-45.67 ')).toBe('+79001234567');
  });
});
