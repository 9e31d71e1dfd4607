import { describe, expect, it } from 'vitest';
import { getCallId, getContacts, getVias, headerValues } from './message';
import type { ParseFailure } from './parse-error';
import { type ParseOptions, parseMessage } from './parser';

const BASE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
];

/** A datagram from lines; a Content-Length for `body` is added unless `contentLength` says otherwise. */
function datagram(
  lines: string[],
  body = '',
  contentLength: string | null = String(Buffer.byteLength(body)),
) {
  const all = contentLength === null ? lines : [...lines, `Content-Length: ${contentLength}`];
  return Buffer.from(`${all.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

function refused(bytes: Buffer, options?: ParseOptions): ParseFailure {
  const r = parseMessage(bytes, options);
  if (r.ok) throw new Error('expected a refusal');
  return r;
}

describe('parseMessage', () => {
  it('parses a request, canonicalising compact and odd-case header names', () => {
    const r = parseMessage(
      datagram(
        [
          ...BASE,
          'X-Note: hello',
          'm: <sip:alice@pc33.atlanta.example.com>',
          'cOnTaCt: <sip:a2@h.example.com>',
        ],
        'v=0\r\n',
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message).toMatchObject({
      kind: 'request',
      method: 'INVITE',
      uri: { host: 'biloxi.example.com' },
    });
    expect(r.message.headers.map((h) => h.name)).toEqual([
      'Via',
      'Max-Forwards',
      'To',
      'From',
      'Call-ID',
      'CSeq',
      'X-Note',
      'Contact',
      'Contact',
      'Content-Length',
    ]);
    expect(getContacts(r.message)).toHaveLength(2);
    expect(r.message.body.toString()).toBe('v=0\r\n');
  });

  it('parses a response', () => {
    const r = parseMessage(datagram(['SIP/2.0 180 Ringing', ...BASE.slice(1)]));
    expect(r).toMatchObject({ ok: true, message: { kind: 'response', status: 180, reason: 'Ringing' } });
  });

  it('skips leading CRLFs and calls a datagram of only CRLFs a keep-alive', () => {
    expect(parseMessage(Buffer.concat([Buffer.from('\r\n\r\n'), datagram(BASE)])).ok).toBe(true);
    expect(refused(Buffer.from('\r\n\r\n')).code).toBe('SIP_EMPTY');
    expect(refused(Buffer.alloc(0)).code).toBe('SIP_EMPTY');
    expect(refused(Buffer.from('\r\n')).reply).toBeUndefined();
  });

  it('unfolds continuation lines into one SP', () => {
    const r = parseMessage(datagram([...BASE, 'Subject: first', ' \t second', '\tthird']));
    expect(r.ok && headerValues(r.message, 'Subject')).toEqual(['first second third']);
  });

  it('refuses a continuation line before any header, bare CR or LF, and lines without a colon', () => {
    expect(refused(datagram([BASE[0] ?? '', ' folded', ...BASE.slice(1)])).code).toBe('SIP_PARSE_HEADER');
    expect(refused(datagram([...BASE, 'Subject: a\nb'])).code).toBe('SIP_PARSE_HEADER');
    expect(refused(datagram([...BASE, 'Subject: a\rb'])).code).toBe('SIP_PARSE_HEADER');
    expect(refused(datagram([...BASE, 'Subject'])).code).toBe('SIP_PARSE_HEADER');
    expect(refused(datagram([...BASE, 'Sub ject: x'])).code).toBe('SIP_PARSE_HEADER');
    expect(refused(datagram([...BASE, ': x'])).code).toBe('SIP_PARSE_HEADER');
  });

  it('accepts whitespace before the colon and an empty value', () => {
    const r = parseMessage(datagram([...BASE, 'Subject  :', 'X-Empty:']));
    expect(r.ok && r.message.headers.filter((h) => h.value === '').map((h) => h.name)).toEqual([
      'Subject',
      'X-Empty',
    ]);
  });

  it('keeps U+FEFF and other non-SP whitespace in values', () => {
    const r = parseMessage(datagram([...BASE, 'X-Odd: \uFEFFa\u00A0']));
    expect(r.ok && headerValues(r.message, 'X-Odd')).toEqual(['\uFEFFa\u00A0']);
  });

  it('refuses headers that are not UTF-8, but not a binary body', () => {
    const bad = Buffer.concat([
      Buffer.from(`${BASE.join('\r\n')}\r\nSubject: `),
      Buffer.of(0xc3, 0x28),
      Buffer.from('\r\n\r\n'),
    ]);
    expect(refused(bad).code).toBe('SIP_BAD_ENCODING');
    const body = Buffer.of(0xff, 0x00, 0xfe);
    const ok = parseMessage(Buffer.concat([datagram(BASE, '', '3'), body]));
    expect(ok.ok && ok.message.body).toEqual(body);
  });

  it('refuses a datagram whose headers never end, but takes a final CRLF as the end of a bodiless one', () => {
    expect(refused(Buffer.from(BASE.join('\r\n'))).code).toBe('SIP_INCOMPLETE');
    expect(parseMessage(Buffer.from(`${BASE.join('\r\n')}\r\n`)).ok).toBe(true);
    expect(refused(Buffer.from(`${BASE.join('\r\n')}\r\n`), { framing: 'stream' }).code).toBe(
      'SIP_INCOMPLETE',
    );
    expect(refused(Buffer.from(`${BASE.join('\n')}\n\n`)).code).toBe('SIP_INCOMPLETE');
  });

  describe('Content-Length on a datagram', () => {
    it('truncates octets after the body', () => {
      const r = parseMessage(Buffer.concat([datagram(BASE, 'abc'), Buffer.from('garbage')]));
      expect(r.ok && r.message.body.toString()).toBe('abc');
    });

    it('takes the rest of the datagram when there is none', () => {
      const r = parseMessage(datagram(BASE, 'v=0\r\n', null));
      expect(r.ok && r.message.body.toString()).toBe('v=0\r\n');
    });

    it.each([
      ['more than the datagram holds', '10', 'abc'],
      ['negative', '-1', ''],
      ['not a number', 'five', ''],
      ['signed', '+3', 'abc'],
    ])('refuses one that is %s', (_, value, body) => {
      expect(refused(datagram(BASE, body, value))).toMatchObject({
        code: 'SIP_BAD_CONTENT_LENGTH',
        header: 'Content-Length',
      });
    });

    it('refuses a repeated one even when the values agree', () => {
      expect(refused(datagram([...BASE, 'l: 0'], '')).code).toBe('SIP_BAD_CONTENT_LENGTH');
    });
  });

  describe('Content-Length on a stream frame', () => {
    it('must be present and match the frame exactly', () => {
      expect(parseMessage(datagram(BASE, 'abc'), { framing: 'stream' }).ok).toBe(true);
      expect(refused(datagram(BASE, 'abc', null), { framing: 'stream' }).code).toBe('SIP_BAD_CONTENT_LENGTH');
      expect(refused(datagram(BASE, 'abc', '2'), { framing: 'stream' }).code).toBe('SIP_BAD_CONTENT_LENGTH');
    });
  });

  describe('limits', () => {
    it('refuses a message over the size limit without looking inside', () => {
      const big = datagram(BASE, 'x'.repeat(70_000));
      expect(refused(big)).toMatchObject({ code: 'SIP_TOO_LARGE' });
      expect(parseMessage(big, { limits: { maxMessageBytes: 100_000 } }).ok).toBe(true);
    });

    it('refuses a Content-Length over the size limit as too large', () => {
      expect(refused(datagram(BASE, '', '999999999')).code).toBe('SIP_TOO_LARGE');
    });

    it('refuses more headers than allowed, answering 513', () => {
      const many = Array.from({ length: 200 }, (_, i) => `X-H${i}: ${i}`);
      const f = refused(datagram([...BASE, ...many]));
      expect(f.code).toBe('SIP_TOO_MANY_HEADERS');
      expect(f.reply?.status).toBe(513);
      expect(parseMessage(datagram([...BASE, ...many]), { limits: { maxHeaders: 300 } }).ok).toBe(true);
    });

    it('refuses a header line, a folded header or a start line over the length limit', () => {
      expect(refused(datagram([...BASE, `Subject: ${'a'.repeat(8_200)}`])).code).toBe('SIP_HEADER_TOO_LONG');
      const folds = Array.from({ length: 20 }, () => ` ${'b'.repeat(500)}`);
      expect(refused(datagram([...BASE, 'Subject: a', ...folds])).code).toBe('SIP_HEADER_TOO_LONG');
      const longUri = `INVITE sip:${'u'.repeat(9_000)}@example.com SIP/2.0`;
      expect(refused(datagram([longUri, ...BASE.slice(1)])).code).toBe('SIP_HEADER_TOO_LONG');
    });
  });

  describe('start line', () => {
    it('accepts the version in any case and an empty reason phrase', () => {
      expect(parseMessage(datagram(['INVITE sip:bob@biloxi.example.com sip/2.0', ...BASE.slice(1)])).ok).toBe(
        true,
      );
      expect(parseMessage(datagram(['SIP/2.0 100', ...BASE.slice(1)]))).toMatchObject({
        ok: true,
        message: { reason: '' },
      });
    });

    it.each([
      ['INVITE sip:bob@b.com SIP/2.0 ', 'SIP_PARSE_START_LINE'],
      ['INVITE\tsip:bob@b.com SIP/2.0', 'SIP_PARSE_START_LINE'],
      ['INV(ITE sip:bob@b.com SIP/2.0', 'SIP_PARSE_START_LINE'],
      ['INVITE sip:bob@b.com HTTP/1.1', 'SIP_PARSE_START_LINE'],
      ['\uFEFFINVITE sip:bob@b.com SIP/2.0', 'SIP_PARSE_START_LINE'],
      ['INVITE sip:bob@b.com SIP/3.0', 'SIP_VERSION_NOT_SUPPORTED'],
      ['INVITE sip:bob@b.com;x=<y> SIP/2.0', 'SIP_BAD_REQUEST_URI'],
      ['SIP/2.0 099 Too Low', 'SIP_PARSE_START_LINE'],
      ['SIP/2.0 700 Too High', 'SIP_PARSE_START_LINE'],
      ['SIP/2.0 20 OK', 'SIP_PARSE_START_LINE'],
      ['SIP/2.0 200 O\x01K', 'SIP_PARSE_START_LINE'],
      ['SIP/1.0 200 OK', 'SIP_VERSION_NOT_SUPPORTED'],
    ])('refuses %j with %s', (line, code) => {
      expect(refused(datagram([line, ...BASE.slice(1)])).code).toBe(code);
    });

    it('accepts tel, sips and other schemes in the Request-URI', () => {
      for (const uri of ['tel:+15551234567', 'sips:bob@b.com', 'urn:service:sos']) {
        expect(parseMessage(datagram([`INVITE ${uri} SIP/2.0`, ...BASE.slice(1)])).ok, uri).toBe(true);
      }
    });
  });

  describe('header rules', () => {
    it.each([['Via'], ['From'], ['To'], ['Call-ID'], ['CSeq']])('requires %s', (name) => {
      const lines = BASE.filter((l) => !l.startsWith(`${name}:`));
      expect(refused(datagram(lines))).toMatchObject({ code: 'SIP_MISSING_HEADER', header: name });
    });

    it('does not require Max-Forwards (RFC 2543 peers)', () => {
      expect(parseMessage(datagram(BASE.filter((l) => !l.startsWith('Max-Forwards')))).ok).toBe(true);
    });

    it.each([
      [['To: <sip:x@y.com>']],
      [['i: other@x']],
      [['Max-Forwards: 5']],
      [['c: text/plain', 'Content-Type: application/sdp']],
      [['Expires: 5', 'Expires: 5']],
    ])('refuses a repeated single-valued header: %j', (extra) => {
      expect(refused(datagram([...BASE, ...extra])).code).toBe('SIP_DUPLICATE_HEADER');
    });

    it.each([
      ['Route: sip:p1.example.com;lr', 'Route'],
      ['Record-Route: <sip:p1.example.com;lr>,', 'Record-Route'],
      ['Contact: <sip:a@b.com>;;', 'Contact'],
      ['Authorization: Digest', 'Authorization'],
      ['Proxy-Authenticate: Digest realm="x', 'Proxy-Authenticate'],
      ['Max-Forwards: 256', 'Max-Forwards'],
      ['Reply-To: Bell, Alexander <sip:a@b.com>', 'Reply-To'],
    ])('refuses a malformed known header: %s', (line, header) => {
      expect(refused(datagram([...BASE.filter((l) => !l.startsWith('Max-Forwards')), line]))).toMatchObject({
        code: 'SIP_PARSE_HEADER',
        header,
      });
    });

    it('leaves unknown headers alone, whatever they contain', () => {
      const r = parseMessage(datagram([...BASE, 'X-Weird: ;;,,<<"', 'Date: not a date']));
      expect(r.ok).toBe(true);
    });

    it('refuses a CSeq method other than the request method, case-sensitively', () => {
      expect(refused(datagram([...BASE.slice(0, -1), 'CSeq: 1 invite'])).code).toBe('SIP_CSEQ_MISMATCH');
    });

    it('reads comma lists spread over several lines', () => {
      const r = parseMessage(
        datagram([...BASE, 'Via: SIP/2.0/TCP a.example.com, SIP/2.0/UDP b.example.com']),
      );
      expect(r.ok && getVias(r.message).map((v) => v.host)).toEqual([
        'pc33.atlanta.example.com',
        'a.example.com',
        'b.example.com',
      ]);
      expect(r.ok && getCallId(r.message)).toBe('a84b4c76e66710@pc33.atlanta.example.com');
    });
  });

  describe('reply basis', () => {
    it('copies Via, From, To, Call-ID and CSeq of a refused request', () => {
      const f = refused(datagram([...BASE, 'Contact: sip:a@b.com?x=y']));
      expect(f.reply).toEqual({
        status: 400,
        method: 'INVITE',
        headers: [
          { name: 'Via', value: 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds' },
          { name: 'To', value: 'Bob <sip:bob@biloxi.example.com>' },
          { name: 'From', value: 'Alice <sip:alice@atlanta.example.com>;tag=1928301774' },
          { name: 'Call-ID', value: 'a84b4c76e66710@pc33.atlanta.example.com' },
          { name: 'CSeq', value: '314159 INVITE' },
        ],
      });
    });

    it('answers a bad version with 505', () => {
      expect(
        refused(datagram(['OPTIONS sip:b@c.com SIP/2.1', ...BASE.slice(1, -1), 'CSeq: 1 OPTIONS'])).reply
          ?.status,
      ).toBe(505);
    });

    it('never answers an ACK, a response, or a request whose Via is malformed or missing', () => {
      expect(refused(datagram(['ACK sip:b@c.com SIP/2.0', ...BASE.slice(1)])).reply).toBeUndefined();
      expect(
        refused(datagram(['SIP/2.0 200 OK', ...BASE.slice(1), 'Max-Forwards: 1'])).reply,
      ).toBeUndefined();
      expect(
        refused(datagram(['INVITE sip:b@c.com SIP/2.0', 'Via: SIP/2.0/UDP', ...BASE.slice(2)])).reply,
      ).toBeUndefined();
      expect(refused(datagram(BASE.filter((l) => !l.startsWith('Via')))).reply).toBeUndefined();
    });

    it('still answers when the start line itself is malformed but looks like a request', () => {
      expect(refused(datagram(['INVITE  sip:b@c.com SIP/2.0', ...BASE.slice(1)])).reply?.method).toBe(
        'INVITE',
      );
    });
  });
});
