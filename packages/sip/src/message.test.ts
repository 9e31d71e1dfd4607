import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from './grammar';
import {
  firstHeaderValue,
  getCallId,
  getContacts,
  getFrom,
  getMaxForwards,
  getTokens,
  getTopVia,
  headerValues,
  type SipRequest,
} from './message';
import { parseUri } from './uri';

function request(headers: [string, string][]): SipRequest {
  return {
    kind: 'request',
    method: 'REGISTER',
    uri: parseUri('sip:example.com'),
    headers: headers.map(([name, value]) => ({ name, value })),
    body: Buffer.alloc(0),
  };
}

describe('header access', () => {
  it('finds headers by any spelling or compact form', () => {
    const sut = request([
      ['Call-ID', 'a@b'],
      ['Supported', 'path, outbound'],
      ['Supported', '100rel'],
    ]);
    expect(headerValues(sut, 'i')).toEqual(['a@b']);
    expect(firstHeaderValue(sut, 'CALL-ID')).toBe('a@b');
    expect(getTokens(sut, 'k')).toEqual(['path', 'outbound', '100rel']);
    expect(getCallId(sut)).toBe('a@b');
  });

  it('reads Contact: * and an absent Contact', () => {
    expect(getContacts(request([['Contact', '*']]))).toBe('*');
    expect(getContacts(request([]))).toEqual([]);
  });

  it('throws on a hand-built message that lacks or garbles what is asked for', () => {
    expect(() => getFrom(request([]))).toThrow(SipSyntaxError);
    expect(() => getTopVia(request([]))).toThrow(SipSyntaxError);
    expect(() => getFrom(request([['From', 'garbage']]))).toThrow(SipSyntaxError);
    expect(() =>
      getMaxForwards(
        request([
          ['Max-Forwards', '1'],
          ['Max-Forwards', '2'],
        ]),
      ),
    ).toThrow(SipSyntaxError);
    expect(() =>
      getContacts(
        request([
          ['Contact', '*'],
          ['Contact', '<sip:a@b.com>'],
        ]),
      ),
    ).toThrow(SipSyntaxError);
    expect(getMaxForwards(request([]))).toBeNull();
  });
});
