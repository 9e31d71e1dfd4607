import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { notFound } from '../errors';

/**
 * Call recordings on disk. A call's `recording_path` is relative to the recordings directory
 * (`<data dir>/recordings` unless configured); a stored path that would leave that directory (an
 * absolute path, `..`) is treated as missing rather than followed, so a bad row cannot serve
 * another file of the machine.
 */
export interface RecordingFile {
  readonly size: number;
  /** The bytes `start`..`end` inclusive; the file closes when the stream ends or is destroyed. */
  stream(start: number, end: number): Readable;
  close(): Promise<void>;
}

/** The file of a stored recording path, opened; NOT_FOUND when the path is unsafe or the file gone. */
export async function openRecording(recordingsDir: string, stored: string): Promise<RecordingFile> {
  const root = resolve(recordingsDir);
  const path = resolve(root, stored);
  const inside = relative(root, path);
  if (stored === '' || isAbsolute(stored) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw notFound('recording file');
  }
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) throw notFound('recording file');
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw notFound('recording file');
  }
  return {
    size: stat.size,
    stream: (start, end) =>
      createReadStream('', {
        fd: handle,
        start,
        end: Math.max(start, end),
        autoClose: true,
        emitClose: true,
      }),
    close: () => handle.close(),
  };
}

/**
 * One byte range of an HTTP `Range` header (RFC 9110 §14.1.2) over a file of `size` bytes: null when
 * absent, malformed or asking several ranges (the whole file is sent then, as the RFC allows), the
 * inclusive range when satisfiable, `unsatisfiable` when it starts past the end.
 */
export function parseByteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    // A suffix: the last N bytes.
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}
