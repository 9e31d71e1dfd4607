import type { Voicemail, VoicemailStatus } from '@hotline/protocol/voicemails';
import { voicemailAudioUrl } from '@hotline/protocol/voicemails';
import { request } from '../api/http';

/** What a voicemail's task carries in its data (the server's `voicemailTaskData`). */
export interface VoicemailTask {
  readonly voicemailId: string;
  readonly caller: string;
  readonly did: string;
  readonly durationSec: number | null;
}

/** The voicemail a task delivers, from its screen-pop data; null for any other interaction. */
export function voicemailTaskOf(data: Readonly<Record<string, unknown>> | undefined): VoicemailTask | null {
  if (data?.kind !== 'voicemail' || typeof data.voicemailId !== 'string' || data.voicemailId === '') {
    return null;
  }
  const seconds = Number(data.durationSec);
  return {
    voicemailId: data.voicemailId,
    caller: typeof data.caller === 'string' ? data.caller : '',
    did: typeof data.did === 'string' ? data.did : '',
    durationSec: Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds) : null,
  };
}

export const voicemailApi = {
  key: (id: string) => ['voicemail', id] as const,
  get: (id: string) => request<Voicemail>('GET', `/voicemails/${encodeURIComponent(id)}`),
  setStatus: (id: string, status: VoicemailStatus) =>
    request<Voicemail>('PATCH', `/voicemails/${encodeURIComponent(id)}`, { status }),
  audioUrl: (id: string, download = false) => `${voicemailAudioUrl(id)}${download ? '?download=1' : ''}`,
};
