import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  getAuthHeaders,
  getCallId,
  getContacts,
  getContentLength,
  getCSeq,
  getFrom,
  getMaxForwards,
  getRouteSet,
  getTo,
  getVias,
  type SipMessage,
} from './message';
import { sipParseErrorStatus } from './parse-error';
import { parseMessage } from './parser';
import { serializeMessage, withContentLength } from './serializer';
import { StreamFramer } from './stream-framer';

/**
 * Hostile-input properties: whatever the bytes, the parser returns a message or a typed refusal — it
 * never throws — and whatever it accepts, the typed accessors can read and the serializer can write
 * back to bytes that parse to the same message. Seeds are the RFC 4475 messages that parse; mutations
 * flip, insert, delete and truncate octets and duplicate header lines.
 */
const SEEDS = [
  'wsinv',
  'intmeth',
  'esc01',
  'escnull',
  'esc02',
  'lwsdisp',
  'longreq',
  'dblreq',
  'semiuri',
  'transports',
  'mpart01',
  'unreason',
  'noreason',
  'badbranch',
  'regaut01',
  'unksm2',
  'inv2543',
  'cparam02',
  'regescrt',
].map((name) => readFileSync(new URL(`../testdata/rfc4475/${name}.dat`, import.meta.url)));

/** Octets that mean something to the grammar, so mutations hit delimiters more often than chance would. */
const SPECIAL = [
  '\r\n',
  '\r\n ',
  '\r\n\r\n',
  ' ',
  '\t',
  ',',
  ';',
  ':',
  '=',
  '"',
  '\\',
  '<',
  '>',
  '%',
  '@',
  '\0',
  '\r',
  '\n',
  'é',
  '\uFEFF',
].map((s) => Buffer.from(s, 'utf8'));

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate-line'; line: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.constantFrom(...SPECIAL) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat() }),
);

function mutate(seed: Buffer, mutations: Mutation[]): Buffer {
  let b = seed;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : 'at' in m ? m.at % (b.length + 1) : 0;
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) {
          b = Buffer.from(b);
          b[at % b.length] = m.byte;
        }
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'duplicate-line': {
        const end = b.indexOf('\r\n\r\n');
        const lines = b
          .subarray(0, end < 0 ? b.length : end)
          .toString('latin1')
          .split('\r\n');
        if (lines.length < 2) break;
        const i = 1 + (m.line % (lines.length - 1));
        lines.splice(i, 0, lines[i] ?? '');
        b = Buffer.concat([
          Buffer.from(lines.join('\r\n'), 'latin1'),
          end < 0 ? Buffer.alloc(0) : b.subarray(end),
        ]);
        break;
      }
    }
  }
  return b;
}

/** What `parseMessage` promises about an accepted message: every typed accessor reads it. */
function readEverything(m: SipMessage): void {
  getVias(m);
  getFrom(m);
  getTo(m);
  getCallId(m);
  getCSeq(m);
  getMaxForwards(m);
  getContentLength(m);
  getContacts(m);
  getRouteSet(m, 'Route');
  getRouteSet(m, 'Record-Route');
  for (const name of [
    'Authorization',
    'Proxy-Authorization',
    'WWW-Authenticate',
    'Proxy-Authenticate',
  ] as const) {
    getAuthHeaders(m, name);
  }
}

const COPIED = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];

function checkOne(bytes: Buffer, framing: 'datagram' | 'stream'): boolean {
  const first = parseMessage(bytes, { framing });
  if (!first.ok) {
    expect(first.code in sipParseErrorStatus).toBe(true);
    if (first.reply) {
      expect(first.reply.status).toBe(sipParseErrorStatus[first.code]);
      for (const h of first.reply.headers) expect(COPIED).toContain(h.name);
    }
    return false;
  }
  readEverything(first.message);
  const wire = serializeMessage(first.message);
  const second = parseMessage(wire, { framing: 'stream' });
  expect(second).toEqual({ ok: true, message: withContentLength(first.message) });
  if (second.ok) expect(serializeMessage(second.message).equals(wire)).toBe(true);
  return true;
}

describe('parser under hostile input', () => {
  it('never throws on mutated messages, and what parses round-trips', () => {
    let parsed = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: SEEDS.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (seed, mutations, split) => {
          const bytes = mutate(SEEDS[seed] as Buffer, mutations);
          if (checkOne(bytes, 'datagram')) parsed++;
          checkOne(bytes, 'stream');
          const sut = new StreamFramer();
          const cut = split % (bytes.length + 1);
          for (const e of [...sut.push(bytes.subarray(0, cut)), ...sut.push(bytes.subarray(cut))]) {
            if (e.kind === 'message') checkOne(e.frame, 'stream');
          }
        },
      ),
      { numRuns: 5_000 },
    );
    // Enough mutants must survive for the round-trip half to mean something.
    expect(parsed).toBeGreaterThan(500);
  });

  it('never throws on random octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
        checkOne(Buffer.from(bytes), 'datagram');
        new StreamFramer().push(bytes);
      }),
      { numRuns: 1_000 },
    );
  });

  it('never throws on known headers with values built from grammar characters', () => {
    const base = [
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
      'From: <sip:a@b.com>;tag=1',
      'To: <sip:c@d.com>',
      'Call-ID: x@y',
      'CSeq: 1 INVITE',
    ];
    const headers: [string, string][] = [
      ['Via', 'SIP/2.0/TCP h.example.com:5061;branch=z9hG4bKx;rport'],
      ['v', 'SIP/2.0/UDP [2001:db8::1];received=192.0.2.9'],
      ['Contact', '"Name" <sip:u@h.com;lr>;expires=60'],
      ['m', 'sip:u@h.com;q=0.1, <tel:+123>'],
      ['Route', '<sip:p.example.com;lr>, <sip:q.example.com;lr>'],
      ['Record-Route', '<sip:r.example.com;lr>'],
      ['Max-Forwards', '70'],
      ['Authorization', 'Digest username="u", realm="r", nonce="n", uri="sip:a", response="0123"'],
      ['WWW-Authenticate', 'Digest realm="r", nonce="n", qop="auth"'],
      ['Reply-To', 'Bob <sips:bob@b.com>'],
      ['X-Other', 'anything'],
    ];
    const piece = fc.constantFrom(
      'sip:',
      'tel:+1',
      'a',
      'b.com',
      '192.0.2.1',
      '[::1]',
      '@',
      ':',
      ';',
      '=',
      ',',
      '<',
      '>',
      '"',
      '\\',
      ' ',
      '%41',
      '%',
      '*',
      'tag',
      'z9hG4bK',
      '?',
      '&',
    );
    const splice = (v: string, inserts: [string, number][]) =>
      inserts.reduce(
        (acc, [p, at]) => acc.slice(0, at % (acc.length + 1)) + p + acc.slice(at % (acc.length + 1)),
        v,
      );
    const line = fc
      .tuple(fc.constantFrom(...headers), fc.array(fc.tuple(piece, fc.nat()), { maxLength: 2 }))
      .map(([[name, value], inserts]) => `${name}: ${splice(value, inserts)}`);
    let parsed = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), fc.boolean(), (extra, dropBase) => {
        const lines = dropBase ? extra : [...base, ...extra];
        if (
          checkOne(Buffer.from(['INVITE sip:a@b.com SIP/2.0', ...lines, '', ''].join('\r\n')), 'datagram')
        ) {
          parsed++;
        }
      }),
      { numRuns: 2_000 },
    );
    expect(parsed).toBeGreaterThan(200);
  });
});
