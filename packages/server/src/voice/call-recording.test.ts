import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openRecording } from '../calls/recording-files';
import { recordingPath, startRecording } from './call-recording';

describe('call recording files', () => {
  it('lives at <tenant>/<UTC day>/<call id>.wav, relative, so the calls API serves it', async () => {
    const at = new Date('2026-03-01T23:30:00-05:00'); // 04:30 UTC on the 2nd
    const rel = recordingPath('t-1', 'c-1', at);
    expect(rel).toBe('t-1/2026-03-02/c-1.wav');
    const dir = mkdtempSync(join(tmpdir(), 'hotline-rec-'));
    try {
      const record = vi.fn(async () => undefined);
      await startRecording({ record }, dir, rel);
      // the day's directory is made before the worker opens the file; caller left, agent right
      expect(statSync(join(dir, 't-1', '2026-03-02')).isDirectory()).toBe(true);
      expect(record).toHaveBeenCalledWith(join(dir, rel), 'caller', 'agent');
      // the stored form is what the calls API opens (it refuses absolute paths and `..`)
      writeFileSync(join(dir, rel), 'RIFF');
      const file = await openRecording(dir, rel);
      expect(file.size).toBe(4);
      await file.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
