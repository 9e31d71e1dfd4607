import { ensureSoxSound } from './tones';

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

/** The built-in music on hold, about 90 KB, made once by sox (`tones.ts`) into `dir/music-on-hold.wav`. */
export function ensureMusicOnHold(dir: string, sox = 'sox'): Promise<string> {
  const chain = NOTES.flatMap(([note, seconds], i) => [
    ...(i === 0 ? [] : [':']),
    'synth',
    String(seconds),
    'pluck',
    note,
    'vol',
    '0.45',
  ]);
  return ensureSoxSound(dir, 'music-on-hold.wav', chain, sox);
}
