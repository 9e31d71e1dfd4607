/**
 * The agent's "check audio": first a tone (the agent hears their speaker/headset works), then their own
 * microphone looped back (they hear themselves), while what the microphone sends is measured — level,
 * peak and dominant frequency — and reported at the end. Pure: frames in, frames out.
 */
import { FRAME_SAMPLES } from '../leg';

export interface AudioCheckOptions {
  readonly toneHz?: number;
  readonly toneMs?: number;
  /** Loop-back phase, ms. */
  readonly loopbackMs?: number;
  /** Tone amplitude on the 16-bit scale (8000 ≈ −12 dBFS). */
  readonly toneAmplitude?: number;
}

export interface AudioCheckResult {
  readonly framesHeard: number;
  /** RMS of the microphone over the whole check, dBFS (−Infinity for digital silence, as −120). */
  readonly micRmsDbfs: number;
  readonly micPeakDbfs: number;
  /** Strongest frequency of the microphone (100–3,400 Hz in 20 Hz steps), or null when silent. */
  readonly micToneHz: number | null;
  readonly completed: boolean;
}

const RATE = 8000;
const BINS = Array.from({ length: (3400 - 100) / 20 + 1 }, (_, i) => 100 + i * 20);
const COEFFS = Float64Array.from(BINS, (f) => 2 * Math.cos((2 * Math.PI * f) / RATE));
const SILENT_RMS = 30; // ≈ −61 dBFS: below this the microphone is treated as silent for the frequency

export class AudioCheck {
  readonly #toneHz: number;
  readonly #toneFrames: number;
  readonly #totalFrames: number;
  readonly #amplitude: number;
  #frame = 0;
  #sample = 0;
  readonly #out = new Int16Array(FRAME_SAMPLES);
  #sumSquares = 0;
  #samples = 0;
  #peak = 0;
  readonly #power = new Float64Array(BINS.length);

  constructor(options: AudioCheckOptions = {}) {
    this.#toneHz = options.toneHz ?? 440;
    this.#toneFrames = Math.round((options.toneMs ?? 1500) / 20);
    this.#totalFrames = this.#toneFrames + Math.round((options.loopbackMs ?? 6000) / 20);
    this.#amplitude = options.toneAmplitude ?? 8000;
  }

  get done(): boolean {
    return this.#frame >= this.#totalFrames;
  }

  /** Takes what the microphone sent in this 20 ms, returns what the agent hears (tone, then the echo). */
  next(heard: Int16Array): Int16Array {
    this.#analyse(heard);
    const i = this.#frame++;
    if (i >= this.#toneFrames) {
      this.#out.set(heard.subarray(0, FRAME_SAMPLES));
      return this.#out;
    }
    const w = (2 * Math.PI * this.#toneHz) / RATE;
    for (let k = 0; k < FRAME_SAMPLES; k++)
      this.#out[k] = Math.round(this.#amplitude * Math.sin(w * this.#sample++));
    return this.#out;
  }

  #analyse(pcm: Int16Array): void {
    let energy = 0;
    for (let k = 0; k < pcm.length; k++) {
      const v = pcm[k]!;
      energy += v * v;
      const a = v < 0 ? -v : v;
      if (a > this.#peak) this.#peak = a;
    }
    this.#sumSquares += energy;
    this.#samples += pcm.length;
    if (energy / Math.max(1, pcm.length) < SILENT_RMS * SILENT_RMS) return;
    for (let b = 0; b < BINS.length; b++) {
      const c = COEFFS[b]!;
      let s1 = 0;
      let s2 = 0;
      for (let k = 0; k < pcm.length; k++) {
        const s = pcm[k]! + c * s1 - s2;
        s2 = s1;
        s1 = s;
      }
      this.#power[b]! += s1 * s1 + s2 * s2 - c * s1 * s2;
    }
  }

  result(): AudioCheckResult {
    const rms = Math.sqrt(this.#sumSquares / Math.max(1, this.#samples));
    let best = -1;
    for (let b = 0; b < BINS.length; b++)
      if (this.#power[b]! > 0 && (best < 0 || this.#power[b]! > this.#power[best]!)) best = b;
    return {
      framesHeard: this.#frame,
      micRmsDbfs: dbfs(rms),
      micPeakDbfs: dbfs(this.#peak),
      micToneHz: best < 0 ? null : BINS[best]!,
      completed: this.done,
    };
  }
}

function dbfs(amplitude: number): number {
  if (amplitude <= 0) return -120;
  return Math.max(-120, Math.round(20 * Math.log10(amplitude / 32768) * 10) / 10);
}
