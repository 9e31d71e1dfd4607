/**
 * The RTCP we need (RFC 3550 §6): sender and receiver reports, SDES CNAME, BYE. Parsing never throws;
 * packet types we do not use (APP, XR, feedback) are skipped by their length word.
 */

export interface ReportBlock {
  readonly ssrc: number;
  /** Fraction lost since the previous report, 0–255 (/256). */
  readonly fractionLost: number;
  /** Cumulative packets lost, signed 24-bit (duplicates can make it negative). */
  readonly cumulativeLost: number;
  readonly extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units. */
  readonly jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from this source, 0 if none. */
  readonly lastSr: number;
  /** Delay since that SR, in 1/65536 s. */
  readonly delaySinceLastSr: number;
}

export interface SenderInfo {
  /** NTP timestamp, seconds since 1900 (integer part) and fraction (32-bit). */
  readonly ntpSeconds: number;
  readonly ntpFraction: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
}

export type RtcpPacket =
  | { type: 'sr'; ssrc: number; sender: SenderInfo; reports: ReportBlock[] }
  | { type: 'rr'; ssrc: number; reports: ReportBlock[] }
  | { type: 'sdes'; cnames: { ssrc: number; cname: string }[] }
  | { type: 'bye'; ssrcs: number[]; reason: string | undefined }
  | { type: 'other'; packetType: number };

export type RtcpRejectReason = 'too-short' | 'bad-version' | 'length-overrun' | 'bad-report-count';

export type RtcpParseResult = { ok: true; packets: RtcpPacket[] } | { ok: false; reason: RtcpRejectReason };

const PT_SR = 200;
const PT_RR = 201;
const PT_SDES = 202;
const PT_BYE = 203;
const NTP_EPOCH_OFFSET_S = 2_208_988_800;

/** NTP timestamp parts of a Unix time in milliseconds. */
export function ntpFromUnixMs(ms: number): { ntpSeconds: number; ntpFraction: number } {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return { ntpSeconds: (seconds + NTP_EPOCH_OFFSET_S) >>> 0, ntpFraction: fraction >>> 0 };
}

/** The middle 32 bits of an NTP timestamp, as carried in LSR. */
export function ntpMiddle32(ntpSeconds: number, ntpFraction: number): number {
  return (((ntpSeconds & 0xffff) << 16) | (ntpFraction >>> 16)) >>> 0;
}

export function parseRtcp(datagram: Uint8Array): RtcpParseResult {
  if (datagram.length < 4) return { ok: false, reason: 'too-short' };
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.length);
  const packets: RtcpPacket[] = [];
  let offset = 0;
  while (offset < datagram.length) {
    if (offset + 4 > datagram.length) return { ok: false, reason: 'too-short' };
    const b0 = datagram[offset]!;
    if (b0 >> 6 !== 2) return { ok: false, reason: 'bad-version' };
    const count = b0 & 0x1f;
    const pt = datagram[offset + 1]!;
    const end = offset + 4 + view.getUint16(offset + 2) * 4;
    if (end > datagram.length) return { ok: false, reason: 'length-overrun' };
    const body = offset + 4;
    switch (pt) {
      case PT_SR: {
        if (body + 24 + count * 24 > end) return { ok: false, reason: 'bad-report-count' };
        packets.push({
          type: 'sr',
          ssrc: view.getUint32(body),
          sender: {
            ntpSeconds: view.getUint32(body + 4),
            ntpFraction: view.getUint32(body + 8),
            rtpTimestamp: view.getUint32(body + 12),
            packetCount: view.getUint32(body + 16),
            octetCount: view.getUint32(body + 20),
          },
          reports: readBlocks(view, body + 24, count),
        });
        break;
      }
      case PT_RR: {
        if (body + 4 + count * 24 > end) return { ok: false, reason: 'bad-report-count' };
        packets.push({ type: 'rr', ssrc: view.getUint32(body), reports: readBlocks(view, body + 4, count) });
        break;
      }
      case PT_SDES:
        packets.push({ type: 'sdes', cnames: readCnames(datagram, body, end, count) });
        break;
      case PT_BYE: {
        if (body + count * 4 > end) return { ok: false, reason: 'bad-report-count' };
        const ssrcs: number[] = [];
        for (let i = 0; i < count; i++) ssrcs.push(view.getUint32(body + i * 4));
        let reason: string | undefined;
        const r = body + count * 4;
        if (r < end) {
          const n = datagram[r]!;
          if (r + 1 + n <= end) reason = new TextDecoder().decode(datagram.subarray(r + 1, r + 1 + n));
        }
        packets.push({ type: 'bye', ssrcs, reason });
        break;
      }
      default:
        packets.push({ type: 'other', packetType: pt });
    }
    offset = end;
  }
  return { ok: true, packets };
}

