/**
 * What an agent phone needs from its WebRTC transport, whichever implements it: werift (`WebRtcLeg`,
 * pure JavaScript, any thread) or libdatachannel through `node-datachannel` (`NativeWebRtcLeg`, one
 * thread per process, see `worker/native-phone-thread.ts` and ADR 0009). Both answer a browser's
 * complete offer with a complete answer (non-trickle), are `MediaLeg`s to the engine, and report their
 * connection state. This file holds the shared types only, so that loading it loads neither transport.
 */
import type { G711Law } from '../codec/g711';
import type { JitterBufferOptions } from '../jitter/jitter-buffer';
import type { DtmfEvent, MediaLeg } from '../leg';

export type WebRtcState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** Which implementation carries the agents' phones. */
export type WebRtcTransport = 'werift' | 'native';

export interface WebRtcLegOptions {
  readonly id: string;
  /** The G.711 law we answer with (PCMU by default); an offer without it fails with NO_COMMON_CODEC. */
  readonly codec?: G711Law;
  /** The host address to offer (werift: in addition to what it finds; native: the one it binds). */
  readonly hostAddress?: string;
  /** UDP ports the transport may bind for ICE (must not overlap the RTP range). */
  readonly portRange?: { min: number; max: number };
  readonly jitter?: Partial<JitterBufferOptions>;
  /** Monotonic milliseconds (performance.now). */
  readonly now: () => number;
  readonly random?: () => number;
  /** How long `answer` waits for our ICE gathering, ms. */
  readonly gatherTimeoutMs?: number;
  readonly onDtmf?: (event: DtmfEvent) => void;
  readonly onState?: (state: WebRtcState) => void;
}

export class WebRtcOfferError extends Error {
  readonly code: 'BAD_OFFER' | 'NO_COMMON_CODEC';
  constructor(code: 'BAD_OFFER' | 'NO_COMMON_CODEC', message: string) {
    super(message);
    this.code = code;
    this.name = 'WebRtcOfferError';
  }
}

/** An agent's WebRTC leg: a `MediaLeg` with a connection state and a talkspurt restart. */
export interface PhoneLeg extends MediaLeg {
  readonly state: WebRtcState;
  /** The next packet starts a talkspurt (marker bit): after a pause in sending (idle phone). */
  resume(): void;
}

/**
 * Answers a browser's offer with a new leg. Rejects with a `WebRtcOfferError` (`BAD_OFFER`,
 * `NO_COMMON_CODEC`) or an error of code `NO_PORTS`; nothing is left open then.
 */
export type PhoneLegFactory = (
  offerSdp: unknown,
  options: WebRtcLegOptions,
) => Promise<{ leg: PhoneLeg; answer: string }>;
