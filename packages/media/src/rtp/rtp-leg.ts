/**
 * A plain RTP/AVP leg over UDP (G.711 + RFC 4733), the trunk side of a call.
 *
 * Receiving: datagrams are validated (`parseRtp`), dropped with a counted reason when malformed, of an
 * unknown payload type or — once latched — from an unexpected source. Symmetric RTP: the first valid RTP
 * packet latches the leg to the address it really came from (NAT, or a peer advertising another address
 * in SDP), and from then on we send there and accept nothing else until `setRemote` (a re-INVITE)
 * unlatches. Audio goes through the jitter buffer; telephone-events to the RFC 4733 receiver; in-band
 * tones are watched for until the peer shows it sends RFC 4733.
 *
 * Sending: one packet per `sendFrame` (20 ms), timestamps following the tick clock (160 per tick, more
 * after skipped ticks), also while a DTMF event replaces the audio. RTCP: an SR (or RR when we have not sent) with SDES CNAME every ~5 s (randomised
 * ±50 %, RFC 3550 §6.3.1), BYE on close.
 *
 * Threading: everything runs on the worker thread that owns the sockets.
 */
import type { RemoteInfo } from 'node:dgram';
import { encodeG711, type G711Law, payloadTypeOf } from '../codec/g711';
import { InbandDtmfDetector } from '../dtmf/goertzel';
import { Rfc4733Receiver, Rfc4733Sender } from '../dtmf/rfc4733';
import type { JitterBufferOptions } from '../jitter/jitter-buffer';
import { type DtmfEvent, FRAME_MS, FRAME_SAMPLES, type LegStats, type MediaLeg } from '../leg';
import { InboundStream } from './inbound-stream';
import type { BoundPorts } from './port-allocator';
import {
  concatRtcp,
  ntpFromUnixMs,
  ntpMiddle32,
  parseRtcp,
  type ReportBlock,
  serializeBye,
  serializeRr,
  serializeSdesCname,
  serializeSr,
} from './rtcp';
import { isRtcpMuxed, parseRtp, RTP_HEADER_BYTES, serializeRtp, writeRtpHeader } from './rtp-packet';

export interface RtpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface RtpLegOptions {
  readonly id: string;
  readonly codec: G711Law;
  /** Dynamic payload type of telephone-event/8000 negotiated in SDP (101 by custom). */
  readonly telephoneEventPt?: number;
  readonly ports: BoundPorts;
  /** From the peer's SDP; may be unknown until its first packet (then latched). */
  readonly remote?: RtpEndpoint;
  readonly rtcpMux?: boolean;
  readonly rtcpIntervalMs?: number;
  readonly inbandDtmf?: boolean;
  readonly jitter?: Partial<JitterBufferOptions>;
  /** Monotonic milliseconds (performance.now). */
  readonly now: () => number;
  /** Wall-clock Unix milliseconds, for RTCP NTP timestamps. */
  readonly wallClock?: () => number;
  readonly random?: () => number;
  readonly onDtmf?: (event: DtmfEvent) => void;
  /** The peer sent RTCP BYE. */
  readonly onBye?: (legId: string, reason: string | undefined) => void;
}

export class RtpLeg implements MediaLeg {
  readonly id: string;
  readonly #o: RtpLegOptions;
  readonly #law: G711Law;
  readonly #pt: number;
  readonly #tePt: number;
  readonly #ssrc: number;
  readonly #cname: string;
  #seq: number;
  /** Timestamp of the last frame sent; frames are numbered from the first send on the tick grid. */
  #ts: number;
  readonly #tsBase: number;
  #tsOriginMs: number | undefined;
  #frameIndex = -1;
  #sentPackets = 0;
  #sentOctets = 0;
  #firstSend = true;
  #remote: RtpEndpoint | undefined;
  #rtcpRemote: RtpEndpoint | undefined;
  #latched = false;
  readonly #in: InboundStream;
  #inband: InbandDtmfDetector | undefined;
  readonly #dropped: Record<string, number> = {};
  readonly #dtmf = new Rfc4733Sender();
  #nextRtcpMs: number;
  #lastSrSentMiddle = 0;
  #peerReport: LegStats['peerReport'];
  #closed = false;

