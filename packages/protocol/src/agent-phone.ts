/**
 * The agent's softphone: one WebRTC connection per logged-in agent, negotiated over the agent's
 * WebSocket (`/api/ws`) and kept for the whole login; calls are bridged into it, so answering needs no
 * new ICE (ADR 0007).
 *
 * Flow: `GET /api/agent/phone` → ICE servers (TURN with credentials) → the browser creates its
 * RTCPeerConnection, gathers every candidate (non-trickle) and sends `phone.offer`; the server answers
 * `phone.answer` (complete, with its host candidates), then reports `phone.state`. WebSocket reconnects
 * do not touch the media: the new socket receives the current `phone.state`. `phone.hangup` (logout)
 * or the end of the session closes it.
 */
import { z } from 'zod';
import { e164Schema } from './trunks';

/** Largest `phone.offer` frame: Chromium's offer with host, srflx and relay candidates is 3–6 KiB. */
export const MAX_PHONE_FRAME_BYTES = 20 * 1024;
export const MAX_OFFER_SDP_CHARS = 16 * 1024;

/** A tab's random id: which tab owns the phone when several are open. */
const tabId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

export const phoneClientFrameSchemas = [
  z.strictObject({
    type: z.literal('phone.offer'),
    tabId,
    sdp: z.string().min(10).max(MAX_OFFER_SDP_CHARS),
  }),
  z.strictObject({ type: z.literal('phone.hangup'), tabId }),
  /** The audio check: a tone, then the microphone looped back; `phone.check-done` reports the mic. */
  z.strictObject({ type: z.literal('phone.check'), tabId, action: z.enum(['start', 'stop']) }),
  /** Start recording the current call (its queue records `on_demand`); answered by `phone.recording`. */
  z.strictObject({ type: z.literal('phone.record'), tabId }),
  /**
   * Hand the current call to an outside number (a blind transfer through the tenant's trunk and dial
   * plan); progress and outcome come as `phone.transfer` frames.
   */
  z.strictObject({ type: z.literal('phone.transfer'), tabId, number: e164Schema }),
] as const;

export type PhoneClientFrame = z.infer<(typeof phoneClientFrameSchemas)[number]>;

const phoneClientFrameTypes: ReadonlySet<string> = new Set(
  phoneClientFrameSchemas.map((f) => f.shape.type.value),
);

/** A parsed client frame for the softphone (rather than for chat or the event stream). */
export function isPhoneClientFrame<F extends { type: string }>(
  frame: F | PhoneClientFrame,
): frame is PhoneClientFrame {
  return phoneClientFrameTypes.has(frame.type);
}

export type PhoneConnectionState = 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
export type PhoneMode = 'idle' | 'call' | 'check';

export interface PhoneCheckResult {
  readonly micRmsDbfs: number;
  readonly micPeakDbfs: number;
  /** Dominant frequency of what the microphone sent, Hz; null when it was silent. */
  readonly micToneHz: number | null;
  readonly completed: boolean;
}

/**
 * The recording of the agent's current call: `recording` (from the answer when the queue records
 * `always`, or since the agent pressed "Record"), `available` (the queue records `on_demand`: the
 * agent may start it), `unavailable` (the queue records `never`), `failed` (the recorder could not
 * write, e.g. a full disk: the call goes on, the file holds what was written until then).
 */
export type RecordingStatus = 'recording' | 'available' | 'unavailable' | 'failed';

export type PhoneErrorCode =
  /** The server runs without media (HOTLINE_MEDIA_ENABLED=false). */
  | 'VOICE_UNAVAILABLE'
  /** The SDP offer is unusable (malformed, no audio, no ICE/DTLS). */
  | 'BAD_OFFER'
  /** The offer has no G.711 audio. */
  | 'NO_COMMON_CODEC'
  /** The command needs a connected phone owned by this tab. */
  | 'PHONE_NOT_CONNECTED'
  /** The phone is on a call (e.g. starting the audio check). */
  | 'PHONE_BUSY'
  /** Too many offers in a minute. */
  | 'RATE_LIMITED'
  /** `phone.record` without a call bridged to this agent's phone. */
  | 'NOT_ON_CALL'
  /** `phone.record` on a call whose queue records `never`. */
  | 'RECORDING_NOT_ALLOWED'
  /** The recorder could not start (the recordings directory is not writable). */
  | 'RECORDING_FAILED'
  /** `phone.transfer` where calls out are not possible (no outbound calling, a callback's call). */
  | 'TRANSFER_UNAVAILABLE'
  | 'INTERNAL';

/**
 * Why a transfer to a number did not connect; the caller is back with the agent (except `CALL_ENDED`).
 * `DIAL_REFUSED`: the tenant's dial plan or trunks do not allow the number.
 */
export type PhoneTransferFailure =
  | 'DIAL_REFUSED'
  | 'BUSY'
  | 'NO_ANSWER'
  | 'REJECTED'
  | 'FAILED'
  /** The caller hung up, or the agent ended the call, while the number rang. */
  | 'CALL_ENDED';

export type PhoneServerFrame =
  | { type: 'phone.answer'; tabId: string; sdp: string }
  | {
      type: 'phone.state';
      /** The tab owning the phone (others show "in use in another tab"). */
      tabId: string;
      state: PhoneConnectionState;
      mode: PhoneMode;
      /** Why it closed: `hangup`, `replaced` (another tab), `failed`, `session-ended`, `server`. */
      reason?: string;
    }
  | { type: 'phone.check-done'; tabId: string; result: PhoneCheckResult }
  /** A key the agent pressed, as the server received it (RFC 4733). */
  | { type: 'phone.dtmf'; tabId: string; digit: string; durationMs: number }
  /** The current call's recording (sent when a call is bridged in, and on every change). */
  | { type: 'phone.recording'; tabId: string; status: RecordingStatus }
  /**
   * A transfer to a number: `dialling` (the agent's phone has let go; the caller hears ringback),
   * then `connected` (the caller talks to the number; the agent wraps up) or `failed` (the caller is
   * back on the agent's phone, `code` says why).
   */
  | {
      type: 'phone.transfer';
      tabId: string;
      number: string;
      status: 'dialling' | 'connected' | 'failed';
      code?: PhoneTransferFailure;
      message?: string;
    }
  | { type: 'phone.error'; tabId: string | null; code: PhoneErrorCode; message: string };

/** `GET /api/agent/phone`: what the browser needs before its offer. */
export const phoneConfigSchema = z.object({
  enabled: z.boolean(),
  iceServers: z.array(
    z.object({
      urls: z.array(z.string()),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  ),
  /** The browser's `RTCPeerConnection` `iceTransportPolicy`: `relay` sends media through TURN only. */
  iceTransportPolicy: z.enum(['all', 'relay']),
});
export type PhoneConfig = z.infer<typeof phoneConfigSchema>;
