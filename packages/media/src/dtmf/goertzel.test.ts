import { describe, expect, it } from 'vitest';
import { concat, dtmfTone, frames, silence, tones, vowel, whiteNoise } from '../test-support/signals';
import { classifyBlock, goertzelPower, InbandDtmfDetector } from './goertzel';

function detect(pcm: Int16Array): string {
  const sut = new InbandDtmfDetector();
  return frames(pcm)
    .map((f) => sut.process(f) ?? '')
    .join('');
}

describe('Goertzel', () => {
  it('measures a tone at its frequency as (A·N/2)² and little elsewhere', () => {
    const block = tones([1000], 20, 1000);
    expect(goertzelPower(block, 1000, 8000) / (1000 * 80) ** 2).toBeCloseTo(1, 2);
    expect(goertzelPower(block, 1500, 8000)).toBeLessThan((1000 * 80) ** 2 / 1000);
  });
});

describe('in-band DTMF detection', () => {
  it('detects every key, once per press', () => {
    const keys = '0123456789*#ABCD';
    const pcm = concat(...keys.split('').flatMap((k) => [dtmfTone(k, 80), silence(60)]));
    expect(detect(pcm)).toBe(keys);
  });

  it('detects a 40 ms tone that straddles block boundaries, and a repeated key after a pause', () => {
    expect(detect(concat(silence(7), dtmfTone('5', 45), silence(50), dtmfTone('5', 45), silence(30)))).toBe(
      '55',
    );
  });

  it('ignores tones shorter than the minimum duration, whatever their alignment', () => {
    for (let lead = 0; lead < 20; lead += 3) {
      expect(detect(concat(silence(lead), dtmfTone('9', 20), silence(100)))).toBe('');
    }
  });

  it('detects 40 ms tones whatever their alignment', () => {
    for (let lead = 0; lead < 20; lead += 3) {
      expect(detect(concat(silence(lead), dtmfTone('6', 40), silence(100)))).toBe('6');
    }
  });

  it('accepts twist within limits and rejects it beyond', () => {
    const twisted = (db: number) => {
      const row = tones([852], 100, 6000);
      const col = tones([1477], 100, 6000 * 10 ** (-db / 20));
      return row.map((v, i) => v + col[i]!);
    };
    expect(detect(Int16Array.from(twisted(6)))).toBe('9');
    expect(detect(Int16Array.from(twisted(12)))).toBe('');
  });

  it('rejects a single tone, quiet tones and tones buried in noise', () => {
    expect(detect(tones([697], 200))).toBe('');
    expect(detect(dtmfTone('1', 200, 150))).toBe('');
    const noisy = dtmfTone('1', 200, 1000).map((v, i) => v + whiteNoise(200, 3000, 9)[i]!);
    expect(detect(Int16Array.from(noisy))).toBe('');
  });

  it('finds the digit under mild noise', () => {
    const n = whiteNoise(200, 500, 3);
    expect(detect(Int16Array.from(dtmfTone('3', 200, 6000).map((v, i) => v + n[i]!)))).toBe('3');
  });

  it('raises no false digit on white noise or speech-like sounds', () => {
    for (let seed = 1; seed <= 20; seed++) expect(detect(whiteNoise(1000, 8000, seed))).toBe('');
    // vowels with gliding pitch and formants placed on DTMF frequencies
    const speech = concat(
      vowel(400, 100, 140),
      vowel(400, 180, 240, [700, 1210, 2500]),
      vowel(400, 230, 180, [850, 1480, 2400]),
      vowel(400, 116, 116, [941, 1336, 2700]),
      vowel(400, 232, 232, [697, 1633, 2500]),
    );
    expect(detect(speech)).toBe('');
    expect(frames(speech).filter((f) => classifyBlock(f) !== undefined)).toHaveLength(0);
  });
});
