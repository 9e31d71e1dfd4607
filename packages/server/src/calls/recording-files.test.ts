import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { openRecording, parseByteRange } from './recording-files';

describe('parseByteRange', () => {
  it.each([
    [undefined, null],
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=-200', { start: 800, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=5-3', null],
    ['bytes=0-9,20-29', null],
    ['items=0-9', null],
    ['bytes=-', null],
    ['bytes=99999999999999999999-', 'unsatisfiable'],
  ])('%s over 1000 bytes → %j', (header, expected) => {
    expect(parseByteRange(header, 1000)).toEqual(expected);
  });

  it('finds nothing satisfiable in an empty file', () => {
    expect(parseByteRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=-10', 0)).toBe('unsatisfiable');
  });
});

describe('openRecording', () => {
  async function dirWithFile() {
    const root = await mkdtemp(join(tmpdir(), 'hotline-rec-'));
    await writeFile(join(root, 'call.wav'), '0123456789');
    const outside = await mkdtemp(join(tmpdir(), 'hotline-secret-'));
    await writeFile(join(outside, 'secret.txt'), 'secret');
    return { root, outside };
  }

  it('streams a byte range of a file inside the directory', async () => {
    const { root } = await dirWithFile();
    const file = await openRecording(root, 'call.wav');
    expect(file.size).toBe(10);
    expect(await text(file.stream(2, 5))).toBe('2345');
  });

  it('treats paths leaving the directory, absolute paths and directories as missing', async () => {
    const { root, outside } = await dirWithFile();
    for (const bad of [
      `../${outside.split('/').pop()}/secret.txt`,
      join(outside, 'secret.txt'),
      '',
      '.',
      'nope.wav',
    ]) {
      await expect(openRecording(root, bad), bad).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});
