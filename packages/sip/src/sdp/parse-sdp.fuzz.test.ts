import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnswer } from './negotiation';
import { parseSdp } from './parse-sdp';
import { sdpErrorStatus } from './sdp-error';
import * as fixtures from './sdp-fixtures';

/**
 * Hostile-input properties: whatever the bytes, `parseSdp` returns a session or a coded failure and
 * never throws; whatever parses can be answered without throwing, and the answer we write parses back
 * with the offer's m-line count. Seeds are the real-world fixtures; mutations hit SDP delimiters.
 */
const SEEDS = Object.values(fixtures).filter((v): v is string => typeof v === 'string');
const SPECIAL = [
  '\r\n',
  '\n',
  '\r',
  ' ',
  '=',
  ':',
  '/',
  '-',
  '0',
  '65535',
  '99999999999999999999',
  'm=audio ',
  'c=IN IP6 ',
  'a=',
  'IP4',
  '\u0000',
  '\u00ff',
  'é',
];

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'truncate':
      return text.slice(0, at);
    case 'dupline': {
      const lines = text.split('\r\n');
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i]!);
      return lines.join('\r\n');
    }
  }
}

const policy = { address: '192.0.2.50', port: 40000, protocols: ['RTP/AVP', 'UDP/TLS/RTP/SAVPF'] };

const seen = { parsed: 0, answered: 0 };

function check(input: string | Uint8Array): void {
  const r = parseSdp(input);
  if (!r.ok) {
    expect(Object.keys(sdpErrorStatus)).toContain(r.code);
    // the catch-all in parseSdp is defence in depth; the checks themselves must leave nothing that throws
    expect(r.detail).not.toMatch(/^unexpected/);
    return;
  }
  seen.parsed++;
  const a = createAnswer(r.session, policy, { seed: { sessionId: '1' } });
  if (!a.ok) {
    expect(['SDP_NO_COMMON_CODEC', 'SDP_NO_ACCEPTABLE_MEDIA']).toContain(a.code);
    return;
  }
  seen.answered++;
  const back = parseSdp(a.description.sdp);
  expect(back.ok && back.session.media.length).toBe(r.session.media.length);
}

describe('parseSdp fuzz', () => {
  it('never throws on mutated real-world SDP, and answers what it accepts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (seed, ms) => {
          check(ms.reduce(apply, seed));
        },
      ),
      { numRuns: 3_000 },
    );
    // the property must have reached the answer path, not only refusals
    expect(seen.parsed).toBeGreaterThan(500);
    expect(seen.answered).toBeGreaterThan(300);
  }, 60_000);

  it('never throws on arbitrary bytes behind a valid head', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        check(Buffer.concat([Buffer.from('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n'), bytes]));
        check(bytes);
      }),
      { numRuns: 2_000 },
    );
  }, 60_000);

  it('never throws on line soup built from SDP fragments', () => {
    const line = fc
      .tuple(
        fc.constantFrom('v', 'o', 's', 'c', 't', 'm', 'a', 'b', 'z'),
        fc.array(
          fc.oneof(
            fc.constantFrom(
              ...SPECIAL,
              'audio',
              'RTP/AVP',
              'rtpmap:',
              'fmtp:',
              'telephone-event/8000',
              'PCMU/8000',
              '101',
              'sendonly',
              'IN',
              '0.0.0.0',
            ),
            fc.string({ maxLength: 4 }),
          ),
          { maxLength: 8 },
        ),
      )
      .map(([t, parts]) => `${t}=${parts.join(' ')}`);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        check(
          ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', ...lines].join('\r\n'),
        );
      }),
      { numRuns: 2_000 },
    );
  }, 60_000);
});
