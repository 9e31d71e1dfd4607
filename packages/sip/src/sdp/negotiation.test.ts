import { describe, expect, it } from 'vitest';
import { createOffer, hold, type LocalDescription } from './local-description';
import { createAnswer, isRemoteHold, readAnswer, remoteAudio, remoteChanged } from './negotiation';
import { parseSdp } from './parse-sdp';
import {
  ASTERISK_OFFER,
  BARESIP_OFFER,
  CARRIER_OFFER,
  CHROMIUM_OFFER,
  crlf,
  G729_ONLY_OFFER,
  OLD_HOLD_OFFER,
  SIPP_OFFER,
  T38_OFFER,
} from './sdp-fixtures';
import type { Direction, SdpSession } from './sdp-model';

function session(text: string): SdpSession {
  const r = parseSdp(text);
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`);
  return r.session;
}

const policy = { address: '192.0.2.50', port: 40000 };
const seed = { seed: { sessionId: '555', sessionVersion: 1 } };

function answer(offerText: string, p: Parameters<typeof createAnswer>[1] = policy) {
  const r = createAnswer(session(offerText), p, seed);
  if (!r.ok) throw new Error(`${r.code}: ${r.detail}`);
  return { ...r, parsed: session(r.description.sdp) };
}

describe('createAnswer on real offers', () => {
  it('answers SIPp with PCMU alone and no telephone-event (none offered)', () => {
    const a = answer(SIPP_OFFER);
    expect(a.description.sdp).toBe(
      crlf(`
v=0
o=- 555 1 IN IP4 192.0.2.50
s=-
c=IN IP4 192.0.2.50
t=0 0
m=audio 40000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
a=ptime:20
a=sendrecv`),
    );
    expect(a.audio).toEqual({
      mediaIndex: 0,
      remoteAddress: '127.0.0.1',
      remotePort: 6000,
      codecs: [{ name: 'PCMU', payloadType: 0 }],
      telephoneEvent: null,
      send: true,
      recv: true,
      remoteHold: false,
      remotePtime: null,
    });
  });

  it('answers Asterisk in our preference order (PCMU before PCMA), telephone-event 0-16 at 101, no GSM', () => {
    const a = answer(ASTERISK_OFFER);
    expect(a.parsed.media[0]!.formats).toEqual(['0', '8', '101']);
    expect(a.audio.telephoneEvent).toEqual({ payloadType: 101, events: [...Array(17).keys()] });
    expect(a.description.sdp).toContain('a=fmtp:101 0-16\r\n');
  });

  it('answers a G.729+PCMA carrier with PCMA and keeps telephone-event at 96 with 0-15', () => {
    const a = answer(CARRIER_OFFER);
    expect(a.parsed.media[0]!.formats).toEqual(['8', '96']);
    expect(a.description.sdp).toContain('a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n');
    expect(a.audio.codecs).toEqual([{ name: 'PCMA', payloadType: 8 }]);
    expect(a.audio.remoteAddress).toBe('203.0.113.7');
  });

  it('refuses a G.729-only carrier with SDP_NO_COMMON_CODEC (the caller answers 488)', () => {
    const r = createAnswer(session(G729_ONLY_OFFER), policy, seed);
    expect(r).toMatchObject({ ok: false, code: 'SDP_NO_COMMON_CODEC' });
  });

  it('answers baresip: skips opus and G.722, takes G.711 and telephone-event 0-15', () => {
    const a = answer(BARESIP_OFFER, { ...policy, singleCodec: true });
    expect(a.parsed.media[0]!.formats).toEqual(['0', '101']);
    expect(a.audio.telephoneEvent!.events).toEqual([...Array(16).keys()]);
  });

  it('refuses Chromium’s DTLS-SRTP offer by default; with the profile allowed, keeps te at 126 not 110/48000 and rejects video with port 0', () => {
    expect(createAnswer(session(CHROMIUM_OFFER), policy, seed)).toMatchObject({
      ok: false,
      code: 'SDP_NO_ACCEPTABLE_MEDIA',
    });
    const a = answer(CHROMIUM_OFFER, { ...policy, protocols: ['UDP/TLS/RTP/SAVPF'] });
    expect(a.audio.telephoneEvent!.payloadType).toBe(126);
    expect(a.parsed.media.map((m) => [m.type, m.port, m.protocol, m.formats.join(' ')])).toEqual([
      ['audio', 40000, 'RTP/AVP', '0 8 126'],
      ['video', 0, 'UDP/TLS/RTP/SAVPF', '96 97'],
    ]);
  });

  it('refuses a T.38-only re-offer with SDP_NO_ACCEPTABLE_MEDIA', () => {
    expect(createAnswer(session(T38_OFFER), policy, seed)).toMatchObject({
      ok: false,
      code: 'SDP_NO_ACCEPTABLE_MEDIA',
    });
  });
});

describe('createAnswer rules', () => {
  const base = ['v=0', 'o=- 1 1 IN IP4 192.0.2.9', 's=-', 'c=IN IP4 192.0.2.9', 't=0 0'];
  const offerOf = (...lines: string[]) => `${[...base, ...lines].join('\r\n')}\r\n`;

  it('keeps m-line order: rejects video before audio and a second audio after it, with port 0', () => {
    const a = answer(
      offerOf(
        'm=video 5000 RTP/AVP 31',
        'm=audio 5002 RTP/AVP 8',
        'm=audio 5004 RTP/AVP 0',
        'm=audio 0 RTP/AVP 0',
      ),
    );
    expect(a.parsed.media.map((m) => [m.type, m.port, m.formats.join(' ')])).toEqual([
      ['video', 0, '31'],
      ['audio', 40000, '8'],
      ['audio', 0, '0'],
      ['audio', 0, '0'],
    ]);
    expect(a.audio.mediaIndex).toBe(1);
    expect(a.audio.remotePort).toBe(5002);
  });

  it('takes the next audio stream when the first has no common codec', () => {
    const a = answer(offerOf('m=audio 5000 RTP/AVP 18', 'm=audio 5002 RTP/AVP 0'));
    expect(a.parsed.media.map((m) => m.port)).toEqual([0, 40000]);
  });

  it('matches codecs by name and rate, case-insensitively, at dynamic payload types', () => {
    const a = answer(
      offerOf('m=audio 5000 RTP/AVP 97 98', 'a=rtpmap:97 pcma/8000', 'a=rtpmap:98 PCMU/16000'),
    );
    expect(a.audio.codecs).toEqual([{ name: 'PCMA', payloadType: 97 }]);
  });

  it('intersects telephone-event lists and drops telephone-event when nothing is common', () => {
    const te = (fmtp: string) =>
      answer(offerOf('m=audio 5000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', fmtp)).audio
        .telephoneEvent;
    expect(te('a=fmtp:101 0-11,16,32-40')).toEqual({
      payloadType: 101,
      events: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16],
    });
    expect(te('a=fmtp:101 32-40')).toBeNull();
    expect(te('a=fmtp:101 nonsense')).toBeNull();
    expect(
      answer(offerOf('m=audio 5000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000')).audio.telephoneEvent!
        .events,
    ).toHaveLength(16);
    expect(answer(ASTERISK_OFFER, { ...policy, telephoneEvents: null }).description.sdp).not.toContain(
      'telephone-event',
    );
  });

  it.each<[Direction, Direction, Direction]>([
    // offer, what we want, answer
    ['sendrecv', 'sendrecv', 'sendrecv'],
    ['sendonly', 'sendrecv', 'recvonly'],
    ['recvonly', 'sendrecv', 'sendonly'],
    ['inactive', 'sendrecv', 'inactive'],
    ['sendrecv', 'sendonly', 'sendonly'],
    ['sendonly', 'sendonly', 'inactive'],
    ['recvonly', 'recvonly', 'inactive'],
    ['sendrecv', 'inactive', 'inactive'],
  ])('offer %s, we want %s → answer %s', (offered, wanted, expected) => {
    const a = answer(offerOf('m=audio 5000 RTP/AVP 0', `a=${offered}`), { ...policy, direction: wanted });
    expect(a.parsed.media[0]!.direction).toBe(expected);
    expect([a.audio.send, a.audio.recv]).toEqual([
      expected === 'sendrecv' || expected === 'sendonly',
      expected === 'sendrecv' || expected === 'recvonly',
    ]);
  });

  it('recognises hold: sendonly, inactive and RFC 2543 c=0.0.0.0, but not recvonly', () => {
    const held = (dir: string) => isRemoteHold(remoteAudio(session(offerOf('m=audio 5000 RTP/AVP 0', dir)))!);
    expect(held('a=sendonly')).toBe(true);
    expect(held('a=inactive')).toBe(true);
    expect(held('a=recvonly')).toBe(false);
    expect(held('a=sendrecv')).toBe(false);
    expect(isRemoteHold(remoteAudio(session(OLD_HOLD_OFFER))!)).toBe(true);
    const a = answer(OLD_HOLD_OFFER);
    expect(a.audio).toMatchObject({ remoteHold: true, send: false, recv: true });
    expect(a.parsed.media[0]!.direction).toBe('recvonly');
  });

  it('in a re-INVITE keeps our origin and bumps the version only when the answer changes', () => {
    const first = answer(ASTERISK_OFFER).description;
    const same = createAnswer(session(ASTERISK_OFFER), policy, first);
    expect(same.ok && same.description).toBe(first);
    const heldOffer = ASTERISK_OFFER.replace('a=sendrecv', 'a=sendonly');
    const held = createAnswer(session(heldOffer), policy, first);
    expect(held.ok && held.description.origin).toEqual({ ...first.origin, sessionVersion: 2 });
    expect(held.ok && session(held.description.sdp).media[0]!.direction).toBe('recvonly');
  });

  it('tells a session refresh (same o= version) from a change', () => {
    const a = session(ASTERISK_OFFER);
    expect(remoteChanged(a, session(ASTERISK_OFFER.replace('a=sendrecv', 'a=sendonly')))).toBe(false);
    expect(
      remoteChanged(a, session(ASTERISK_OFFER.replace('1700000000 1700000000', '1700000000 1700000001'))),
    ).toBe(true);
    expect(
      remoteChanged(a, session(ASTERISK_OFFER.replace('1700000000 1700000000', '1700000009 1700000000'))),
    ).toBe(true);
  });
});

describe('readAnswer', () => {
  const ours = (): LocalDescription =>
    createOffer({ sessionId: '9' }, { address: '192.0.2.50', port: 40000 });

  it('reads SIPp’s answer to our offer', () => {
    const r = readAnswer(ours(), session(SIPP_OFFER));
    expect(r).toMatchObject({
      ok: true,
      audio: {
        remoteAddress: '127.0.0.1',
        remotePort: 6000,
        codecs: [{ name: 'PCMU', payloadType: 0 }],
        telephoneEvent: null,
      },
    });
  });

  it('reads an answer made by createAnswer (our own stack on the other side)', () => {
    const offer = ours();
    const made = createAnswer(
      session(offer.sdp),
      { address: '198.51.100.7', port: 30000, codecs: ['PCMA', 'PCMU'] },
      seed,
    );
    if (!made.ok) throw new Error(made.code);
    const r = readAnswer(offer, session(made.description.sdp));
    expect(r).toMatchObject({
      ok: true,
      audio: {
        remotePort: 30000,
        codecs: [
          { name: 'PCMA', payloadType: 8 },
          { name: 'PCMU', payloadType: 0 },
        ],
        telephoneEvent: { payloadType: 101 },
        send: true,
        recv: true,
      },
    });
  });

  it('reads a recvonly answer to our hold re-offer: we send, we do not receive', () => {
    const held = hold(ours());
    const r = readAnswer(
      held,
      session(SIPP_OFFER.replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 PCMU/8000\na=recvonly')),
    );
    expect(r).toMatchObject({ ok: true, audio: { send: true, recv: false, remoteHold: false } });
  });

  it('refuses answers that do not fit the offer', () => {
    const offer = ours();
    expect(readAnswer(offer, session(SIPP_OFFER.replace('m=audio 6000', 'm=audio 0')))).toMatchObject({
      code: 'SDP_NO_COMMON_CODEC',
    });
    expect(readAnswer(offer, session(`${SIPP_OFFER}m=video 0 RTP/AVP 31\r\n`))).toMatchObject({
      code: 'SDP_ANSWER_MISMATCH',
    });
    expect(readAnswer(offer, session(G729_ONLY_OFFER))).toMatchObject({ code: 'SDP_ANSWER_MISMATCH' });
    expect(readAnswer(offer, session(T38_OFFER))).toMatchObject({ code: 'SDP_ANSWER_MISMATCH' });
  });
});
