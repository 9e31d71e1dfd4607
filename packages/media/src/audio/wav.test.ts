import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zeroCrossingHz } from '../test-support/signals';
import { parseWav, pcmWavHeader, promptPcm, wavSamples } from './wav';

describe('WAV', () => {
  it('reads back the PCM header it writes', () => {
    const data = Uint8Array.of(1, 0, 0xff, 0xff, 0, 0x80, 0xff, 0x7f);
    const bytes = new Uint8Array([...pcmWavHeader(2, 8000, data.length), ...data]);
    const r = parseWav(bytes);
    if (!r.ok) throw new Error(r.reason);
    expect(r.wav).toMatchObject({ encoding: 'pcm16', sampleRate: 8000, channels: 2, declaredDataBytes: 8 });
    expect(Array.from(wavSamples(r.wav))).toEqual([1, -1, -32768, 32767]);
  });

  it('reads a file whose header was never fixed (size 0) up to its end', () => {
    const bytes = new Uint8Array([...pcmWavHeader(1, 8000, 0), 5, 0, 6, 0]);
    const r = parseWav(bytes);
    expect(r.ok && Array.from(wavSamples(r.wav))).toEqual([5, 6]);
  });

  it('refuses what it cannot play, with a reason', () => {
    expect(parseWav(new TextEncoder().encode('RIFF....WAVEjunk'))).toMatchObject({ ok: false });
    expect(parseWav(Uint8Array.of(1, 2, 3))).toEqual({ ok: false, reason: 'too short' });
    const stereo = new Uint8Array([...pcmWavHeader(2, 8000, 4), 0, 0, 0, 0]);
    expect(promptPcm(stereo)).toMatchObject({ ok: false });
  });

  it('decodes a µ-law file made by sox', () => {
    const dir = mkdtempSync(join(tmpdir(), 'media-wav-'));
    const file = join(dir, 'tone.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', file, 'synth', '0.5', 'sine', '440']);
    const r = promptPcm(readFileSync(file));
    if (!r.ok) throw new Error(r.reason);
    expect(r.pcm.length).toBe(4000);
    expect(zeroCrossingHz(r.pcm)).toBeCloseTo(440, -1);
  });
});
