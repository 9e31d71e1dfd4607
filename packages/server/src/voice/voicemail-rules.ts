import type { Language } from '@hotline/core/flow/flow-types';

/**
 * The pure parts of voicemail (`voicemail.ts` does the I/O): what is said, when a recording counts as
 * a message, where its file goes.
 */

/** Said before the beep when the flow gives no prompt, and always on a queue's overflow to voicemail. */
export const DEFAULT_VOICEMAIL_PROMPT: Record<Language, string> = {
  en: 'Nobody can take your call right now. Please leave a message after the tone, then press the pound key or hang up.',
  ru: 'Сейчас никто не может ответить. Пожалуйста, оставьте сообщение после сигнала, затем нажмите решётку или положите трубку.',
};

/** Said after a message left from a queue's overflow, before we hang up. */
export const VOICEMAIL_THANKS: Record<Language, string> = {
  en: 'Thank you, your message has been recorded. Goodbye.',
  ru: 'Спасибо, ваше сообщение записано. До свидания.',
};

/** Said when the overflow recording held no message, before we hang up. */
export const VOICEMAIL_NOTHING_HEARD: Record<Language, string> = {
  en: 'We did not hear a message. Please call again later. Goodbye.',
  ru: 'Мы не услышали сообщения. Пожалуйста, перезвоните позже. До свидания.',
};

/** The longest message an overflow records (the flow verb sets its own, 5–600 s). */
export const OVERFLOW_VOICEMAIL_MAX_SECONDS = 120;

/** Shorter recordings are not messages (a caller who pressed `#` or hung up at the beep). */
export const MIN_MESSAGE_MS = 1000;
/** At least this much of it must carry sound (20 ms frames above the media recorder's speech level). */
export const MIN_SOUND_MS = 500;

/** What the media engine reports of a finished recording (`soundMs` unknown when the call was torn down). */
export interface RecordedAudio {
  readonly durationMs: number;
  readonly soundMs: number | null;
}

/**
 * Whether a recording is kept as a voicemail: at least `MIN_MESSAGE_MS` long and, when the recorder
 * measured it, at least `MIN_SOUND_MS` of sound. Anything else (silence, a click, line noise) is
 * discarded: no row, no task, the file deleted — an agent is never offered an empty message.
 */
export function isMessage(audio: RecordedAudio): boolean {
  if (audio.durationMs < MIN_MESSAGE_MS) return false;
  return audio.soundMs === null || audio.soundMs >= MIN_SOUND_MS;
}

/**
 * Where a voicemail's audio lives, relative to the voicemail directory (`HOTLINE_DATA_DIR/voicemail`):
 * `<tenant id>/<YYYY-MM-DD>/<voicemail id>.wav`, the UTC day it was left. Stored relative, like call
 * recordings, so the data directory can move.
 */
export function voicemailPath(tenantId: string, voicemailId: string, at: Date): string {
  return `${tenantId}/${at.toISOString().slice(0, 10)}/${voicemailId}.wav`;
}

/** The duration of a 16-bit 8 kHz mono WAV of `bytes` (44-byte header), when only its size is known. */
export function monoWavDurationMs(bytes: number): number {
  return Math.max(0, Math.floor(((bytes - 44) / 2 / 8000) * 1000));
}

/** The screen pop of a voicemail's task: string values (the task channel's `data`). */
export function voicemailTaskData(v: {
  voicemailId: string;
  caller: string;
  did: string;
  durationMs: number;
  callId: string;
}): Record<string, string> {
  return {
    kind: 'voicemail',
    voicemailId: v.voicemailId,
    caller: v.caller,
    did: v.did,
    durationSec: String(Math.round(v.durationMs / 1000)),
    callId: v.callId,
  };
}

/** The caller as a task contact: a phone number only when it is one (else nothing is claimed). */
export function voicemailContact(caller: string): Record<string, string> {
  return /^\+?[0-9]{3,20}$/.test(caller) ? { phone: caller } : {};
}
