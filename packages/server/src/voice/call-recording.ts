import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MediaCall } from '@hotline/media/worker/media-host';
import { AGENT_LEG, CALLER_LEG } from './agent-seam';

/**
 * Where a call's recording lives, relative to the recordings directory (`HOTLINE_DATA_DIR/recordings`):
 * `<tenant id>/<YYYY-MM-DD>/<call id>.wav`, the day (UTC) the recording started. `voice_calls.recording_path`
 * stores this relative form; the calls API (`calls/recording-files.ts`) refuses anything absolute or
 * leaving the directory, so the data directory can move without rewriting rows.
 */
export function recordingPath(tenantId: string, callId: string, startedAt: Date): string {
  const day = startedAt.toISOString().slice(0, 10);
  return `${tenantId}/${day}/${callId}.wav`;
}

/**
 * Starts the media call's stereo recorder into `<recordingsDir>/<relative>` (caller left, agent right;
 * the directory is created). The file is written by the call's media worker as the call goes; a later
 * write failure (a full disk) arrives as the engine's `record-error` event and does not end the call.
 */
export async function startRecording(
  media: Pick<MediaCall, 'record'>,
  recordingsDir: string,
  relative: string,
): Promise<void> {
  const path = join(recordingsDir, relative);
  await mkdir(dirname(path), { recursive: true });
  await media.record(path, CALLER_LEG, AGENT_LEG);
}