  constructor(options: RtpLegOptions) {
    this.#o = options;
    this.id = options.id;
    this.#law = options.codec;
    this.#pt = payloadTypeOf[options.codec];
    this.#tePt = options.telephoneEventPt ?? 101;
    const random = options.random ?? Math.random;
    this.#ssrc = Math.floor(random() * 2 ** 32) >>> 0;
    this.#seq = Math.floor(random() * 0x10000);
    this.#tsBase = Math.floor(random() * 2 ** 32) >>> 0;
    this.#ts = this.#tsBase;
    this.#cname = `${options.id}@hotline`;
    this.#remote = options.remote;
    this.#rtcpRemote = options.remote && rtcpEndpointOf(options.remote, options.rtcpMux ?? false);
    const events = new Rfc4733Receiver((r) => {
      this.#inband = undefined; // the peer speaks RFC 4733: in-band tones now would double the digits
      this.#o.onDtmf?.({ legId: this.id, digit: r.digit, durationMs: r.durationMs, source: 'rfc4733' });
    });
    this.#in = new InboundStream(this.#law, options.jitter, events);
    if (options.inbandDtmf ?? true) this.#inband = new InbandDtmfDetector();
    this.#nextRtcpMs = options.now() + this.#rtcpInterval();
    options.ports.rtp.on('message', (msg, rinfo) => this.#onRtpSocket(msg, rinfo));
    options.ports.rtcp?.on('message', (msg, rinfo) => this.#onRtcp(msg, rinfo));
  }

  get localPort(): number {
    return this.#o.ports.rtpPort;
  }
  get localAddress(): string {
    return this.#o.ports.address;
  }
  get ssrc(): number {
    return this.#ssrc;
  }

  /** New signalled remote (re-INVITE): unlatches, so the next valid packet latches again. */
  setRemote(remote: RtpEndpoint): void {
    this.#remote = remote;
    this.#rtcpRemote = rtcpEndpointOf(remote, this.#o.rtcpMux ?? false);
    this.#latched = false;
  }

  #drop(reason: string): void {
    this.#dropped[reason] = (this.#dropped[reason] ?? 0) + 1;
  }

  #onRtpSocket(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    if (this.#o.rtcpMux && isRtcpMuxed(msg)) {
      this.#onRtcp(msg, rinfo);
      return;
    }
    if (this.#latched && (rinfo.address !== this.#remote?.address || rinfo.port !== this.#remote.port)) {
      this.#drop('unexpected-source');
      return;
    }
    // Port 0 is no place to answer to (a forged or replayed datagram): latching on it would make
    // every send fail and end the call.
    if (rinfo.port === 0) {
      this.#drop('bad-source');
      return;
    }
    const parsed = parseRtp(msg);
    if (!parsed.ok) {
      this.#drop(parsed.reason);
      return;
    }
    const p = parsed.packet;
    if (p.payloadType !== this.#pt && p.payloadType !== this.#tePt) {
      this.#drop(p.payloadType === 13 ? 'comfort-noise' : 'payload-type');
      return;
    }
    if (!this.#latched) {
      this.#latched = true;
      this.#remote = { address: rinfo.address, port: rinfo.port };
      this.#rtcpRemote = rtcpEndpointOf(this.#remote, this.#o.rtcpMux ?? false);
    }
    const event = p.payloadType === this.#tePt;
    const now = this.#o.now();
    if (!this.#in.push(event, p.ssrc, p.sequenceNumber, p.timestamp, p.payload, now))
      this.#drop('sequence-jump');
  }

  #onRtcp(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    const parsed = parseRtcp(msg);
    if (!parsed.ok) {
      this.#drop(`rtcp-${parsed.reason}`);
      return;
    }
    if (this.#latched && rinfo.address !== this.#remote?.address) {
      this.#drop('rtcp-unexpected-source');
      return;
    }
    if (rinfo.port === 0) {
      this.#drop('rtcp-bad-source');
      return;
    }
    this.#rtcpRemote = { address: rinfo.address, port: rinfo.port };
    const now = this.#o.now();
    for (const packet of parsed.packets) {
      if (packet.type === 'sr' && packet.ssrc === this.#in.ssrc) {
        this.#in.stats?.noteSenderReport(
          ntpMiddle32(packet.sender.ntpSeconds, packet.sender.ntpFraction),
          now,
        );
      }
      if (packet.type === 'sr' || packet.type === 'rr') {
        const mine = packet.reports.find((b) => b.ssrc === this.#ssrc);
        if (mine) this.#peerReport = this.#readReport(mine);
      }
      if (packet.type === 'bye' && packet.ssrcs.includes(this.#in.ssrc ?? -1)) {
        this.#o.onBye?.(this.id, packet.reason);
      }
    }
  }

