import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { IdGen } from '@hotline/core/ports';
import type { RoutingEvent } from '@hotline/core/routing/routing-events';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import { createAnswer } from '@hotline/sip/sdp/negotiation';
import type { IncomingCall } from '@hotline/sip/ua/incoming-call';
import type { Kysely } from 'kysely';
import { resolveContact } from '../contacts/contact-identity';
import type { Database } from '../db/schema';
import { defaultEgressPolicy, type EgressPolicy } from '../flows/flow-http';
import type { FlowSessionService } from '../flows/flow-sessions';
import type { RoutingService } from '../routing/routing-service';
import type { OutboundDialer } from '../sip/sip-service';
import { type AgentPhoneSeam, CALLER_LEG, holdUntilAgentPhone, type VoiceCallHandle } from './agent-seam';
import { closeInFlow, leaveRouting } from './call-endings';
import { Callbacks } from './callbacks';
import { DEFAULT_INTER_DIGIT_TIMEOUT_MS } from './digit-collector';
import { FlowForNumber } from './flow-for-number';
import { InboundCall, type QueueVoiceSettings, type VoiceLog } from './inbound-call';
import type { MediaRuntime } from './media-runtime';
import { ensureMusicOnHold } from './music-on-hold';
import { defaultAnnouncementSettings } from './queue-announcements';
import { readQueueVoiceSettings } from './queue-voice-settings-store';
import { unicastTarget } from './rtp-target';
import { ensureRingback } from './tones';
import { TtsCache } from './tts-cache';
import { VoiceCallStore } from './voice-call-store';
import { VoicemailService } from './voicemail';

/** The matched INVITE as the SIP side hands it over (`sip/inbound-call-policy.ts` found the number). */
export interface MatchedCall {
  readonly tenantId: string;
  readonly trunkId: string;
  /** The dialled number (DID), E.164. */
  readonly number: string;
}

/**
 * How an inbound call was dealt with, for the SIP metrics (`hotline_sip_inbound_calls_total{outcome}`)
 * and logs. `NOT_ROUTED_YET` keeps the policy's code: the number has no published flow (480).
 */
export type VoiceOutcome =
  | 'ANSWERED'
  | 'NOT_ROUTED_YET'
  | 'NO_COMMON_CODEC'
  | 'BAD_SDP'
  | 'NO_OFFER'
  | 'GONE'
  | 'FAILED';

export interface VoiceServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: { now(): number };
  readonly ids: IdGen;
  readonly routing: RoutingService;
  readonly sessions: FlowSessionService;
  readonly media: MediaRuntime;
  /** Voice files: `tts/` (speech cache), `music/` (music on hold), `prompts/<tenant>/` (prompt files). */
  readonly dir: string;
  /** Call recordings (`<dir>/<tenant>/<day>/<call id>.wav`); the calls API serves them from here. */
  readonly recordingsDir: string;
  /** Voicemail audio (`<dir>/<tenant>/<day>/<voicemail id>.wav`); the voicemails API serves it from here. */
  readonly voicemailDir: string;
  readonly log: VoiceLog;
  readonly httpPolicy?: EgressPolicy;
  /** Pause that ends a gather's entry (default 3 s; never longer than the gather's own timeout). */
  readonly interDigitTimeoutMs?: number;
  /** Outbound calls through the tenants' trunks (transfers, callbacks); absent: neither is possible. */
  readonly dialer?: OutboundDialer | null;
  /** How long a transferred or called-back number may ring (default 30 s). */
  readonly ringTimeoutMs?: number;
  /**
   * A callback whose customer is not reached (busy, no answer) is tried again this many times in all
   * (default 3), each not before `delayMs` (default 5 min) after the last, keeping its place in line.
   */
  readonly callbackRetry?: { readonly attempts: number; readonly delayMs: number };
  /** Speech syntheses at once (default 2). */
  readonly ttsConcurrency?: number;
}

