/**
 * Checks a browser's SDP offer before it reaches werift or libdatachannel, so that hostile or unusable
 * input fails with a stable code instead of an exception from deep inside the stack: `BAD_OFFER` (not
 * an SDP we accept: too large, no audio, no ICE credentials or DTLS fingerprint, not SRTP) or
 * `NO_COMMON_CODEC` (audio without the G.711 law we answer with). Pure; the answer's payload types
 * are read back the same way.
 */
import type { G711Law } from '../codec/g711';

export const MAX_OFFER_BYTES = 16 * 1024;

export type OfferCheck =
  | {
      ok: true;
      audioPayloadType: number;
      telephoneEventPt: number | undefined;
      /** The audio section's `a=mid` (an answer must reuse it), if any. */
      mid: string | undefined;
    }
  | { ok: false; code: 'BAD_OFFER' | 'NO_COMMON_CODEC'; reason: string };

export function checkOffer(sdp: unknown, law: G711Law): OfferCheck {
  const bad = (reason: string): OfferCheck => ({ ok: false, code: 'BAD_OFFER', reason });
  if (typeof sdp !== 'string') return bad('the offer is not text');
  if (sdp.length > MAX_OFFER_BYTES) return bad(`the offer is larger than ${MAX_OFFER_BYTES} bytes`);
  if (!sdp.startsWith('v=0')) return bad('the offer does not start with v=0');
  if (/[^\x20-\x7e\r\n\t]/.test(sdp)) return bad('the offer holds control or non-ASCII characters');
  const lines = sdp.split(/\r?\n/);
  const audioAt = lines.findIndex((l) => l.startsWith('m=audio '));
  if (audioAt < 0) return bad('no audio section (m=audio)');
  const m = lines[audioAt]!.split(' ');
  if (!m[2]?.includes('SAVPF') && !m[2]?.includes('SAVP')) return bad(`audio is not SRTP (${m[2] ?? '?'})`);
  const nextMedia = lines.findIndex((l, i) => i > audioAt && l.startsWith('m='));
  const section = lines.slice(audioAt, nextMedia < 0 ? undefined : nextMedia);
  const session = lines.slice(0, audioAt);
  const attr = (name: string) => [...session, ...section].some((l) => l.startsWith(`a=${name}:`));
  if (!attr('ice-ufrag') || !attr('ice-pwd')) return bad('no ICE credentials (a=ice-ufrag, a=ice-pwd)');
  if (!attr('fingerprint')) return bad('no DTLS fingerprint (a=fingerprint)');
  if (section.some((l) => /^a=(inactive|sendonly)\b/.test(l)))
    return bad('the audio is not sendrecv/recvonly');
  const r = readPayloadTypes(section, m.slice(3), law);
  if (r.audio === undefined)
    return { ok: false, code: 'NO_COMMON_CODEC', reason: `the offer has no ${law}/8000 audio` };
  const mid = section
    .find((l) => l.startsWith('a=mid:'))
    ?.slice(6)
    .trim();
  return { ok: true, audioPayloadType: r.audio, telephoneEventPt: r.telephoneEvent, mid: mid || undefined };
}

/** The payload types of our law and of telephone-event/8000 in an m=audio section (offer or answer). */
export function readPayloadTypes(
  section: readonly string[],
  formats: readonly string[],
  law: G711Law,
): { audio: number | undefined; telephoneEvent: number | undefined } {
  const staticPt = law === 'PCMU' ? 0 : 8;
  const rtpmap = new Map<number, string>();
  for (const l of section) {
    const match = /^a=rtpmap:(\d{1,3}) ([^\s/]+)\/(\d+)/.exec(l);
    if (match) rtpmap.set(Number(match[1]), `${match[2]!.toUpperCase()}/${match[3]}`);
  }
  let audio: number | undefined;
  let telephoneEvent: number | undefined;
  for (const f of formats) {
    const pt = Number(f);
    if (!Number.isInteger(pt) || pt < 0 || pt > 127) continue;
    const name = rtpmap.get(pt);
    if (audio === undefined && (name === `${law}/8000` || (name === undefined && pt === staticPt)))
      audio = pt;
    if (telephoneEvent === undefined && name === 'TELEPHONE-EVENT/8000') telephoneEvent = pt;
  }
  return { audio, telephoneEvent };
}

/** Reads the negotiated payload types back from our answer. */
export function answerPayloadTypes(
  sdp: string,
  law: G711Law,
): { audio: number | undefined; telephoneEvent: number | undefined } {
  const lines = sdp.split(/\r?\n/);
  const at = lines.findIndex((l) => l.startsWith('m=audio '));
  if (at < 0) return { audio: undefined, telephoneEvent: undefined };
  const next = lines.findIndex((l, i) => i > at && l.startsWith('m='));
  return readPayloadTypes(lines.slice(at, next < 0 ? undefined : next), lines[at]!.split(' ').slice(3), law);
}
