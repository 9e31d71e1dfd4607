import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from '../grammar';
import { authParam, formatAuthHeader, parseAuthHeader } from './auth';

describe('parseAuthHeader', () => {
  it('reads a scheme and token or quoted parameters', () => {
    const h = parseAuthHeader(
      'Digest realm="atlanta.com",  nonce="a\\"b" , algorithm=MD5,qop="auth,auth-int"',
    );
    expect(h).toEqual({
      scheme: 'Digest',
      params: [
        { name: 'realm', value: 'atlanta.com', quoted: true },
        { name: 'nonce', value: 'a"b', quoted: true },
        { name: 'algorithm', value: 'MD5', quoted: false },
        { name: 'qop', value: 'auth,auth-int', quoted: true },
      ],
    });
    expect(authParam(h, 'REALM')).toBe('atlanta.com');
  });

  it('reads unknown schemes the same way (RFC 4475 regaut01)', () => {
    expect(parseAuthHeader('NoOneKnowsThisScheme opaque-data=here').scheme).toBe('NoOneKnowsThisScheme');
  });

  it.each([
    'Digest',
    'Digest realm',
    'Digest realm=',
    'Digest realm="x",',
    'Digest ,realm="x"',
    'Basic dXNlcjpwYXNz',
    'Digest realm="x',
  ])('refuses %j', (value) => {
    expect(() => parseAuthHeader(value)).toThrow(SipSyntaxError);
  });

  it('formats so it reads back the same, quoting what is not a token', () => {
    const h = { scheme: 'Digest', params: [{ name: 'uri', value: 'sip:a@b.com', quoted: false }] };
    expect(formatAuthHeader(h)).toBe('Digest uri="sip:a@b.com"');
    const back = parseAuthHeader(formatAuthHeader(h));
    expect(back.params[0]?.value).toBe('sip:a@b.com');
  });
});
