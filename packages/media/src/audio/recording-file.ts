import { open } from 'node:fs/promises';
import type { RecordingFile } from './recorder';

/** A recording file on disk (created or truncated). */
export async function openRecordingFile(path: string): Promise<RecordingFile> {
  const handle = await open(path, 'w');
  return {
    async write(data, position) {
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
        done += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}
