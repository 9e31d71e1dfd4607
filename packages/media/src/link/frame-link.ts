/**
 * A link: two one-way rings of 20 ms PCM frames in one SharedArrayBuffer, so that a call on one media
 * worker and an agent's WebRTC phone on another exchange audio without any message per frame and without
 * the main thread (ADR 0007). Each ring has exactly one writer thread and one reader thread (side `a`
 * writes ring 0 and reads ring 1; side `b` the opposite); indices are published with `Atomics` so a
 * reader never sees a half-written frame.
 *
 * Timing: both workers tick every 20 ms on the same monotonic clock, so the rates match and only the
 * phase differs (0–20 ms of added delay). A reader that finds the ring empty plays silence (an
 * underrun); one that finds more than `maxQueuedFrames` waiting (the other side stalled, then caught up)
 * drops the oldest down to `targetQueuedFrames`, so the delay stays bounded. A writer that finds the
 * ring full drops the new frame. Every such event is counted, per side.
 *
 * Either side may close the link (a flag in the buffer); the other sees `closed` on its next tick.
 */
import { FRAME_SAMPLES } from '../leg';

export type LinkSide = 'a' | 'b';

/** Frames per ring: 160 ms of slack. */
export const LINK_RING_FRAMES = 8;
const HEADER_INTS = 4; // per ring: write index, read index (both count frames forever, wrapping at 2^31)
const CONTROL_INTS = 2; // closed flag, reserved
const HEADER_BYTES = (2 * HEADER_INTS + CONTROL_INTS) * 4;
const RING_BYTES = LINK_RING_FRAMES * FRAME_SAMPLES * 2;

export interface LinkCounters {
  framesWritten: number;
  framesRead: number;
  /** Reads that found nothing (silence played). */
  underruns: number;
  /** Frames dropped by the reader to bound the delay. */
  trimmed: number;
  /** Frames the writer dropped because the ring was full. */
  overruns: number;
}

/** Allocates the shared memory of one link (pass it to both workers). */
export function createLinkBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + 2 * RING_BYTES);
}

export function isLinkBuffer(value: unknown): value is SharedArrayBuffer {
  return value instanceof SharedArrayBuffer && value.byteLength === HEADER_BYTES + 2 * RING_BYTES;
}

/** One side's view of a link. Use it from one thread only. */
export class FrameLinkEnd {
  readonly side: LinkSide;
  readonly #ints: Int32Array;
  readonly #out: { header: number; frames: Int16Array };
  readonly #in: { header: number; frames: Int16Array };
  readonly #frame = new Int16Array(FRAME_SAMPLES);
  readonly #silence = new Int16Array(FRAME_SAMPLES);
  readonly #maxQueued: number;
  readonly #targetQueued: number;
  readonly counters: LinkCounters = {
    framesWritten: 0,
    framesRead: 0,
    underruns: 0,
    trimmed: 0,
    overruns: 0,
  };

  constructor(
    buffer: SharedArrayBuffer,
    side: LinkSide,
    options: { maxQueuedFrames?: number; targetQueuedFrames?: number } = {},
  ) {
    if (!isLinkBuffer(buffer)) throw new TypeError('not a link buffer');
    this.side = side;
    this.#ints = new Int32Array(buffer, 0, 2 * HEADER_INTS + CONTROL_INTS);
    const ring = (i: number) => ({
      header: i * HEADER_INTS,
      frames: new Int16Array(buffer, HEADER_BYTES + i * RING_BYTES, LINK_RING_FRAMES * FRAME_SAMPLES),
    });
    this.#out = ring(side === 'a' ? 0 : 1);
    this.#in = ring(side === 'a' ? 1 : 0);
    this.#maxQueued = options.maxQueuedFrames ?? 4;
    this.#targetQueued = options.targetQueuedFrames ?? 1;
  }

  get closed(): boolean {
    return Atomics.load(this.#ints, 2 * HEADER_INTS) !== 0;
  }

  close(): void {
    Atomics.store(this.#ints, 2 * HEADER_INTS, 1);
  }

  /** Queues one 20 ms frame for the other side. */
  write(pcm: Int16Array): void {
    const h = this.#out.header;
    const w = Atomics.load(this.#ints, h);
    const r = Atomics.load(this.#ints, h + 1);
    if (((w - r) & 0x7fffffff) >= LINK_RING_FRAMES) {
      this.counters.overruns++;
      return;
    }
    const slot = (w & 0x7fffffff) % LINK_RING_FRAMES;
    const frames = this.#out.frames;
    const n = Math.min(pcm.length, FRAME_SAMPLES);
    frames.set(n === FRAME_SAMPLES ? pcm : pcm.subarray(0, n), slot * FRAME_SAMPLES);
    if (n < FRAME_SAMPLES) frames.fill(0, slot * FRAME_SAMPLES + n, (slot + 1) * FRAME_SAMPLES);
    // the store publishes the frame: the reader loads the index before it reads the samples
    Atomics.store(this.#ints, h, (w + 1) & 0x7fffffff);
    this.counters.framesWritten++;
  }

  /** The next frame from the other side, or silence. The array is reused: copy it to keep it. */
  read(): Int16Array {
    const h = this.#in.header;
    const w = Atomics.load(this.#ints, h);
    let r = Atomics.load(this.#ints, h + 1);
    let queued = (w - r) & 0x7fffffff;
    if (queued === 0) {
      this.counters.underruns++;
      return this.#silence;
    }
    if (queued > this.#maxQueued) {
      const drop = queued - this.#targetQueued;
      r = (r + drop) & 0x7fffffff;
      queued -= drop;
      this.counters.trimmed += drop;
    }
    const slot = r % LINK_RING_FRAMES;
    this.#frame.set(this.#in.frames.subarray(slot * FRAME_SAMPLES, (slot + 1) * FRAME_SAMPLES));
    Atomics.store(this.#ints, h + 1, (r + 1) & 0x7fffffff);
    this.counters.framesRead++;
    return this.#frame;
  }

  /** Frames waiting to be read on this side. */
  get queued(): number {
    const h = this.#in.header;
    return (Atomics.load(this.#ints, h) - Atomics.load(this.#ints, h + 1)) & 0x7fffffff;
  }
}
