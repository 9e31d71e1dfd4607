import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../dtmf/goertzel';
import { concat, frames, tones, whiteNoise } from '../test-support/signals';
import { AudioCheck } from './audio-check';

const run = (check: AudioCheck, mic: Int16Array) => {
  const out: Int16Array[] = [];
  for (const f of frames(mic)) {
    if (check.done) break;
    out.push(Int16Array.from(check.next(f)));
  }
  return out;
};

describe('AudioCheck', () => {
  it('plays the tone, then loops the microphone back, and measures it', () => {
    const check = new AudioCheck({ toneHz: 440, toneMs: 400, loopbackMs: 400 });
    const mic = tones([1000], 1000, 3000);
    const out = run(check, mic);
    expect(out).toHaveLength(40);
    expect(check.done).toBe(true);
    const tone = concat(...out.slice(0, 20));
    expect(goertzelPower(tone, 440, 8000)).toBeGreaterThan(100 * goertzelPower(tone, 1000, 8000));
    expect(Array.from(out[25]!)).toEqual(Array.from(frames(mic)[25]!));
    const r = check.result();
    expect(r.completed).toBe(true);
    expect(r.micToneHz).toBe(1000);
    expect(r.micRmsDbfs).toBeCloseTo(20 * Math.log10(3000 / Math.SQRT2 / 32768), 0);
    expect(r.micPeakDbfs).toBeCloseTo(20 * Math.log10(3000 / 32768), 0);
  });

  it('reports a silent microphone as silent, with no frequency', () => {
    const check = new AudioCheck({ toneMs: 100, loopbackMs: 100 });
    run(check, new Int16Array(8000));
    expect(check.result()).toMatchObject({ micToneHz: null, micRmsDbfs: -120, completed: true });
  });

  it('stopped early: not completed; noise has no sharp tone but a level', () => {
    const check = new AudioCheck({ toneMs: 1000, loopbackMs: 1000 });
    run(check, whiteNoise(200, 3000));
    const r = check.result();
    expect(r.completed).toBe(false);
    expect(r.micRmsDbfs).toBeGreaterThan(-30);
  });
});
