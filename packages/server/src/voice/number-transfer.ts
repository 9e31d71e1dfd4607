import type { InteractionState } from '@hotline/core/interaction/interaction-lifecycle';
import { CALLER_LEG, type NumberTransfer } from './agent-seam';
import { type DialFailure, type DialLegOptions, type DialOutcome, dialLeg } from './outbound-leg';

/**
 * Calls out of a live call to an outside number (ADR 0010, 0013), shared by inbound calls and
 * callbacks: the customer hears ringback while the number is dialled, and an agent's blind transfer
 * lets go of the agent first and brings the customer back to them when the number is not reached.
 */

export interface RingbackDialOptions extends Omit<DialLegOptions, 'onRinging' | 'leg'> {
  /** The customer's ringback tone (a looping file), played on `CALLER_LEG` as `ringbackId`. */
  readonly ringback: () => Promise<string>;
  readonly ringbackId: string;
  /** Checked once the tone is ready: false when the call ended meanwhile (no tone then). */
  readonly stillWanted: () => boolean;
  readonly onRingbackError: (err: unknown) => void;
}

/**
 * Dials `number` into a new leg while the customer hears ringback, replaced by the carrier's own
 * early media (a 183 with SDP) when it sends any; the ringback stops once the dial is over either way.
 * The leg is not connected: the caller bridges it once it knows the call is still wanted.
 */
export async function dialWithRingback(o: RingbackDialOptions): Promise<DialOutcome> {
  let over = false;
  const stopRingback = () => o.media.stopPlay(CALLER_LEG, o.ringbackId).catch(() => {});
  o.ringback()
    .then((path) =>
      over || !o.stillWanted()
        ? undefined
        : o.media.play({
            type: 'play',
            legId: CALLER_LEG,
            id: o.ringbackId,
            source: { kind: 'file', path },
            loop: true,
          }),
    )
    .catch(o.onRingbackError);
  const { ringback: _r, ringbackId: _i, stillWanted: _s, onRingbackError: _e, ...dial } = o;
  const outcome = await dialLeg({
    ...dial,
    onRinging: (early) => void (early ? stopRingback() : undefined),
  }).catch(
    (err: unknown) =>
      ({
        ok: false,
        code: 'FAILED',
        status: null,
        message: err instanceof Error ? err.message : String(err),
      }) as const,
  );
  over = true;
  await stopRingback();
  return outcome;
}

/** A dial out of a call as the call sees it: null when the call ended while the number rang. */
export type DialResult =
  | { readonly ok: true; readonly number: string }
  | { readonly ok: false; readonly code: DialFailure | 'UNAVAILABLE'; readonly message: string }
  | null;

/** What a call does for its agent's transfer to a number (`AgentNumberTransfer`). */
export interface HandOffSteps {
  /** The agent's phone lets go of the call (the customer hears ringback next). */
  releaseAgent(): void;
  /** Dials the number and bridges the customer to it once answered; `signal` gives up the attempt. */
  dial(number: string, signal: AbortSignal): Promise<DialResult>;
  /** Answered: the agent's CDR leg ends, the recording stops, the interaction goes to their wrap-up. */
  handedOff(): Promise<void>;
  /** Not reached: the customer is bridged back to the same agent. */
  bridgeBack(agentId: string): Promise<void>;
  /** A router state change held back while the number rang, applied once the dial is down. */
  apply(to: InteractionState): void;
}

/**
 * An agent's blind transfer of a call to an outside number (ADR 0013). Their phone lets go at once;
 * answered, the customer and the number talk and the interaction is no longer the call's (the agent
 * wraps up); busy, not answered or refused, the customer comes back to the agent. The router moving the
 * call while the number rings (the agent ended it, or sent it to a queue) cancels the dial, and the
 * move applies once it is down.
 */
export class AgentNumberTransfer {
  #dial: { readonly abort: AbortController; pending: InteractionState | null } | null = null;
  #handedOff = false;

  /** `callSignal`: aborted when the call ends (the dial gives up with it). */
  constructor(
    private readonly steps: HandOffSteps,
    private readonly callSignal: AbortSignal,
  ) {}

  /** The customer is with the number: the router's later changes are not the call's business. */
  get handedOff(): boolean {
    return this.#handedOff;
  }

  /** A number is ringing for the agent. */
  get dialling(): boolean {
    return this.#dial !== null;
  }

  /**
   * A router state change for the call: true when this transfer takes it — held back while the number
   * rings (the dial is cancelled, and `apply` gets it after), or moot once the customer is handed off.
   */
  intercept(to: InteractionState): boolean {
    if (this.#handedOff) return true;
    if (this.#dial === null) return false;
    this.#dial.pending = to;
    this.#dial.abort.abort();
    return true;
  }

  /** Call only while `agentId` talks to the customer. */
  async transfer(agentId: string, number: string): Promise<NumberTransfer> {
    if (this.#dial !== null || this.#handedOff)
      return { ok: false, code: 'FAILED', message: 'a transfer is under way' };
    const dial = { abort: new AbortController(), pending: null as InteractionState | null };
    this.#dial = dial;
    const onEnd = () => dial.abort.abort();
    this.callSignal.addEventListener('abort', onEnd, { once: true });
    this.steps.releaseAgent();
    let result: DialResult;
    try {
      result = await this.steps.dial(number, dial.abort.signal);
    } finally {
      this.callSignal.removeEventListener('abort', onEnd);
      this.#dial = null;
    }
    if (result === null)
      return { ok: false, code: 'CALL_ENDED', message: 'the call ended while the number rang' };
    if (result.ok) {
      this.#handedOff = true;
      await this.steps.handedOff();
      return { ok: true, number: result.number };
    }
    if (dial.pending !== null) {
      this.steps.apply(dial.pending);
      return { ok: false, code: 'CALL_ENDED', message: 'the call was ended or moved while the number rang' };
    }
    await this.steps.bridgeBack(agentId);
    return {
      ok: false,
      code: result.code === 'UNAVAILABLE' || result.code === 'CANCELLED' ? 'FAILED' : result.code,
      message: result.message,
    };
  }
}
