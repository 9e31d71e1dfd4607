import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The tone before a voicemail recording: 1 kHz for 0.4 s, made with sox on first use into
 * `dir/beep.wav` (8 kHz mono µ-law), like the music on hold, so the repository ships no audio.
 * Written under a temporary name and renamed, so a half-written file is never played.
 */
export async function ensureBeep(dir: string, sox = 'sox'): Promise<string> {
  const path = join(dir, 'beep.wav');
  try {
    if ((await stat(path)).size > 44) return path;
  } catch {
    // not made yet
  }
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.beep-${process.pid}-${Date.now()}.wav`);
  await exec(
    sox,
    ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', tmp, 'synth', '0.4', 'sine', '1000', 'vol', '0.5'],
    {
      timeout: 30_000,
    },
  );
  await rename(tmp, path);
  return path;
}
