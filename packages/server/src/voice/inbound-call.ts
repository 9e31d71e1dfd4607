import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  CollectAction,
  EnqueueAction,
  FlowAction,
  FlowEvent,
  Language,
} from '@hotline/core/flow/flow-types';
import { type InteractionId, interactionId, queueId, skillId } from '@hotline/core/ids';
import {
  finalInteractionStates,
  type InteractionState,
} from '@hotline/core/interaction/interaction-lifecycle';
import type { OverflowAction } from '@hotline/core/routing/queue-config';
import type { G711Law } from '@hotline/media/codec/g711';
import type { MediaCall } from '@hotline/media/worker/media-host';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import type { RecordingStatus } from '@hotline/protocol/agent-phone';
import type { CallEnd } from '@hotline/sip/ua/call-base';
import type { IncomingCall } from '@hotline/sip/ua/incoming-call';
import type { OutgoingCall } from '@hotline/sip/ua/outgoing-call';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { type EgressPolicy, executeFlowHttp } from '../flows/flow-http';
import type { FlowSessionService } from '../flows/flow-sessions';
import type { RoutingService } from '../routing/routing-service';
import type { OutboundDialer } from '../sip/sip-service';
import {
  type AgentPhoneSeam,
  CALLER_LEG,
  EXTERNAL_LEG,
  type NumberTransfer,
  type VoiceCallHandle,
} from './agent-seam';
import { closeInFlow, leaveRouting } from './call-endings';
import { recordingPath, startRecording } from './call-recording';
import {
  CALLBACK_TEXTS,
  callbackConfirmation,
  E164,
  requestQueueCallback,
  scheduleFlowCallback,
} from './callback-request';
import { type CollectStep, DigitCollector, MAX_COLLECTED_DIGITS } from './digit-collector';
import type { AnnouncementSettings } from './queue-announcements';
import { QueueHold } from './queue-hold';
import { readQueueVoiceSettings } from './queue-voice-settings-store';
import { unicastTarget } from './rtp-target';
import { type TtsCache, TtsError } from './tts-cache';
import type { HangupCause, HangupSide, VoiceCallStore } from './voice-call-store';
import { AgentNumberTransfer, type DialResult, dialWithRingback, type HandOffSteps } from './number-transfer';
import { overflowToVoicemail, type VoicemailCall, type VoicemailService, voicemailStep } from './voicemail';

/** What an inbound call logs through (pino's shape). */
export interface VoiceLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface QueueVoiceSettings {
  readonly announcements: AnnouncementSettings;
  /** A WAV file to loop while waiting. */
  readonly music: string;
  /** The key that asks for a callback (offered with the announcements); null: no offer. */
  readonly callbackDigit: string | null;
}

/** Everything one call needs, shared by all calls (passed in by `VoiceService`). */
export interface InboundCallDeps {
  readonly db: Kysely<Database>;
  readonly clock: { now(): number };
  readonly sessions: FlowSessionService;
  readonly routing: RoutingService;
  readonly tts: TtsCache;
  readonly calls: VoiceCallStore;
  readonly seam: () => AgentPhoneSeam;
  readonly httpPolicy: EgressPolicy;
  /** The tenant's prompt files (`play` verb): `<dir>/<file>`; names are checked, never paths. */
  readonly promptsDir: (tenantId: string) => string;
  readonly queueSettings: (tenantId: string, queueId: string) => Promise<QueueVoiceSettings>;
  readonly interDigitTimeoutMs: number;
  /** Call recordings: `<dir>/<tenant>/<day>/<call id>.wav` (see `call-recording.ts`). */
  readonly recordingsDir: string;
  /** Voicemail (`voicemail.ts`): the flow verb and overflow to voicemail; absent: both unavailable. */
  readonly voicemail?: VoicemailService;
  readonly log: VoiceLog;
  /** Outbound calls through the tenant's trunks (transfer to a number); null: none (voice without SIP out). */
  readonly dialer: OutboundDialer | null;
  /** The ringback tone file (`outbound-leg.ts`), played to the caller while a number is dialled. */
  readonly ringback: () => Promise<string>;
  /** How long a transfer's number may ring before we give up. */
  readonly transferRingTimeoutMs: number;
  /** The caller asked for a callback: the router's events about the interaction are no longer this call's. */
  readonly onCallbackScheduled: (call: InboundCall) => void;
  /** The call is over and its writes are done: forget it. */
  readonly onFinished: (call: InboundCall) => void;
}

export interface InboundCallFacts {
  readonly callId: string;
  readonly tenantId: string;
  readonly interactionId: string;
  readonly sipCallId: string;
  /** E.164 when the From user parsed as a number, else the user as sent. */
  readonly caller: string;
  readonly did: string;
  readonly trunkId: string;
  /** The caller leg's codec (an outbound leg offers the same one: no transcoding). */
  readonly codec: G711Law;
}

/** `external`: connected to (or dialling) an external number: a transfer. */
type Phase = 'flow' | 'queued' | 'agent' | 'external' | 'ended';

/** Messages spoken when the router gives up on a waiting caller (overflow). */
const OVERFLOW_MESSAGES: Record<
  Exclude<OverflowAction['type'], 'queue' | 'close'>,
  Record<Language, string>
