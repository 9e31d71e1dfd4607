/**
 * Reception statistics of one remote source (RFC 3550 Appendix A.1, A.3, A.8): extended sequence
 * numbers with wrap-around, expected/lost counts, fraction lost per report interval and interarrival
 * jitter. Pure: arrival times are passed in (milliseconds from any monotonic clock).
 */
import type { ReportBlock } from './rtcp';

const RTP_SEQ_MOD = 1 << 16;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export class ReceiverStats {
  readonly ssrc: number;
  readonly clockRate: number;
  #baseSeq = 0;
  #maxSeq = 0;
  #cycles = 0;
  #badSeq = RTP_SEQ_MOD + 1;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #transit: number | undefined;
  /** Jitter in timestamp units, as a float (RFC 3550 keeps it scaled by 16; we keep the real value). */
  #jitter = 0;
  #lastSrMiddle = 0;
  #lastSrArrivalMs: number | undefined;

  constructor(ssrc: number, firstSeq: number, clockRate = 8000) {
    this.ssrc = ssrc;
    this.clockRate = clockRate;
    this.#init(firstSeq);
  }

  #init(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = RTP_SEQ_MOD + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#receivedPrior = 0;
    this.#expectedPrior = 0;
  }

  /**
   * Counts one packet. Returns false when the sequence number made a very large jump (the packet
   * should be dropped unless the next one confirms the new sequence, RFC 3550 A.1).
   */
  update(seq: number, rtpTimestamp: number, arrivalMs: number): boolean {
    const udelta = (seq - this.#maxSeq) & 0xffff;
    if (udelta < MAX_DROPOUT) {
      if (seq < this.#maxSeq) this.#cycles += RTP_SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      if (seq === this.#badSeq) {
        this.#init(seq); // the source restarted: resync
      } else {
        this.#badSeq = (seq + 1) & 0xffff;
        return false;
      }
    }
    // else: duplicate or reordered packet — counted, no sequence change
    this.#received++;
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - rtpTimestamp;
    if (this.#transit !== undefined) {
      let d = transit - this.#transit;
      // timestamps wrap at 2^32: bring the difference back near zero
      if (d > 2 ** 31) d -= 2 ** 32;
      else if (d < -(2 ** 31)) d += 2 ** 32;
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#transit = transit;
    return true;
  }

  /** Notes an SR from this source, for LSR/DLSR in our next report. */
  noteSenderReport(ntpMiddle: number, arrivalMs: number): void {
    this.#lastSrMiddle = ntpMiddle;
    this.#lastSrArrivalMs = arrivalMs;
  }

  get extendedMaxSeq(): number {
    return this.#cycles + this.#maxSeq;
  }
  get expected(): number {
    return this.extendedMaxSeq - this.#baseSeq + 1;
  }
  get received(): number {
    return this.#received;
  }
  /** Lost packets so far (may be negative with duplicates). */
  get lost(): number {
    return this.expected - this.#received;
  }
  get jitterMs(): number {
    return (this.#jitter * 1000) / this.clockRate;
  }

  /** A report block; starts a new interval for the fraction lost. */
  reportBlock(nowMs: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: this.lost,
      extendedHighestSeq: this.extendedMaxSeq >>> 0,
      jitter: Math.floor(this.#jitter) >>> 0,
      lastSr: this.#lastSrMiddle,
      delaySinceLastSr:
        this.#lastSrArrivalMs === undefined
          ? 0
          : Math.floor(((nowMs - this.#lastSrArrivalMs) / 1000) * 65536),
    };
  }
}
