/**
 * Call recording as a 16-bit 8 kHz WAV: stereo, left channel the customer, right channel the agent;
 * or mono (`channels: 1`), the customer alone — a voicemail, where nobody else speaks.
 *
 * Written as the call goes: frames are buffered and appended every `flushEveryFrames` (1 s by default),
 * and after each append the header is rewritten with the sizes so far, so a crash leaves a readable
 * file missing at most the last second. `finish` flushes and fixes the header for good.
 *
 * A failed write (disk full, a vanished mount) is reported once through `onError`; the recorder then
 * drops further audio and never throws into the call: a call outlives its recording.
 */
import { pcmWavHeader } from './wav';

/** Where a recording goes; positioned writes so the header can be fixed in place. */
export interface RecordingFile {
  write(data: Uint8Array, position: number): Promise<void>;
  close(): Promise<void>;
}

export interface RecordingSummary {
  readonly ok: boolean;
  readonly frames: number;
  readonly dataBytes: number;
  readonly durationMs: number;
  /**
   * Mono recordings only: how much of it carries sound above `SPEECH_LEVEL` (20 ms frames), so the
   * caller of a voicemail can tell a message from silence or line noise without reading the file.
   */
  readonly soundMs?: number;
  readonly error?: string;
}

/** Mean absolute sample value of a frame above which it counts as sound (about -42 dBFS). */
export const SPEECH_LEVEL = 250;

const HEADER = 44;
const FRAME = 160;
/** WAV is little-endian; typed arrays use the platform's order. */
const BIG_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 0;
const swap16 = (v: number) => ((v & 0xff) << 8) | ((v >> 8) & 0xff);

export class StereoRecorder {
  readonly #file: RecordingFile;
  readonly #flushEvery: number;
  readonly #onError: (error: Error) => void;
  #pending: Uint8Array[] = [];
  #written = 0;
  #frames = 0;
  #chain: Promise<void>;
  #error: Error | undefined;
  #finished = false;
  readonly #channels: 1 | 2;
  #soundFrames = 0;

  constructor(
    file: RecordingFile,
    options: { flushEveryFrames?: number; onError?: (error: Error) => void; channels?: 1 | 2 } = {},
  ) {
    this.#file = file;
    this.#flushEvery = options.flushEveryFrames ?? 50;
    this.#onError = options.onError ?? (() => {});
    this.#channels = options.channels ?? 2;
    this.#chain = this.#guard(() => file.write(pcmWavHeader(this.#channels, 8000, 0), 0));
  }

  get failed(): boolean {
    return this.#error !== undefined;
  }

  /** One 20 ms frame of each side (mono: `left` only); missing sides are silence. Never throws. */
  frame(left: Int16Array | undefined, right: Int16Array | undefined): void {
    if (this.#error || this.#finished) return;
    let out: Int16Array;
    if (this.#channels === 1) {
      out = left ? Int16Array.from(left.subarray(0, FRAME)) : new Int16Array(FRAME);
      let sum = 0;
      for (let i = 0; i < FRAME; i++) sum += Math.abs(out[i]!);
      if (sum / FRAME >= SPEECH_LEVEL) this.#soundFrames++;
    } else {
      out = new Int16Array(FRAME * 2);
      if (left) for (let i = 0; i < FRAME; i++) out[i * 2] = left[i]!;
      if (right) for (let i = 0; i < FRAME; i++) out[i * 2 + 1] = right[i]!;
    }
    if (BIG_ENDIAN) for (let i = 0; i < out.length; i++) out[i] = swap16(out[i]!);
    this.#pending.push(new Uint8Array(out.buffer));
    this.#frames++;
    if (this.#pending.length >= this.#flushEvery) this.flush();
  }

  /** Appends what is buffered and fixes the header; resolves when written (or failed). */
  flush(): Promise<void> {
    if (this.#error || this.#pending.length === 0) return this.#chain;
    const chunk = concat(this.#pending);
    this.#pending = [];
    this.#chain = this.#chain.then(() =>
      this.#guard(async () => {
        await this.#file.write(chunk, HEADER + this.#written);
        this.#written += chunk.length;
        await this.#file.write(pcmWavHeader(this.#channels, 8000, this.#written), 0);
      }),
    );
    return this.#chain;
  }

  /** Flushes, fixes the header and closes the file. */
  async finish(): Promise<RecordingSummary> {
    if (!this.#finished) {
      this.#finished = true;
      await this.flush();
      await this.#chain;
      try {
        await this.#file.close();
      } catch (e) {
        this.#fail(e);
      }
    }
    return {
      ok: !this.#error,
      frames: this.#frames,
      dataBytes: this.#written,
      durationMs: (this.#written / (2 * this.#channels) / 8000) * 1000,
      ...(this.#channels === 1 ? { soundMs: this.#soundFrames * 20 } : {}),
      ...(this.#error ? { error: this.#error.message } : {}),
    };
  }

  async #guard(write: () => Promise<void>): Promise<void> {
    if (this.#error) return;
    try {
      await write();
    } catch (e) {
      this.#fail(e);
    }
  }

  #fail(e: unknown): void {
    if (this.#error) return;
    this.#error = e instanceof Error ? e : new Error(String(e));
    this.#pending = [];
    this.#onError(this.#error);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
