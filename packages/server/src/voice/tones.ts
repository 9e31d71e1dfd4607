import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The sounds the voice side plays that are not speech — music on hold, the voicemail beep, ringback —
 * made with sox on first use into `dir/<name>` (8 kHz mono µ-law), so the repository ships no audio.
 * Written under a temporary name and renamed, so a half-written file is never played. Resolves with
 * the path.
 */
export async function ensureSoxSound(
  dir: string,
  name: string,
  effects: readonly string[],
  sox = 'sox',
): Promise<string> {
  const path = join(dir, name);
  try {
    if ((await stat(path)).size > 44) return path;
  } catch {
    // not made yet
  }
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${name}-${process.pid}-${Date.now()}.wav`);
  await exec(sox, ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', tmp, ...effects], { timeout: 30_000 });
  await rename(tmp, path);
  return path;
}

/** The tone before a voicemail recording: 1 kHz for 0.4 s. */
export const ensureBeep = (dir: string, sox?: string) =>
  ensureSoxSound(dir, 'beep.wav', ['synth', '0.4', 'sine', '1000', 'vol', '0.5'], sox);

/**
 * What callers and agents hear while a number is dialled: 425 Hz, 1 s on, 4 s off (the European and
 * Russian cadence); the player loops it.
 */
export const ensureRingback = (dir: string, sox?: string) =>
  ensureSoxSound(dir, 'ringback.wav', ['synth', '1', 'sine', '425', 'vol', '0.5', 'pad', '0', '4'], sox);
