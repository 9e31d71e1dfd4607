import { describe, expect, it } from 'vitest';
import { formatParty } from './headers/name-addr';
import { formatCSeq } from './headers/scalar';
import { formatVia } from './headers/via';
import { getContentLength, getCSeq, getFrom, getTopVia, type SipRequest, type SipResponse } from './message';
import { parseMessage } from './parser';
import { SipSerializeError, serializeMessage, withContentLength } from './serializer';
import { parseUri } from './uri';

function invite(extra: { name: string; value: string }[] = [], body = ''): SipRequest {
  return {
    kind: 'request',
    method: 'INVITE',
    uri: parseUri('sip:bob@biloxi.example.com'),
    headers: [
      {
        name: 'Via',
        value: formatVia({
          protocol: 'SIP/2.0',
          transport: 'UDP',
          host: '192.0.2.1',
          port: 5060,
          branch: 'z9hG4bKabc' as never,
          received: null,
          rport: 'requested',
          params: [],
        }),
      },
      {
        name: 'From',
        value: formatParty({
          displayName: 'A "quoted" name',
          uri: parseUri('sip:a@x.com'),
          tag: 't1' as never,
          params: [],
        }),
      },
      { name: 'To', value: '<sip:bob@biloxi.example.com>' },
      { name: 'Call-ID', value: 'c1@192.0.2.1' },
      { name: 'CSeq', value: formatCSeq({ seq: 1, method: 'INVITE' }) },
      ...extra,
    ],
    body: Buffer.from(body),
  };
}

describe('serializeMessage', () => {
  it('writes a request that parses back to the same message, with Content-Length added', () => {
    const sut = invite([], 'v=0\r\n');
    const bytes = serializeMessage(sut);
    expect(bytes.toString()).toMatch(
      /^INVITE sip:bob@biloxi\.example\.com SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.1:5060;branch=z9hG4bKabc;rport\r\n/,
    );
    expect(bytes.toString()).toMatch(/\r\nContent-Length: 5\r\n\r\nv=0\r\n$/);
    const back = parseMessage(bytes);
    expect(back).toEqual({ ok: true, message: withContentLength(sut) });
    if (!back.ok) return;
    expect(getFrom(back.message)).toMatchObject({ displayName: 'A "quoted" name', tag: 't1' });
    expect(getTopVia(back.message).rport).toBe('requested');
    expect(getCSeq(back.message).seq).toBe(1);
  });

  it('writes a response with its reason phrase', () => {
    const r: SipResponse = {
      kind: 'response',
      status: 486,
      reason: 'Busy Here',
      headers: invite().headers,
      body: Buffer.alloc(0),
    };
    expect(serializeMessage(r).toString()).toMatch(/^SIP\/2\.0 486 Busy Here\r\n/);
  });

  it('keeps a correct Content-Length in place and rewrites a wrong one in place', () => {
    const kept = withContentLength(
      invite(
        [
          { name: 'Content-Length', value: '003' },
          { name: 'X-After', value: '1' },
        ],
        'abc',
      ),
    );
    expect(kept.headers.at(-2)).toEqual({ name: 'Content-Length', value: '003' });
    const fixed = withContentLength(
      invite(
        [
          { name: 'l', value: '99' },
          { name: 'X-After', value: '1' },
        ],
        'abc',
      ),
    );
    expect(fixed.headers.at(-2)).toEqual({ name: 'Content-Length', value: '3' });
    const deduped = withContentLength(
      invite(
        [
          { name: 'Content-Length', value: '3' },
          { name: 'Content-Length', value: '3' },
        ],
        'abc',
      ),
    );
    expect(deduped.headers.filter((h) => h.name === 'Content-Length')).toHaveLength(1);
    expect(getContentLength(deduped)).toBe(3);
  });

  it.each([
    [
      'a CRLF in a header value',
      invite([{ name: 'Subject', value: 'x\r\nVia: SIP/2.0/UDP evil.example.com' }]),
    ],
    ['an LF in a header value', invite([{ name: 'Subject', value: 'x\ny' }])],
    ['a header name that is not a token', invite([{ name: 'Bad Name', value: 'x' }])],
    ['an empty header name', invite([{ name: '', value: 'x' }])],
    ['a method that is not a token', { ...invite(), method: 'INVITE sip:evil SIP/2.0\r\n' }],
  ])('refuses %s', (_, msg) => {
    expect(() => serializeMessage(msg)).toThrow(SipSerializeError);
  });

  it('refuses a bad status or a reason phrase with CR/LF', () => {
    const base = { kind: 'response' as const, headers: invite().headers, body: Buffer.alloc(0) };
    expect(() => serializeMessage({ ...base, status: 99, reason: 'x' })).toThrow(SipSerializeError);
    expect(() => serializeMessage({ ...base, status: 200, reason: 'OK\r\nX: y' })).toThrow(SipSerializeError);
  });
});
