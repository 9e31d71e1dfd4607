import type { Language } from '@hotline/core/flow/flow-types';
import { type InteractionId, interactionId } from '@hotline/core/ids';
import { estimateWaitMs } from '@hotline/core/routing/wait-estimate';
import type { MediaCall } from '@hotline/media/worker/media-host';
import type { RoutingService } from '../routing/routing-service';
import { CALLER_LEG } from './agent-seam';
import { callbackOffer, E164 } from './callback-request';
import type { QueueVoiceSettings, VoiceLog } from './inbound-call';
import { announcementText, nextAnnouncementAt } from './queue-announcements';
import type { TtsCache } from './tts-cache';

/** A callback offer is repeated this often when the queue announces nothing else. */
const CALLBACK_OFFER_INTERVAL_MS = 45_000;

export interface QueueHoldDeps {
  readonly media: MediaCall;
  readonly routing: RoutingService;
  readonly tts: TtsCache;
  readonly clock: { now(): number };
  readonly log: VoiceLog;
  readonly settings: (tenantId: string, queueId: string) => Promise<QueueVoiceSettings>;
  readonly tenantId: string;
  readonly interactionId: string;
  /** The caller's number: only an E.164 one is offered a callback. */
  readonly caller: string;
  /** The call's language now (the flow may have changed it). */
  readonly language: () => Language;
  /** Plays a file to the caller and resolves when it ends (the call's own player bookkeeping). */
  readonly play: (path: string) => Promise<unknown>;
  /** Log fields of the call. */
  readonly fields: () => object;
}

/**
 * What a caller waiting in a queue hears: the queue's music on hold (looped), and at the queue's interval
 * their place and estimated wait from the router, spoken over the music — with the callback offer
 * ("press 5 …") when the queue has a callback key and the caller a callable number. `start` again after
 * `stop` resumes (an agent's leg failed); the settings are read once per call.
 */
export class QueueHold {
  #holding = false;
  #settings: QueueVoiceSettings | null = null;
  #queueId: string | null = null;
  #queuedAt = 0;
  #lastAnnouncedAt: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** The caller asked for a callback already: the offer is not repeated. */
  #callbackAsked = false;

  constructor(private readonly deps: QueueHoldDeps) {}

  get holding(): boolean {
    return this.#holding;
  }

  /** The queue's callback key, once the settings are read (null: no offer). */
  get callbackDigit(): string | null {
    return this.#settings?.callbackDigit ?? null;
  }

  set callbackAsked(asked: boolean) {
    this.#callbackAsked = asked;
  }

  /**
   * The caller entered the queue, or the router moved them to another (overflow): that queue's settings
   * from the next `start`; the time they queued is kept (announcements count from it).
   */
  enter(queueId: string, queuedAt = this.#queuedAt): void {
    if (queueId !== this.#queueId) this.#settings = null;
    this.#queueId = queueId;
    this.#queuedAt = queuedAt;
  }

  async start(): Promise<void> {
    const queueId = this.#queueId;
    if (queueId === null) return;
    this.#holding = true;
    this.#settings ??= await this.deps.settings(this.deps.tenantId, queueId);
    if (!this.#holding) return;
    try {
      await this.deps.media.play({
        type: 'play',
        legId: CALLER_LEG,
        id: 'moh',
        source: { kind: 'file', path: this.#settings.music },
        loop: true,
      });
    } catch (err) {
      this.deps.log.warn({ err, ...this.deps.fields() }, 'music on hold failed; the caller waits in silence');
    }
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#holding = false;
    this.#clearTimer();
    await this.deps.media.stopPlay(CALLER_LEG).catch(() => {});
  }

  /** The call ended: no more timers (the media is gone with the call). */
  end(): void {
    this.#holding = false;
    this.#clearTimer();
  }

  /** Says something over the music (which resumes after). */
  async sayOver(text: string): Promise<void> {
    try {
      const path = await this.deps.tts.speech(this.deps.language(), text);
      if (this.#holding) await this.deps.play(path);
    } catch (err) {
      this.deps.log.warn({ err, ...this.deps.fields() }, 'speaking over hold failed');
    }
  }

  #offersCallback(): boolean {
    return this.callbackDigit !== null && !this.#callbackAsked && E164.test(this.deps.caller);
  }

  #schedule(): void {
    if (!this.#holding || this.#settings === null) return;
    const { announcements } = this.#settings;
    // A callback offer is repeated even when the queue announces nothing else.
    const schedule = this.#offersCallback()
      ? {
          intervalMs: announcements.intervalMs > 0 ? announcements.intervalMs : CALLBACK_OFFER_INTERVAL_MS,
          position: true,
          wait: true,
        }
      : announcements;
    const at = nextAnnouncementAt(schedule, this.#queuedAt, this.#lastAnnouncedAt);
    if (at === null) return;
    this.#clearTimer();
    this.#timer = setTimeout(() => void this.#announce(), Math.max(0, at - this.deps.clock.now()));
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Position and estimated wait from the router (and the callback offer), spoken over the music. */
  async #announce(): Promise<void> {
    this.#timer = null;
    const settings = this.#settings;
    if (!this.#holding || settings === null) return;
    this.#lastAnnouncedAt = this.deps.clock.now();
    try {
      const language = this.deps.language();
      const figures = settings.announcements.intervalMs > 0 ? await this.#figures() : null;
      const parts = [
        figures === null
          ? null
          : announcementText(language, settings.announcements, figures.position, figures.ewtMs),
        this.#offersCallback() ? callbackOffer(language, settings.callbackDigit!) : null,
      ].filter((t) => t !== null);
      if (parts.length > 0 && this.#holding) {
        const path = await this.deps.tts.speech(language, parts.join(' '));
        if (this.#holding) await this.deps.play(path);
      }
    } catch (err) {
      this.deps.log.warn({ err, ...this.deps.fields() }, 'queue announcement failed');
    }
    this.#schedule();
  }

  #figures(): Promise<{ position: number; ewtMs: number | null } | null> {
    const id = interactionId(this.deps.interactionId) as InteractionId;
    return this.deps.routing.read(this.deps.tenantId, (engine) => {
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
  }
}
