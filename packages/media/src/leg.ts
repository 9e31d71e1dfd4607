/**
 * A media leg: one party's audio, whatever carries it (plain RTP now; WebRTC through werift later).
 * The call engine drives every leg from its worker's 20 ms tick, calling `receiveFrame` then `sendFrame`
 * exactly once per tick, on the worker thread; legs never call back into the engine except through the
 * event callbacks they were given. Audio crosses this interface as 16-bit 8 kHz PCM, 160 samples.
 */
import type { DtmfDigit } from './dtmf/rfc4733';
import type { JitterStats } from './jitter/jitter-buffer';

export type DtmfSource = 'rfc4733' | 'inband';

export interface DtmfEvent {
  readonly legId: string;
  readonly digit: DtmfDigit;
  readonly durationMs: number;
  readonly source: DtmfSource;
}

export interface LegStats {
  readonly legId: string;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  /** Datagrams dropped before use, by reason (malformed, unexpected source, unknown payload type…). */
  readonly dropped: Readonly<Record<string, number>>;
  /** RFC 3550 A.3: expected − received of the current source. */
  readonly lost: number;
  readonly expected: number;
  readonly jitterMs: number;
  readonly jitterBuffer: Readonly<JitterStats>;
  /** Where our RTP goes: the address latched from the peer's packets, else the signalled one. */
  readonly remote: { address: string; port: number; latched: boolean } | undefined;
  /** What the peer last reported about our stream (RTCP). */
  readonly peerReport?: { fractionLost: number; cumulativeLost: number; jitterMs: number; rttMs?: number };
}

export interface MediaLeg {
  readonly id: string;
  /** The next 20 ms heard from the peer, after jitter buffering and concealment. Do not modify it. */
  receiveFrame(nowMs: number): Int16Array;
  /** Sends 20 ms to the peer; while a DTMF event is going out the leg sends the event instead. */
  sendFrame(pcm: Int16Array, nowMs: number): void;
  /** Queues digits to send as RFC 4733 events. */
  sendDtmf(digits: string, durationMs?: number): void;
  stats(): LegStats;
  /** Stops sending and receiving (RTCP BYE where it applies) and releases ports. */
  close(): Promise<void>;
}

export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;
