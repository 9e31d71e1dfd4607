import { describe, expect, it } from 'vitest';
import { answerPayloadTypes, checkOffer, MAX_OFFER_BYTES } from './offer-check';

// An offer as Chromium sends it (trimmed): Opus first, G.711 further down, telephone-event at 126.
const chromium = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 AA:BB',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:63 red/48000/2',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  '',
].join('\r\n');

describe('checkOffer', () => {
  it("accepts Chromium's offer and finds G.711 and telephone-event/8000", () => {
    expect(checkOffer(chromium, 'PCMU')).toEqual({
      ok: true,
      audioPayloadType: 0,
      telephoneEventPt: 126,
      mid: '0',
    });
    expect(checkOffer(chromium, 'PCMA')).toEqual({
      ok: true,
      audioPayloadType: 8,
      telephoneEventPt: 126,
      mid: '0',
    });
  });

  it.each([
    ['not text', 42],
    ['not SDP', 'hello'],
    ['too large', `v=0\r\n${'a=x\r\n'.repeat(MAX_OFFER_BYTES / 4)}`],
    ['control characters', chromium.replace('s=-', 's=\u0000')],
    ['no audio', chromium.replace(/m=audio[^\r]*/, 'm=video 9 UDP/TLS/RTP/SAVPF 96')],
    ['plain RTP', chromium.replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP')],
    ['no ICE', chromium.replace(/a=ice-pwd:[^\r]*\r\n/, '')],
    ['no fingerprint', chromium.replace(/a=fingerprint:[^\r]*\r\n/, '')],
    ['inactive', chromium.replace('a=sendrecv', 'a=inactive')],
  ])('refuses %s with BAD_OFFER', (_, sdp) => {
    const r = checkOffer(sdp, 'PCMU');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('BAD_OFFER');
  });

  it('refuses an offer without our law with NO_COMMON_CODEC', () => {
    const opus = chromium
      .replace(/m=audio 9 (\S+) .*/, 'm=audio 9 $1 111')
      .replace(/a=rtpmap:0 [^\r]*\r\n/, '');
    expect(checkOffer(opus, 'PCMU')).toMatchObject({ ok: false, code: 'NO_COMMON_CODEC' });
  });

  it('reads the payload types of an answer; static 0 without an rtpmap counts', () => {
    expect(answerPayloadTypes('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n', 'PCMU')).toEqual({
      audio: 0,
      telephoneEvent: undefined,
    });
    expect(answerPayloadTypes('v=0\r\n', 'PCMU').audio).toBeUndefined();
  });
});
