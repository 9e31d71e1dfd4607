import { decodeG711, type G711Law } from '../codec/g711';
import type { Rfc4733Receiver } from '../dtmf/rfc4733';
import { type FrameKind, JitterBuffer, type JitterBufferOptions } from '../jitter/jitter-buffer';
import type { LegStats } from '../leg';
import { ReceiverStats } from './receiver-stats';

/**
 * What a leg does with the peer's RTP once the transport accepted a packet (UDP for `RtpLeg`, SRTP for
 * `WebRtcLeg`): RFC 3550 sequence and jitter statistics per source, audio into the jitter buffer,
 * telephone-events to the RFC 4733 receiver. A new SSRC (the peer restarted its stream) starts fresh
 * statistics and an empty buffer. Runs on the worker's thread, one call per packet and per tick.
 */
export class InboundStream {
  #ssrc: number | undefined;
  #stats: ReceiverStats | undefined;
  #jb: JitterBuffer;
  #received = 0;

  constructor(
    private readonly law: G711Law,
    private readonly jitter: Partial<JitterBufferOptions> | undefined,
    private readonly events: Rfc4733Receiver,
  ) {
    this.#jb = new JitterBuffer(jitter);
  }

  /** The peer's current source, once a packet came. */
  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  /** Its RFC 3550 statistics (RTCP report blocks, sender reports), once a packet came. */
  get stats(): ReceiverStats | undefined {
    return this.#stats;
  }

  /** Takes one packet; false when its sequence number jumped too far (the caller counts the drop). */
  push(
    telephoneEvent: boolean,
    ssrc: number,
    sequenceNumber: number,
    timestamp: number,
    payload: Uint8Array,
    nowMs: number,
  ): boolean {
    if (ssrc !== this.#ssrc) {
      if (this.#ssrc !== undefined) this.#jb = new JitterBuffer(this.jitter);
      this.#ssrc = ssrc;
      this.#stats = new ReceiverStats(ssrc, sequenceNumber);
    }
    if (!this.#stats!.update(sequenceNumber, timestamp, nowMs)) return false;
    this.#received++;
    if (telephoneEvent) this.events.receive(timestamp, payload, nowMs);
    else this.#jb.push(timestamp, decodeG711(this.law, payload), nowMs);
    return true;
  }

  /** This tick's 20 ms frame (events whose end was lost are closed meanwhile). */
  pop(nowMs: number): { kind: FrameKind; pcm: Int16Array } {
    this.events.tick(nowMs);
    return this.#jb.pop(nowMs);
  }

  figures(): Pick<LegStats, 'packetsReceived' | 'lost' | 'expected' | 'jitterMs' | 'jitterBuffer'> {
    const r = this.#stats;
    return {
      packetsReceived: this.#received,
      lost: r ? Math.max(0, r.lost) : 0,
      expected: r ? r.expected : 0,
      jitterMs: r ? r.jitterMs : 0,
      jitterBuffer: { ...this.#jb.stats },
    };
  }
}