> = {
  voicemail: {
    en: 'Sorry, nobody can take your call now and voicemail is not available. Please call again later.',
    ru: 'К сожалению, сейчас никто не может ответить, а голосовая почта недоступна. Пожалуйста, перезвоните позже.',
  },
  external: {
    en: 'Sorry, your call cannot be transferred now. Please call again later.',
    ru: 'К сожалению, сейчас ваш звонок не может быть переведён. Пожалуйста, перезвоните позже.',
  },
  callback: {
    en: 'Thank you. We will call you back as soon as an agent is free. Goodbye.',
    ru: 'Спасибо. Мы перезвоним вам, как только освободится оператор. До свидания.',
  },
};

const PROMPT_NAME = /^[\w][\w.-]{0,127}\.wav$/i;

/**
 * One answered inbound call, from the answer to the end: runs the number's flow over voice (speech,
 * prompts, keypad, HTTP), hands the caller to a queue with music on hold and announcements, reacts to
 * the router (offers, acceptance, overflow), and records the CDR facts as they happen.
 *
 * Concurrency: flow steps run one at a time in `#loop`; media events, SIP events and router events
 * only complete what the loop waits for (a play, a key, a timer) or set `#phase`. The caller's hang-up
 * first lets the loop stop (every wait resolves at once), then tells the flow (`hangup`) and the
 * router (`abandon` while waiting), so no two writes about this call race each other.
 */
