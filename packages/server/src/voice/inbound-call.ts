import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { isIP } from 'node:net';
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
import { estimateWaitMs } from '@hotline/core/routing/wait-estimate';
import type { MediaCall } from '@hotline/media/worker/media-host';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import type { RecordingStatus } from '@hotline/protocol/agent-phone';
import type { CallEnd } from '@hotline/sip/ua/call-base';
import type { IncomingCall } from '@hotline/sip/ua/incoming-call';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { type EgressPolicy, executeFlowHttp } from '../flows/flow-http';
import type { FlowSessionService } from '../flows/flow-sessions';
import type { RoutingService } from '../routing/routing-service';
import { type AgentPhoneSeam, CALLER_LEG, type VoiceCallHandle } from './agent-seam';
import { closeInFlow, leaveRouting } from './call-endings';
import { recordingPath, startRecording } from './call-recording';
import { type CollectStep, DigitCollector, MAX_COLLECTED_DIGITS } from './digit-collector';
import { type AnnouncementSettings, announcementText, nextAnnouncementAt } from './queue-announcements';
import { readQueueVoiceSettings } from './queue-voice-settings-store';
import { type TtsCache, TtsError } from './tts-cache';
import type { HangupCause, HangupSide, VoiceCallStore } from './voice-call-store';

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
  readonly log: VoiceLog;
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
}

