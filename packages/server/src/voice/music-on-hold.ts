import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A slow plucked arpeggio (C, Am, F, G), about 11 s, looped by the player while callers wait. */
const NOTES: readonly [string, number][] = [
  ['C4', 0.45],
  ['E4', 0.45],
  ['G4', 0.45],
  ['C5', 1.0],
  ['A3', 0.45],
  ['C4', 0.45],
  ['E4', 0.45],
  ['A4', 1.0],
  ['F3', 0.45],
  ['A3', 0.45],
  ['C4', 0.45],
  ['F4', 1.0],
  ['G3', 0.45],
  ['B3', 0.45],
  ['D4', 0.45],
  ['G4', 1.6],
];

/**
 * The built-in music on hold: made with sox on first use into `dir/music-on-hold.wav` (8 kHz mono
 * µ-law, about 90 KB), so the repository ships no audio. Written under a temporary name and renamed, so
 * a half-written file is never played. Resolves with the path.
 */
export async function ensureMusicOnHold(dir: string, sox = 'sox'): Promise<string> {
  const path = join(dir, 'music-on-hold.wav');
  try {
    if ((await stat(path)).size > 44) return path;
  } catch {
    // not made yet
  }
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.music-on-hold-${process.pid}-${Date.now()}.wav`);
  const chain = NOTES.flatMap(([note, seconds], i) => [
    ...(i === 0 ? [] : [':']),
    'synth',
    String(seconds),
    'pluck',
    note,
    'vol',
    '0.45',
  ]);
  await exec(sox, ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', tmp, ...chain], { timeout: 30_000 });
  await rename(tmp, path);
  return path;
}