  #readReport(b: ReportBlock): NonNullable<LegStats['peerReport']> {
    let rttMs: number | undefined;
    if (b.lastSr !== 0 && b.lastSr === this.#lastSrSentMiddle) {
      const ntp = ntpFromUnixMs((this.#o.wallClock ?? Date.now)());
      const nowMiddle = ntpMiddle32(ntp.ntpSeconds, ntp.ntpFraction);
      const rtt = (nowMiddle - b.lastSr - b.delaySinceLastSr) >>> 0;
      if (rtt < 0x80000000) rttMs = (rtt / 65536) * 1000;
    }
    return {
      fractionLost: b.fractionLost / 256,
      cumulativeLost: b.cumulativeLost,
      jitterMs: (b.jitter * 1000) / 8000,
      ...(rttMs === undefined ? {} : { rttMs }),
    };
  }

  receiveFrame(nowMs: number): Int16Array {
    const frame = this.#in.pop(nowMs);
    if (this.#inband && frame.kind === 'audio') {
      const digit = this.#inband.process(frame.pcm);
      if (digit)
        this.#o.onDtmf?.({
          legId: this.id,
          digit: digit as DtmfEvent['digit'],
          durationMs: 40,
          source: 'inband',
        });
    }
    return frame.pcm;
  }

  sendFrame(pcm: Int16Array, nowMs: number): void {
    if (this.#closed) return;
    // The timestamp follows the clock, not the count of frames sent: after ticks the worker had to skip,
    // it jumps by the time skipped, so the peer sees a gap rather than a time warp.
    this.#tsOriginMs ??= nowMs;
    this.#frameIndex = Math.max(this.#frameIndex + 1, Math.round((nowMs - this.#tsOriginMs) / FRAME_MS));
    this.#ts = (this.#tsBase + this.#frameIndex * FRAME_SAMPLES) >>> 0;
    const remote = this.#remote;
    if (remote) {
      const event = this.#nextDtmfPacket();
      const packet = event
        ? serializeRtp({
            payloadType: this.#tePt,
            marker: event.marker,
            sequenceNumber: this.#seq,
            timestamp: event.ts,
            ssrc: this.#ssrc,
            payload: event.payload,
          })
        : this.#audioPacket(pcm);
      this.#firstSend = false;
      this.#seq = (this.#seq + 1) & 0xffff;
      this.#sentPackets++;
      this.#sentOctets += packet.length - 12;
      this.#o.ports.rtp.send(packet, remote.port, remote.address);
    }
    if (nowMs >= this.#nextRtcpMs) {
      this.#nextRtcpMs = nowMs + this.#rtcpInterval();
      this.#sendRtcp(nowMs, false);
    }
  }

  /** A G.711 packet, encoded straight into the datagram (no intermediate payload buffer). */
  #audioPacket(pcm: Int16Array): Uint8Array {
    const packet = new Uint8Array(RTP_HEADER_BYTES + pcm.length);
    writeRtpHeader(packet, {
      payloadType: this.#pt,
      marker: this.#firstSend,
      sequenceNumber: this.#seq,
      timestamp: this.#ts,
      ssrc: this.#ssrc,
    });
    encodeG711(this.#law, pcm, packet.subarray(RTP_HEADER_BYTES));
    return packet;
  }

  #nextDtmfPacket(): { payload: Uint8Array; marker: boolean; ts: number } | undefined {
    return this.#dtmf.next(this.#ts);
  }

  sendDtmf(digits: string, durationMs = 100): void {
    this.#dtmf.enqueue(digits, durationMs);
  }

  #rtcpInterval(): number {
    const base = this.#o.rtcpIntervalMs ?? 5000;
    return base * (0.5 + (this.#o.random ?? Math.random)());
  }

  #sendRtcp(nowMs: number, bye: boolean): void {
    const target = this.#rtcpRemote;
    if (!target) return;
    const recv = this.#in.stats;
    const blocks = recv ? [recv.reportBlock(nowMs)] : [];
    let report: Uint8Array;
    if (this.#sentPackets > 0) {
      const ntp = ntpFromUnixMs((this.#o.wallClock ?? Date.now)());
      this.#lastSrSentMiddle = ntpMiddle32(ntp.ntpSeconds, ntp.ntpFraction);
      report = serializeSr(
        this.#ssrc,
        { ...ntp, rtpTimestamp: this.#ts, packetCount: this.#sentPackets, octetCount: this.#sentOctets },
        blocks,
      );
    } else {
      report = serializeRr(this.#ssrc, blocks);
    }
    const parts = [report, serializeSdesCname(this.#ssrc, this.#cname)];
    if (bye) parts.push(serializeBye([this.#ssrc], 'hangup'));
    const socket = this.#o.rtcpMux ? this.#o.ports.rtp : (this.#o.ports.rtcp ?? this.#o.ports.rtp);
    socket.send(concatRtcp(...parts), target.port, target.address);
  }

  stats(): LegStats {
    return {
      legId: this.id,
      packetsSent: this.#sentPackets,
      dropped: { ...this.#dropped },
      ...this.#in.figures(),
      remote: this.#remote && { ...this.#remote, latched: this.#latched },
      ...(this.#peerReport ? { peerReport: this.#peerReport } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#sendRtcp(this.#o.now(), true);
    } catch {
      // the socket may already be gone; BYE is a courtesy
    }
    this.#closed = true;
    // let the BYE leave before the sockets close
    await new Promise((resolve) => setImmediate(resolve));
    this.#o.ports.release();
  }
}

function rtcpEndpointOf(rtp: RtpEndpoint, mux: boolean): RtpEndpoint {
  return mux ? rtp : { address: rtp.address, port: rtp.port + 1 };
}
