import type { InteractionState } from '@hotline/core/interaction/interaction-lifecycle';
import type { MediaCall } from '@hotline/media/worker/media-host';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import type { RecordingStatus } from '@hotline/protocol/agent-phone';
import type { OutgoingCall } from '@hotline/sip/ua/outgoing-call';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { RoutingService } from '../routing/routing-service';
import type { OutboundDialer } from '../sip/sip-service';
import {
  AGENT_LEG,
  type AgentPhoneSeam,
  CALLER_LEG,
  EXTERNAL_LEG,
  type NumberTransfer,
  type VoiceCallHandle,
} from './agent-seam';
import { leaveRouting } from './call-endings';
import { recordingPath, startRecording } from './call-recording';
import type { CallbackRequest } from './callback-request';
import type { VoiceLog } from './inbound-call';
import type { DialFailure } from './outbound-leg';
import { dialLeg } from './outbound-leg';
import { AgentNumberTransfer, type DialResult, dialWithRingback, type HandOffSteps } from './number-transfer';
import { readQueueVoiceSettings } from './queue-voice-settings-store';
import type { HangupCause, HangupSide, VoiceCallStore } from './voice-call-store';

export interface CallbackCallDeps {
  readonly db: Kysely<Database>;
  readonly clock: { now(): number };
  readonly routing: RoutingService;
  readonly calls: VoiceCallStore;
  readonly seam: () => AgentPhoneSeam;
  readonly dialer: OutboundDialer;
  readonly ringback: () => Promise<string>;
  /** The queue's music on hold (the agent transferred the call: the customer waits for the next one). */
  readonly holdMusic: (queueId: string) => Promise<string>;
  readonly ringTimeoutMs: number;
  readonly recordingsDir: string;
  readonly log: VoiceLog;
  readonly onFinished: (call: CallbackCall) => void;
  /** The customer was not reached (busy, no answer, refused by the network): the caller may try again. */
  readonly onUnreached: (call: CallbackCall, code: DialFailure) => void;
}

export interface CallbackFacts {
  /** Our call id: the media call's and the new `voice_calls` row's (direction `outbound`). */
  readonly callId: string;
  readonly tenantId: string;
  readonly interactionId: string;
  /** The customer's number (E.164), dialled once an agent accepts. */
  readonly number: string;
  /** The number the customer called (presented as the calling number), and its trunk. */
  readonly did: string;
  readonly trunkId: string | null;
  readonly queueId: string;
  /** The request as the interaction holds it (number, when, which attempt). */
  readonly request: CallbackRequest;
  /** The interaction's screen-pop fields (a retry carries them over). */
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * `held`: the agent transferred the connected call; the customer waits on hold for the next agent.
 * `external`: the agent hands the customer to an outside number (ringing, then talking to it).
 */
type Phase = 'offered' | 'dialling' | 'talking' | 'held' | 'external' | 'ended';

/**
 * A callback once the router offers it (issue 7): the customer hung up in the queue keeping their
 * place; now an agent is reserved. The agent's phone rings with the callback; when the agent accepts,
 * the agent's phone is bridged to a new RTP leg and hears ringback while the customer's number is
 * dialled through the trunk (presenting the number they called); the customer's answer connects them,
 * recorded by the queue's policy. A customer who does not answer (busy, no answer, refused by the dial
 * plan) ends the interaction — the agent wraps up with a disposition — and the CDR row says why
 * (`CALLBACK_FAILED`). Either side hanging up ends the other. An offer that is withdrawn (declined,
 * timed out) frees the media: the router offers the callback again later, to a new `CallbackCall`.
 */
export class CallbackCall {
  #phase: Phase = 'offered';
  #customer: OutgoingCall | null = null;
  #abort = new AbortController();
  #offeredTo = new Set<string>();
  #rowWritten: Promise<void> | null = null;
  #recording: RecordingStatus | null = null;
  #finished: Promise<void> | null = null;
  /** The agent who has (or last had) the customer. */
  #agentId: string | null = null;
  /** The agent's transfer to a number; the number's call once it answered (hung up with this call). */
  readonly #numberTransfer: AgentNumberTransfer;
  #external: { call: OutgoingCall; legId: string } | null = null;
  #externalAttempts = 0;
  /** The queue the interaction waits or waited in last (a transfer moves it): its music and recording policy. */
  #queueId: string;
  readonly handle: VoiceCallHandle;

