/**
 * The typed view of a received session description. `parseSdp` builds it from `sdp-transform`'s
 * output after checking every field we rely on, so consumers never meet the strings-for-numbers or
 * missing fields that a hostile or broken peer can produce.
 */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpConnection {
  readonly addrType: 'IP4' | 'IP6';
  /** A unicast address (IPv6 without brackets) or a host name; `0.0.0.0` is kept (RFC 2543 hold). */
  readonly address: string;
}

export interface SdpOrigin {
  readonly username: string;
  /** Digits, as written (often wider than a safe integer). */
  readonly sessionId: string;
  /** RFC 3264 §8: unchanged version ⇒ unchanged description. */
  readonly sessionVersion: bigint;
  readonly addrType: 'IP4' | 'IP6';
  readonly address: string;
}

/** One RTP payload format of an m-line, from its `a=rtpmap` or, for static types, RFC 3551's table. */
export interface RtpFormat {
  readonly payloadType: number;
  /** As written (`PCMU`, `pcmu`, `telephone-event`); compare case-insensitively. */
  readonly encoding: string;
  readonly clockRate: number;
  readonly channels: number;
  /** The `a=fmtp` parameters for this payload type, as written; `null` when absent. */
  readonly fmtp: string | null;
}

export interface SdpMedia {
  /** Position among the m-lines (answers keep the order). */
  readonly index: number;
  /** `audio`, `video`, `image`, `application`, … */
  readonly type: string;
  /** 0 means the stream is rejected or disabled. */
  readonly port: number;
  /** `RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF`, `udptl`, … as written. */
  readonly protocol: string;
  /** The format tokens of the m-line, in order. */
  readonly formats: readonly string[];
  /** For RTP profiles: each numeric format whose encoding is known, in m-line order. */
  readonly rtp: readonly RtpFormat[];
  /** Media-level direction, else session-level, else `sendrecv` (RFC 3264 §5.1). */
  readonly direction: Direction;
  /** Media-level `c=`, else session-level; `null` only when the port is 0. */
  readonly connection: SdpConnection | null;
  /** `a=ptime` in ms, when given and sane. */
  readonly ptime: number | null;
  /** `a=rtcp` port (RFC 3605), when given. */
  readonly rtcpPort: number | null;
  readonly rtcpMux: boolean;
}

export interface SdpSession {
  readonly origin: SdpOrigin;
  readonly name: string;
  /** Session-level `c=`. */
  readonly connection: SdpConnection | null;
  readonly media: readonly SdpMedia[];
}

export interface DirectionFlags {
  readonly send: boolean;
  readonly recv: boolean;
}

export function directionFlags(d: Direction): DirectionFlags {
  return { send: d === 'sendrecv' || d === 'sendonly', recv: d === 'sendrecv' || d === 'recvonly' };
}

export function directionOf(f: DirectionFlags): Direction {
  if (f.send) return f.recv ? 'sendrecv' : 'sendonly';
  return f.recv ? 'recvonly' : 'inactive';
}
