import { describe, expect, it } from 'vitest';
import { defaultSdpLimits, parseSdp } from './parse-sdp';
import { sdpErrorStatus } from './sdp-error';
import {
  ASTERISK_OFFER,
  BARESIP_OFFER,
  CARRIER_OFFER,
  CHROMIUM_OFFER,
  OLD_HOLD_OFFER,
  SIPP_OFFER,
} from './sdp-fixtures';

function session(sdp: string | Uint8Array) {
  const r = parseSdp(sdp);
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`);
  return r.session;
}

function failure(sdp: string | Uint8Array, limits = defaultSdpLimits) {
  const r = parseSdp(sdp, limits);
  if (r.ok) throw new Error('parsed');
  return r.code;
}

const MINIMAL = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 4000 RTP/AVP 0',
];
const sdp = (lines: readonly string[]) => `${lines.join('\r\n')}\r\n`;
const replace = (from: string, to: string) => sdp(MINIMAL.map((l) => (l === from ? to : l)));

describe('parseSdp on real peers', () => {
  it('reads a SIPp offer', () => {
    const s = session(SIPP_OFFER);
    expect(s.origin).toEqual({
      username: 'user1',
      sessionId: '53655765',
      sessionVersion: 2353687637n,
      addrType: 'IP4',
      address: '127.0.0.1',
    });
    expect(s.media).toEqual([
      {
        index: 0,
        type: 'audio',
        port: 6000,
        protocol: 'RTP/AVP',
        formats: ['0'],
        rtp: [{ payloadType: 0, encoding: 'PCMU', clockRate: 8000, channels: 1, fmtp: null }],
        direction: 'sendrecv',
        connection: { addrType: 'IP4', address: '127.0.0.1' },
        ptime: null,
        rtcpPort: null,
        rtcpMux: false,
      },
    ]);
  });

  it('reads static payload types without rtpmap from the RFC 3551 table (carrier)', () => {
    const [m] = session(CARRIER_OFFER).media;
    expect(m!.rtp.map((f) => [f.payloadType, f.encoding, f.clockRate, f.fmtp])).toEqual([
      [18, 'G729', 8000, 'annexb=no'],
      [8, 'PCMA', 8000, null],
      [96, 'telephone-event', 8000, '0-15'],
    ]);
    expect(m!.connection!.address).toBe('203.0.113.7');
  });

  it('reads a Chromium offer: media-level c=, two m-lines, channels, rtcp-mux, session id wider than 2^53', () => {
    const s = session(CHROMIUM_OFFER);
    expect(s.origin.sessionId).toBe('4611731400430051336');
    expect(s.connection).toBeNull();
    expect(s.media.map((m) => [m.type, m.protocol, m.connection?.address, m.rtcpMux])).toEqual([
      ['audio', 'UDP/TLS/RTP/SAVPF', '0.0.0.0', true],
      ['video', 'UDP/TLS/RTP/SAVPF', '0.0.0.0', true],
    ]);
    const opus = s.media[0]!.rtp[0]!;
    expect([opus.encoding, opus.clockRate, opus.channels]).toEqual(['opus', 48000, 2]);
    expect(s.media[0]!.rtcpPort).toBe(9);
  });

  it('reads baresip and Asterisk offers: ptime, a=rtcp, dynamic opus', () => {
    const b = session(BARESIP_OFFER).media[0]!;
    expect(b.ptime).toBe(20);
    expect(b.rtcpPort).toBe(10103);
    expect(b.rtp.map((f) => f.payloadType)).toEqual([96, 9, 0, 8, 101]);
    const a = session(ASTERISK_OFFER).media[0]!;
    expect(a.rtp.map((f) => f.encoding)).toEqual(['PCMA', 'PCMU', 'GSM', 'telephone-event']);
    expect(session(ASTERISK_OFFER).name).toBe('Asterisk');
  });

  it('keeps the RFC 2543 hold address 0.0.0.0', () => {
    expect(session(OLD_HOLD_OFFER).media[0]!.connection).toEqual({ addrType: 'IP4', address: '0.0.0.0' });
  });
});

describe('parseSdp details', () => {
  it('accepts LF line ends and bytes', () => {
    const text = MINIMAL.join('\n');
    expect(session(text).media).toHaveLength(1);
    expect(session(Buffer.from(sdp(MINIMAL))).media[0]!.port).toBe(4000);
  });

  it('inherits a session-level direction; a media-level one wins', () => {
    const lines = [
      ...MINIMAL.slice(0, 5),
      'a=sendonly',
      'm=audio 4000 RTP/AVP 0',
      'm=audio 4002 RTP/AVP 0',
      'a=inactive',
    ];
    expect(session(sdp(lines)).media.map((m) => m.direction)).toEqual(['sendonly', 'inactive']);
    expect(session(sdp(MINIMAL)).media[0]!.direction).toBe('sendrecv');
  });

  it('lets an rtpmap redefine a static type and skips dynamic types without rtpmap', () => {
    const s = session(
      sdp([
        ...MINIMAL.slice(0, 5),
        'm=audio 4000 RTP/AVP 0 97 98',
        'a=rtpmap:0 L16/16000',
        'a=rtpmap:98 PCMA/8000',
      ]),
    );
    expect(s.media[0]!.rtp.map((f) => [f.payloadType, f.encoding])).toEqual([
      [0, 'L16'],
      [98, 'PCMA'],
    ]);
  });

  it('ignores malformed attributes instead of failing', () => {
    const s = session(
      sdp([
        ...MINIMAL.slice(0, 5),
        'm=audio 4000 RTP/AVP 0 101',
        'a=rtpmap:101 telephone-event',
        'a=ptime:abc',
        'a=rtcp:99999',
      ]),
    );
    expect(s.media[0]!.rtp.map((f) => f.payloadType)).toEqual([0]);
    expect(s.media[0]!.ptime).toBeNull();
    expect(s.media[0]!.rtcpPort).toBeNull();
  });

  it('reads IPv6 and host names in c=, and o= versions beyond 2^64', () => {
    const s = session(replace('c=IN IP4 192.0.2.1', 'c=IN IP6 2001:db8::1'));
    expect(s.media[0]!.connection).toEqual({ addrType: 'IP6', address: '2001:db8::1' });
    expect(session(replace('c=IN IP4 192.0.2.1', 'c=IN IP4 media.example.com')).connection!.address).toBe(
      'media.example.com',
    );
    const big = session(
      replace('o=- 1 1 IN IP4 192.0.2.1', 'o=- 1 123456789012345678901234567890 IN IP4 192.0.2.1'),
    );
    expect(big.origin.sessionVersion).toBe(123456789012345678901234567890n);
  });

  it('allows a rejected m-line without c=', () => {
    const noC = session(sdp(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=video 0 RTP/AVP 31']));
    expect(noC.media[0]!.connection).toBeNull();
  });
});

describe('parseSdp refusals', () => {
  it.each([
    ['a junk line', sdp([...MINIMAL, 'hello']), 'SDP_SYNTAX'],
    ['a bare CR inside a line', sdp([...MINIMAL, 'a=sendonly\ra=recvonly']), 'SDP_SYNTAX'],
    ['an upper-case type letter', sdp([...MINIMAL, 'A=sendonly']), 'SDP_SYNTAX'],
    ['v=1', replace('v=0', 'v=1'), 'SDP_SYNTAX'],
    ['an empty body', '', 'SDP_SYNTAX'],
    ['no o=', sdp(MINIMAL.filter((l) => !l.startsWith('o='))), 'SDP_BAD_ORIGIN'],
    ['two o=', sdp([...MINIMAL, 'o=- 1 1 IN IP4 192.0.2.1']), 'SDP_BAD_ORIGIN'],
    [
      'o= with a non-numeric version',
      replace('o=- 1 1 IN IP4 192.0.2.1', 'o=- 1 x IN IP4 192.0.2.1'),
      'SDP_BAD_ORIGIN',
    ],
    ['o= with IP5', replace('o=- 1 1 IN IP4 192.0.2.1', 'o=- 1 1 IN IP5 192.0.2.1'), 'SDP_BAD_ORIGIN'],
    ['c= not an address', replace('c=IN IP4 192.0.2.1', 'c=IN IP4 999.0.2.1'), 'SDP_BAD_CONNECTION'],
    ['c= multicast with TTL', replace('c=IN IP4 192.0.2.1', 'c=IN IP4 224.2.1.1/127'), 'SDP_BAD_CONNECTION'],
    [
      'c= IP6 with an IPv4 address',
      replace('c=IN IP4 192.0.2.1', 'c=IN IP6 192.0.2.1'),
      'SDP_BAD_CONNECTION',
    ],
    ['c= garbage', replace('c=IN IP4 192.0.2.1', 'c=garbage'), 'SDP_BAD_CONNECTION'],
    ['no c= for an active stream', sdp(MINIMAL.filter((l) => !l.startsWith('c='))), 'SDP_MISSING_CONNECTION'],
    ['a port over 65535', replace('m=audio 4000 RTP/AVP 0', 'm=audio 70000 RTP/AVP 0'), 'SDP_BAD_MEDIA'],
    [
      'a port count (unsupported)',
      replace('m=audio 4000 RTP/AVP 0', 'm=audio 4000/2 RTP/AVP 0'),
      'SDP_BAD_MEDIA',
    ],
    ['no formats', replace('m=audio 4000 RTP/AVP 0', 'm=audio 4000 RTP/AVP'), 'SDP_BAD_MEDIA'],
    ['an empty m=', replace('m=audio 4000 RTP/AVP 0', 'm='), 'SDP_BAD_MEDIA'],
  ])('refuses %s', (_name, text, code) => {
    expect(failure(text)).toBe(code);
  });

  it('enforces every size limit', () => {
    const limits = { ...defaultSdpLimits, maxBytes: 200 };
    expect(failure(sdp([...MINIMAL, `a=x-pad:${'x'.repeat(200)}`]), limits)).toBe('SDP_TOO_LARGE');
    expect(failure(sdp([...MINIMAL, 'a=x', 'a=y']), { ...defaultSdpLimits, maxLines: 7 })).toBe(
      'SDP_TOO_LARGE',
    );
    expect(
      failure(sdp([...MINIMAL, `a=${'y'.repeat(40)}`]), { ...defaultSdpLimits, maxLineLength: 40 }),
    ).toBe('SDP_TOO_LARGE');
    expect(failure(sdp([...MINIMAL, 'm=audio 4002 RTP/AVP 0']), { ...defaultSdpLimits, maxMedia: 1 })).toBe(
      'SDP_TOO_LARGE',
    );
    expect(
      failure(replace('m=audio 4000 RTP/AVP 0', 'm=audio 4000 RTP/AVP 0 8 9'), {
        ...defaultSdpLimits,
        maxFormats: 2,
      }),
    ).toBe('SDP_TOO_LARGE');
    // exactly at the limits passes
    expect(parseSdp(sdp(MINIMAL), { ...defaultSdpLimits, maxLines: 6, maxMedia: 1 }).ok).toBe(true);
  });

  it('maps syntax to 400 and unservable offers to 488', () => {
    expect(sdpErrorStatus.SDP_SYNTAX).toBe(400);
    expect(sdpErrorStatus.SDP_NO_COMMON_CODEC).toBe(488);
    expect(sdpErrorStatus.SDP_NO_ACCEPTABLE_MEDIA).toBe(488);
  });
});
