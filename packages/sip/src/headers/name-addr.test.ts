import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from '../grammar';
import {
  formatNameAddr,
  formatParty,
  parseContacts,
  parseNameAddr,
  parseNameAddrList,
  parseParty,
} from './name-addr';

describe('parseNameAddr', () => {
  it('reads a quoted display name with escapes', () => {
    expect(parseNameAddr('"A \\"B\\" \\\\ C" <sip:a@example.com>;x=1')).toMatchObject({
      displayName: 'A "B" \\ C',
      params: [{ name: 'x', value: '1' }],
    });
  });

  it('reads unquoted token display names, with or without LWS before <', () => {
    expect(parseNameAddr('Alice  Liddell <sip:a@example.com>').displayName).toBe('Alice Liddell');
    expect(parseNameAddr('caller<sip:a@example.com>').displayName).toBe('caller');
    expect(parseNameAddr('Jürgen Groß <sip:j@example.com>').displayName).toBe('Jürgen Groß');
    expect(parseNameAddr('<sip:a@example.com>').displayName).toBeNull();
    expect(parseNameAddr('"" <sip:a@example.com>').displayName).toBe('');
  });

  it('gives parameters inside <> to the URI and outside to the header', () => {
    const bracketed = parseNameAddr('<sip:a@example.com;lr>;expires=60');
    expect(bracketed.uri).toMatchObject({ params: [{ name: 'lr', value: null }] });
    expect(bracketed.params).toEqual([{ name: 'expires', value: '60' }]);
    const bare = parseNameAddr('sip:a@example.com;lr;expires=60');
    expect(bare.uri).toMatchObject({ params: [] });
    expect(bare.params).toEqual([
      { name: 'lr', value: null },
      { name: 'expires', value: '60' },
    ]);
  });

  it('accepts LWS around ; and = and quoted or IPv6 parameter values', () => {
    expect(parseNameAddr('<sip:a@b.com> ;  x =  "q v" ; y=[2001:db8::1]').params).toEqual([
      { name: 'x', value: '"q v"' },
      { name: 'y', value: '[2001:db8::1]' },
    ]);
  });

  it.each([
    ['"unterminated <sip:a@b.com>', 'unterminated quote'],
    ['Bell, Alexander <sip:a@b.com>', 'comma in unquoted display name'],
    ['< sip:a@b.com >', 'spaces inside <>'],
    ['<sip:a@b.com', 'missing >'],
    ['sip:a@b.com?Route=x', 'headers outside <>'],
    ['"A" sip:a@b.com', 'display name without <>'],
    ['<sip:a@b.com>;', 'empty parameter'],
    ['<sip:a@b.com>;tag=', 'empty value'],
    ['<sip:a@b.com> junk', 'trailing text'],
    ['a@b.com', 'no scheme'],
    ['', 'empty'],
  ])('refuses %j (%s)', (value) => {
    expect(() => parseNameAddr(value)).toThrow(SipSyntaxError);
  });

  it('formats in the bracketed form so it reads back the same', () => {
    for (const value of [
      'Alice <sip:a@b.com;lr>;x=1',
      'sip:a@b.com;tag=9',
      '"q\\"t" <tel:+123>',
      '<urn:x:y>',
    ]) {
      const parsed = parseNameAddr(value);
      expect(parseNameAddr(formatNameAddr(parsed))).toEqual(parsed);
    }
  });
});

describe('parseParty', () => {
  it('lifts the tag out of the parameters', () => {
    expect(parseParty('<sip:a@b.com>;foo=1;tag=abc')).toMatchObject({
      tag: 'abc',
      params: [{ name: 'foo', value: '1' }],
    });
    expect(parseParty('sip:a@b.com').tag).toBeNull();
  });

  it('refuses two tags or a list', () => {
    expect(() => parseParty('<sip:a@b.com>;tag=1;tag=2')).toThrow(SipSyntaxError);
    expect(() => parseParty('<sip:a@b.com>, <sip:c@d.com>')).toThrow(SipSyntaxError);
  });

  it('formats with the tag first', () => {
    const p = parseParty('"A" <sip:a@b.com>;x=1;tag=t');
    expect(formatParty(p)).toBe('"A" <sip:a@b.com>;tag=t;x=1');
    expect(parseParty(formatParty(p))).toEqual(p);
  });
});

describe('lists', () => {
  it('splits on commas outside quotes and brackets', () => {
    const list = parseNameAddrList('"Doe, John" <sip:j,k@a.com>, sip:k@b.com;q=0.5 ,<sip:l@c.com>');
    expect(list.map((n) => n.displayName)).toEqual(['Doe, John', null, null]);
    expect(list[1]?.params).toEqual([{ name: 'q', value: '0.5' }]);
  });

  it('refuses empty elements and, for routes, the bare form', () => {
    expect(() => parseNameAddrList('<sip:a@b.com>,,<sip:c@d.com>')).toThrow(SipSyntaxError);
    expect(() => parseNameAddrList('<sip:a@b.com>,')).toThrow(SipSyntaxError);
    expect(() => parseNameAddrList('sip:a@b.com', true)).toThrow(SipSyntaxError);
  });

  it('reads Contact: * alone, and refuses it mixed with addresses', () => {
    expect(parseContacts(' * ')).toBe('*');
    expect(() => parseContacts('*, <sip:a@b.com>')).toThrow(SipSyntaxError);
  });
});