/**
 * Inbound phone calls (issue 7): takes the INVITEs the SIP side matched to a tenant's number, answers
 * those whose number has a published flow, and runs each as an `InboundCall` — the flow over voice,
 * then the queue with music and announcements until an agent takes it through the `AgentPhoneSeam`.
 *
 * It listens to the media engine (keys, prompt ends, errors: by call id) and to the router's committed
 * events (offers, acceptance, overflow, ends: by interaction id) and hands each to its call.
 */
export class VoiceService {
  readonly #calls = new Map<string, InboundCall>();
  readonly #byInteraction = new Map<string, InboundCall>();
  readonly #store: VoiceCallStore;
  readonly #flows: FlowForNumber;
  readonly #tts: TtsCache;
  readonly #voicemail: VoicemailService;
  readonly #unsubscribe: (() => void)[] = [];
  #seam: AgentPhoneSeam = holdUntilAgentPhone;
  #music: Promise<string> | null = null;
  #ringback: Promise<string> | null = null;
  /** Callbacks the router offers (no live call holds their interaction). */
  readonly #callbacks: Callbacks;
  #closed = false;

  constructor(private readonly deps: VoiceServiceDeps) {
    this.#store = new VoiceCallStore(deps.db);
    this.#flows = new FlowForNumber(deps.db);
    this.#tts = new TtsCache({ dir: join(deps.dir, 'tts'), concurrency: deps.ttsConcurrency ?? 2 });
    this.#voicemail = new VoicemailService({
      db: deps.db,
      clock: deps.clock,
      ids: deps.ids,
      routing: deps.routing,
      tts: this.#tts,
      log: deps.log,
      dir: deps.voicemailDir,
      toneDir: join(deps.dir, 'tones'),
    });
    this.#callbacks = new Callbacks({
      db: deps.db,
      clock: deps.clock,
      ids: deps.ids,
      routing: deps.routing,
      calls: this.#store,
      seam: () => this.#seam,
      dialer: deps.dialer ?? null,
      createCall: (callId) => deps.media.host.createCall(callId),
      ringback: () => this.#ringbackFile(),
      holdMusic: async (tenantId, queueId) => (await this.#queueSettings(tenantId, queueId)).music,
      ringTimeoutMs: deps.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS,
      recordingsDir: deps.recordingsDir,
      log: deps.log,
      retry: deps.callbackRetry ?? { attempts: 3, delayMs: 300_000 },
    });
    this.#unsubscribe.push(deps.media.subscribe((e) => this.#onMedia(e)));
    this.#unsubscribe.push(
      deps.routing.subscribe((entries) => {
        for (const entry of entries) this.#onRouting(entry.tenantId, entry.payload as RoutingEvent);
      }),
    );
  }

  /** The agents' phones (WebRTC): set by `agent-phone*.ts` once it exists; until then callers stay on hold. */
  setAgentPhone(seam: AgentPhoneSeam): void {
    this.#seam = seam;
  }

  /** A live call by our call id (the agent phone's way to the media of a call it was offered). */
  call(callId: string): VoiceCallHandle | undefined {
    return this.#calls.get(callId)?.handle;
  }

  /** Live calls (for metrics and tests). */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** The TTS cache (the same files for every feature that speaks). */
  get tts(): TtsCache {
    return this.#tts;
  }

  /**
   * Takes a matched INVITE: 480 when the number has no published flow, 488 when no codec is common,
   * else answers (200 with our SDP), creates the interaction (`voice`, `in_flow`) and the CDR row, and
   * starts the flow. Never throws; answers the INVITE in every case.
   */
  async accept(call: IncomingCall, match: MatchedCall): Promise<VoiceOutcome> {
    const { tenantId, trunkId, number } = match;
    const fields = { tenantId, trunkId, number, sourceIp: call.flow.remote.address };
    const arrivedAt = new Date(this.deps.clock.now());
    if (this.#closed) {
      call.reject(503);
      return 'FAILED';
    }
    let flowId: string | null;
    try {
      flowId = await this.#flows.lookup(tenantId, number);
    } catch (err) {
      this.deps.log.error({ err, ...fields }, 'flow lookup for an inbound call failed');
      call.reject(500);
      return 'FAILED';
    }
    if (flowId === null) {
      call.reject(480, [{ name: 'Reason', value: 'SIP;cause=480;text="number not routed to a flow yet"' }]);
      return 'NOT_ROUTED_YET';
    }
    if (call.offer === null) {
      // A late offer (our SDP in the 200, theirs in the ACK) is rare from carriers; not taken yet.
      call.reject(488);
      return 'NO_OFFER';
    }
    // Negotiate before taking any media resources: no common codec costs nothing.
    const address = this.deps.media.address;
    const trial = createAnswer(
      call.offer,
      { address, port: 9, codecs: ['PCMU', 'PCMA'] },
      { seed: { sessionId: '1' } },
    );
    if (!trial.ok) {
      const common = trial.code === 'SDP_NO_COMMON_CODEC' || trial.code === 'SDP_NO_ACCEPTABLE_MEDIA';
      call.reject(common ? 488 : 400);
      this.deps.log.info({ ...fields, code: trial.code }, 'inbound call refused: SDP offer not acceptable');
      return common ? 'NO_COMMON_CODEC' : 'BAD_SDP';
    }
    const audio = trial.audio;
    if (!unicastTarget(audio.remoteAddress)) {
      // RTP to a multicast or broadcast address would make us a traffic amplifier.
      call.reject(488);
      this.deps.log.warn(
        { ...fields, remote: audio.remoteAddress },
        'inbound call refused: RTP target not unicast',
      );
      return 'BAD_SDP';
    }
    const codec = audio.codecs[0]!.name;
    const callId = this.deps.ids.next();
    const interactionId = this.deps.ids.next();
    const media = this.deps.media.host.createCall(callId);
    try {
      const leg = await media.createLeg({
        type: 'createLeg',
        legId: CALLER_LEG,
        codec,
        // c=0.0.0.0 (RFC 2543 hold): no address yet; the leg latches onto the caller's first packet.
        ...(audio.remoteAddress === '0.0.0.0'
          ? {}
          : { remote: { address: audio.remoteAddress, port: audio.remotePort } }),
        ...(audio.telephoneEvent === null
          ? { inbandDtmf: true }
          : { telephoneEventPt: audio.telephoneEvent.payloadType, inbandDtmf: false }),
      });
      if (call.state === 'ended') {
        await media.hangup().catch(() => undefined);
        return 'GONE';
      }
      const answered = call.answer({
        address: leg.address,
        port: leg.port,
        codecs: [codec],
        singleCodec: true,
      });
      if (!answered.ok) {
        await media.hangup().catch(() => undefined);
        return 'BAD_SDP';
      }
    } catch (err) {
      this.deps.log.error({ err, ...fields }, 'media for an inbound call failed');
      await media.hangup().catch(() => undefined);
      call.reject(503);
      return 'FAILED';
    }
    const caller = callerNumber(call);
    const inbound = new InboundCall(
      {
        db: this.deps.db,
        clock: this.deps.clock,
        sessions: this.deps.sessions,
        routing: this.deps.routing,
        tts: this.#tts,
        calls: this.#store,
        seam: () => this.#seam,
        httpPolicy: this.deps.httpPolicy ?? defaultEgressPolicy,
        promptsDir: (tenant) => join(this.deps.dir, 'prompts', tenant),
        queueSettings: (tenant, queue) => this.#queueSettings(tenant, queue),
        interDigitTimeoutMs: this.deps.interDigitTimeoutMs ?? DEFAULT_INTER_DIGIT_TIMEOUT_MS,
        recordingsDir: this.deps.recordingsDir,
        voicemail: this.#voicemail,
        dialer: this.deps.dialer ?? null,
        ringback: () => this.#ringbackFile(),
        transferRingTimeoutMs: this.deps.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS,
        onCallbackScheduled: (c) => this.#byInteraction.delete(c.facts.interactionId),
        log: this.deps.log,
        onFinished: (c) => {
          this.#calls.delete(c.facts.callId);
          this.#byInteraction.delete(c.facts.interactionId);
        },
      },
      { callId, tenantId, interactionId, sipCallId: call.callId ?? '', caller, did: number, trunkId, codec },
      call,
      media,
    );
    this.#calls.set(callId, inbound);
    this.#byInteraction.set(interactionId, inbound);
    const stored = this.#createRecords(inbound, codec, arrivedAt);
    inbound.storing(stored);
    try {
      await stored;
    } catch (err) {
      this.deps.log.error({ err, ...fields, callId }, 'storing an inbound call failed; hanging up');
      await inbound.terminate('INTERNAL');
      return 'FAILED';
    }
    this.deps.log.info({ ...fields, callId, interactionId, caller, codec }, 'inbound call answered');
    inbound.start(flowId);
    return 'ANSWERED';
  }

  /**
   * Calls the database says are live but no process holds: the server stopped without hanging them
   * up (crash, kill -9). Run at start, after routing has loaded: each interaction still in the flow is
   * closed, one the router holds is abandoned (a caller who is gone must not be offered to an agent),
   * its flow session fails, and the CDR row ends as `system` / `LOST`. Voicemails being recorded are
   * delivered first (`VoicemailService.recover`). Returns how many calls were found.
   */
  async recover(): Promise<number> {
    // First the voicemails those calls were leaving: delivered while their interactions are still open.
    await this.#voicemail
      .recover()
      .catch((err: unknown) => this.deps.log.error({ err }, 'voicemail recovery failed'));
    const stale = await this.deps.db
      .selectFrom('voice_calls')
      .innerJoin('interactions', (join) =>
        join
          .onRef('interactions.tenant_id', '=', 'voice_calls.tenant_id')
          .onRef('interactions.id', '=', 'voice_calls.interaction_id'),
      )
      .select([
        'voice_calls.id',
        'voice_calls.tenant_id',
        'voice_calls.interaction_id',
        'voice_calls.flow_session_id',
        'interactions.state',
      ])
      .where('voice_calls.ended_at', 'is', null)
      .execute();
    let found = 0;
    for (const call of stale) {
      if (this.#calls.has(call.id)) continue;
      found++;
      const at = new Date(this.deps.clock.now());
      try {
        if (call.state === 'in_flow')
          await closeInFlow(this.deps.db, call.tenant_id, call.interaction_id, at);
        else await leaveRouting(this.deps.routing, call.tenant_id, call.interaction_id);
        if (call.flow_session_id !== null) {
          await this.deps.sessions.fail(
            call.tenant_id,
            call.flow_session_id,
            'the call was lost (server restart)',
          );
        }
        await this.#store.ended(call.tenant_id, call.id, 'system', 'LOST', at);
      } catch (err) {
        this.deps.log.error(
          { err, tenantId: call.tenant_id, callId: call.id },
          'recovering a lost call failed',
        );
      }
    }
    if (found > 0) this.deps.log.warn({ calls: found }, 'voice calls lost by an earlier process closed');
    return found;
  }

  /** Hangs up every call (shutdown) and stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#calls.values()].map((c) => c.terminate('SHUTDOWN')));
    await this.#callbacks.close();
    for (const off of this.#unsubscribe) off();
  }

  async #createRecords(call: InboundCall, codec: string, arrivedAt: Date): Promise<void> {
    const { tenantId, interactionId, callId, caller, did, trunkId, sipCallId } = call.facts;
    const { clock, ids } = this.deps;
    const now = new Date(clock.now());
    await this.deps.db.transaction().execute(async (tx) => {
      const phone = /^\+[1-9]\d{2,14}$/.test(caller) ? caller : undefined;
      const contactId = phone ? await resolveContact(tx, { clock, ids }, tenantId, { phone }) : null;
      await tx
        .insertInto('interactions')
        .values({
          id: interactionId,
          tenant_id: tenantId,
          channel: 'voice',
          state: 'in_flow',
          queue_id: null,
          subject: `Call from ${caller} to ${did}`.slice(0, 200),
          contact: JSON.stringify(phone ? { phone } : {}),
          data: JSON.stringify({ caller, did, trunkId, callId }),
          contact_id: contactId,
          created_by: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await tx
        .insertInto('interaction_events')
        .values({
          tenant_id: tenantId,
          interaction_id: interactionId,
          type: 'interaction.state_changed',
          at: now,
          data: JSON.stringify({ from: 'new', to: 'in_flow', cause: 'flow_started' }),
        })
        .execute();
      await this.#store.insert(tx, {
        id: callId,
        tenantId,
        interactionId,
        sipCallId,
        fromNumber: caller,
        toNumber: did,
        did,
        trunkId,
        codec,
        arrivedAt,
        answeredAt: now,
      });
    });
  }

  async #queueSettings(tenantId: string, queueId: string): Promise<QueueVoiceSettings> {
    const saved = await readQueueVoiceSettings(this.deps.db, tenantId, queueId);
    this.#music ??= ensureMusicOnHold(join(this.deps.dir, 'music'));
    let music: string;
    try {
      music = await this.#music;
    } catch (err) {
      this.#music = null;
      throw err;
    }
    if (saved?.musicPrompt) {
      const own = join(this.deps.dir, 'prompts', tenantId, saved.musicPrompt);
      if (await readable(own)) music = own;
      else
        this.deps.log.warn(
          { tenantId, queueId, file: saved.musicPrompt },
          'queue music missing; built-in used',
        );
    }
    return {
      music,
      callbackDigit: saved?.callbackDigit ?? null,
      announcements: saved
        ? {
            intervalMs: saved.announceIntervalSeconds * 1000,
            position: saved.announcePosition,
            wait: saved.announceWait,
          }
        : defaultAnnouncementSettings,
    };
  }

  #ringbackFile(): Promise<string> {
    this.#ringback ??= ensureRingback(join(this.deps.dir, 'tones')).catch((err: unknown) => {
      this.#ringback = null;
      throw err;
    });
    return this.#ringback;
  }

  #onMedia(e: MediaEvent): void {
    if (!('callId' in e)) return;
    const call = this.#calls.get(e.callId);
    if (call) call.onMediaEvent(e);
    else this.#callbacks.onMediaEvent(e);
  }

  #onRouting(tenantId: string, e: RoutingEvent): void {
    if (!('interactionId' in e)) return;
    const call = this.#byInteraction.get(e.interactionId);
    if (!call) {
      this.#callbacks.onRouting(tenantId, e);
      return;
    }
    switch (e.type) {
      case 'routing.offered':
        call.onOffered(e.agentIds, e.expiresAt);
        return;
      case 'routing.offer_withdrawn':
        call.onOfferWithdrawn(e.agentId);
        return;
      case 'routing.accepted':
        call.onAccepted(e.agentId, e.at);
        return;
      case 'interaction.queued':
        call.onRequeued(e.queueId);
        return;
      case 'routing.overflow':
        call.onOverflow(e.action);
        return;
      case 'interaction.state_changed':
        call.onStateChanged(e.to);
        return;
      default:
        return;
    }
  }
}

const DEFAULT_RING_TIMEOUT_MS = 30_000;

async function readable(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The caller's number: E.164 when the From user is one (with or without `+`), else the user as sent. */
export function callerNumber(call: Pick<IncomingCall, 'from'>): string {
  const uri = call.from.uri;
  const user = uri.kind === 'sip' ? (uri.user ?? '') : '';
  let decoded = user;
  try {
    decoded = decodeURIComponent(user.split(';')[0] ?? '');
  } catch {
    // keep it as sent
  }
  const compact = decoded.replace(/[\s().-]/g, '');
  if (/^\+?[1-9]\d{2,14}$/.test(compact)) return compact.startsWith('+') ? compact : `+${compact}`;
  return decoded.slice(0, 64) || 'anonymous';
}
