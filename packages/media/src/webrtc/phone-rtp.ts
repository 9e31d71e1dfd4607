import type { G711Law } from '../codec/g711';
import { Rfc4733Receiver, Rfc4733Sender } from '../dtmf/rfc4733';
import type { JitterBufferOptions } from '../jitter/jitter-buffer';
import { type DtmfEvent, FRAME_MS, FRAME_SAMPLES, type LegStats } from '../leg';
import { InboundStream } from '../rtp/inbound-stream';

/** The header fields of the next packet a phone leg sends, and its RFC 4733 payload when it is an event. */
export interface NextPacket {
  readonly payloadType: number;
  readonly marker: boolean;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  /** Set: send this telephone-event payload instead of the audio frame. */
  readonly event: Uint8Array | undefined;
}

/**
 * The RTP side of an agent's phone leg, whatever carries it (werift's `WebRtcLeg` or libdatachannel's
 * `NativeWebRtcLeg`): received packets filtered by payload type into the `InboundStream` (statistics,
 * jitter buffer, RFC 4733 receiver), and what goes out — SSRC, sequence, the 20 ms media clock, the
 * talkspurt marker and the RFC 4733 sender interleaved with audio — with the leg's counters. The
 * transports only move packets.
 */
export class PhoneRtp {
  /** Negotiated in the answer. */
  pt: number;
  tePt: number | undefined;
  /** Ours (random; a transport that picks its own, as werift's sender does, sets it). */
  ssrc: number;
  readonly #in: InboundStream;
  readonly #dtmf = new Rfc4733Sender();
  readonly #dropped: Record<string, number> = {};
  readonly #tsBase: number;
  #seq: number;
  #ts: number;
  #tsOriginMs: number | undefined;
  #frameIndex = -1;
  #firstSend = true;
  #sent = 0;
  #sendErrors = 0;

  constructor(
    readonly legId: string,
    law: G711Law,
    o: {
      readonly random?: () => number;
      readonly jitter?: Partial<JitterBufferOptions>;
      readonly onDtmf?: (event: DtmfEvent) => void;
    },
  ) {
    this.pt = law === 'PCMU' ? 0 : 8;
    const random = o.random ?? Math.random;
    this.ssrc = (Math.floor(random() * (2 ** 32 - 1)) + 1) >>> 0;
    this.#seq = Math.floor(random() * 0x10000);
    this.#tsBase = Math.floor(random() * 2 ** 32) >>> 0;
    this.#ts = this.#tsBase;
    const events = new Rfc4733Receiver((r) =>
      o.onDtmf?.({ legId, digit: r.digit, durationMs: r.durationMs, source: 'rfc4733' }),
    );
    this.#in = new InboundStream(law, o.jitter, events);
  }

  /** A received RTP packet (decrypted): audio or telephone-event into the stream, anything else counted. */
  receive(
    payloadType: number,
    ssrc: number,
    sequenceNumber: number,
    timestamp: number,
    payload: Uint8Array,
    nowMs: number,
  ): void {
    if (payloadType !== this.pt && payloadType !== this.tePt) {
      this.drop(payloadType === 13 ? 'comfort-noise' : 'payload-type');
      return;
    }
    const event = payloadType === this.tePt;
    if (!this.#in.push(event, ssrc, sequenceNumber, timestamp, payload, nowMs)) this.drop('sequence-jump');
  }

  drop(reason: string): void {
    this.#dropped[reason] = (this.#dropped[reason] ?? 0) + 1;
  }

  receiveFrame(nowMs: number): Int16Array {
    return this.#in.pop(nowMs).pcm;
  }

  /**
   * Advances the media clock to this 20 ms tick — every tick, sent or not, so timestamps follow the
   * wall clock across gaps.
   */
  advance(nowMs: number): void {
    this.#tsOriginMs ??= nowMs;
    this.#frameIndex = Math.max(this.#frameIndex + 1, Math.round((nowMs - this.#tsOriginMs) / FRAME_MS));
    this.#ts = (this.#tsBase + this.#frameIndex * FRAME_SAMPLES) >>> 0;
  }

  /** The header fields of the packet to send at this tick (a pending DTMF event first); `sent()` after. */
  packet(): NextPacket {
    const event = this.tePt === undefined ? undefined : this.#dtmf.next(this.#ts);
    return {
      payloadType: event ? this.tePt! : this.pt,
      marker: event ? event.marker : this.#firstSend,
      sequenceNumber: this.#seq,
      timestamp: event ? event.ts : this.#ts,
      ssrc: this.ssrc,
      event: event?.payload,
    };
  }

  sent(): void {
    this.#firstSend = false;
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#sent++;
  }

  sendError(): void {
    this.#sendErrors++;
  }

  /** The next packet starts a talkspurt (marker bit): after a pause in sending (idle phone). */
  resume(): void {
    this.#firstSend = true;
  }

  sendDtmf(digits: string, durationMs: number): void {
    this.#dtmf.enqueue(digits, durationMs);
  }

  stats(): LegStats {
    return {
      legId: this.legId,
      packetsSent: this.#sent,
      dropped:
        this.#sendErrors > 0 ? { ...this.#dropped, 'send-error': this.#sendErrors } : { ...this.#dropped },
      ...this.#in.figures(),
      remote: undefined,
    };
  }
}
