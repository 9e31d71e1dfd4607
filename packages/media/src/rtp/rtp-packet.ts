/**
 * RTP packets (RFC 3550 §5.1): parse and serialise. Parsing never throws: a hostile or broken datagram
 * comes back as `{ ok: false, reason }`, and the caller counts the reason. The parsed payload and
 * extension are views into the datagram (no copy); copy them if the datagram buffer is reused.
 */

export interface RtpHeaderExtension {
  /** The 16-bit "defined by profile" field (0xBEDE for RFC 8285 one-byte headers). */
  readonly profile: number;
  readonly data: Uint8Array;
}

export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  /** 16-bit, wraps. */
  readonly sequenceNumber: number;
  /** 32-bit, unsigned, wraps; in clock-rate units (8 kHz for G.711). */
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  readonly extension: RtpHeaderExtension | undefined;
  readonly payload: Uint8Array;
  /** Padding octets removed from the end (0 when the P bit is clear). */
  readonly paddingLength: number;
}

export type RtpRejectReason =
  | 'too-short'
  | 'bad-version'
  | 'csrc-overrun'
  | 'extension-overrun'
  | 'bad-padding'
  | 'rtcp-payload-type';

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: RtpRejectReason };

export const RTP_HEADER_BYTES = 12;

/** True when the datagram looks like RTCP under rtcp-mux (RFC 5761 §4: second octet 192–223). */
export function isRtcpMuxed(datagram: Uint8Array): boolean {
  const pt = datagram.length >= 2 ? datagram[1]! : 0;
  return pt >= 192 && pt <= 223;
}

export function parseRtp(datagram: Uint8Array): RtpParseResult {
  const len = datagram.length;
  if (len < RTP_HEADER_BYTES) return { ok: false, reason: 'too-short' };
  const b0 = datagram[0]!;
  if (b0 >> 6 !== 2) return { ok: false, reason: 'bad-version' };
  const b1 = datagram[1]!;
  const payloadType = b1 & 0x7f;
  // 72–76 would collide with RTCP SR/RR/SDES/BYE/APP when muxed (RFC 5761 §4).
  if (payloadType >= 72 && payloadType <= 76) return { ok: false, reason: 'rtcp-payload-type' };
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_BYTES + csrcCount * 4;
  if (offset > len) return { ok: false, reason: 'csrc-overrun' };
  const view = new DataView(datagram.buffer, datagram.byteOffset, len);
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(RTP_HEADER_BYTES + i * 4));
  let extension: RtpHeaderExtension | undefined;
  if (b0 & 0x10) {
    if (offset + 4 > len) return { ok: false, reason: 'extension-overrun' };
    const profile = view.getUint16(offset);
    const words = view.getUint16(offset + 2);
    const end = offset + 4 + words * 4;
    if (end > len) return { ok: false, reason: 'extension-overrun' };
    extension = { profile, data: datagram.subarray(offset + 4, end) };
    offset = end;
  }
  let paddingLength = 0;
  if (b0 & 0x20) {
    paddingLength = datagram[len - 1]!;
    if (paddingLength === 0 || offset + paddingLength > len) return { ok: false, reason: 'bad-padding' };
  }
  return {
    ok: true,
    packet: {
      marker: (b1 & 0x80) !== 0,
      payloadType,
      sequenceNumber: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      csrcs,
      extension,
      payload: datagram.subarray(offset, len - paddingLength),
      paddingLength,
    },
  };
}

export interface RtpPacketInit {
  marker?: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs?: readonly number[];
  extension?: RtpHeaderExtension;
  payload: Uint8Array;
  /** Pads the packet to a multiple of this many octets (e.g. 4 for SRTP-style alignment). */
  padTo?: number;
}

/** Writes a plain 12-octet header (no CSRC, extension or padding) at the start of `buf`. */
export function writeRtpHeader(
  buf: Uint8Array,
  h: { marker?: boolean; payloadType: number; sequenceNumber: number; timestamp: number; ssrc: number },
): void {
  buf[0] = 0x80;
  buf[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  buf[2] = (h.sequenceNumber >> 8) & 0xff;
  buf[3] = h.sequenceNumber & 0xff;
  const ts = h.timestamp >>> 0;
  buf[4] = ts >>> 24;
  buf[5] = (ts >>> 16) & 0xff;
  buf[6] = (ts >>> 8) & 0xff;
  buf[7] = ts & 0xff;
  const ssrc = h.ssrc >>> 0;
  buf[8] = ssrc >>> 24;
  buf[9] = (ssrc >>> 16) & 0xff;
  buf[10] = (ssrc >>> 8) & 0xff;
  buf[11] = ssrc & 0xff;
}

/** Serialises into a new buffer (or `out` when it is large enough; the returned view is exact). */
export function serializeRtp(p: RtpPacketInit, out?: Uint8Array): Uint8Array {
  const csrcs = p.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError('at most 15 CSRCs');
  const extBytes = p.extension ? 4 + p.extension.data.length : 0;
  if (p.extension && p.extension.data.length % 4 !== 0) {
    throw new RangeError('extension data must be a multiple of 4 octets');
  }
  const unpadded = RTP_HEADER_BYTES + csrcs.length * 4 + extBytes + p.payload.length;
  const padTo = p.padTo ?? 0;
  const padding = padTo > 1 && unpadded % padTo !== 0 ? padTo - (unpadded % padTo) : 0;
  const total = unpadded + padding;
  const buf = out && out.length >= total ? out.subarray(0, total) : new Uint8Array(total);
  const view = new DataView(buf.buffer, buf.byteOffset, total);
  buf[0] = 0x80 | (padding ? 0x20 : 0) | (p.extension ? 0x10 : 0) | csrcs.length;
  buf[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  view.setUint16(2, p.sequenceNumber & 0xffff);
  view.setUint32(4, p.timestamp >>> 0);
  view.setUint32(8, p.ssrc >>> 0);
  let offset = RTP_HEADER_BYTES;
  for (const c of csrcs) {
    view.setUint32(offset, c >>> 0);
    offset += 4;
  }
  if (p.extension) {
    view.setUint16(offset, p.extension.profile);
    view.setUint16(offset + 2, p.extension.data.length / 4);
    buf.set(p.extension.data, offset + 4);
    offset += extBytes;
  }
  buf.set(p.payload, offset);
  offset += p.payload.length;
  if (padding) {
    buf.fill(0, offset, total - 1);
    buf[total - 1] = padding;
  }
  return buf;
}