  constructor(
    private readonly deps: CallbackCallDeps,
    readonly facts: CallbackFacts,
    private readonly media: MediaCall,
  ) {
    this.#queueId = facts.queueId;
    this.handle = {
      tenantId: facts.tenantId,
      interactionId: facts.interactionId,
      callId: facts.callId,
      caller: facts.number,
      did: facts.did,
      media,
      stopHold: async () => {},
      resumeHold: async () => {},
      noteRecording: (path) => this.deps.calls.recording(facts.tenantId, facts.callId, path),
      record: (trigger) => this.#record(trigger),
      sendAgentDigit: (digit, durationMs) => this.#sendAgentDigit(digit, durationMs),
      transferToNumber: (number) => this.#transferToNumber(number),
    };
    this.#numberTransfer = new AgentNumberTransfer(this.#handOffSteps(), this.#abort.signal);
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** A method, not a field read: the phase changes across awaits (events), which narrowing ignores. */
  #isEnded(): boolean {
    return this.#phase === 'ended';
  }

  onOffered(agentIds: readonly string[], expiresAt: number): void {
    if (this.#phase !== 'offered' && this.#phase !== 'held') return;
    for (const id of agentIds) this.#offeredTo.add(id);
    this.#seam((s) => s.onVoiceOffer({ call: this.handle, agentIds, expiresAt }));
  }

  /** Resolves true when no offer is left (the call should be forgotten). */
  onOfferWithdrawn(agentId: string): boolean {
    this.#seam((s) => s.onVoiceOfferWithdrawn(this.handle, agentId));
    this.#offeredTo.delete(agentId);
    if (this.#phase === 'offered' && this.#offeredTo.size === 0) {
      void this.#end(null);
      return true;
    }
    return false;
  }

  onAccepted(agentId: string, at: number): void {
    if (this.#phase === 'held') {
      this.#agentId = agentId;
      this.#phase = 'talking';
      void this.#bridgeNext(agentId);
      return;
    }
    if (this.#phase !== 'offered') return;
    this.#phase = 'dialling';
    this.#agentId = agentId;
    void this.#dial(agentId, at);
  }

  /** The interaction (re)entered a queue: a transfer to another queue, an overflow. */
  onRequeued(queueId: string): void {
    if (this.#phase !== 'ended') this.#queueId = queueId;
  }

  /** The router finished the interaction (the agent ended it: wrap-up) — hang up the customer. */
  onStateChanged(to: InteractionState): void {
    if (this.#phase === 'ended') return;
    // The agent's number rings (the change applies once it is down), or the customer is with it.
    if (this.#numberTransfer.intercept(to)) return;
    if (to === 'queued' && this.#phase === 'talking') {
      // The agent transferred the call: their phone lets go, the customer hears the queue's music —
      // once this batch of router events is dispatched, so the hold plays the queue the call moved to
      // (`onRequeued`).
      this.#phase = 'held';
      const at = new Date(this.deps.clock.now());
      this.#write(() => this.deps.calls.agentReleased(this.facts.tenantId, this.facts.callId, at));
      this.#seam((s) => s.releaseAgent?.(this.handle));
      queueMicrotask(() => void this.#hold());
      return;
    }
    if (to === 'wrap_up' || to === 'closed' || to === 'missed' || to === 'abandoned')
      void this.#end({ side: 'agent', cause: 'AGENT_ENDED' }, false);
  }

  /**
   * The media engine's events about this call: the customer's keys reach the outside number they were
   * handed to (its IVR); a recorder that fails (a full disk) stops, the call goes on, the agent is told.
   */
  onMediaEvent(e: MediaEvent): void {
    switch (e.type) {
      case 'dtmf':
        if (e.event.legId === CALLER_LEG && this.#phase === 'external' && this.#external !== null)
          this.media.sendDtmf(this.#external.legId, e.event.digit).catch(() => {});
        return;
      case 'call-error':
        this.deps.log.error({ ...this.#fields(), message: e.message }, 'callback media failed');
        void this.#end({ side: 'system', cause: 'MEDIA_ERROR' });
        return;
      case 'record-error':
        this.deps.log.error(
          { ...this.#fields(), message: e.message },
          'callback recording failed; the call goes on unrecorded',
        );
        this.#recording = 'failed';
        this.#seam((s) => s.onRecording?.(this.handle, 'failed'));
        return;
      default:
        return;
    }
  }

  /** Shutdown. */
  terminate(): Promise<void> {
    return this.#end({ side: 'system', cause: 'SHUTDOWN' });
  }

  async #dial(agentId: string, at: number): Promise<void> {
    const { tenantId, callId, interactionId: ixId } = this.facts;
    const arrivedAt = new Date(at);
    this.#rowWritten = this.deps.calls
      .insert(this.deps.db, {
        id: callId,
        tenantId,
        interactionId: ixId,
        sipCallId: '',
        fromNumber: this.facts.did,
        toNumber: this.facts.number,
        did: this.facts.did,
        trunkId: this.facts.trunkId ?? '',
        codec: 'PCMU',
        arrivedAt,
        answeredAt: null,
        direction: 'outbound',
      })
      .then(() => this.deps.calls.agentConnected(tenantId, callId, agentId, this.#queueId, arrivedAt))
      .catch((err: unknown) => this.deps.log.error({ err, ...this.#fields() }, 'callback CDR row failed'));
    let leg: { address: string; port: number } | null = null;
    try {
      leg = await this.media.createLeg({
        type: 'createLeg',
        legId: CALLER_LEG,
        codec: 'PCMU',
        telephoneEventPt: 101,
        inbandDtmf: false,
      });
      // The agent's phone joins first and hears ringback while the customer's phone rings.
      await this.deps.seam().bridgeToAgent(this.handle, agentId);
      const ringback = await this.deps.ringback();
      if (this.#phase === 'dialling')
        await this.media.play({
          type: 'play',
          legId: AGENT_LEG,
          id: 'ringback',
          source: { kind: 'file', path: ringback },
          loop: true,
        });
    } catch (err) {
      this.deps.log.error({ err, ...this.#fields(), agentId }, 'callback: connecting the agent failed');
    }
    if (this.#phase !== 'dialling') return;
    if (leg === null) {
      await this.#end({ side: 'system', cause: 'MEDIA_ERROR' });
      return;
    }
    const outcome = await dialLeg({
      dialer: this.deps.dialer,
      media: this.media,
      legId: CALLER_LEG,
      leg,
      codec: 'PCMU',
      tenantId,
      number: this.facts.number,
      callerId: this.facts.did,
      trunkId: this.facts.trunkId,
      ringTimeoutMs: this.deps.ringTimeoutMs,
      signal: this.#abort.signal,
    }).catch((err: unknown) => ({ ok: false, code: 'FAILED', status: null, message: String(err) }) as const);
    await this.media.stopPlay(AGENT_LEG, 'ringback').catch(() => {});
    if (!outcome.ok) {
      this.deps.log.info(
        { ...this.#fields(), code: outcome.code, status: outcome.status },
        'callback: the customer was not reached',
      );
      await this.#end({ side: 'system', cause: 'CALLBACK_FAILED' });
      if (outcome.code !== 'CANCELLED') this.deps.onUnreached(this, outcome.code);
      return;
    }
    if (this.#phase !== 'dialling') {
      outcome.call.hangUp();
      return;
    }
    this.#customer = outcome.call;
    this.#phase = 'talking';
    outcome.call.on('ended', () => void this.#end({ side: 'caller', cause: 'BYE' }));
    const answered = new Date(this.deps.clock.now());
    await this.#rowWritten;
    await this.deps.calls.answered(tenantId, callId, answered).catch(() => {});
    const status = await this.#record('answer');
    this.#seam((s) => s.onRecording?.(this.handle, status));
    this.deps.log.info({ ...this.#fields(), agentId }, 'callback connected');
  }

  // ── The agent's transfer to an outside number ────────────────────────────────────────────────────

  /** The agent hands the customer to a number (a blind transfer from the softphone, `AgentNumberTransfer`). */
  #transferToNumber(number: string): Promise<NumberTransfer> {
    const agentId = this.#agentId;
    if (this.#phase !== 'talking' || agentId === null)
      return Promise.resolve({ ok: false, code: 'FAILED', message: 'the customer is not with an agent' });
    return this.#numberTransfer.transfer(agentId, number);
  }

  #handOffSteps(): HandOffSteps {
    const { tenantId, callId, interactionId } = this.facts;
    return {
      releaseAgent: () => this.#seam((s) => s.releaseAgent?.(this.handle)),
      dial: (number, signal) => this.#dialOut(number, signal),
      handedOff: async () => {
        const at = new Date(this.deps.clock.now());
        this.#write(() => this.deps.calls.agentReleased(tenantId, callId, at));
        if (this.#recording === 'recording')
          await this.media
            .stopRecording()
            .catch((err: unknown) =>
              this.deps.log.warn({ err, ...this.#fields() }, 'callback: stopping the recording failed'),
            );
        await leaveRouting(this.deps.routing, tenantId, interactionId).catch((err: unknown) =>
          this.deps.log.error(
            { err, ...this.#fields() },
            'callback: ending the interaction after the transfer failed',
          ),
        );
      },
      bridgeBack: async (agentId) => {
        try {
          await this.deps.seam().bridgeToAgent(this.handle, agentId);
          this.#seam((s) => s.onRecording?.(this.handle, this.#recording ?? 'unavailable'));
        } catch (err) {
          this.deps.log.error(
            { err, ...this.#fields(), agentId },
            'callback: bridging the customer back failed',
          );
        }
      },
      apply: (to) => this.onStateChanged(to),
    };
  }

  /**
   * Dials the number while the customer hears ringback, and bridges the customer to it once answered
   * (presenting the customer's number, as a transfer of an inbound call does). Either side's BYE then
   * ends the other; the CDR row gets the transfer. A failure leaves the customer where they were.
   */
  async #dialOut(number: string, signal: AbortSignal): Promise<DialResult> {
    const { tenantId, callId } = this.facts;
    this.#phase = 'external';
    const attempt = ++this.#externalAttempts;
    const legId = `${EXTERNAL_LEG}-${attempt}`;
    const outcome = await dialWithRingback({
      dialer: this.deps.dialer,
      media: this.media,
      legId,
      codec: 'PCMU',
      tenantId,
      number,
      callerId: this.facts.number,
      trunkId: this.facts.trunkId,
      ringTimeoutMs: this.deps.ringTimeoutMs,
      signal,
      ringback: this.deps.ringback,
      ringbackId: `ringback-${attempt}`,
      stillWanted: () => this.#phase === 'external',
      onRingbackError: (err) => this.deps.log.warn({ err, ...this.#fields() }, 'callback: ringback failed'),
    });
    if (this.#isEnded()) {
      if (outcome.ok) outcome.call.hangUp();
      return null;
    }
    if (!outcome.ok) {
      this.#phase = 'talking';
      this.deps.log.info(
        { ...this.#fields(), code: outcome.code, status: outcome.status },
        'callback: transfer failed',
      );
      return { ok: false, code: outcome.code, message: outcome.message };
    }
    this.#external = { call: outcome.call, legId };
    outcome.call.on('ended', () => void this.#end({ side: 'external', cause: 'EXTERNAL_BYE' }));
    await this.media.connect([CALLER_LEG, legId]);
    const at = new Date(this.deps.clock.now());
    this.#write(() => this.deps.calls.transferred(tenantId, callId, outcome.number, at));
    this.deps.log.info({ ...this.#fields(), number: outcome.number }, 'callback: transferred to a number');
    return { ok: true, number: outcome.number };
  }

  async #hold(): Promise<void> {
    try {
      const path = await this.deps.holdMusic(this.#queueId);
      if (this.#phase === 'held')
        await this.media.play({
          type: 'play',
          legId: CALLER_LEG,
          id: 'moh',
          source: { kind: 'file', path },
          loop: true,
        });
    } catch (err) {
      this.deps.log.warn({ err, ...this.#fields() }, 'callback: music on hold failed');
    }
  }

  /**
   * The next agent took the transferred call: the same customer leg, their phone as the agent leg. The
   * recording goes on (or starts, by the policy of the queue the call came through), and the new
   * agent's softphone is told either way.
   */
  async #bridgeNext(agentId: string): Promise<void> {
    const { tenantId, callId } = this.facts;
    const at = new Date(this.deps.clock.now());
    const queueId = this.#queueId;
    this.#write(() => this.deps.calls.agentConnected(tenantId, callId, agentId, queueId, at));
    try {
      await this.media.stopPlay(CALLER_LEG).catch(() => {});
      await this.deps.seam().bridgeToAgent(this.handle, agentId);
      const status = await this.#record('answer');
      this.#seam((s) => s.onRecording?.(this.handle, status));
    } catch (err) {
      this.deps.log.error({ err, ...this.#fields(), agentId }, 'callback: bridging the next agent failed');
    }
  }

  /** The agent's keypad once the customer answered (their bank's IVR, a code): sent on as RFC 4733. */
  #sendAgentDigit(digit: string, durationMs: number): void {
    if (this.#phase !== 'talking') return;
    this.media
      .sendDtmf(CALLER_LEG, digit, durationMs)
      .catch((err: unknown) =>
        this.deps.log.warn({ err, ...this.#fields() }, "callback: sending the agent's key failed"),
      );
  }

  async #record(trigger: 'answer' | 'agent'): Promise<RecordingStatus> {
    if (this.#recording === 'recording' || this.#recording === 'failed') return this.#recording;
    if (this.#phase !== 'talking') return this.#recording ?? 'unavailable';
    const { tenantId, callId } = this.facts;
    try {
      const policy =
        (await readQueueVoiceSettings(this.deps.db, tenantId, this.#queueId))?.recording ?? 'always';
      if (!(policy === 'always' || (policy === 'on_demand' && trigger === 'agent'))) {
        this.#recording = policy === 'on_demand' ? 'available' : 'unavailable';
        return this.#recording;
      }
      const relative = recordingPath(tenantId, callId, new Date(this.deps.clock.now()));
      await startRecording(this.media, this.deps.recordingsDir, relative);
      this.#recording = 'recording';
      await this.deps.calls.recording(tenantId, callId, relative);
      return 'recording';
    } catch (err) {
      this.deps.log.error({ err, ...this.#fields(), trigger }, 'callback recording could not start');
      this.#recording = 'failed';
      return 'failed';
    }
  }

  /**
   * Ends the callback once: hangs up the customer, frees the media, ends the interaction with the
   * router (wrap-up for the agent) unless it did so itself, and closes the CDR row. `how` null: an
   * offer withdrawn before anyone accepted — only the media goes.
   */
  #end(how: { side: HangupSide; cause: HangupCause } | null, endRouting = true): Promise<void> {
    // The first ending wins. `#finish` marks the call ended before it hangs up the customer and the
    // number, whose calls report their own end at once: those reports land here and are ignored.
    if (this.#isEnded()) return this.#finished ?? Promise.resolve();
    this.#finished = this.#finish(how, endRouting);
    return this.#finished;
  }

  async #finish(how: { side: HangupSide; cause: HangupCause } | null, endRouting: boolean): Promise<void> {
    const was = this.#phase;
    this.#phase = 'ended';
    this.#abort.abort();
    this.#customer?.hangUp();
    this.#external?.call.hangUp();
    const { tenantId, callId } = this.facts;
    try {
      await this.media.hangup().catch(() => null);
      if (how !== null && was !== 'offered') {
        // Connected: the conversation ends (wrap-up). Waiting again after a transfer: the customer left.
        if (endRouting) await leaveRouting(this.deps.routing, tenantId, this.facts.interactionId);
        await this.#rowWritten;
        await this.deps.calls.ended(tenantId, callId, how.side, how.cause, new Date(this.deps.clock.now()));
        this.deps.log.info({ ...this.#fields(), ...how, was }, 'callback ended');
      }
    } catch (err) {
      this.deps.log.error({ err, ...this.#fields() }, 'ending a callback failed');
    } finally {
      if (was !== 'offered') this.#seam((s) => s.onVoiceCallEnded(this.handle));
      this.deps.onFinished(this);
    }
  }

  /** A CDR write after the row's insert, in the order of the call's events; a failure is logged. */
  #write(fn: () => Promise<void>): void {
    this.#rowWritten = (this.#rowWritten ?? Promise.resolve())
      .then(fn)
      .catch((err: unknown) => this.deps.log.error({ err, ...this.#fields() }, 'callback CDR write failed'));
  }

  #seam(fn: (seam: AgentPhoneSeam) => void): void {
    try {
      fn(this.deps.seam());
    } catch (err) {
      this.deps.log.error({ err, ...this.#fields() }, 'agent phone seam failed');
    }
  }

  #fields() {
    return {
      tenantId: this.facts.tenantId,
      interactionId: this.facts.interactionId,
      callId: this.facts.callId,
    };
  }
}
