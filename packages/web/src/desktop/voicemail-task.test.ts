import { describe, expect, it } from 'vitest';
import { voicemailApi, voicemailTaskOf } from './voicemail-task';

describe('voicemailTaskOf', () => {
  const id = '3f2d1c4b-0000-4000-8000-000000000001';

  it('reads the voicemail a task delivers from its data', () => {
    expect(
      voicemailTaskOf({
        kind: 'voicemail',
        voicemailId: id,
        caller: '+79161234567',
        did: '+74950002211',
        durationSec: '12',
      }),
    ).toEqual({ voicemailId: id, caller: '+79161234567', did: '+74950002211', durationSec: 12 });
  });

  it('is null for other tasks and tolerates odd data', () => {
    expect(voicemailTaskOf(undefined)).toBeNull();
    expect(voicemailTaskOf({ caller: '+7916' })).toBeNull();
    expect(voicemailTaskOf({ kind: 'voicemail', voicemailId: 42 })).toBeNull();
    expect(voicemailTaskOf({ kind: 'voicemail', voicemailId: id, durationSec: 'long' })).toEqual({
      voicemailId: id,
      caller: '',
      did: '',
      durationSec: null,
    });
  });

  it('builds the audio URL the player and the download link use', () => {
    expect(voicemailApi.audioUrl(id)).toBe(`/api/voicemails/${id}/audio`);
    expect(voicemailApi.audioUrl(id, true)).toBe(`/api/voicemails/${id}/audio?download=1`);
  });
});
