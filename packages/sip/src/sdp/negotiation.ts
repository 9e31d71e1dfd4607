import {
  type AudioCodecName,
  DEFAULT_CODECS,
  DEFAULT_TELEPHONE_EVENTS,
  formatEventList,
  isTelephoneEvent8k,
  ourCodec,
  parseEventList,
} from './codecs';
import {
  audioStream,
  firstDescription,
  type LocalAudioStream,
  type LocalDescription,
  type LocalStream,
  nextDescription,
  type OriginSeed,
  type RtpCodecChoice,
  type TelephoneEventChoice,
} from './local-description';
import { type SdpFailure, sdpFailure } from './sdp-error';
import { type Direction, directionFlags, directionOf, type SdpMedia, type SdpSession } from './sdp-model';

/**
 * Offer/answer (RFC 3264) for one audio stream: answering a remote offer, reading the answer to our
 * offer, and recognising hold. The result of either side is the same `NegotiatedAudio`, which is all
 * the media layer needs to send and receive.
 */
export interface NegotiatedAudio {
  /** The m-line of the audio stream. */
  readonly mediaIndex: number;
  /** Where to send RTP. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The codecs both sides accept, in the answer's order: send with the first. */
  readonly codecs: readonly RtpCodecChoice[];
  readonly telephoneEvent: { readonly payloadType: number; readonly events: readonly number[] } | null;
  /** What we may do: send when the peer receives and we want to send; receive likewise. */
  readonly send: boolean;
  readonly recv: boolean;
  /** The peer put us on hold: a=sendonly/inactive, or the RFC 2543 form c=0.0.0.0. */
  readonly remoteHold: boolean;
  /** The peer's a=ptime, if any. */
  readonly remotePtime: number | null;
}

export interface AnswerPolicy {
  /** Our RTP address and port. */
  readonly address: string;
  readonly port: number;
  /** Our preference; the answer lists the common codecs in this order. Default PCMU, PCMA. */
  readonly codecs?: readonly AudioCodecName[];
  /** Answer only the best common codec (plus telephone-event). Default false: all common ones. */
  readonly singleCodec?: boolean;
  /** Events we can receive; `null` declines telephone-event. Default `0-16`. */
  readonly telephoneEvents?: string | null;
  /** Default 20; `null` leaves a=ptime out. */
  readonly ptime?: number | null;
  /** What we want (e.g. `sendonly` while we hold the peer); the offer narrows it. Default sendrecv. */
  readonly direction?: Direction;
  /** RTP profiles we take for audio. Default `RTP/AVP` (no SRTP, no DTLS, no AVPF feedback). */
  readonly protocols?: readonly string[];
}

export type AnswerResult =
  | { readonly ok: true; readonly description: LocalDescription; readonly audio: NegotiatedAudio }
  | SdpFailure;

/**
 * Answers a remote offer (RFC 3264 §6). The answer has the offer's m-lines in the same order; the first
 * active audio stream with a profile we take and a codec in common is accepted, every other m-line is
 * rejected with port 0. Common codecs keep the offer's payload type numbers (which matters for dynamic
 * types such as telephone-event at 96, 101 or 126). Fails with `SDP_NO_COMMON_CODEC` or
 * `SDP_NO_ACCEPTABLE_MEDIA` (both answered 488) when nothing can be accepted.
 *
 * `previous` is our last SDP in this dialog (a re-INVITE): the answer then keeps its origin and bumps the
 * version only if the answer differs. Without it, `seed` starts a new origin.
 */
export function createAnswer(
  offer: SdpSession,
  policy: AnswerPolicy,
  previous: LocalDescription | { readonly seed: OriginSeed },
): AnswerResult {
  const preferences = policy.codecs ?? DEFAULT_CODECS;
  const protocols = (policy.protocols ?? ['RTP/AVP']).map((p) => p.toUpperCase());
  const ourEvents = policy.telephoneEvents === undefined ? DEFAULT_TELEPHONE_EVENTS : policy.telephoneEvents;
  let accepted: { media: SdpMedia; stream: LocalAudioStream } | null = null;
  let sawAudio = false;
  const streams: LocalStream[] = offer.media.map((m) => {
    const reject = rejected(m);
    if (accepted !== null || m.port === 0 || m.type !== 'audio') return reject;
    if (!protocols.includes(m.protocol.toUpperCase())) return reject;
    sawAudio = true;
    let codecs = commonCodecs(m, preferences);
    if (codecs.length === 0) return reject;
    if (policy.singleCodec) codecs = codecs.slice(0, 1);
    const offered = offerFlags(m);
    const wanted = directionFlags(policy.direction ?? 'sendrecv');
    const stream: LocalAudioStream = {
      kind: 'audio',
      port: policy.port,
      codecs,
      telephoneEvent: answerTelephoneEvent(m, ourEvents, codecs),
      ptime: policy.ptime === undefined ? 20 : policy.ptime,
      // RFC 3264 §6.1: sendonly ↔ recvonly, inactive stays inactive, sendrecv is ours to narrow.
      direction: directionOf({ send: wanted.send && offered.recv, recv: wanted.recv && offered.send }),
    };
    accepted = { media: m, stream };
    return stream;
  });
  if (accepted === null) {
    return sawAudio
      ? sdpFailure('SDP_NO_COMMON_CODEC', 'no audio codec in common')
      : sdpFailure('SDP_NO_ACCEPTABLE_MEDIA', 'no active audio stream with a profile we take');
  }
  const { media, stream } = accepted as { media: SdpMedia; stream: LocalAudioStream };
  const description =
    'seed' in previous
      ? firstDescription(previous.seed, policy.address, streams)
      : nextDescription(previous, policy.address, streams);
  return { ok: true, description, audio: negotiated(media, stream, stream.codecs, stream.telephoneEvent) };
}

