/**
 * Adaptive jitter buffer for one received stream of 8 kHz PCM in 20 ms frames. Pure: the caller passes
 * arrival and playout times (milliseconds on any monotonic clock), so tests script arrivals on a fake
 * clock.
 *
 * Contract: `push` for every decoded audio packet as it arrives (the buffer keeps the array: hand over a
 * fresh one, as `decodeG711` returns); `pop` exactly once per 20 ms tick. Frames
 * are keyed by their RTP timestamp (unwrapped past 2^32), so reordered packets play in order, duplicates
 * and packets whose slot has passed are dropped and counted; a packet of whole frames (20, 40 ms) is
 * split at its own timestamp, one of another length (the 30 ms of some carriers) is cut on the playout
 * grid — a frame may then take pieces of two packets.
 *
 * Playout delay adapts: a late packet makes the buffer grow by one frame at once (a concealment frame
 * is played without advancing); it shrinks by one frame (a frame is skipped) when every packet of the
 * last `shrinkWindowMs` arrived with more than a frame and a half to spare and the last growth is at
 * least `holdAfterGrowMs` old — growing fast and shrinking slowly keeps a stream whose lateness comes
 * in bouts from paying a late packet every bout. Missing frames are concealed by
 * repeating the last frame with a fade, then silence. A timestamp jump beyond `resyncAfterMs` or a run
 * of late packets (the sender restarted its clock) resynchronises the buffer.
 */

export type ConcealMode = 'repeat-fade' | 'silence';

export interface JitterBufferOptions {
  readonly frameSamples: number;
  readonly clockRate: number;
  /** Delay before the first frame plays, and the floor of adaptation. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly conceal: ConcealMode;
  /** Frames over which a repeated frame fades to silence. */
  readonly fadeFrames: number;
  readonly resyncAfterMs: number;
  /** Late packets in a row (none on time between) that mean the sender's timeline moved back. */
  readonly lateRunForResync: number;
  /** Calm needed before shrinking by a frame. */
  readonly shrinkWindowMs: number;
  /** No shrinking for this long after a growth. */
  readonly holdAfterGrowMs: number;
}

export const defaultJitterOptions: JitterBufferOptions = {
  frameSamples: 160,
  clockRate: 8000,
  // 40 ms: a 20 ms floor costs every stream a late packet at the first scheduling hiccup (measured in
  // bench/media.ts on a shared machine); 40 ms is still well inside a phone call's delay budget
  minDelayMs: 40,
  maxDelayMs: 200,
  conceal: 'repeat-fade',
  fadeFrames: 3,
  resyncAfterMs: 2000,
  lateRunForResync: 5,
  shrinkWindowMs: 2000,
  holdAfterGrowMs: 10_000,
};

export type PushOutcome = 'accepted' | 'duplicate' | 'late' | 'overflow';
export type FrameKind = 'audio' | 'concealed' | 'silence';

export interface JitterStats {
  accepted: number;
  played: number;
  concealed: number;
  duplicate: number;
  late: number;
  overflow: number;
  resyncs: number;
  grown: number;
  shrunk: number;
  /** Current playout delay target over the earliest arrivals of the stream, ms. */
  delayMs: number;
}

export class JitterBuffer {
  readonly #o: JitterBufferOptions;
  readonly #frameMs: number;
  readonly #frames = new Map<number, Int16Array>();
  /** Frames made from pieces (packets off the grid) that may still receive their other pieces. */
  readonly #partial = new Map<number, Int16Array>();
  readonly #silence: Int16Array;
  #last: Int16Array;
  /** Extended timestamp of the newest accepted packet, the unwrap reference. */
  #refTs: number | undefined;
  /**
   * Where frames start for packets that are not whole frames (30 ms from some carriers): the playout's
   * grid (`#nextTs`) once playing, before that the first such packet; they are cut on it so their
   * samples land in the frames the playout expects.
   */
  #gridTs: number | undefined;
  /** Extended timestamp of the next frame to play; undefined until playout starts. */
  #nextTs: number | undefined;
  #firstArrivalMs: number | undefined;
  #delayFrames: number;
  #concealRun = 0;
  #lateRun = 0;
  /** Smallest margin (ms between arrival and playout slot) seen in the current shrink window. */
  #minMarginMs = Number.POSITIVE_INFINITY;
  #windowPops = 0;
  /** Pops since the last growth. */
  #popsSinceGrow = Number.POSITIVE_INFINITY;
  /** Playout time of `#nextTs`, ms. */
  #nextPlayMs = 0;
  /** Timestamps of the last 64 frames played, to tell a duplicate from a late packet. */
  readonly #played = new Set<number>();
  readonly #playedRing = new Float64Array(64).fill(Number.NaN);
  #playedPos = 0;
  readonly stats: JitterStats = {
    accepted: 0,
    played: 0,
    concealed: 0,
    duplicate: 0,
    late: 0,
    overflow: 0,
    resyncs: 0,
    grown: 0,
    shrunk: 0,
    delayMs: 0,
  };

