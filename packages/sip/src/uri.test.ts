import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from './grammar';
import { formatUri, hostKind, parseUri, percentDecode, percentEncode, uriEquals } from './uri';

describe('parseUri', () => {
  it('reads every part of a SIP URI, keeping escapes as written', () => {
    expect(
      parseUri('sip:al%69ce:se%63ret@[2001:db8::1]:5070;transport=tcp;lr?Subject=hi%20there&Priority=urgent'),
    ).toEqual({
      kind: 'sip',
      scheme: 'sip',
      user: 'al%69ce',
      password: 'se%63ret',
      host: '[2001:db8::1]',
      port: 5070,
      params: [
        { name: 'transport', value: 'tcp' },
        { name: 'lr', value: null },
      ],
      headers: [
        { name: 'Subject', value: 'hi%20there' },
        { name: 'Priority', value: 'urgent' },
      ],
    });
  });

  it('lower-cases the scheme and keeps the host as written', () => {
    expect(parseUri('SIPS:Bob@Biloxi.Example.COM')).toMatchObject({
      scheme: 'sips',
      user: 'Bob',
      host: 'Biloxi.Example.COM',
    });
  });

  it('reads a URI without userinfo, and an empty password', () => {
    expect(parseUri('sip:192.0.2.4:5060')).toMatchObject({ user: null, host: '192.0.2.4', port: 5060 });
    expect(parseUri('sip:alice:@atlanta.com')).toMatchObject({ user: 'alice', password: '' });
  });

  it('reads tel URIs, global and local', () => {
    expect(parseUri('tel:+1-201-555-0123;ext=1234')).toEqual({
      kind: 'tel',
      scheme: 'tel',
      number: '+1-201-555-0123',
      params: [{ name: 'ext', value: '1234' }],
    });
    expect(parseUri('tel:7042;phone-context=example.com')).toMatchObject({ number: '7042' });
  });

  it('keeps other schemes opaque', () => {
    expect(parseUri('urn:service:sos')).toEqual({ kind: 'other', scheme: 'urn', opaque: 'service:sos' });
    expect(parseUri('http://www.example.com/a?b=c')).toMatchObject({
      scheme: 'http',
      opaque: '//www.example.com/a?b=c',
    });
  });

  it.each([
    ['sip:', 'no host'],
    ['sip:@example.com', 'empty user'],
    ['sip:alice@', 'empty host'],
    ['sip:alice@example.com:65536', 'port out of range'],
    ['sip:alice@example.com:', 'empty port'],
    ['sip:al ice@example.com', 'space'],
    ['sip:alice@example.com;;lr', 'empty parameter'],
    ['sip:alice@example.com?Subject', 'header without ='],
    ['sip:al%4@example.com', 'broken escape'],
    ['sip:alice@192.0.2.256', 'bad IPv4'],
    ['sip:alice@example.123', 'numeric top label'],
    ['sip:alice@exa_mple.com', 'underscore in host'],
    ['sip:alice@[::1', 'unterminated IPv6'],
    ['sip:alice@[fe80::1%25eth0]', 'IPv6 zone'],
    ['sip:alice@[::1]x', 'junk after IPv6'],
    ['<sip:alice@example.com>', 'brackets'],
    ['alice@example.com', 'no scheme'],
    ['tel:+', 'no digits'],
    ['tel:12 34', 'space in number'],
    ['urn:a b', 'space in opaque part'],
    ['urn:', 'empty opaque part'],
  ])('refuses %s (%s)', (text) => {
    expect(() => parseUri(text)).toThrow(SipSyntaxError);
  });

  it('formats what it parsed back to the same text', () => {
    for (const text of [
      'sip:alice@atlanta.com',
      'sips:al%69ce:pw@[2001:db8::1]:5061;transport=tls;lr;maddr=[::1]?h=v&x=',
      'sip:user;par=u%40example.net@example.com',
      'tel:+1-201-555-0123;ext=1234',
      'urn:service:sos',
    ]) {
      expect(formatUri(parseUri(text))).toBe(text);
    }
  });
});

describe('hostKind', () => {
  it.each([
    ['example.com', 'hostname'],
    ['example.com.', 'hostname'],
    ['a-b.c', 'hostname'],
    ['192.0.2.1', 'ipv4'],
    ['[2001:db8::1]', 'ipv6'],
    ['[::ffff:192.0.2.1]', 'ipv6'],
    ['-a.com', null],
    ['a..com', null],
    ['1.2.3', null],
    ['2001:db8::1', null],
    ['', null],
  ])('%s is %s', (host, kind) => {
    expect(hostKind(host)).toBe(kind);
  });
});

describe('percentDecode / percentEncode', () => {
  it('decodes once, never recursively, and reads UTF-8', () => {
    expect(percentDecode('%41%62c')).toBe('Abc');
    expect(percentDecode('v%61lue%25%34%31')).toBe('value%41');
    expect(percentDecode('%D0%B4a')).toBe('дa');
    expect(percentDecode('100%Z')).toBe('100%Z');
  });

  it('encodes what a component does not allow', () => {
    expect(percentEncode('a b@c;d', 'user')).toBe('a%20b%40c;d');
    expect(percentEncode('x;y', 'param')).toBe('x%3By');
    expect(percentEncode('д', 'header')).toBe('%D0%B4');
  });

  it('round-trips any text through a URI user part', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), (text) => {
        const uri = parseUri(`sip:${percentEncode(text, 'user')}@example.com`);
        expect(uri.kind === 'sip' && percentDecode(uri.user ?? '')).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('uriEquals (RFC 3261 §19.1.4 examples)', () => {
  it.each([
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'],
    [
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ],
    [
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ],
  ])('%s equals %s', (a, b) => {
    expect(uriEquals(parseUri(a), parseUri(b))).toBe(true);
    expect(uriEquals(parseUri(b), parseUri(a))).toBe(true);
  });

  it.each([
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
    ['sip:a%3Bb@example.com', 'sip:a;b@example.com'],
  ])('%s differs from %s', (a, b) => {
    expect(uriEquals(parseUri(a), parseUri(b))).toBe(false);
    expect(uriEquals(parseUri(b), parseUri(a))).toBe(false);
  });

  it('compares tel URIs without visual separators', () => {
    expect(uriEquals(parseUri('tel:+1-201-555-0123'), parseUri('tel:+1(201)5550123'))).toBe(true);
    expect(uriEquals(parseUri('tel:+12015550123'), parseUri('tel:+12015550124'))).toBe(false);
  });
});
