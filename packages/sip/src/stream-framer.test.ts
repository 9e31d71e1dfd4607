import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from './parser';
import { type FramerEvent, StreamFramer } from './stream-framer';

function message(callId: string, body = ''): Buffer {
  return Buffer.from(
    [
      'OPTIONS sip:bob@biloxi.example.com SIP/2.0',
      'Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1',
      'From: <sip:a@x.com>;tag=1',
      'To: <sip:bob@biloxi.example.com>',
      `Call-ID: ${callId}`,
      'CSeq: 1 OPTIONS',
      `l: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

function pushAll(sut: StreamFramer, chunks: Buffer[]): FramerEvent[] {
  return chunks.flatMap((c) => sut.push(c));
}

const summary = (events: FramerEvent[]) =>
  events.map((e) => (e.kind === 'message' ? e.frame.toString('latin1') : e.kind));

describe('StreamFramer', () => {
  it('cuts back-to-back messages by Content-Length', () => {
    const sut = new StreamFramer();
    const a = message('a', 'hello');
    const b = message('b');
    expect(summary(sut.push(Buffer.concat([a, b])))).toEqual([a.toString('latin1'), b.toString('latin1')]);
    expect(sut.buffered).toBe(0);
  });

  it('yields the same frames however the stream is chunked', () => {
    const stream = Buffer.concat([
      message('a', 'x'.repeat(300)),
      Buffer.from('\r\n\r\n'),
      message('b'),
      message('c', 'body'),
    ]);
    const expected = summary(new StreamFramer().push(stream));
    expect(expected).toHaveLength(4);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const points = [0, ...cuts.sort((x, y) => x - y), stream.length];
          const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
          expect(summary(pushAll(new StreamFramer(), chunks))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports CRLFCRLF between messages as a ping and skips a lone CRLF', () => {
    const sut = new StreamFramer();
    expect(summary(sut.push(Buffer.from('\r\n\r\n')))).toEqual(['ping']);
    expect(sut.push(Buffer.from('\r\n'))).toEqual([]);
    expect(summary(sut.push(Buffer.from('\r\n')))).toEqual(['ping']);
    const m = message('after-pong');
    expect(summary(sut.push(Buffer.concat([Buffer.from('\r\n'), m])))).toEqual([m.toString('latin1')]);
  });

  it('hands out frames that do not share memory with its buffer', () => {
    const sut = new StreamFramer();
    const chunk = message('copy');
    const [event] = sut.push(chunk);
    chunk.fill(0);
    expect(event?.kind === 'message' && parseMessage(event.frame, { framing: 'stream' }).ok).toBe(true);
  });

  it('frames a message with a malformed header, so only that message is refused', () => {
    const bad = Buffer.from(
      message('x').toString().replace('From: <sip:a@x.com>;tag=1', 'From: Bell, Alexander <sip:a@x.com>'),
    );
    const good = message('y');
    const events = new StreamFramer().push(Buffer.concat([bad, good]));
    expect(
      events.map((e) => e.kind === 'message' && parseMessage(e.frame, { framing: 'stream' }).ok),
    ).toEqual([false, true]);
  });

  it.each([
    ['a missing Content-Length', 'OPTIONS sip:a@b.com SIP/2.0\r\nVia: x\r\n\r\n', 'SIP_BAD_CONTENT_LENGTH'],
    [
      'conflicting Content-Lengths',
      'OPTIONS sip:a@b.com SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab',
      'SIP_BAD_CONTENT_LENGTH',
    ],
    [
      'a negative Content-Length',
      'OPTIONS sip:a@b.com SIP/2.0\r\nContent-Length: -1\r\n\r\n',
      'SIP_BAD_CONTENT_LENGTH',
    ],
    [
      'a Content-Length over the limit',
      'OPTIONS sip:a@b.com SIP/2.0\r\nContent-Length: 70000\r\n\r\n',
      'SIP_TOO_LARGE',
    ],
    [
      'a first line that is no SIP',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n',
      'SIP_PARSE_START_LINE',
    ],
    ['a bare CR between messages', '\r\rOPTIONS', 'SIP_PARSE_START_LINE'],
  ])('fails for good on %s', (_, text, code) => {
    const sut = new StreamFramer();
    expect(sut.push(Buffer.from(text, 'latin1'))).toEqual([
      { kind: 'error', code, detail: expect.any(String) },
    ]);
    expect(sut.failed).toBe(true);
    expect(sut.push(message('later'))).toEqual([]);
    expect(sut.buffered).toBe(0);
  });

  it('fails on 64 octets of garbage without waiting for a line end', () => {
    const sut = new StreamFramer();
    expect(sut.push(Buffer.alloc(63, 0x80))).toEqual([]);
    expect(sut.push(Buffer.alloc(1, 0x80))).toMatchObject([{ kind: 'error', code: 'SIP_PARSE_START_LINE' }]);
  });

  it('bounds what it holds: an endless start line or header section is an error', () => {
    const longLine = new StreamFramer({ maxHeaderBytes: 100 });
    expect(longLine.push(Buffer.from(`OPTIONS sip:${'a'.repeat(200)}`))).toMatchObject([
      { code: 'SIP_HEADER_TOO_LONG' },
    ]);
    const sut = new StreamFramer({ maxMessageBytes: 4_096 });
    sut.push(Buffer.from('OPTIONS sip:a@b.com SIP/2.0\r\n'));
    const events: FramerEvent[] = [];
    for (let i = 0; i < 100 && events.length === 0; i++) {
      events.push(...sut.push(Buffer.from(`X-Filler: ${'f'.repeat(90)}\r\n`)));
      expect(sut.buffered).toBeLessThanOrEqual(4_096 + 102);
    }
    expect(events).toMatchObject([{ kind: 'error', code: 'SIP_TOO_LARGE' }]);
  });
});
