import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RecordingFile, StereoRecorder } from './recorder';
import { openRecordingFile } from './recording-file';
import { parseWav, wavSamples } from './wav';

const frameOf = (v: number) => new Int16Array(160).fill(v);

function readRecording(path: string) {
  const r = parseWav(readFileSync(path));
  if (!r.ok) throw new Error(r.reason);
  const s = wavSamples(r.wav);
  return {
    wav: r.wav,
    left: s.filter((_, i) => i % 2 === 0),
    right: s.filter((_, i) => i % 2 === 1),
  };
}

describe('StereoRecorder', () => {
  it('is a readable WAV mid-call (customer left, agent right) and finalised on hangup', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'media-rec-')), 'call.wav');
    const sut = new StereoRecorder(await openRecordingFile(path), { flushEveryFrames: 10 });
    for (let i = 0; i < 25; i++) sut.frame(frameOf(100 + i), frameOf(-100 - i));
    await sut.flush();
    // "crash" here: the file on disk is what a reader would find
    for (let i = 25; i < 27; i++) sut.frame(frameOf(100 + i), frameOf(-100 - i));
    const mid = readRecording(path);
    expect(mid.wav).toMatchObject({ channels: 2, sampleRate: 8000, declaredDataBytes: 25 * 640 });
    expect(mid.left.length).toBe(25 * 160);
    expect(mid.left[0]).toBe(100);
    expect(mid.right[24 * 160]).toBe(-124);

    const summary = await sut.finish();
    expect(summary).toEqual({ ok: true, frames: 27, dataBytes: 27 * 640, durationMs: 540 });
    const end = readRecording(path);
    expect(end.wav.declaredDataBytes).toBe(27 * 640);
    expect(end.left.at(-1)).toBe(126);
    expect(end.right.at(-1)).toBe(-126);
  });

  it('reports a failing write once, drops further audio and never throws into the call', async () => {
    let written = 0;
    const full: RecordingFile = {
      async write(data) {
        if (written + data.length > 2000)
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        written += data.length;
      },
      async close() {},
    };
    const errors: string[] = [];
    const sut = new StereoRecorder(full, { flushEveryFrames: 2, onError: (e) => errors.push(e.message) });
    for (let i = 0; i < 20; i++) sut.frame(frameOf(1), frameOf(2));
    const summary = await sut.finish();
    expect(errors).toEqual(['ENOSPC: no space left on device']);
    expect(sut.failed).toBe(true);
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(/ENOSPC/);
    expect(summary.dataBytes).toBe(1280);
    expect(() => sut.frame(frameOf(1), frameOf(1))).not.toThrow();
  });
});

describe('StereoRecorder, mono (a voicemail)', () => {
  it('writes the one leg as 8 kHz mono and counts only the frames that carry sound', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'media-rec-')), 'voicemail.wav');
    const sut = new StereoRecorder(await openRecordingFile(path), { channels: 1, flushEveryFrames: 10 });
    for (let i = 0; i < 30; i++) sut.frame(frameOf(i < 10 ? 3000 : 20), frameOf(-5000));
    sut.frame(undefined, undefined);
    await sut.flush();
    const mid = parseWav(readFileSync(path));
    expect(mid.ok && mid.wav).toMatchObject({ channels: 1, sampleRate: 8000, declaredDataBytes: 31 * 320 });

    const summary = await sut.finish();
    expect(summary).toEqual({ ok: true, frames: 31, dataBytes: 31 * 320, durationMs: 620, soundMs: 200 });
    const r = parseWav(readFileSync(path));
    if (!r.ok) throw new Error(r.reason);
    const samples = wavSamples(r.wav);
    expect(samples.length).toBe(31 * 160);
    expect(samples[0]).toBe(3000);
    expect(samples[10 * 160]).toBe(20);
    expect(samples.at(-1)).toBe(0);
  });
});
