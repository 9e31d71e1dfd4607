import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from '../grammar';
import { formatVia, isRfc3261Branch, parseViaList } from './via';

describe('parseViaList', () => {
  it('reads sent-protocol, sent-by and the typed parameters', () => {
    expect(
      parseViaList(
        'SIP/2.0/udp pc33.atlanta.com:5066;branch=z9hG4bK776;received=192.0.2.1;rport=5067;maddr=x',
      ),
    ).toEqual([
      {
        protocol: 'SIP/2.0',
        transport: 'UDP',
        host: 'pc33.atlanta.com',
        port: 5066,
        branch: 'z9hG4bK776',
        received: '192.0.2.1',
        rport: 5067,
        params: [{ name: 'maddr', value: 'x' }],
      },
    ]);
  });

  it('tells a requested rport from a filled-in one, and reads IPv6', () => {
    const [v] = parseViaList('SIP/2.0/TCP [2001:db8::9]:5060;rport;received=2001:db8::1;branch=z9hG4bKx');
    expect(v).toMatchObject({
      host: '[2001:db8::9]',
      port: 5060,
      rport: 'requested',
      received: '2001:db8::1',
    });
  });

  it('accepts LWS around / : ; = and between comma-separated values', () => {
    const list = parseViaList(
      'SIP / 2.0 / TLS  a.example.com : 5061 ; branch = z9hG4bK1 ,  SIP/2.0/UDP b.example.com',
    );
    expect(list.map((v) => [v.transport, v.host, v.port, v.branch])).toEqual([
      ['TLS', 'a.example.com', 5061, 'z9hG4bK1'],
      ['UDP', 'b.example.com', null, null],
    ]);
  });

  it.each([
    ['SIP/2.0/UDP', 'no sent-by'],
    ['SIP/2.0/UDPhost.example.com', 'no LWS before sent-by'],
    ['SIP/2.0 host.example.com', 'no transport'],
    ['SIP/2.0/UDP host.example.com;;', 'empty parameter (badinv01)'],
    ['SIP/2.0/UDP host.example.com,', 'empty element'],
    ['SIP/2.0/UDP host.example.com:99999', 'port out of range'],
    ['SIP/2.0/UDP host_1.example.com', 'bad host'],
    ['SIP/2.0/UDP h.com;received=h.com', 'received not an IP'],
    ['SIP/2.0/UDP h.com;rport=x', 'rport not a number'],
    ['SIP/2.0/UDP h.com;branch=a;branch=b', 'two branches'],
    ['SIP/2.0/UDP h.com;branch="a"', 'quoted branch'],
  ])('refuses %j (%s)', (value) => {
    expect(() => parseViaList(value)).toThrow(SipSyntaxError);
  });

  it('formats so it reads back the same', () => {
    const [v] = parseViaList('SIP/2.0/UDP h.example.com:5060;x=1;rport;branch=z9hG4bKa;received=192.0.2.7');
    expect(formatVia(v as never)).toBe(
      'SIP/2.0/UDP h.example.com:5060;branch=z9hG4bKa;received=192.0.2.7;rport;x=1',
    );
    expect(parseViaList(formatVia(v as never))).toEqual([v]);
  });
});

describe('isRfc3261Branch', () => {
  it('needs the magic cookie and something after it (RFC 4475 badbranch)', () => {
    expect(isRfc3261Branch('z9hG4bKabc')).toBe(true);
    expect(isRfc3261Branch('z9hG4bK')).toBe(false);
    expect(isRfc3261Branch('390skdjuw')).toBe(false);
    expect(isRfc3261Branch(null)).toBe(false);
  });
});
