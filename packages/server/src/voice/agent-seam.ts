import type { MediaCall } from '@hotline/media/worker/media-host';
import type { PhoneTransferFailure, RecordingStatus } from '@hotline/protocol/agent-phone';

/**
 * The seam between inbound calls (`inbound-call.ts`, which brings the caller to a queue and keeps them
 * on hold) and the agents' phones (`agent-phone*.ts`, WebRTC in the browser). Inbound calls call it;
 * the agent phone implements it. Until it is wired, `holdUntilAgentPhone` keeps callers on hold.
 */

/** The caller's leg id in every inbound media call. */
export const CALLER_LEG = 'caller';

/** The agent's leg id in a call's media (the call's end of the link to the agent's phone). */
export const AGENT_LEG = 'agent';

/** An outside number's leg (a transfer), one per attempt: `external-1`, `external-2`… */
export const EXTERNAL_LEG = 'external';

/** One inbound call as the agent phone sees it. */
export interface VoiceCallHandle {
  readonly tenantId: string;
  readonly interactionId: string;
  /** Our call id: the media call's id and `voice_calls.id`. */
  readonly callId: string;
  /** The caller's number (E.164 when it parsed) and the number they dialled. */
  readonly caller: string;
  readonly did: string;
  /** The media call: the caller's RTP leg is `CALLER_LEG`; add the agent's leg and `connect` them. */
  readonly media: MediaCall;
  /** Stops the music on hold and the queue announcements (call it before connecting the agent). */
  stopHold(): Promise<void>;
  /** Puts the caller back on hold (the agent's leg failed); announcements resume. */
  resumeHold(): Promise<void>;
  /** Writes the recording's file into the CDR (`voice_calls.recording_path`) once recording starts. */
  noteRecording(path: string): Promise<void>;
  /**
   * Starts the stereo recording (caller left, agent right) if the queue's policy allows it: `answer`
   * (the bridge is up) starts it for `always`; `agent` (the agent pressed "Record") for `always` and
   * `on_demand`. Resolves with the recording's status (`recording` again when it already runs);
   * never rejects (a failure to start is logged and answered `failed`).
   */
  record(trigger: 'answer' | 'agent'): Promise<RecordingStatus>;
  /**
   * The agent bridged into this call pressed a key on the softphone (`durationMs` already sane): pass
   * it on to the customer as RFC 4733, as a phone would (an external IVR on a callback, a code). The
   * call decides whether the customer is there to hear it (ignored otherwise); never throws.
   */
  sendAgentDigit(digit: string, durationMs: number): void;
  /**
   * The agent hands the call to an outside number (blind transfer). Their phone is let go at once;
   * resolves when the number answered (the caller is bridged to it, the agent wraps up) or not (the
   * caller is bridged back to the agent's phone). Absent: this kind of call cannot be transferred out.
   */
  transferToNumber?(number: string): Promise<NumberTransfer>;
}

export type NumberTransfer =
  | { readonly ok: true; readonly number: string }
  | { readonly ok: false; readonly code: PhoneTransferFailure; readonly message: string };

export interface VoiceOffer {
  readonly call: VoiceCallHandle;
  /** The agents the router offered the call to (one, or several for `ring_all`). */
  readonly agentIds: readonly string[];
  /** When the offer times out (ms since the epoch). */
  readonly expiresAt: number;
}

export interface AgentPhoneSeam {
  /** The router offered a queued call: ring these agents' phones. Must not throw; errors are its own. */
  onVoiceOffer(offer: VoiceOffer): void;
  /** An offer ended without this agent taking it (declined, timed out, taken by another, caller left). */
  onVoiceOfferWithdrawn(call: VoiceCallHandle, agentId: string): void;
  /**
   * The agent accepted (`routing.accepted`): connect the caller's media to the agent's phone —
   * `call.stopHold()`, create the agent's leg on `call.media`, `connect([CALLER_LEG, agentLeg])`.
   * Rejecting keeps the caller on hold (logged); the agent can end the interaction as usual.
   */
  bridgeToAgent(call: VoiceCallHandle, agentId: string): Promise<void>;
  /** The call ended (either side): tear down the agent's side if any. */
  onVoiceCallEnded(call: VoiceCallHandle): void;
  /**
   * The agent transferred the call (it waits in a queue again): unhook their phone from it; the call
   * goes on, and the next agent's `bridgeToAgent` takes the agent leg.
   */
  releaseAgent?(call: VoiceCallHandle): void;
  /** The bridged call's recording status is known or changed (after the answer, a start, a write error). */
  onRecording?(call: VoiceCallHandle, status: RecordingStatus): void;
}

/** Until agents have phones: callers stay on hold with music and announcements; offers go by WebSocket only. */
export const holdUntilAgentPhone: AgentPhoneSeam = {
  onVoiceOffer: () => {},
  onVoiceOfferWithdrawn: () => {},
  bridgeToAgent: async () => {},
  onVoiceCallEnded: () => {},
};
