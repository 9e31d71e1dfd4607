import { isIPv4, isIPv6 } from 'node:net';
import { type MediaAttributes, type MediaDescription, write } from 'sdp-transform';
import {
  AUDIO_CODECS,
  type AudioCodecName,
  DEFAULT_CODECS,
  DEFAULT_TELEPHONE_EVENT_PT,
  DEFAULT_TELEPHONE_EVENTS,
  TELEPHONE_EVENT,
} from './codecs';
import { type Direction, directionFlags, directionOf } from './sdp-model';

/**
 * What we send: our session descriptions, as data plus the text rendered from them. One
 * `LocalDescription` per SDP we send in a dialog; the next one is derived from the previous so that
 * the o= line follows RFC 3264 §8 — same username, session id and address, and a version that grows by
 * exactly one when, and only when, anything else in the description changed.
 */
export interface LocalOrigin {
  /** `-` unless told otherwise. */
  readonly username: string;
  /** Digits; chosen once per session (e.g. random or an NTP timestamp), passed in. */
  readonly sessionId: string;
  /** A safe integer: ours start small and grow by one per change. */
  readonly sessionVersion: number;
  /** The o= address; by default the connection address. */
  readonly address: string;
}

export interface TelephoneEventChoice {
  readonly payloadType: number;
  /** RFC 4733 event list, e.g. `0-16`. */
  readonly events: string;
}

export interface RtpCodecChoice {
  readonly name: AudioCodecName;
  readonly payloadType: number;
}

/** Our audio stream: what we receive on, what we accept, and which way media flows. */
export interface LocalAudioStream {
  readonly kind: 'audio';
  readonly port: number;
  /** In our order of preference; the first is the one we send. */
  readonly codecs: readonly RtpCodecChoice[];
  readonly telephoneEvent: TelephoneEventChoice | null;
  readonly ptime: number | null;
  readonly direction: Direction;
}

/** An m-line we declined (RFC 3264 §6: port 0, the offer's type, protocol and formats). */
export interface RejectedStream {
  readonly kind: 'rejected';
  readonly type: string;
  readonly protocol: string;
  readonly formats: readonly string[];
}

export type LocalStream = LocalAudioStream | RejectedStream;

export interface LocalDescription {
  readonly origin: LocalOrigin;
  /** Session-level c= address: where we receive RTP. */
  readonly address: string;
  /** In m-line order; a later offer keeps every earlier m-line (RFC 3264 §8). */
  readonly streams: readonly LocalStream[];
  /** The rendered SDP, CRLF line ends. */
  readonly sdp: string;
}

export interface OriginSeed {
  readonly sessionId: string;
  /** Default 0. */
  readonly sessionVersion?: number;
  readonly username?: string;
  /** Default: the connection address. */
  readonly address?: string;
}

export interface OfferOptions {
  /** Our RTP address (IPv4 or IPv6 literal). */
  readonly address: string;
  readonly port: number;
  /** Default PCMU, PCMA. */
  readonly codecs?: readonly AudioCodecName[];
  /** Default `{ payloadType: 101, events: '0-16' }`; `null` offers no telephone-event. */
  readonly telephoneEvent?: TelephoneEventChoice | null;
  /** Default 20; `null` leaves a=ptime out. */
  readonly ptime?: number | null;
  /** Default sendrecv. */
  readonly direction?: Direction;
}

/** The first offer of a session: one audio stream. Throws `RangeError` on options we would not send. */
export function createOffer(seed: OriginSeed, o: OfferOptions): LocalDescription {
  const stream: LocalAudioStream = {
    kind: 'audio',
    port: o.port,
    codecs: (o.codecs ?? DEFAULT_CODECS).map((name) => ({
      name,
      payloadType: AUDIO_CODECS[name].payloadType,
    })),
    telephoneEvent:
      o.telephoneEvent === undefined
        ? { payloadType: DEFAULT_TELEPHONE_EVENT_PT, events: DEFAULT_TELEPHONE_EVENTS }
        : o.telephoneEvent,
    ptime: o.ptime === undefined ? 20 : o.ptime,
    direction: o.direction ?? 'sendrecv',
  };
  return firstDescription(seed, o.address, [stream]);
}

/** Our first SDP of a session (offer or answer). */
export function firstDescription(
  seed: OriginSeed,
  address: string,
  streams: readonly LocalStream[],
): LocalDescription {
  const origin: LocalOrigin = {
    username: seed.username ?? '-',
    sessionId: seed.sessionId,
    sessionVersion: seed.sessionVersion ?? 0,
    address: seed.address ?? address,
  };
  check(origin, address, streams);
  return { origin, address, streams, sdp: render(origin, address, streams) };
}

/**
 * The next SDP we send in this session: the same origin, the version bumped by one only when the
 * description differs from `previous` (a session refresh re-sends it unchanged, same version).
 */
export function nextDescription(
  previous: LocalDescription,
  address: string,
  streams: readonly LocalStream[],
): LocalDescription {
  check(previous.origin, address, streams);
  const same = render(previous.origin, address, streams);
  if (same === previous.sdp) return previous;
  const origin = { ...previous.origin, sessionVersion: previous.origin.sessionVersion + 1 };
  return { origin, address, streams, sdp: render(origin, address, streams) };
}