/**
 * Reads the answer to our offer (RFC 3264 §7). The answer must have as many m-lines as the offer, of the
 * same types; our audio stream must be accepted with codecs we offered. The codecs and telephone-event
 * are taken with the answer's payload type numbers (normally ours).
 */
export function readAnswer(
  offer: LocalDescription,
  answer: SdpSession,
): { readonly ok: true; readonly audio: NegotiatedAudio } | SdpFailure {
  if (answer.media.length !== offer.streams.length) {
    return sdpFailure('SDP_ANSWER_MISMATCH', `${answer.media.length} m-lines for ${offer.streams.length}`);
  }
  const index = offer.streams.findIndex((s) => s.kind === 'audio');
  const ours = audioStream(offer);
  const media = answer.media[index];
  if (ours === null || media === undefined)
    return sdpFailure('SDP_ANSWER_MISMATCH', 'no audio stream offered');
  for (const [i, m] of answer.media.entries()) {
    const s = offer.streams[i]!;
    if (m.type !== (s.kind === 'audio' ? 'audio' : s.type)) {
      return sdpFailure('SDP_ANSWER_MISMATCH', `m-line ${i + 1} type ${m.type}`);
    }
  }
  if (media.port === 0) return sdpFailure('SDP_NO_COMMON_CODEC', 'the peer rejected our audio stream');
  const offered = new Set(ours.codecs.map((c) => c.name));
  const codecs: RtpCodecChoice[] = [];
  let telephoneEvent: TelephoneEventChoice | null = null;
  for (const f of media.rtp) {
    const name = ourCodec(f);
    if (name !== null && offered.has(name)) codecs.push({ name, payloadType: f.payloadType });
    else if (ours.telephoneEvent !== null && isTelephoneEvent8k(f) && telephoneEvent === null) {
      const events = parseEventList(f.fmtp);
      if (events !== null && events.length > 0) {
        telephoneEvent = { payloadType: f.payloadType, events: formatEventList(events) };
      }
    }
  }
  if (codecs.length === 0) return sdpFailure('SDP_ANSWER_MISMATCH', 'no offered codec in the answer');
  return { ok: true, audio: negotiated(media, ours, codecs, telephoneEvent) };
}

/** The peer holds us (RFC 3264 §8.4): it does not want to receive, said either way. */
export function isRemoteHold(m: SdpMedia): boolean {
  return !offerFlags(m).recv;
}

/** The audio stream of a received description that we would look at (the first active m=audio). */
export function remoteAudio(s: SdpSession): SdpMedia | null {
  return s.media.find((m) => m.type === 'audio' && m.port !== 0) ?? null;
}

/**
 * RFC 3264 §8: a re-offer whose o= version equals the previous one is the same description (a session
 * refresh); anything else — including a new origin, which strictly should not happen — is a change.
 */
export function remoteChanged(previous: SdpSession, next: SdpSession): boolean {
  const a = previous.origin;
  const b = next.origin;
  return !(
    a.username === b.username &&
    a.sessionId === b.sessionId &&
    a.address === b.address &&
    a.sessionVersion === b.sessionVersion
  );
}

/** The offer's direction, with c=0.0.0.0 (RFC 2543 hold, RFC 3264 §8.4) read as "does not receive". */
function offerFlags(m: SdpMedia) {
  const f = directionFlags(m.direction);
  return m.connection?.address === '0.0.0.0' ? { send: f.send, recv: false } : f;
}

/** RFC 3264 §6: port 0, the offer's protocol, its formats (at least one); nothing we would not write. */
function rejected(m: SdpMedia): LocalStream {
  const formats = m.formats.filter((f) => /^[\x21-\x7e]+$/.test(f));
  return {
    kind: 'rejected',
    type: m.type,
    protocol: m.protocol,
    formats: formats.length > 0 ? formats : ['0'],
  };
}

function commonCodecs(m: SdpMedia, preferences: readonly AudioCodecName[]): RtpCodecChoice[] {
  const offered = new Map<AudioCodecName, number>();
  for (const f of m.rtp) {
    const name = ourCodec(f);
    if (name !== null && !offered.has(name)) offered.set(name, f.payloadType);
  }
  return preferences.flatMap((name) => {
    const payloadType = offered.get(name);
    return payloadType === undefined ? [] : [{ name, payloadType }];
  });
}

function answerTelephoneEvent(
  m: SdpMedia,
  ourEvents: string | null,
  codecs: readonly RtpCodecChoice[],
): TelephoneEventChoice | null {
  if (ourEvents === null) return null;
  const ours = new Set(parseEventList(ourEvents) ?? []);
  const taken = new Set(codecs.map((c) => c.payloadType));
  for (const f of m.rtp) {
    if (!isTelephoneEvent8k(f) || taken.has(f.payloadType)) continue;
    const common = (parseEventList(f.fmtp) ?? []).filter((e) => ours.has(e));
    if (common.length > 0) return { payloadType: f.payloadType, events: formatEventList(common) };
  }
  return null;
}

function negotiated(
  m: SdpMedia,
  ours: LocalAudioStream,
  codecs: readonly RtpCodecChoice[],
  te: TelephoneEventChoice | null,
): NegotiatedAudio {
  const peer = offerFlags(m);
  const mine = directionFlags(ours.direction);
  return {
    mediaIndex: m.index,
    remoteAddress: m.connection?.address ?? '',
    remotePort: m.port,
    codecs,
    telephoneEvent:
      te === null ? null : { payloadType: te.payloadType, events: parseEventList(te.events) ?? [] },
    send: mine.send && peer.recv,
    recv: mine.recv && peer.send,
    remoteHold: !peer.recv,
    remotePtime: m.ptime,
  };
}