export class InboundCall {
  #phase: Phase = 'flow';
  #sessionId: string | null = null;
  #loop: Promise<void> = Promise.resolve();
  readonly #plays = new Map<string, (reason: 'finished' | 'stopped' | 'ended') => void>();
  #playSeq = 0;
  #collect: {
    collector: DigitCollector;
    promptId: string | null;
    armed: boolean;
    timer: NodeJS.Timeout | null;
    resolve: (event: FlowEvent | null) => void;
  } | null = null;
  #abort = new AbortController();
  /** Keys pressed while no menu or gather listened, for the next one. */
  #typeAhead = '';
  #language: Language = 'en';
  #queueId: string | null = null;
  /** Music and announcements while the caller waits in a queue. */
  readonly #hold: QueueHold;
  /** Set when we end the call ourselves, before the BYE goes out. */
  #hangup: { side: HangupSide; cause: HangupCause } | null = null;
  /** An overflow decision is being carried out: the router already finished the interaction. */
  #overflowing = false;
  #finished: Promise<void> | null = null;
  #stored: Promise<void> = Promise.resolve();
  /** The CDR writes in flight, one after another (`#write`). */
  #writes: Promise<void> = Promise.resolve();
  /** The external number's call (transfer) once it answered; hung up with this call. */
  #external: { call: OutgoingCall; legId: string } | null = null;
  #externalAttempts = 0;
  /** The caller asked for a callback: the interaction stays with the router when this call ends. */
  #callbackScheduled = false;
  /** The agent who has (or last had) the call. */
  #agentId: string | null = null;
  /** The agent's transfer to a number (ringing, or handed off: the interaction is no longer the call's). */
  readonly #numberTransfer: AgentNumberTransfer;
  /** The recording's status once an agent answered (null before); starts run one at a time. */
  #recording: RecordingStatus | null = null;
  #recordChain: Promise<unknown> = Promise.resolve();
  /** A voicemail being recorded takes the caller's keys and the recorder's errors (`voicemail.ts`). */
  #voicemail: { onMediaEvent(e: MediaEvent): boolean } | null = null;
  readonly handle: VoiceCallHandle;

  constructor(
    private readonly deps: InboundCallDeps,
    readonly facts: InboundCallFacts,
    private readonly sip: IncomingCall,
    private readonly media: MediaCall,
  ) {
    this.handle = {
      tenantId: facts.tenantId,
      interactionId: facts.interactionId,
      callId: facts.callId,
      caller: facts.caller,
      did: facts.did,
      media,
      stopHold: () => this.#stopHold(),
      resumeHold: () => this.#startHold(),
      noteRecording: (path) => this.deps.calls.recording(facts.tenantId, facts.callId, path),
      record: (trigger) => this.#record(trigger),
      sendAgentDigit: (digit, durationMs) => this.#sendAgentDigit(digit, durationMs),
      transferToNumber: (number) => this.#transferToNumber(number),
    };
    this.#numberTransfer = new AgentNumberTransfer(this.#handOffSteps(), this.#abort.signal);
    this.#hold = new QueueHold({
      media,
      routing: deps.routing,
      tts: deps.tts,
      clock: deps.clock,
      log: deps.log,
      settings: deps.queueSettings,
      tenantId: facts.tenantId,
      interactionId: facts.interactionId,
      caller: facts.caller,
      language: () => this.#language,
      play: (path) => this.#play(path),
      fields: () => this.#fields(),
    });
    sip.on('ended', (end) => void this.#ended(end));
    // A re-INVITE moved the caller's media (a carrier's media server change, resume after hold).
    sip.on('media', (audio) => {
      if (this.#phase === 'ended' || audio.remoteAddress === '0.0.0.0' || !unicastTarget(audio.remoteAddress))
        return;
      this.media
        .setRemote(CALLER_LEG, { address: audio.remoteAddress, port: audio.remotePort })
        .catch((err: unknown) =>
          this.deps.log.warn({ err, ...this.#fields() }, 'moving the caller media failed'),
        );
    });
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** A method, not a field read: the phase changes across awaits (events), which narrowing ignores. */
  #isEnded(): boolean {
    return this.#phase === 'ended';
  }

  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** The interaction and CDR rows being written: the end of the call waits for them. */
  storing(rows: Promise<void>): void {
    this.#stored = rows.catch(() => undefined);
  }

  /** Starts the number's flow (the interaction and the CDR row exist already). */
  start(flowId: string): void {
    if (this.#isEnded()) return; // the caller left while the rows were written: nothing to run
    this.#loop = this.#runFlow(flowId).catch((err: unknown) => {
      this.deps.log.error({ err, ...this.#fields() }, 'voice flow failed');
      this.#systemHangup('FLOW_ERROR');
    });
  }

  /** Ends the call from our side (shutdown, errors). Resolves when everything about it is written. */
  async terminate(cause: HangupCause): Promise<void> {
    this.#systemHangup(cause);
    await this.#finished;
  }

  // ── Events from the media engine, SIP and the router ─────────────────────────────────────────────

  onMediaEvent(e: MediaEvent): void {
    if (this.#voicemail?.onMediaEvent(e)) return;
    switch (e.type) {
      case 'dtmf':
        if (e.event.legId === CALLER_LEG) this.#onDigit(e.event.digit);
        // Transferred: the caller's keys reach the external number (its IVR), theirs go nowhere.
        if (e.event.legId === CALLER_LEG && this.#phase === 'external' && this.#external !== null)
          this.media.sendDtmf(this.#external.legId, e.event.digit).catch(() => {});
        return;
      case 'play-done':
        this.#plays.get(e.id)?.(e.reason);
        this.#plays.delete(e.id);
        return;
      case 'call-error':
        this.deps.log.error({ ...this.#fields(), message: e.message }, 'voice media failed');
        this.#systemHangup('MEDIA_ERROR');
        return;
      case 'record-error':
        // A full disk must not cost the conversation: the recorder stops, the call goes on, the file
        // keeps what was written (its header is fixed at every flush).
        this.deps.log.error(
          { ...this.#fields(), message: e.message },
          'call recording failed; the call goes on unrecorded',
        );
        this.#recording = 'failed';
        this.#seam((s) => s.onRecording?.(this.handle, 'failed'));
        return;
      default:
        return;
    }
  }

  onOffered(agentIds: readonly string[], expiresAt: number): void {
    if (this.#phase === 'ended') return;
    this.#seam((s) => s.onVoiceOffer({ call: this.handle, agentIds, expiresAt }));
  }

  onOfferWithdrawn(agentId: string): void {
    this.#seam((s) => s.onVoiceOfferWithdrawn(this.handle, agentId));
  }

  onAccepted(agentId: string, at: number): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'agent';
    this.#agentId = agentId;
    const queueId = this.#queueId;
    this.#write(() =>
      this.deps.calls.agentConnected(this.facts.tenantId, this.facts.callId, agentId, queueId, new Date(at)),
    );
    this.deps
      .seam()
      .bridgeToAgent(this.handle, agentId)
      .then(
        async () => {
          // Recording starts once both legs are bridged (the queue's policy decides), never before:
          // the file holds the conversation, not the hold music.
          const status = await this.#record('answer');
          this.#seam((s) => s.onRecording?.(this.handle, status));
        },
        (err: unknown) =>
          this.deps.log.error({ err, ...this.#fields(), agentId }, 'bridging the call to the agent failed'),
      );
  }

  /** The agent's keypad while they talk to the caller: the keys reach the caller (RFC 4733). */
  #sendAgentDigit(digit: string, durationMs: number): void {
    if (this.#phase !== 'agent') return;
    this.media
      .sendDtmf(CALLER_LEG, digit, durationMs)
      .catch((err: unknown) =>
        this.deps.log.warn({ err, ...this.#fields() }, "sending the agent's key failed"),
      );
  }

  /** The router moved the call to another queue (expansion does not; overflow to a queue does). */
  onRequeued(queue: string): void {
    if (this.#phase !== 'queued' || queue === this.#queueId) return;
    this.#queueId = queue;
    this.#hold.enter(queue);
  }

  onOverflow(action: OverflowAction): void {
    if (this.#phase === 'ended' || action.type === 'queue') return;
    if (action.type === 'voicemail' && this.#overflowToVoicemail()) return;
    this.#overflowing = true;
    const message = action.type === 'close' ? action.message : OVERFLOW_MESSAGES[action.type][this.#language];
    const cause: HangupCause =
      action.type === 'close'
        ? 'OVERFLOW_CLOSE'
        : action.type === 'voicemail'
          ? 'OVERFLOW_VOICEMAIL'
          : action.type === 'external'
            ? 'OVERFLOW_EXTERNAL'
            : 'OVERFLOW_CALLBACK';
    if (action.type === 'voicemail') {
      this.deps.log.warn(
        { ...this.#fields(), action: action.type },
        'overflow action not available on voice yet',
      );
    }
    if (action.type === 'external') {
      void this.#overflowToNumber(action.number, message);
      return;
    }
    void this.#sayAndHangUp(message, cause);
  }

  /** The router finished the interaction (missed, or the agent ended the conversation). */
  onStateChanged(to: InteractionState): void {
    if (this.#phase === 'ended' || this.#overflowing) return;
    // The agent's number rings (the change applies once it is down), or the caller is with it.
    if (this.#numberTransfer.intercept(to)) return;
    if (to === 'wrap_up' && this.#phase === 'agent') {
      this.#systemHangup('AGENT_ENDED', 'agent');
    } else if (to === 'queued' && this.#phase === 'agent') {
      // The agent transferred the call (to a queue, or to an agent through one): their phone lets go
      // and the caller waits on hold again — once this batch of router events is dispatched, so the
      // hold starts with the queue the call moved to (`onRequeued`).
      this.#phase = 'queued';
      const at = new Date(this.deps.clock.now());
      this.#write(() => this.deps.calls.agentReleased(this.facts.tenantId, this.facts.callId, at));
      this.#seam((s) => s.releaseAgent?.(this.handle));
      queueMicrotask(() => void this.#startHold());
    } else if (finalInteractionStates.has(to) && this.#phase !== 'flow') {
      this.#systemHangup('MISSED');
    }
  }

  // ── The flow ──────────────────────────────────────────────────────────────────────────────────────

  async #runFlow(flowId: string): Promise<void> {
    const first = await this.deps.sessions.start(this.facts.tenantId, {
      flowId,
      interactionId: this.facts.interactionId,
      context: { channel: 'voice', caller: { number: this.facts.caller } },
    });
    this.#sessionId = first.session.id;
    this.#language = first.session.state.language;
    this.#write(() => this.deps.calls.flowSession(this.facts.tenantId, this.facts.callId, first.session.id));
    let action = first.action;
    while (!this.#isEnded()) {
      const event = await this.#perform(action);
      if (event === null || this.#isEnded()) return;
      const step = await this.deps.sessions.resume(this.facts.tenantId, this.#sessionId, event);
      this.#language = step.session.state.language;
      if (step.refused) {
        // The verb does not take this event (e.g. `say` has no error outcome): the flow cannot go on.
        this.deps.log.warn(
          { ...this.#fields(), event: event.type, code: step.refused.code, refused: step.refused.message },
          'voice flow refused the channel event; ending the call',
        );
        const why = event.type === 'error' ? `${event.code ?? 'ERROR'}: ${event.message ?? ''}` : event.type;
        await this.deps.sessions.fail(this.facts.tenantId, this.#sessionId, why);
        this.#systemHangup('FLOW_ERROR');
        return;
      }
      action = step.action;
    }
  }

  /** Carries out one action; resolves with the event for the flow, or null when the flow is done. */
  async #perform(action: FlowAction): Promise<FlowEvent | null> {
    switch (action.type) {
      case 'say':
        return this.#speak(action.language, action.text);
      case 'play':
        return this.#playPrompt(action.audio);
      case 'collect':
        return this.#collectDigits(action);
      case 'http':
        return executeFlowHttp(action, this.deps.httpPolicy, this.#abort.signal);
      case 'enqueue':
        return this.#enqueue(action);
      case 'transfer':
        if (action.to.kind !== 'number')
          return error(
            'TRANSFER_UNAVAILABLE',
            'a call cannot be transferred to an agent from the flow; enqueue it with the agent preferred',
          );
        return this.#transferOut(action.to.number);
      case 'voicemail':
        if (this.deps.voicemail) return voicemailStep(this.deps.voicemail, this.#voicemailCall(), action);
        return error('VOICEMAIL_UNAVAILABLE', 'voicemail is not available on voice yet');
      case 'callback':
        return this.#scheduleCallback(action);
      case 'hangup':
        this.#systemHangup('FLOW_HANGUP');
        return null;
      case 'end':
        if (action.reason === 'handed_over') {
          if (this.#phase === 'queued') await this.#startHold();
        } else if (action.reason === 'transferred') {
          // Connected to the external number: the call goes on until either side hangs up.
          if (this.#phase !== 'external') this.#systemHangup('FLOW_COMPLETED');
        } else if (action.reason !== 'caller_left') {
          this.#systemHangup(action.reason === 'error' ? 'FLOW_ERROR' : 'FLOW_COMPLETED');
        }
        return null;
    }
  }

  async #speak(language: Language, text: string): Promise<FlowEvent> {
    let path: string;
    try {
      path = await this.deps.tts.speech(language, text);
    } catch (err) {
      return ttsError(err);
    }
    try {
      await this.#play(path);
      return { type: 'done' };
    } catch (err) {
      return error('PLAY_FAILED', messageOf(err));
    }
  }

  async #playPrompt(audio: string): Promise<FlowEvent> {
    if (!PROMPT_NAME.test(audio) || audio.includes('..')) {
      return error('PROMPT_NOT_FOUND', `"${audio.slice(0, 64)}" is not a prompt file name (name.wav)`);
    }
    const path = join(this.deps.promptsDir(this.facts.tenantId), audio);
    try {
      await access(path, constants.R_OK);
    } catch {
      return error('PROMPT_NOT_FOUND', `no prompt "${audio}"`);
    }
    try {
      await this.#play(path);
      return { type: 'done' };
    } catch (err) {
      return error('PLAY_FAILED', messageOf(err));
    }
  }

  /** Plays a file to the caller and waits for its end (or the call's). Rejects when the engine refuses it. */
  async #play(path: string, id = this.#nextPlayId()): Promise<'finished' | 'stopped' | 'ended'> {
    if (this.#phase === 'ended') return 'ended';
    const done = new Promise<'finished' | 'stopped' | 'ended'>((resolve) => this.#plays.set(id, resolve));
    try {
      await this.media.play({ type: 'play', legId: CALLER_LEG, id, source: { kind: 'file', path } });
    } catch (err) {
      this.#plays.delete(id);
      throw err;
    }
    return done;
  }

  #nextPlayId(): string {
    return `p${++this.#playSeq}`;
  }

  /**
   * A menu or gather: the prompt plays while keys are already taken (the first key stops it); the
   * first-key timer starts when the prompt ends; keys are accumulated by `DigitCollector`.
   */
  async #collectDigits(action: CollectAction): Promise<FlowEvent | null> {
    if (action.mode !== 'dtmf') return error('BAD_COLLECT', 'a voice call collects keypad digits only');
    const collector = new DigitCollector({
      maxDigits: action.maxDigits,
      finishOnKey: action.finishOnKey,
      firstDigitTimeoutMs: action.timeoutMs,
      interDigitTimeoutMs: Math.min(this.deps.interDigitTimeoutMs, action.timeoutMs),
    });
    const hasPrompt = action.prompt !== null && action.prompt.trim() !== '';
    const promptId = hasPrompt ? this.#nextPlayId() : null;
    // Keys count from now, also while the prompt is being synthesised (a caller who knows the menu).
    const result = new Promise<FlowEvent | null>((resolve) => {
      this.#collect = { collector, promptId, armed: false, timer: null, resolve };
    });
    const current = () => this.#collect?.collector === collector;
    const typed = this.#typeAhead;
    this.#typeAhead = '';
    for (let i = 0; i < typed.length; i++) {
      this.#applyCollectStep(collector.press(typed[i]!));
      if (!current()) {
        // The keys typed ahead answered it; the rest wait for the next menu or gather.
        this.#typeAhead = typed.slice(i + 1);
        return result;
      }
    }
    if (hasPrompt && promptId !== null) {
      this.deps.tts
        .speech(action.language, action.prompt ?? '')
        .then((path) => (current() && !this.#collect?.armed ? this.#play(path, promptId) : 'stopped'))
        .then((reason) => {
          // A key pressed during the prompt already armed the inter-digit timer.
          if (reason === 'finished' && current() && !this.#collect?.armed)
            this.#applyCollectStep(collector.start());
        })
        .catch((err: unknown) => {
          if (current())
            this.#finishCollect(
              err instanceof TtsError ? ttsError(err) : error('PLAY_FAILED', messageOf(err)),
            );
        });
    } else {
      this.#applyCollectStep(collector.start());
    }
    return result;
  }

  #onDigit(digit: string): void {
    if (this.#phase === 'queued') {
      if (this.#hold.holding && digit === this.#hold.callbackDigit) void this.#requestCallback();
      return;
    }
    if (this.#phase !== 'flow') return; // keys with an agent or an external number are not the flow's
    const c = this.#collect;
    if (c === null) {
      // Type-ahead: a key pressed during a greeting answers the next menu (bounded: a flood keeps 32).
      if (this.#typeAhead.length < MAX_COLLECTED_DIGITS) this.#typeAhead += digit;
      return;
    }
    if (c.promptId !== null && !c.armed) {
      // Barge-in: the caller knows what to press; the rest of the prompt would only delay them.
      this.media.stopPlay(CALLER_LEG, c.promptId).catch(() => {});
    }
    this.#applyCollectStep(c.collector.press(digit));
  }

  #applyCollectStep(step: CollectStep): void {
    const c = this.#collect;
    if (c === null) return;
    switch (step.kind) {
      case 'ignored':
        return;
      case 'wait':
        if (c.timer) clearTimeout(c.timer);
        c.armed = true;
        c.timer = setTimeout(() => this.#applyCollectStep(c.collector.expire()), step.timeoutMs);
        return;
      case 'input':
        this.#finishCollect({ type: 'input', value: step.value });
        return;
      case 'timeout':
        this.#finishCollect({ type: 'timeout' });
        return;
    }
  }

  #finishCollect(event: FlowEvent | null): void {
    const c = this.#collect;
    if (c === null) return;
    this.#collect = null;
    if (c.timer) clearTimeout(c.timer);
    c.resolve(event);
  }

  // ── The queue ─────────────────────────────────────────────────────────────────────────────────────

  /** Hands the call to the router: the queue and skills by id or name, the screen-pop fields in `data`. */
  async #enqueue(action: EnqueueAction): Promise<FlowEvent> {
    const { tenantId } = this.facts;
    const queue = await this.deps.db
      .selectFrom('queues')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where((eb) => (UUID.test(action.queue) ? eb('id', '=', action.queue) : eb('name', '=', action.queue)))
      .executeTakeFirst();
    if (!queue) return error('UNKNOWN_QUEUE', `no queue "${action.queue.slice(0, 64)}"`);
    const skills: { skillId: string; minLevel: number }[] = [];
    if (action.skills.length > 0) {
      const rows = await this.deps.db
        .selectFrom('skills')
        .select(['id', 'name'])
        .where('tenant_id', '=', tenantId)
        .execute();
      for (const s of action.skills) {
        const row = rows.find((r) => r.id === s.skill || r.name.toLowerCase() === s.skill.toLowerCase());
        if (!row) return error('UNKNOWN_SKILL', `no skill "${s.skill.slice(0, 64)}"`);
        skills.push({ skillId: row.id, minLevel: s.minLevel });
      }
    }
    if (this.#phase === 'ended') return { type: 'hangup' };
    const id = interactionId(this.facts.interactionId) as InteractionId;
    const data = {
      caller: this.facts.caller,
      did: this.facts.did,
      trunkId: this.facts.trunkId,
      callId: this.facts.callId,
      language: action.language,
      variables: action.variables,
    };
    const now = new Date(this.deps.clock.now());
    try {
      await this.deps.routing.execute(
        tenantId,
        (engine, at) => ({
          events: engine.enqueue(
            {
              id,
              channel: 'voice',
              queueId: queueId(queue.id),
              ...(action.priority === null ? {} : { priority: action.priority }),
              skills: skills.map((s) => ({ skillId: skillId(s.skillId), minLevel: s.minLevel })),
              from: 'in_flow',
            },
            at,
          ),
          result: undefined,
        }),
        async (tx) => {
          await tx
            .updateTable('interactions')
            .set({ data: JSON.stringify(data), updated_at: now })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', this.facts.interactionId)
            .execute();
          await this.deps.calls.queued(tenantId, this.facts.callId, now, tx);
        },
      );
    } catch (err) {
      this.deps.log.warn({ err, ...this.#fields(), queueId: queue.id }, 'voice enqueue refused');
      return error('ENQUEUE_FAILED', messageOf(err));
    }
    this.#queueId = queue.id;
    this.#hold.enter(queue.id, now.getTime());
    this.#language = action.language;
    if (this.#phase === 'flow') this.#phase = 'queued';
    return { type: 'done' };
  }

  // ── Transfer to an external number ────────────────────────────────────────────────────────────────

  /**
   * The flow's `transfer` to a number (and an overflow's): `done` once connected (the flow ends as
   * `transferred`; the call stays up until either side hangs up); an error (`TRANSFER_BUSY`,
   * `TRANSFER_NO_ANSWER`, `TRANSFER_DIAL_REFUSED`…) with the caller back where they were, for the flow's
   * `failed` branch.
   */
  async #transferOut(number: string): Promise<FlowEvent | null> {
    const result = await this.#dialOut(number, this.#abort.signal);
    if (result === null) return null;
    if (!result.ok) return error(`TRANSFER_${result.code}`, result.message);
    // From the flow the router never saw the call: the interaction ends here as transferred.
    if (this.#queueId === null) {
      const { tenantId, interactionId } = this.facts;
      const at = new Date(this.deps.clock.now());
      this.#write(() => closeInFlow(this.deps.db, tenantId, interactionId, at, 'transferred'));
    }
    return { type: 'done' };
  }

  /**
   * Dials `number` through the tenant's trunk (the one the call came in on when it can) while the
   * caller hears ringback (or the far end's early media), then bridges the caller to it and writes the
   * CDR's transfer. Null when the call ended meanwhile; a failure leaves the caller where they were.
   */
  async #dialOut(number: string, signal: AbortSignal): Promise<DialResult> {
    const dialer = this.deps.dialer;
    if (dialer === null)
      return { ok: false, code: 'UNAVAILABLE', message: 'outbound calls are not configured on this server' };
    const { tenantId, callId } = this.facts;
    const was = this.#phase;
    this.#phase = 'external';
    const attempt = ++this.#externalAttempts;
    const legId = `${EXTERNAL_LEG}-${attempt}`;
    const outcome = await dialWithRingback({
      dialer,
      media: this.media,
      legId,
      codec: this.facts.codec,
      tenantId,
      number,
      callerId: this.#presentedNumber(),
      trunkId: this.facts.trunkId,
      ringTimeoutMs: this.deps.transferRingTimeoutMs,
      signal,
      ringback: this.deps.ringback,
      ringbackId: `ringback-${attempt}`,
      stillWanted: () => !this.#isEnded(),
      onRingbackError: (err) => this.deps.log.warn({ err, ...this.#fields() }, 'ringback failed'),
    });
    if (!outcome.ok) {
      if (this.#isEnded()) return null;
      this.#phase = was;
      this.deps.log.info(
        { ...this.#fields(), code: outcome.code, status: outcome.status },
        'transfer failed',
      );
      return { ok: false, code: outcome.code, message: outcome.message };
    }
    if (this.#isEnded()) {
      outcome.call.hangUp();
      return null;
    }
    this.#external = { call: outcome.call, legId };
    outcome.call.on('ended', () => this.#systemHangup('EXTERNAL_BYE', 'external'));
    await this.media.connect([CALLER_LEG, legId]);
    const at = new Date(this.deps.clock.now());
    this.#write(() => this.deps.calls.transferred(tenantId, callId, outcome.number, at));
    this.deps.log.info(
      { ...this.#fields(), number: outcome.number },
      'call transferred to an external number',
    );
    return { ok: true, number: outcome.number };
  }

  /** The agent hands the call to a number (a blind transfer from the softphone, `AgentNumberTransfer`). */
  #transferToNumber(number: string): Promise<NumberTransfer> {
    const agentId = this.#agentId;
    if (this.#phase !== 'agent' || agentId === null)
      return Promise.resolve({ ok: false, code: 'FAILED', message: 'the call is not with an agent' });
    return this.#numberTransfer.transfer(agentId, number);
  }

  /** How this call carries out its agent's transfer to a number. */
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
              this.deps.log.warn({ err, ...this.#fields() }, 'stopping the recording failed'),
            );
        await leaveRouting(this.deps.routing, tenantId, interactionId).catch((err: unknown) =>
          this.deps.log.error({ err, ...this.#fields() }, 'ending the interaction after the transfer failed'),
        );
      },
      bridgeBack: async (agentId) => {
        try {
          await this.deps.seam().bridgeToAgent(this.handle, agentId);
          this.#seam((s) => s.onRecording?.(this.handle, this.#recording ?? 'unavailable'));
        } catch (err) {
          this.deps.log.error(
            { err, ...this.#fields(), agentId },
            'bridging the caller back to the agent failed',
          );
        }
      },
      apply: (to) => this.onStateChanged(to),
    };
  }

  /** Overflow to a number: the router already ended the interaction as transferred; dial, or apologise. */
  async #overflowToNumber(number: string, apology: string): Promise<void> {
    await this.#stopHold();
    const result = await this.#transferOut(number);
    if (result?.type === 'done' || this.#isEnded()) return;
    await this.#sayAndHangUp(apology, 'OVERFLOW_EXTERNAL');
  }

  /** The caller's number as presented on an outbound leg: theirs when it is E.164, else our DID. */
  #presentedNumber(): string {
    return E164.test(this.facts.caller) ? this.facts.caller : this.facts.did;
  }

  // ── Callbacks ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * The caller pressed the queue's callback key: when their number is callable, the interaction turns
   * `callback_scheduled` with its place kept, the caller hears a confirmation and we hang up; the
   * router offers the callback like any waiting call and `callback-call.ts` dials once an agent takes it.
   */
  async #requestCallback(): Promise<void> {
    this.#hold.callbackAsked = true;
    const number = this.facts.caller;
    if (!E164.test(number)) {
      await this.#hold.sayOver(CALLBACK_TEXTS.hidden[this.#language]);
      return;
    }
    const { tenantId, interactionId: id } = this.facts;
    const scheduled = await requestQueueCallback(
      this.deps.routing,
      tenantId,
      id,
      number,
      this.deps.clock.now(),
    ).catch((err: unknown) => {
      this.deps.log.warn({ err, ...this.#fields() }, 'callback request refused');
      return false;
    });
    if (!scheduled || this.#isEnded()) {
      this.#hold.callbackAsked = false;
      return;
    }
    this.#callbackScheduled = true;
    this.deps.onCallbackScheduled(this);
    this.deps.log.info({ ...this.#fields(), number }, 'callback requested from the queue');
    await this.#sayAndHangUp(callbackConfirmation(this.#language, number), 'CALLBACK_SCHEDULED');
  }

  /** The flow's `callback` verb: this call's interaction waits in `queue` to call `number` back. */
  async #scheduleCallback(action: Extract<FlowAction, { type: 'callback' }>): Promise<FlowEvent> {
    const number = action.number.startsWith('+') ? action.number : `+${action.number}`;
    if (!E164.test(number)) return error('BAD_NUMBER', 'the callback number is not an E.164 number');
    const { tenantId } = this.facts;
    const queue = await this.#findQueue(action.queue);
    if (!queue) return error('UNKNOWN_QUEUE', `no queue "${action.queue.slice(0, 64)}"`);
    if (this.#isEnded()) return { type: 'hangup' };
    try {
      await scheduleFlowCallback(
        this.deps.routing,
        tenantId,
        this.facts.interactionId,
        queue,
        number,
        action.at,
        this.deps.clock.now(),
      );
    } catch (err) {
      this.deps.log.warn({ err, ...this.#fields() }, 'flow callback refused');
      return error('CALLBACK_FAILED', messageOf(err));
    }
    this.#queueId = queue;
    this.#callbackScheduled = true;
    this.deps.onCallbackScheduled(this);
    return { type: 'done' };
  }

  async #findQueue(nameOrId: string): Promise<string | null> {
    const queue = await this.deps.db
      .selectFrom('queues')
      .select('id')
      .where('tenant_id', '=', this.facts.tenantId)
      .where((eb) => (UUID.test(nameOrId) ? eb('id', '=', nameOrId) : eb('name', '=', nameOrId)))
      .executeTakeFirst();
    return queue?.id ?? null;
  }

  async #startHold(): Promise<void> {
    if (this.#phase === 'ended') return;
    await this.#hold.start();
  }

  #stopHold(): Promise<void> {
    return this.#hold.stop();
  }

  async #sayAndHangUp(message: string, cause: HangupCause): Promise<void> {
    await this.#stopHold();
    try {
      const path = await this.deps.tts.speech(this.#language, message);
      await this.#play(path);
    } catch (err) {
      this.deps.log.warn({ err, ...this.#fields() }, 'overflow message failed');
    }
    this.#systemHangup(cause);
  }

  // ── Voicemail (`voicemail.ts`) ─────────────────────────────────────────────────────────────────────

  #voicemailCall(): VoicemailCall {
    const { tenantId, callId, interactionId, caller, did } = this.facts;
    return {
      tenantId,
      callId,
      interactionId,
      caller,
      did,
      media: this.media,
      ended: this.#abort.signal,
      play: (path) => this.#play(path),
      listen: (take) => {
        this.#voicemail = take;
      },
    };
  }

  /**
   * The queue overflowed to voicemail (the router ended the interaction as `voicemail`): the message is
   * recorded for the queue the caller waited in, then we hang up. Runs on the flow's loop, after the
   * step that enqueued the call (an overflow for want of agents arrives while `enqueue` still runs),
   * so the queue is known and the end of the call waits for the message's rows. False when voicemail
   * is unavailable (the apology instead).
   */
  #overflowToVoicemail(): boolean {
    const service = this.deps.voicemail;
    if (!service) return false;
    this.#overflowing = true;
    this.#loop = this.#loop
      .then(async () => {
        await this.#stopHold();
        if (this.#queueId === null) throw new Error('overflow to voicemail without a queue');
        await overflowToVoicemail(service, this.#voicemailCall(), this.#queueId, this.#language);
      })
      .catch((err: unknown) =>
        this.deps.log.error({ err, ...this.#fields() }, 'overflow to voicemail failed'),
      )
      .then(() => this.#systemHangup('OVERFLOW_VOICEMAIL'));
    return true;
  }

  // ── Recording ─────────────────────────────────────────────────────────────────────────────────────

  #record(trigger: 'answer' | 'agent'): Promise<RecordingStatus> {
    const next = this.#recordChain.then(() => this.#recordNow(trigger));
    this.#recordChain = next;
    return next;
  }

  async #recordNow(trigger: 'answer' | 'agent'): Promise<RecordingStatus> {
    if (this.#recording === 'recording' || this.#recording === 'failed') return this.#recording;
    if (this.#phase !== 'agent' || this.#queueId === null) return this.#recording ?? 'unavailable';
    const { tenantId, callId } = this.facts;
    try {
      const policy =
        (await readQueueVoiceSettings(this.deps.db, tenantId, this.#queueId))?.recording ?? 'always';
      if (!(policy === 'always' || (policy === 'on_demand' && trigger === 'agent'))) {
        this.#recording = policy === 'on_demand' ? 'available' : 'unavailable';
        return this.#recording;
      }
      if (this.#isEnded()) return 'unavailable';
      const relative = recordingPath(tenantId, callId, new Date(this.deps.clock.now()));
      await startRecording(this.media, this.deps.recordingsDir, relative);
      this.#recording = 'recording';
      this.#write(() => this.deps.calls.recording(tenantId, callId, relative));
      this.deps.log.info({ ...this.#fields(), trigger, path: relative }, 'call recording started');
      return 'recording';
    } catch (err) {
      if (this.#isEnded()) return 'unavailable';
      this.deps.log.error({ err, ...this.#fields(), trigger }, 'call recording could not start');
      this.#recording = 'failed';
      return 'failed';
    }
  }

  // ── The end ───────────────────────────────────────────────────────────────────────────────────────

  #systemHangup(cause: HangupCause, side: HangupSide = 'system'): void {
    if (this.#phase === 'ended') return;
    this.#hangup ??= { side, cause };
    this.sip.hangUp();
    // hangUp() ends the SIP call at once (BYE sent); `ended` arrives through the listener too, but do not
    // rely on the order: #ended is idempotent.
    void this.#ended({ by: 'local', cause: 'bye' });
  }

  #ended(end: CallEnd): Promise<void> {
    this.#finished ??= this.#wrapUp(end);
    return this.#finished;
  }

  async #wrapUp(end: CallEnd): Promise<void> {
    const was = this.#phase;
    this.#phase = 'ended';
    this.#hold.end();
    this.#finishCollect(null);
    for (const resolve of this.#plays.values()) resolve('ended');
    this.#plays.clear();
    this.#abort.abort();
    this.#external?.call.hangUp();
    const ending = this.#hangup ?? { side: 'caller' as const, cause: sipCause(end) };
    // However it ended, a call whose caller waits for a callback says so in its CDR.
    const { side, cause } = this.#callbackScheduled
      ? { ...ending, cause: 'CALLBACK_SCHEDULED' as const }
      : ending;
    const at = new Date(this.deps.clock.now());
    const { tenantId, callId } = this.facts;
    try {
      await this.media.hangup().catch(() => null);
      await this.#stored;
      await this.#loop;
      if (this.#sessionId !== null) {
        const session = await this.deps.sessions.get(tenantId, this.#sessionId);
        if (session.status === 'running')
          await this.deps.sessions.resume(tenantId, this.#sessionId, { type: 'hangup' });
      }
      // An enqueue the hang-up interrupted may have reached the router: the queue decides, not `was`.
      if (this.#queueId === null) await closeInFlow(this.deps.db, tenantId, this.facts.interactionId, at);
      else if (!this.#overflowing && !this.#callbackScheduled)
        await leaveRouting(this.deps.routing, tenantId, this.facts.interactionId);
      await this.#writes;
      await this.deps.calls.ended(tenantId, callId, side, cause, at);
      this.deps.log.info({ ...this.#fields(), side, cause, was }, 'voice call ended');
    } catch (err) {
      this.deps.log.error({ err, ...this.#fields() }, 'recording the end of a voice call failed');
    } finally {
      this.#seam((s) => s.onVoiceCallEnded(this.handle));
      this.deps.onFinished(this);
    }
  }

  /**
   * A CDR write, after the ones before it: a transfer's release and the next agent's leg, or the end,
   * must not overtake each other. A failure is logged; the call goes on.
   */
  #write(fn: () => Promise<void>): void {
    this.#writes = this.#writes
      .then(fn)
      .catch((err: unknown) => this.deps.log.error({ err, ...this.#fields() }, 'voice call write failed'));
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
      sipCallId: this.facts.sipCallId,
    };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function error(code: string, message: string): FlowEvent {
  return { type: 'error', code, message: message.slice(0, 500) };
}

function ttsError(err: unknown): FlowEvent {
  return err instanceof TtsError ? error(err.code, err.message) : error('TTS_FAILED', messageOf(err));
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function sipCause(end: CallEnd): HangupCause {
  switch (end.cause) {
    case 'bye':
      return 'BYE';
    case 'cancelled':
      return 'CANCEL';
    case 'ack-timeout':
      return 'ACK_TIMEOUT';
    case 'session-expired':
      return 'SESSION_EXPIRED';
    case 'transport-error':
      return 'TRANSPORT_ERROR';
    default:
      return 'INTERNAL';
  }
}