function readBlocks(view: DataView, at: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const o = at + i * 24;
    const lostWord = view.getUint32(o + 4);
    const lost24 = lostWord & 0xffffff;
    blocks.push({
      ssrc: view.getUint32(o),
      fractionLost: lostWord >>> 24,
      cumulativeLost: lost24 & 0x800000 ? lost24 - 0x1000000 : lost24,
      extendedHighestSeq: view.getUint32(o + 8),
      jitter: view.getUint32(o + 12),
      lastSr: view.getUint32(o + 16),
      delaySinceLastSr: view.getUint32(o + 20),
    });
  }
  return blocks;
}

function readCnames(d: Uint8Array, from: number, end: number, count: number) {
  const view = new DataView(d.buffer, d.byteOffset, d.length);
  const out: { ssrc: number; cname: string }[] = [];
  let o = from;
  for (let chunk = 0; chunk < count && o + 4 <= end; chunk++) {
    const ssrc = view.getUint32(o);
    o += 4;
    while (o < end && d[o] !== 0) {
      const type = d[o]!;
      const len = o + 1 < end ? d[o + 1]! : 0;
      if (o + 2 + len > end) return out;
      if (type === 1) out.push({ ssrc, cname: new TextDecoder().decode(d.subarray(o + 2, o + 2 + len)) });
      o += 2 + len;
    }
    o = (o + 4) & ~3; // the null item(s) pad the chunk to a 32-bit boundary
  }
  return out;
}

function header(buf: DataView, at: number, count: number, pt: number, bytes: number): void {
  buf.setUint8(at, 0x80 | count);
  buf.setUint8(at + 1, pt);
  buf.setUint16(at + 2, bytes / 4 - 1);
}

function writeBlocks(view: DataView, at: number, blocks: readonly ReportBlock[]): void {
  blocks.forEach((b, i) => {
    const o = at + i * 24;
    view.setUint32(o, b.ssrc >>> 0);
    const lost = Math.max(-0x800000, Math.min(0x7fffff, b.cumulativeLost)) & 0xffffff;
    view.setUint32(o + 4, ((b.fractionLost & 0xff) << 24) | lost);
    view.setUint32(o + 8, b.extendedHighestSeq >>> 0);
    view.setUint32(o + 12, b.jitter >>> 0);
    view.setUint32(o + 16, b.lastSr >>> 0);
    view.setUint32(o + 20, b.delaySinceLastSr >>> 0);
  });
}

export function serializeSr(
  ssrc: number,
  sender: SenderInfo,
  reports: readonly ReportBlock[] = [],
): Uint8Array {
  if (reports.length > 31) throw new RangeError('at most 31 report blocks');
  const bytes = 28 + reports.length * 24;
  const buf = new Uint8Array(bytes);
  const view = new DataView(buf.buffer);
  header(view, 0, reports.length, PT_SR, bytes);
  view.setUint32(4, ssrc >>> 0);
  view.setUint32(8, sender.ntpSeconds >>> 0);
  view.setUint32(12, sender.ntpFraction >>> 0);
  view.setUint32(16, sender.rtpTimestamp >>> 0);
  view.setUint32(20, sender.packetCount >>> 0);
  view.setUint32(24, sender.octetCount >>> 0);
  writeBlocks(view, 28, reports);
  return buf;
}

export function serializeRr(ssrc: number, reports: readonly ReportBlock[] = []): Uint8Array {
  if (reports.length > 31) throw new RangeError('at most 31 report blocks');
  const bytes = 8 + reports.length * 24;
  const buf = new Uint8Array(bytes);
  const view = new DataView(buf.buffer);
  header(view, 0, reports.length, PT_RR, bytes);
  view.setUint32(4, ssrc >>> 0);
  writeBlocks(view, 8, reports);
  return buf;
}

export function serializeSdesCname(ssrc: number, cname: string): Uint8Array {
  const text = new TextEncoder().encode(cname).subarray(0, 255);
  const unpadded = 4 + 4 + 2 + text.length + 1; // header, ssrc, item header, text, null item
  const bytes = (unpadded + 3) & ~3;
  const buf = new Uint8Array(bytes);
  const view = new DataView(buf.buffer);
  header(view, 0, 1, PT_SDES, bytes);
  view.setUint32(4, ssrc >>> 0);
  buf[8] = 1;
  buf[9] = text.length;
  buf.set(text, 10);
  return buf;
}

export function serializeBye(ssrcs: readonly number[], reason?: string): Uint8Array {
  const text = reason ? new TextEncoder().encode(reason).subarray(0, 255) : undefined;
  const unpadded = 4 + ssrcs.length * 4 + (text ? 1 + text.length : 0);
  const bytes = (unpadded + 3) & ~3;
  const buf = new Uint8Array(bytes);
  const view = new DataView(buf.buffer);
  header(view, 0, ssrcs.length, PT_BYE, bytes);
  ssrcs.forEach((s, i) => {
    view.setUint32(4 + i * 4, s >>> 0);
  });
  if (text) {
    buf[4 + ssrcs.length * 4] = text.length;
    buf.set(text, 5 + ssrcs.length * 4);
  }
  return buf;
}

export function concatRtcp(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
