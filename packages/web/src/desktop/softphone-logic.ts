import type {
  PhoneCheckResult,
  PhoneErrorCode,
  PhoneServerFrame,
  PhoneTransferFailure,
  RecordingStatus,
} from '@hotline/protocol/agent-phone';

/**
 * The softphone's state as a pure reducer over what happens: the agent's actions, the microphone's
 * answer, the browser's connection and the server's `phone.*` frames (only those of this tab count;
 * another tab taking the phone over shows "in use in another tab" and nothing reconnects by itself).
 */

export type MicProblem = 'denied' | 'missing' | 'busy' | 'insecure';

export type SoftphoneStatus =
  /** Not started (or hung up). */
  | 'off'
  /** Asking for the microphone, gathering candidates, waiting for the answer. */
  | 'starting'
  /** Answer applied, ICE/DTLS under way. */
  | 'connecting'
  | 'connected'
  /** Lost (ICE failed, server closed it); the agent may reconnect. */
  | 'failed'
  /** Another tab of this agent took the phone over. */
  | 'elsewhere';

export interface SoftphoneState {
  readonly status: SoftphoneStatus;
  readonly mode: 'idle' | 'call' | 'check';
  readonly mic: MicProblem | null;
  readonly error: PhoneErrorCode | null;
  readonly muted: boolean;
  readonly check: PhoneCheckResult | null;
  /** Keys the server confirmed receiving, newest last (at most 16). */
  readonly keysHeard: string;
  /** When the current call (mode `call`) started, ms since the epoch. */
  readonly callSince: number | null;
  /** The current call's recording, as the server last said (null: not known, or no call). */
  readonly recording: RecordingStatus | null;
  /** The last transfer to a number, until the next call (a failure stays shown on the call it returned to). */
  readonly transfer: NumberTransferState | null;
}

export interface NumberTransferState {
  readonly number: string;
  readonly status: 'dialling' | 'connected' | 'failed';
  readonly code: PhoneTransferFailure | null;
}

/** `+` and 2–15 digits once spaces, dots, dashes and parentheses are dropped (as the server reads it). */
export function dialableNumber(typed: string): string | null {
  const number = typed.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{1,14}$/.test(number) ? number : null;
}

export const initialSoftphone: SoftphoneState = {
  status: 'off',
  mode: 'idle',
  mic: null,
  error: null,
  muted: false,
  check: null,
  keysHeard: '',
  callSince: null,
  recording: null,
  transfer: null,
};

export type SoftphoneAction =
  | { type: 'start' }
  | { type: 'mic-failed'; problem: MicProblem }
  | { type: 'answered' }
  | { type: 'connection'; state: RTCPeerConnectionState }
  | { type: 'frame'; frame: PhoneServerFrame; tabId: string; now: number }
  | { type: 'mute'; muted: boolean }
  | { type: 'check-started' }
  | { type: 'stop' };

export function softphoneReducer(s: SoftphoneState, a: SoftphoneAction): SoftphoneState {
  switch (a.type) {
    case 'start':
      return { ...initialSoftphone, status: 'starting' };
    case 'mic-failed':
      return { ...initialSoftphone, mic: a.problem };
    case 'answered':
      return s.status === 'starting' ? { ...s, status: 'connecting' } : s;
    case 'connection':
      if (s.status === 'off' || s.status === 'elsewhere') return s;
      if (a.state === 'connected') return { ...s, status: 'connected' };
      if (a.state === 'failed')
        return { ...s, status: 'failed', mode: 'idle', callSince: null, recording: null };
      return s;
    case 'mute':
      return { ...s, muted: a.muted };
    case 'check-started':
      return { ...s, check: null };
    case 'stop':
      return { ...initialSoftphone };
    case 'frame':
      return applyFrame(s, a.frame, a.tabId, a.now);
  }
}

function applyFrame(s: SoftphoneState, f: PhoneServerFrame, tabId: string, now: number): SoftphoneState {
  if (f.type === 'phone.error') {
    if (f.tabId !== null && f.tabId !== tabId) return s;
    // an offer refused: nothing is connecting any more
    const failedStart = s.status === 'starting' && f.code !== 'PHONE_BUSY';
    return { ...s, error: f.code, ...(failedStart ? { status: 'failed' as const } : {}) };
  }
  if (f.tabId !== tabId) {
    // another tab owns the phone now (its offer replaced ours)
    if (f.type === 'phone.state' && f.state !== 'closed' && s.status !== 'off' && s.status !== 'starting')
      return { ...initialSoftphone, status: 'elsewhere' };
    return s;
  }
  switch (f.type) {
    case 'phone.answer':
      return s;
    case 'phone.state': {
      if (f.state === 'closed' || f.state === 'failed') {
        // our own re-offer closes our previous phone first: that is not the end
        if (s.status === 'starting' && f.reason === 'replaced') return s;
        if (s.status === 'off') return s;
        return {
          ...s,
          status: f.reason === 'hangup' ? 'off' : 'failed',
          mode: 'idle',
          callSince: null,
          recording: null,
        };
      }
      const callSince = f.mode === 'call' ? (s.mode === 'call' ? s.callSince : now) : null;
      // A new call clears the last transfer; the call a transfer in progress returns to keeps it.
      const transfer =
        f.mode === 'call' && s.mode !== 'call' && s.transfer?.status !== 'dialling' ? null : s.transfer;
      return {
        ...s,
        transfer,
        recording: f.mode === 'call' ? s.recording : null,
        status: f.state === 'connected' ? 'connected' : s.status === 'connected' ? 'connected' : s.status,
        mode: f.mode,
        callSince,
        error: null,
      };
    }
    case 'phone.check-done':
      return { ...s, check: f.result, mode: s.mode === 'check' ? 'idle' : s.mode };
    case 'phone.dtmf':
      return { ...s, keysHeard: (s.keysHeard + f.digit).slice(-16) };
    case 'phone.recording':
      return s.mode === 'call' ? { ...s, recording: f.status } : s;
    case 'phone.transfer':
      return { ...s, transfer: { number: f.number, status: f.status, code: f.code ?? null } };
  }
}

/** What went wrong with `getUserMedia`, by the DOMException's name. */
export function micProblemOf(error: unknown): MicProblem {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'missing';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'missing';
  }
}

export const KEYPAD = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** The digit a key press means on the keypad (digits, `*`, `#`; numpad too), or null. */
export function keypadDigit(key: string): string | null {
  return /^[0-9*#]$/.test(key) ? key : null;
}

/** A random tab id for `phone.*` frames (the server only checks its shape). */
export function newTabId(random: () => number = Math.random): string {
  let id = '';
  for (let i = 0; i < 16; i++) id += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)];
  return `tab-${id}`;
}

/**
 * Keeps only G.711 and telephone-event/8000 in a codec list (for `setCodecPreferences`): the server
 * answers nothing else, and a short offer fits the WebSocket frame limit with room for candidates.
 */
export function g711Codecs<T extends { mimeType: string; clockRate: number }>(codecs: readonly T[]): T[] {
  const pick = (mime: string) =>
    codecs.filter((c) => c.mimeType.toLowerCase() === mime && c.clockRate === 8000);
  return [...pick('audio/pcmu'), ...pick('audio/pcma'), ...pick('audio/telephone-event')];
}
