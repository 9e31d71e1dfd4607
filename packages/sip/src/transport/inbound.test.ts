import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseViaList } from '../headers/via';
import { getTo, getTopVia, getVias, type SipHeader } from '../message';
import { serializeMessage } from '../serializer';
import { makeRequest, makeResponse, udpFlow } from '../test-support/messages';
import { decodeInbound } from './inbound';
import { responseDestination } from './response-route';
import type { Flow } from './types';
import { stampReceived, stampSentBy } from './via-stamp';

const via = (value: string): SipHeader[] => [
  { name: 'Via', value },
  { name: 'Via', value: 'SIP/2.0/UDP next;branch=z9hG4bK2' },
];
const top = (headers: SipHeader[]) => parseViaList(headers[0]?.value ?? '')[0];
const source = { address: '198.51.100.7', port: 40_001 };

describe('stampReceived (§18.2.1, RFC 3581)', () => {
  it('adds received when sent-by is a name or another address', () => {
    expect(top(stampReceived(via('SIP/2.0/UDP pc.example.com;branch=z9hG4bK1'), source))?.received).toBe(
      '198.51.100.7',
    );
    expect(top(stampReceived(via('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1'), source))?.received).toBe(
      '198.51.100.7',
    );
  });

  it('leaves a Via alone when sent-by is the source and no rport was asked', () => {
    const headers = via('SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1');
    expect(stampReceived(headers, source)).toEqual(headers);
  });

  it('fills rport with the source port and adds received even when equal', () => {
    const stamped = top(stampReceived(via('SIP/2.0/UDP 198.51.100.7:5060;rport;branch=z9hG4bK1'), source));
    expect(stamped?.rport).toBe(40_001);
    expect(stamped?.received).toBe('198.51.100.7');
    expect(stamped?.branch).toBe('z9hG4bK1');
  });

  it('changes only the first Via of a comma list, keeping the others and other lines', () => {
    const headers: SipHeader[] = [
      {
        name: 'Via',
        value: 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK0',
      },
      { name: 'Subject', value: 'x' },
    ];
    const stamped = stampReceived(headers, source);
    expect(parseViaList(stamped[0]?.value ?? '').map((v) => [v.host, v.received])).toEqual([
      ['a.example.com', '198.51.100.7'],
      ['b.example.com', null],
    ]);
    expect(stamped[1]).toEqual(headers[1]);
  });

  it('writes an IPv6 source unbracketed, and the result parses', () => {
    const stamped = stampReceived(via('SIP/2.0/UDP pc.example.com;branch=z9hG4bK1'), {
      address: '2001:db8::1',
      port: 5,
    });
    expect(top(stamped)?.received).toBe('2001:db8::1');
  });
});

describe('stampSentBy (§18.1.1)', () => {
  it('names the transport used and our sent-by, asks rport on UDP, keeps branch and params', () => {
    const headers = via('SIP/2.0/UDP placeholder;branch=z9hG4bKx;foo=bar');
    const udp = top(stampSentBy(headers, 'UDP', { address: '192.0.2.5', port: 5070 }));
    expect(udp).toMatchObject({
      transport: 'UDP',
      host: '192.0.2.5',
      port: 5070,
      rport: 'requested',
      branch: 'z9hG4bKx',
    });
    expect(udp?.params).toEqual([{ name: 'foo', value: 'bar' }]);
    const tcp = top(stampSentBy(headers, 'TCP', { address: '::1', port: 5070 }));
    expect(tcp).toMatchObject({ transport: 'TCP', host: '[::1]', rport: null });
  });
});

describe('responseDestination (§18.2.2, RFC 3581 §4)', () => {
  const flow: Flow = { ...udpFlow, remote: source };
  const route = (value: string, f: Flow = flow) => responseDestination(parseViaList(value)[0]!, f);

  it('UDP with rport: the source address and port', () => {
    expect(route('SIP/2.0/UDP 10.0.0.1:5060;received=198.51.100.7;rport=40001')).toEqual(source);
  });
  it('received and sent-by port, default 5060', () => {
    expect(route('SIP/2.0/UDP pc.example.com;received=198.51.100.7')).toEqual({
      address: '198.51.100.7',
      port: 5060,
    });
    expect(route('SIP/2.0/UDP 198.51.100.7:5099')).toEqual({ address: '198.51.100.7', port: 5099 });
  });
  it('maddr wins over received', () => {
    expect(route('SIP/2.0/UDP pc.example.com;maddr=239.1.1.1;received=198.51.100.7')).toEqual({
      address: '239.1.1.1',
      port: 5060,
    });
  });
  it('reliable: rport is not used; TLS defaults to 5061', () => {
    const tls: Flow = { ...flow, transport: 'TLS', connectionId: 1 };
    expect(route('SIP/2.0/TLS pc.example.com;received=198.51.100.7;rport=40001', tls)).toEqual({
      address: '198.51.100.7',
      port: 5061,
    });
  });
});

describe('decodeInbound', () => {
  const ctx = {
    framing: 'datagram' as const,
    isOurSentBy: (v: { host: string }) => v.host === '192.0.2.1',
    newTag: () => 'tag400',
  };
  const flow: Flow = { ...udpFlow, remote: source };

  it('hands up a request with received/rport stamped', () => {
    const bytes = serializeMessage(makeRequest({ sentBy: '10.1.1.1:5060;rport' }));
    const decoded = decodeInbound(bytes, flow, ctx);
    expect(decoded.kind).toBe('message');
    if (decoded.kind !== 'message') return;
    expect(getTopVia(decoded.message)).toMatchObject({ received: '198.51.100.7', rport: 40_001 });
  });

  it('drops a response whose top Via is not ours (§18.1.2), passes ours', () => {
    const ours = makeResponse(makeRequest(), 200);
    expect(decodeInbound(serializeMessage(ours), flow, ctx).kind).toBe('message');
    const foreign = makeResponse(makeRequest({ sentBy: '203.0.113.1' }), 200);
    expect(decodeInbound(serializeMessage(foreign), flow, ctx)).toMatchObject({ kind: 'drop' });
  });

  it('answers a refused request with the parser reply, a To tag and a stamped Via', () => {
    const bytes = Buffer.from(
      'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.1.1.1;rport;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: eleven\r\nContent-Length: 0\r\n\r\n',
    );
    const decoded = decodeInbound(bytes, flow, ctx);
    expect(decoded.kind).toBe('reply');
    if (decoded.kind !== 'reply') return;
    expect(decoded.response.status).toBe(400);
    expect(getTo(decoded.response).tag).toBe('tag400');
    expect(getVias(decoded.response)[0]).toMatchObject({ received: '198.51.100.7', rport: 40_001 });
  });

  it('drops what cannot be answered (garbage, an ACK, keep-alives)', () => {
    expect(decodeInbound(Buffer.from('\r\n\r\n'), flow, ctx).kind).toBe('drop');
    expect(decodeInbound(Buffer.from([0, 1, 2, 3]), flow, ctx).kind).toBe('drop');
  });

  it('never throws on the RFC 4475 files or on random mutations of them', () => {
    const dir = new URL('../../testdata/rfc4475/', import.meta.url);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.dat'))
      .map((f) => readFileSync(new URL(f, dir)));
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      for (const framing of ['datagram', 'stream'] as const) {
        expect(() => decodeInbound(f, flow, { ...ctx, framing })).not.toThrow();
      }
    }
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (file, edits) => {
          const bytes = Buffer.from(file);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const decoded = decodeInbound(bytes, flow, ctx);
          if (decoded.kind === 'reply') expect(() => serializeMessage(decoded.response)).not.toThrow();
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