type Phase = 'flow' | 'queued' | 'agent' | 'ended';

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
  #queuedAt = 0;
  #lastAnnouncedAt: number | null = null;
  #announceTimer: NodeJS.Timeout | null = null;
  #holding = false;
  #holdSettings: QueueVoiceSettings | null = null;
  /** Set when we end the call ourselves, before the BYE goes out. */
  #hangup: { side: HangupSide; cause: HangupCause } | null = null;
  /** An overflow decision is being carried out: the router already finished the interaction. */
  #overflowing = false;
  #finished: Promise<void> | null = null;
  #stored: Promise<void> = Promise.resolve();
  /** The recording's status once an agent answered (null before); starts run one at a time. */
  #recording: RecordingStatus | null = null;
  #recordChain: Promise<unknown> = Promise.resolve();
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
    };
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
    switch (e.type) {
      case 'dtmf':
        this.#onDigit(e.event.digit);
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
    this.#write(() =>
      this.deps.calls.agentAnswered(this.facts.tenantId, this.facts.callId, agentId, new Date(at)),
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

  /** The router moved the call to another queue (expansion does not; overflow to a queue does). */
  onRequeued(queue: string): void {
    if (this.#phase !== 'queued' || queue === this.#queueId) return;
    this.#queueId = queue;
  }

  onOverflow(action: OverflowAction): void {
    if (this.#phase === 'ended' || action.type === 'queue') return;
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
    if (action.type === 'voicemail' || action.type === 'external') {
      this.deps.log.warn(
        { ...this.#fields(), action: action.type },
        'overflow action not available on voice yet',
      );
    }
    void this.#sayAndHangUp(message, cause);
  }

  /** The router finished the interaction (missed, or the agent ended the conversation). */
  onStateChanged(to: InteractionState): void {
    if (this.#phase === 'ended' || this.#overflowing) return;
    if (to === 'wrap_up' && this.#phase === 'agent') {
      this.#systemHangup('AGENT_ENDED', 'agent');
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
        return error('TRANSFER_UNAVAILABLE', 'transfer to a number or agent is not available on voice yet');
      case 'voicemail':
        return error('VOICEMAIL_UNAVAILABLE', 'voicemail is not available on voice yet');
      case 'callback':
        return error('CALLBACK_UNAVAILABLE', 'callbacks are not available on voice yet');
      case 'hangup':
        this.#systemHangup('FLOW_HANGUP');
        return null;
      case 'end':
        if (action.reason === 'handed_over') {
          if (this.#phase === 'queued') await this.#startHold();
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
    if (this.#phase !== 'flow') return; // keys in the queue or with an agent are not the flow's
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
    this.#queuedAt = now.getTime();
    this.#language = action.language;
    if (this.#phase === 'flow') this.#phase = 'queued';
    return { type: 'done' };
  }

  async #startHold(): Promise<void> {
    if (this.#phase === 'ended' || this.#queueId === null) return;
    this.#holding = true;
    this.#holdSettings ??= await this.deps.queueSettings(this.facts.tenantId, this.#queueId);
    if (!this.#holding || this.#isEnded()) return;
    try {
      await this.media.play({
        type: 'play',
        legId: CALLER_LEG,
        id: 'moh',
        source: { kind: 'file', path: this.#holdSettings.music },
        loop: true,
      });
    } catch (err) {
      this.deps.log.warn({ err, ...this.#fields() }, 'music on hold failed; the caller waits in silence');
    }
    this.#scheduleAnnouncement();
  }

  async #stopHold(): Promise<void> {
    this.#holding = false;
    if (this.#announceTimer) clearTimeout(this.#announceTimer);
    this.#announceTimer = null;
    await this.media.stopPlay(CALLER_LEG).catch(() => {});
  }

  #scheduleAnnouncement(): void {
    if (!this.#holding || this.#holdSettings === null) return;
    const at = nextAnnouncementAt(this.#holdSettings.announcements, this.#queuedAt, this.#lastAnnouncedAt);
    if (at === null) return;
    if (this.#announceTimer) clearTimeout(this.#announceTimer);
    this.#announceTimer = setTimeout(() => void this.#announce(), Math.max(0, at - this.deps.clock.now()));
  }

  /** Position and estimated wait from the router, spoken over the music (which resumes after). */
  async #announce(): Promise<void> {
    this.#announceTimer = null;
    const settings = this.#holdSettings;
    if (!this.#holding || settings === null || this.#queueId === null) return;
    this.#lastAnnouncedAt = this.deps.clock.now();
    try {
      const id = interactionId(this.facts.interactionId) as InteractionId;
      const figures = await this.deps.routing.read(this.facts.tenantId, (engine) => {
        const view = engine.interaction(id);
        const position = engine.position(id);
        if (!view || position === null) return null;
        const snap = engine.queueSnapshot(view.queueId);
        const ewtMs = estimateWaitMs({
          position,
          servingAgents: snap.loggedIn,
          freeSlots: snap.freeSlots.voice ?? 0,
        });
        return { position, ewtMs };
      });
      const text =
        figures === null
          ? null
          : announcementText(this.#language, settings.announcements, figures.position, figures.ewtMs);
      if (text !== null && this.#holding) {
        const path = await this.deps.tts.speech(this.#language, text);
        if (this.#holding) await this.#play(path, `a${++this.#playSeq}`);
      }
    } catch (err) {
      this.deps.log.warn({ err, ...this.#fields() }, 'queue announcement failed');
    }
    this.#scheduleAnnouncement();
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
    this.#holding = false;
    if (this.#announceTimer) clearTimeout(this.#announceTimer);
    this.#finishCollect(null);
    for (const resolve of this.#plays.values()) resolve('ended');
    this.#plays.clear();
    this.#abort.abort();
    const { side, cause } = this.#hangup ?? { side: 'caller' as const, cause: sipCause(end) };
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
      else if (!this.#overflowing) await leaveRouting(this.deps.routing, tenantId, this.facts.interactionId);
      await this.deps.calls.ended(tenantId, callId, side, cause, at);
      this.deps.log.info({ ...this.#fields(), side, cause, was }, 'voice call ended');
    } catch (err) {
      this.deps.log.error({ err, ...this.#fields() }, 'recording the end of a voice call failed');
    } finally {
      this.#seam((s) => s.onVoiceCallEnded(this.handle));
      this.deps.onFinished(this);
    }
  }

  #write(fn: () => Promise<void>): void {
    fn().catch((err: unknown) => this.deps.log.error({ err, ...this.#fields() }, 'voice call write failed'));
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

/** A unicast address (or 0.0.0.0, RFC 2543 hold): not multicast, not broadcast. Host names pass. */
export function unicastTarget(address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    const first = Number(address.split('.')[0]);
    return !(first >= 224 || address === '255.255.255.255');
  }
  if (family === 6) return !address.toLowerCase().startsWith('ff');
  return true;
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
