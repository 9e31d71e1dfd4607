import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from '@hotline/sip/test-support/net';
import { beforeAll, describe, expect, it } from 'vitest';
import { TtsCache } from './tts-cache';

/** The speech cache with the real espeak-ng and sox: format, reuse, shared generation, failures. */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'voice-inbound');
mkdirSync(scratch, { recursive: true });

/** WAV header fields: format code (7 = µ-law), channels, sample rate. */
function wavFormat(path: string): { format: number; channels: number; rate: number } {
  const b = readFileSync(path);
  expect(b.subarray(0, 4).toString('latin1')).toBe('RIFF');
  const fmt = b.indexOf('fmt ', 12, 'latin1');
  return {
    format: b.readUInt16LE(fmt + 8),
    channels: b.readUInt16LE(fmt + 10),
    rate: b.readUInt32LE(fmt + 12),
  };
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);

describe('TtsCache with espeak-ng and sox', () => {
  beforeAll(() => {
    for (const tool of ['espeak-ng', 'sox'])
      if (!hasCommand(tool)) throw new Error(`${tool} is not installed`);
  });

  it('makes 8 kHz mono µ-law speech once and serves the file afterwards', async () => {
    const sut = new TtsCache({ dir: mkdtempSync(join(scratch, 'tts-')) });
    const path = await sut.speech('ru', 'Ваш звонок очень важен для нас.');
    expect(path).toBe(sut.pathOf('ru', 'Ваш звонок очень важен для нас.'));
    expect(wavFormat(path)).toEqual({ format: 7, channels: 1, rate: 8000 });
    // About a second and a half of speech: 8,000 bytes a second.
    expect(statSync(path).size).toBeGreaterThan(8_000);
    const made = statSync(path).mtimeMs;
    expect(await sut.speech('ru', '  Ваш звонок  очень важен для нас. ')).toBe(path);
    expect(statSync(path).mtimeMs).toBe(made);
  });

  it('shares one generation between concurrent requests and keeps languages apart', async () => {
    const dir = mkdtempSync(join(scratch, 'tts-'));
    const sut = new TtsCache({ dir, concurrency: 1 });
    const paths = await Promise.all([
      sut.speech('en', 'Hello there.'),
      sut.speech('en', 'Hello there.'),
      sut.speech('ru', 'Hello there.'),
      sut.speech('en', '-v this is text, not an option'),
    ]);
    expect(paths[0]).toBe(paths[1]);
    expect(new Set(paths).size).toBe(3);
    expect(filesUnder(dir).sort()).toEqual(
      paths
        .slice(1)
        .map((p) => p.split('/').at(-1))
        .sort(),
    );
  });

  it('reports a failing synthesiser with a stable code and leaves no partial file', async () => {
    const dir = mkdtempSync(join(scratch, 'tts-'));
    const broken = new TtsCache({ dir, sox: '/bin/false' });
    await expect(broken.speech('en', 'Goodbye.')).rejects.toMatchObject({ code: 'TTS_FAILED' });
    const missing = new TtsCache({ dir, espeak: '/nonexistent/espeak-ng' });
    await expect(missing.speech('en', 'Goodbye.')).rejects.toMatchObject({ code: 'TTS_FAILED' });
    expect(filesUnder(dir)).toEqual([]);
  });

  it('gives up on a synthesis that hangs (TTS_TIMEOUT) and kills it', async () => {
    const dir = mkdtempSync(join(scratch, 'tts-'));
    const hang = join(dir, 'hang.sh');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const sut = new TtsCache({ dir: join(dir, 'cache'), espeak: hang, timeoutMs: 300 });
    const started = Date.now();
    await expect(sut.speech('en', 'Wait.')).rejects.toMatchObject({ code: 'TTS_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
