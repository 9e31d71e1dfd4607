import { describe, expect, it } from 'vitest';
import { createOffer, hold, type LocalDescription, reoffer, resume } from './local-description';
import { parseSdp } from './parse-sdp';

const seed = { sessionId: '3920000000', sessionVersion: 1 };
const offer = () => createOffer(seed, { address: '192.0.2.50', port: 40000 });

function parsed(d: LocalDescription) {
  const r = parseSdp(d.sdp);
  if (!r.ok) throw new Error(r.code);
  return r.session;
}

describe('createOffer', () => {
  it('offers PCMU, PCMA and telephone-event 0-16 at 101, ptime 20, sendrecv', () => {
    expect(offer().sdp).toBe(
      [
        'v=0',
        'o=- 3920000000 1 IN IP4 192.0.2.50',
        's=-',
        'c=IN IP4 192.0.2.50',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
  });

  it('follows the options: order, IPv6, no telephone-event, no ptime, direction, origin', () => {
    const d = createOffer(
      { sessionId: '7', username: 'hotline', address: '2001:db8::5' },
      {
        address: '2001:db8::9',
        port: 5004,
        codecs: ['PCMA'],
        telephoneEvent: null,
        ptime: null,
        direction: 'recvonly',
      },
    );
    const s = parsed(d);
    expect(s.origin).toMatchObject({
      username: 'hotline',
      sessionId: '7',
      sessionVersion: 0n,
      addrType: 'IP6',
      address: '2001:db8::5',
    });
    expect(s.media[0]).toMatchObject({
      port: 5004,
      formats: ['8'],
      direction: 'recvonly',
      ptime: null,
      connection: { addrType: 'IP6', address: '2001:db8::9' },
    });
    expect(d.sdp).not.toContain('telephone-event');
  });

  it('uses the telephone-event payload type it is given', () => {
    const s = parsed(
      createOffer(seed, {
        address: '192.0.2.50',
        port: 40000,
        telephoneEvent: { payloadType: 96, events: '0-15' },
      }),
    );
    expect(s.media[0]!.rtp.at(-1)).toMatchObject({
      payloadType: 96,
      encoding: 'telephone-event',
      fmtp: '0-15',
    });
  });

  it.each([
    ['a host name as address', { address: 'media.example', port: 4000 }],
    ['port 0', { address: '192.0.2.1', port: 0 }],
    ['no codec', { address: '192.0.2.1', port: 4000, codecs: [] }],
    [
      'telephone-event on PCMA’s type',
      { address: '192.0.2.1', port: 4000, telephoneEvent: { payloadType: 8, events: '0-15' } },
    ],
    ['a fractional ptime', { address: '192.0.2.1', port: 4000, ptime: 2.5 }],
    [
      'an event list with CRLF',
      { address: '192.0.2.1', port: 4000, telephoneEvent: { payloadType: 101, events: '0-15\r\na=x' } },
    ],
  ])('throws RangeError for %s', (_name, options) => {
    expect(() => createOffer(seed, options)).toThrow(RangeError);
  });

  it('refuses a session id that is not digits', () => {
    expect(() => createOffer({ sessionId: 'abc' }, { address: '192.0.2.1', port: 4000 })).toThrow(RangeError);
  });
});

describe('re-offers (RFC 3264 §8)', () => {
  it('keeps the version when nothing changed', () => {
    const first = offer();
    const again = reoffer(first);
    expect(again).toBe(first);
    expect(reoffer(first, { port: 40000, direction: 'sendrecv' }).origin.sessionVersion).toBe(1);
  });

  it('bumps the version by one per change and keeps session id and username', () => {
    const first = offer();
    const moved = reoffer(first, { port: 40002 });
    expect(moved.origin).toEqual({ ...first.origin, sessionVersion: 2 });
    expect(parsed(moved).media[0]!.port).toBe(40002);
    const readdressed = reoffer(moved, { address: '192.0.2.51' });
    expect(readdressed.origin.sessionVersion).toBe(3);
    expect(readdressed.origin.address).toBe('192.0.2.50');
    expect(parsed(readdressed).connection!.address).toBe('192.0.2.51');
  });

  it('holds with sendonly, or inactive, and resumes', () => {
    const first = offer();
    const held = hold(first);
    expect(parsed(held).media[0]!.direction).toBe('sendonly');
    expect(held.origin.sessionVersion).toBe(2);
    expect(hold(held)).toBe(held);
    expect(parsed(hold(first, 'inactive')).media[0]!.direction).toBe('inactive');
    const back = resume(held);
    expect(parsed(back).media[0]!.direction).toBe('sendrecv');
    expect(back.origin.sessionVersion).toBe(3);
  });

  it('holding a recvonly stream makes it inactive (we stop receiving, we were not sending)', () => {
    const d = createOffer(seed, { address: '192.0.2.50', port: 40000, direction: 'recvonly' });
    expect(parsed(hold(d)).media[0]!.direction).toBe('inactive');
  });
});