  constructor(options: Partial<JitterBufferOptions> = {}) {
    this.#o = { ...defaultJitterOptions, ...options };
    this.#frameMs = (this.#o.frameSamples * 1000) / this.#o.clockRate;
    this.#silence = new Int16Array(this.#o.frameSamples);
    this.#last = this.#silence;
    this.#delayFrames = Math.max(1, Math.round(this.#o.minDelayMs / this.#frameMs));
    this.stats.delayMs = this.#delayFrames * this.#frameMs;
  }

  /** Frames waiting to play. */
  get depth(): number {
    return this.#frames.size;
  }

  push(rtpTimestamp: number, pcm: Int16Array, arrivalMs: number): PushOutcome {
    const ts = this.#unwrap(rtpTimestamp);
    const fs = this.#o.frameSamples;
    if (this.#nextTs !== undefined) {
      const aheadMs = ((ts - this.#nextTs) * 1000) / this.#o.clockRate;
      if (aheadMs > this.#o.resyncAfterMs || aheadMs < -this.#o.resyncAfterMs) {
        this.#resync(ts);
        return this.push(rtpTimestamp, pcm, arrivalMs);
      }
    }
    let outcome: PushOutcome | undefined;
    if (pcm.length % fs === 0) {
      // Whole frames (20 or 40 ms): keyed by the packet's own timestamp, as the sender framed them.
      for (let off = 0; off < pcm.length; off += fs) {
        const r = this.#pushFrame(ts + off, pcm.subarray(off, off + fs), arrivalMs);
        outcome ??= r;
      }
      return this.#afterPush(outcome, ts);
    }
    // Other lengths (the 30 ms of some carriers): cut on the playout grid — where the next frame plays,
    // or before playout the stream's first such packet — so a frame may take pieces of two packets.
    this.#gridTs = this.#nextTs ?? this.#gridTs ?? ts;
    let frameTs = this.#gridTs + Math.floor((ts - this.#gridTs) / fs) * fs;
    for (let off = 0; off < pcm.length; frameTs += fs) {
      const at = ts + off - frameTs;
      const take = Math.min(fs - at, pcm.length - off);
      const part = pcm.subarray(off, off + take);
      const r =
        take === fs
          ? this.#pushFrame(frameTs, part, arrivalMs)
          : this.#pushPart(frameTs, at, part, arrivalMs);
      outcome ??= r;
      off += take;
    }
    return this.#afterPush(outcome, ts);
  }

  #afterPush(outcome: PushOutcome | undefined, ts: number): PushOutcome {
    if (outcome === 'late') {
      if (++this.#lateRun >= this.#o.lateRunForResync) this.#resync(ts);
    } else if (outcome === 'accepted') {
      this.#lateRun = 0;
    }
    return outcome ?? 'accepted';
  }

  /** A piece of a frame (a packet off the grid): merged into the frame, which starts as silence. */
  #pushPart(ts: number, at: number, part: Int16Array, arrivalMs: number): PushOutcome {
    const waiting = this.#partial.get(ts);
    if (waiting !== undefined && this.#frames.get(ts) === waiting) {
      waiting.set(part, at);
      return 'accepted';
    }
    const frame = new Int16Array(this.#o.frameSamples);
    frame.set(part, at);
    const outcome = this.#pushFrame(ts, frame, arrivalMs);
    if (outcome === 'accepted') {
      this.#partial.set(ts, frame);
      if (this.#partial.size > 64) this.#partial.delete(this.#partial.keys().next().value!);
    }
    return outcome;
  }

  #pushFrame(ts: number, frame: Int16Array, arrivalMs: number): PushOutcome {
    if (this.#frames.has(ts) || this.#played.has(ts)) {
      this.stats.duplicate++;
      return 'duplicate';
    }
    if (this.#nextTs !== undefined) {
      const marginMs = this.#nextPlayMs + ((ts - this.#nextTs) * 1000) / this.#o.clockRate - arrivalMs;
      if (ts < this.#nextTs) {
        // Its slot has passed: grow by a frame, which may bring the slot back (the frame just concealed).
        // A packet later than the whole delay range is a timeline change, not jitter: no growth.
        const behindMs = ((this.#nextTs - ts) * 1000) / this.#o.clockRate;
        if (behindMs <= this.#o.maxDelayMs - this.stats.delayMs) this.#grow();
        if (ts < this.#nextTs) {
          this.stats.late++;
          return 'late';
        }
      } else if (marginMs < this.#minMarginMs) {
        this.#minMarginMs = marginMs;
      }
    }
    const maxFrames = Math.ceil(this.#o.maxDelayMs / this.#frameMs) + 10;
    if (this.#frames.size >= maxFrames) {
      this.stats.overflow++;
      return 'overflow';
    }
    this.#firstArrivalMs ??= arrivalMs;
    this.#frames.set(ts, frame);
    this.stats.accepted++;
    return 'accepted';
  }

  /** The frame to play now (one call per 20 ms tick). The returned array must not be modified. */
  pop(nowMs: number): { kind: FrameKind; pcm: Int16Array } {
    if (this.#nextTs === undefined) {
      const first = this.#firstArrivalMs;
      if (
        first === undefined ||
        this.#frames.size === 0 ||
        nowMs < first + this.#delayFrames * this.#frameMs
      ) {
        return { kind: 'silence', pcm: this.#silence };
      }
      this.#nextTs = Math.min(...this.#frames.keys());
      this.#minMarginMs = Number.POSITIVE_INFINITY;
      this.#windowPops = 0;
    }
    this.#nextPlayMs = nowMs;
    this.#adaptWindow();
    const frame = this.#frames.get(this.#nextTs);
    if (frame) {
      this.#frames.delete(this.#nextTs);
      this.#markPlayed(this.#nextTs);
      this.#advance();
      this.#last = frame;
      this.#concealRun = 0;
      this.stats.played++;
      return { kind: 'audio', pcm: frame };
    }
    this.#advance();
    return this.#conceal();
  }

  #advance(): void {
    this.#nextTs! += this.#o.frameSamples;
    this.#nextPlayMs += this.#frameMs;
  }

  #conceal(): { kind: FrameKind; pcm: Int16Array } {
    this.#concealRun++;
    if (
      this.#o.conceal === 'silence' ||
      this.#concealRun > this.#o.fadeFrames ||
      this.#last === this.#silence
    ) {
      if (this.#concealRun <= this.#o.fadeFrames) this.stats.concealed++;
      return { kind: this.#concealRun <= this.#o.fadeFrames ? 'concealed' : 'silence', pcm: this.#silence };
    }
    this.stats.concealed++;
    const gain = 1 - this.#concealRun / (this.#o.fadeFrames + 1);
    const out = new Int16Array(this.#last.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.round(this.#last[i]! * gain);
    return { kind: 'concealed', pcm: out };
  }

  /** Late packet: play one concealment frame without advancing, i.e. grow the delay by a frame. */
  #grow(): void {
    if (this.#nextTs === undefined) return;
    if ((this.#delayFrames + 1) * this.#frameMs > this.#o.maxDelayMs) return;
    this.#delayFrames++;
    this.#popsSinceGrow = 0;
    this.stats.grown++;
    this.stats.delayMs = this.#delayFrames * this.#frameMs;
    this.#nextTs -= this.#o.frameSamples;
    this.#nextPlayMs -= this.#frameMs;
  }

  /** Once per window: when every arrival had more than 1.5 frames to spare, skip a frame. */
  #adaptWindow(): void {
    this.#popsSinceGrow++;
    if (++this.#windowPops < this.#o.shrinkWindowMs / this.#frameMs) return;
    const spare = this.#minMarginMs;
    this.#windowPops = 0;
    this.#minMarginMs = Number.POSITIVE_INFINITY;
    if (spare === Number.POSITIVE_INFINITY || spare < 1.5 * this.#frameMs) return;
    if (this.#popsSinceGrow * this.#frameMs < this.#o.holdAfterGrowMs) return;
    if ((this.#delayFrames - 1) * this.#frameMs < this.#o.minDelayMs) return;
    this.#delayFrames--;
    this.stats.shrunk++;
    this.stats.delayMs = this.#delayFrames * this.#frameMs;
    this.#frames.delete(this.#nextTs!);
    this.#advance();
    this.#nextPlayMs -= this.#frameMs;
  }

  #markPlayed(ts: number): void {
    const evicted = this.#playedRing[this.#playedPos]!;
    if (!Number.isNaN(evicted)) this.#played.delete(evicted);
    this.#playedRing[this.#playedPos] = ts;
    this.#playedPos = (this.#playedPos + 1) % this.#playedRing.length;
    this.#played.add(ts);
  }

  #resync(ts: number): void {
    this.stats.resyncs++;
    this.#frames.clear();
    this.#partial.clear();
    this.#gridTs = undefined;
    this.#played.clear();
    this.#playedRing.fill(Number.NaN);
    this.#nextTs = undefined;
    this.#refTs = ts;
    this.#lateRun = 0;
    this.#firstArrivalMs = undefined;
    this.#delayFrames = Math.max(1, Math.round(this.#o.minDelayMs / this.#frameMs));
    this.stats.delayMs = this.#delayFrames * this.#frameMs;
  }

  #unwrap(ts32: number): number {
    if (this.#refTs === undefined) {
      this.#refTs = ts32;
      return ts32;
    }
    const diff = (ts32 - (this.#refTs % 2 ** 32)) | 0; // signed 32-bit distance
    const ext = this.#refTs + diff;
    if (diff > 0) this.#refTs = ext;
    return ext;
  }
}
