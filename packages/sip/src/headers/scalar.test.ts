import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from '../grammar';
import { formatCSeq, parseCallId, parseContentLength, parseCSeq, parseMaxForwards } from './scalar';

describe('scalar headers', () => {
  it('reads CSeq with leading zeros and LWS, up to 2^32-1', () => {
    expect(parseCSeq('0009   INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('4294967295 ACK')).toEqual({ seq: 4294967295, method: 'ACK' });
    expect(formatCSeq({ seq: 7, method: 'BYE' })).toBe('7 BYE');
  });

  it.each([
    '4294967296 INVITE',
    '36893488147419103232 REGISTER',
    '-1 INVITE',
    '1',
    'INVITE 1',
    '1 INV ITE',
    '1 IN"VITE',
  ])('refuses CSeq %j', (value) => {
    expect(() => parseCSeq(value)).toThrow(SipSyntaxError);
  });

  it('bounds Max-Forwards to 0-255 and Content-Length to non-negative integers', () => {
    expect(parseMaxForwards('0068')).toBe(68);
    expect(parseMaxForwards('0')).toBe(0);
    for (const bad of ['256', '300', '-1', '', 'seventy']) {
      expect(() => parseMaxForwards(bad)).toThrow(SipSyntaxError);
    }
    expect(parseContentLength(' 0150 ')).toBe(150);
    for (const bad of ['-999', 'five', '1.5', '', '99999999999999999999']) {
      expect(() => parseContentLength(bad)).toThrow(SipSyntaxError);
    }
  });

  it('reads Call-IDs made of word characters with at most one @', () => {
    expect(parseCallId('a84b4c76e66710@pc33.atlanta.com')).toBe('a84b4c76e66710@pc33.atlanta.com');
    expect(parseCallId('x%"<>[]{}?:/\\()')).toBe('x%"<>[]{}?:/\\()');
    for (const bad of ['', 'a b', 'a@b@c', '@b', 'a;b', 'a,b']) {
      expect(() => parseCallId(bad)).toThrow(SipSyntaxError);
    }
  });
});