export interface AudioChange {
  readonly address?: string;
  readonly port?: number;
  readonly codecs?: readonly RtpCodecChoice[];
  readonly telephoneEvent?: TelephoneEventChoice | null;
  readonly ptime?: number | null;
  readonly direction?: Direction;
}

/**
 * A re-offer (re-INVITE or UPDATE) from the last SDP we sent: applies `change` to our audio stream and
 * keeps every other m-line as it was. The version grows only when something really changed.
 */
export function reoffer(previous: LocalDescription, change: AudioChange = {}): LocalDescription {
  const streams = previous.streams.map((s) => {
    if (s.kind !== 'audio') return s;
    const next: LocalAudioStream = {
      ...s,
      ...(change.port === undefined ? {} : { port: change.port }),
      ...(change.codecs === undefined ? {} : { codecs: change.codecs }),
      ...(change.telephoneEvent === undefined ? {} : { telephoneEvent: change.telephoneEvent }),
      ...(change.ptime === undefined ? {} : { ptime: change.ptime }),
      ...(change.direction === undefined ? {} : { direction: change.direction }),
    };
    return next;
  });
  return nextDescription(previous, change.address ?? previous.address, streams);
}

export function audioStream(d: LocalDescription): LocalAudioStream | null {
  return d.streams.find((s): s is LocalAudioStream => s.kind === 'audio') ?? null;
}

/**
 * Put the peer on hold (RFC 3264 §8.4): stop receiving — sendrecv becomes sendonly (we may send music
 * on hold), recvonly becomes inactive — or, with `inactive`, stop both ways.
 */
export function hold(
  previous: LocalDescription,
  mode: 'sendonly' | 'inactive' = 'sendonly',
): LocalDescription {
  const audio = audioStream(previous);
  if (audio === null) return previous;
  const send = mode === 'sendonly' && directionFlags(audio.direction).send;
  return reoffer(previous, { direction: directionOf({ send, recv: false }) });
}

/** Take the peer off hold: media both ways again (or `direction`, e.g. what it was before the hold). */
export function resume(previous: LocalDescription, direction: Direction = 'sendrecv'): LocalDescription {
  return reoffer(previous, { direction });
}

function check(origin: LocalOrigin, address: string, streams: readonly LocalStream[]): void {
  if (!/^\d{1,20}$/.test(origin.sessionId)) throw new RangeError('sessionId must be 1–20 digits');
  if (!Number.isSafeInteger(origin.sessionVersion) || origin.sessionVersion < 0) {
    throw new RangeError('sessionVersion must be a non-negative safe integer');
  }
  if (!/^[\x21-\x7e]+$/.test(origin.username)) throw new RangeError('username must be a visible token');
  for (const a of [address, origin.address]) {
    if (!isIPv4(a) && !isIPv6(a)) throw new RangeError(`not an IP address: ${a}`);
  }
  for (const s of streams) {
    if (s.kind === 'rejected') continue;
    if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65_535) throw new RangeError('bad RTP port');
    if (s.codecs.length === 0) throw new RangeError('an audio stream needs a codec');
    const pts = [
      ...s.codecs.map((c) => c.payloadType),
      ...(s.telephoneEvent ? [s.telephoneEvent.payloadType] : []),
    ];
    if (new Set(pts).size !== pts.length || pts.some((pt) => !Number.isInteger(pt) || pt < 0 || pt > 127)) {
      throw new RangeError('payload types must be distinct, 0–127');
    }
    if (s.telephoneEvent && !/^[\d,-]+$/.test(s.telephoneEvent.events))
      throw new RangeError('bad event list');
    if (s.ptime !== null && !(Number.isInteger(s.ptime) && s.ptime > 0 && s.ptime <= 1000)) {
      throw new RangeError('bad ptime');
    }
  }
}

const ipVer = (a: string) => (isIPv6(a) ? 6 : 4);

function render(origin: LocalOrigin, address: string, streams: readonly LocalStream[]): string {
  const media = streams.map((s): MediaDescription => {
    if (s.kind === 'rejected') {
      return {
        type: s.type,
        port: 0,
        protocol: s.protocol,
        payloads: s.formats.join(' '),
        rtp: [],
        fmtp: [],
      };
    }
    const rtp: MediaAttributes['rtp'] = s.codecs.map((c) => ({
      payload: c.payloadType,
      codec: AUDIO_CODECS[c.name].encoding,
      rate: AUDIO_CODECS[c.name].clockRate,
    }));
    const fmtp: MediaAttributes['fmtp'] = [];
    if (s.telephoneEvent !== null) {
      rtp.push({ payload: s.telephoneEvent.payloadType, codec: TELEPHONE_EVENT, rate: 8000 });
      fmtp.push({ payload: s.telephoneEvent.payloadType, config: s.telephoneEvent.events });
    }
    return {
      type: 'audio',
      port: s.port,
      protocol: 'RTP/AVP',
      payloads: rtp.map((r) => r.payload).join(' '),
      rtp,
      fmtp,
      ...(s.ptime === null ? {} : { ptime: s.ptime }),
      direction: s.direction,
    };
  });
  return write({
    version: 0,
    origin: {
      username: origin.username,
      sessionId: origin.sessionId,
      sessionVersion: origin.sessionVersion,
      netType: 'IN',
      ipVer: ipVer(origin.address),
      address: origin.address,
    },
    name: '-',
    connection: { version: ipVer(address), ip: address },
    timing: { start: 0, stop: 0 },
    media,
  });
}
