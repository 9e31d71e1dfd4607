/**
 * The typed message protocol between the control plane (main thread) and a media worker. Commands go
 * one way and are answered by exactly one reply; events flow back unprompted. Everything here must
 * survive structured cloning (no functions, no class instances).
 */
import type { RecordingSummary } from '../audio/recorder';
import type { G711Law } from '../codec/g711';
import type { DtmfEvent, LegStats } from '../leg';
import type { MemberRole } from '../mix/mixer';
import type { RtpEndpoint } from '../rtp/rtp-leg';
import type { PhoneMode } from '../webrtc/agent-phone';
import type { AudioCheckOptions, AudioCheckResult } from '../webrtc/audio-check';
import type { WebRtcState } from '../webrtc/phone-leg';
import type { ThreadPriority } from './thread-priority';

export type PlaySource = { kind: 'file'; path: string } | { kind: 'pcm'; pcm: Int16Array };

export type Command =
  | {
      type: 'createLeg';
      callId: string;
      legId: string;
      codec: G711Law;
      telephoneEventPt?: number;
      remote?: RtpEndpoint;
      rtcpMux?: boolean;
      inbandDtmf?: boolean;
    }
  | { type: 'setRemote'; callId: string; legId: string; remote: RtpEndpoint }
  | { type: 'connect'; callId: string; legIds: string[] }
  | { type: 'join'; callId: string; legId: string; role: MemberRole }
  | { type: 'play'; callId: string; legId: string; id: string; source: PlaySource; loop?: boolean }
  | { type: 'stopPlay'; callId: string; legId: string; id?: string }
  | { type: 'record'; callId: string; path: string; customerLegId: string; agentLegId: string }
  /** One leg alone into a mono WAV (a voicemail); `stopRecord` ends it while the call goes on. */
  | { type: 'recordLeg'; callId: string; path: string; legId: string }
  | { type: 'stopRecord'; callId: string }
  | { type: 'sendDtmf'; callId: string; legId: string; digits: string; durationMs?: number }
  | { type: 'stats'; callId: string }
  | { type: 'hangup'; callId: string }
  | { type: 'workerStats' }
  /**
   * Agent phones (ADR 0007): one WebRTC leg per logged-in agent, on the worker chosen at its creation.
   * `phoneCreate` answers a browser's complete (non-trickle) offer with a complete answer; errors
   * `BAD_OFFER`, `NO_COMMON_CODEC`, `PHONE_EXISTS`.
   */
  | { type: 'phoneCreate'; phoneId: string; offer: string; codec?: G711Law }
  /** The call's end of a link: a leg of the call (on the call's worker) fed by the shared buffer. */
  | { type: 'linkLeg'; callId: string; legId: string; link: SharedArrayBuffer }
  /** The phone's end of the same link (on the phone's worker). */
  | { type: 'phoneAttach'; phoneId: string; link: SharedArrayBuffer }
  | { type: 'phoneDetach'; phoneId: string }
  | { type: 'phoneCheck'; phoneId: string; options?: AudioCheckOptions }
  | { type: 'phoneStopCheck'; phoneId: string }
  | { type: 'phoneDtmf'; phoneId: string; digits: string }
  | { type: 'phoneStats'; phoneId: string }
  | { type: 'phoneClose'; phoneId: string };

export type PhoneStats = LegStats & { state: WebRtcState; mode: PhoneMode };

export interface WorkerStats {
  readonly calls: number;
  /** Agent phones (WebRTC legs) living on this worker. */
  readonly phones: number;
  readonly legs: number;
  readonly ticks: number;
  readonly skippedTicks: number;
  readonly maxTickLateMs: number;
  readonly tickLateP99Ms: number;
  /** Worst time one tick (all calls of the worker) took, ms. */
  readonly maxTickWorkMs: number;
  /**
   * Cumulative counts of the jitter the worker adds to outgoing streams (see MediaEngine), in 0.1 ms
   * buckets from 0 to 200 ms (the last bucket holds everything beyond).
   */
  readonly sendJitterHistogram: number[];
  /** The scheduling priority this worker's thread asked for and got (see thread-priority.ts). */
  readonly priority: ThreadPriority;
}

/** What each command answers. */
export interface CommandResults {
  createLeg: { address: string; port: number };
  setRemote: undefined;
  connect: undefined;
  join: undefined;
  play: undefined;
  stopPlay: undefined;
  record: undefined;
  recordLeg: undefined;
  /** Null when the call was not recording. */
  stopRecord: RecordingSummary | null;
  sendDtmf: undefined;
  stats: LegStats[];
  hangup: { legs: LegStats[]; recording?: RecordingSummary };
  workerStats: WorkerStats;
  phoneCreate: { answer: string };
  linkLeg: undefined;
  phoneAttach: undefined;
  phoneDetach: { detached: boolean };
  phoneCheck: undefined;
  phoneStopCheck: undefined;
  phoneDtmf: undefined;
  phoneStats: PhoneStats;
  phoneClose: LegStats;
}

export type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;

export type MediaEvent =
  | { type: 'dtmf'; callId: string; event: DtmfEvent }
  | { type: 'play-done'; callId: string; legId: string; id: string; reason: 'finished' | 'stopped' }
  | { type: 'record-error'; callId: string; message: string }
  | { type: 'leg-bye'; callId: string; legId: string; reason: string | undefined }
  | { type: 'leg-stats'; callId: string; stats: LegStats[] }
  /** The call's tick threw; the worker hung the call up (an `ended` follows). */
  | { type: 'call-error'; callId: string; message: string }
  | { type: 'ended'; callId: string }
  | { type: 'phone-state'; phoneId: string; state: WebRtcState }
  /** A key the agent pressed on the softphone (RFC 4733 from the browser). */
  | { type: 'phone-dtmf'; phoneId: string; event: DtmfEvent }
  | { type: 'phone-detached'; phoneId: string; reason: 'call-ended' | 'replaced' | 'detached' }
  | { type: 'phone-check-done'; phoneId: string; result: AudioCheckResult }
  /** The phone was closed (command, or its connection failed/closed); it no longer exists. */
  | { type: 'phone-closed'; phoneId: string; reason: string };

/** The envelopes on the wire. */
export type ToWorker = { kind: 'command'; id: number; command: Command };
export type FromWorker =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: { code: string; message: string } }
  | { kind: 'event'; event: MediaEvent };
