// Signals generated in tests: tones, DTMF pairs, noise and speech-like sounds, all 16-bit 8 kHz.

export const RATE = 8000;

/** A sum of sines; `amplitude` per component; `phase` (in samples) continues a previous call. */
export function tones(freqs: readonly number[], ms: number, amplitude = 6000, startSample = 0): Int16Array {
  const n = Math.round((ms * RATE) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const f of freqs) v += amplitude * Math.sin((2 * Math.PI * f * (i + startSample)) / RATE);
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}

const PAIRS: Record<string, [number, number]> = {};
'123A456B789C*0#D'.split('').forEach((d, i) => {
  PAIRS[d] = [[697, 770, 852, 941][Math.floor(i / 4)]!, [1209, 1336, 1477, 1633][i % 4]!];
});

export function dtmfTone(digit: string, ms: number, amplitude = 6000): Int16Array {
  return tones(PAIRS[digit]!, ms, amplitude);
}

export function silence(ms: number): Int16Array {
  return new Int16Array(Math.round((ms * RATE) / 1000));
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function whiteNoise(ms: number, amplitude: number, seed = 1): Int16Array {
  const rnd = prng(seed);
  const n = Math.round((ms * RATE) / 1000);
  return Int16Array.from({ length: n }, () => Math.round((rnd() * 2 - 1) * amplitude));
}

/**
 * A voiced, speech-like sound: a glottal pulse train whose pitch glides (f0 from `f0From` to `f0To`)
 * through formant resonators. The default formants at 700 and 1220 Hz sit on DTMF row 1 and column 1 on purpose.
 */
export function vowel(
  ms: number,
  f0From: number,
  f0To: number,
  formants: readonly number[] = [700, 1220, 2600],
): Int16Array {
  const n = Math.round((ms * RATE) / 1000);
  const out = new Int16Array(n);
  const res = formants.map((f) => {
    const r = 0.96; // bandwidth ≈ 100 Hz, as in real vowels
    return { a1: 2 * r * Math.cos((2 * Math.PI * f) / RATE), a2: -r * r, y1: 0, y2: 0 };
  });
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const f0 = f0From + ((f0To - f0From) * i) / n;
    phase += f0 / RATE;
    const excitation = phase >= 1 ? 1000 : 0;
    if (phase >= 1) phase -= 1;
    let v = 0;
    for (const r of res) {
      const y = excitation + r.a1 * r.y1 + r.a2 * r.y2;
      r.y2 = r.y1;
      r.y1 = y;
      v += y;
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}

/** Splits PCM into 20 ms frames (the tail padded with silence). */
export function frames(pcm: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let o = 0; o < pcm.length; o += 160) {
    const f = new Int16Array(160);
    f.set(pcm.subarray(o, Math.min(o + 160, pcm.length)));
    out.push(f);
  }
  return out;
}

/** Frequency of the strongest component by zero crossings (good for one tone). */
export function zeroCrossingHz(pcm: Int16Array): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 !== pcm[i]! < 0) crossings++;
  return (crossings / 2) * (RATE / pcm.length);
}

export function rms(pcm: Int16Array): number {
  let e = 0;
  for (const s of pcm) e += s * s;
  return Math.sqrt(e / Math.max(1, pcm.length));
}
