import { mkdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FlowAction, FlowEvent, Language } from '@hotline/core/flow/flow-types';
import { interactionId } from '@hotline/core/ids';
import type { MediaCall } from '@hotline/media/worker/media-host';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { RoutingService } from '../routing/routing-service';
import { createTask } from '../routing/task-interactions';
import { CALLER_LEG } from './agent-seam';
import type { VoiceLog } from './inbound-call';
import { ensureBeep } from './tones';
import type { TtsCache } from './tts-cache';
import {
  DEFAULT_VOICEMAIL_PROMPT,
  isMessage,
  monoWavDurationMs,
  OVERFLOW_VOICEMAIL_MAX_SECONDS,
  type RecordedAudio,
  VOICEMAIL_NOTHING_HEARD,
  VOICEMAIL_THANKS,
  voicemailContact,
  voicemailPath,
  voicemailTaskData,
} from './voicemail-rules';
import { VoicemailStore } from './voicemail-store';

export interface VoicemailDeps {
  readonly db: Kysely<Database>;
  readonly clock: { now(): number };
  readonly ids: { next(): string };
  readonly routing: RoutingService;
  readonly tts: TtsCache;
  readonly log: VoiceLog;
  /** Voicemail audio: `<dir>/<tenant>/<day>/<voicemail id>.wav`; the voicemails API serves it from here. */
  readonly dir: string;
  /** Where the beep is made once (`beep.wav`). */
  readonly toneDir: string;
}

/**
 * What a voicemail needs of the call it records; `InboundCall` hands it over. `play` plays to the
 * caller and resolves at the end of the file (`ended` when the call ended first); `ended` aborts when
 * the call ends, synchronously before the call's media is hung up; `listen` routes the call's media
 * events to the take while it runs (null: back to the call).
 */
export interface VoicemailCall {
  readonly tenantId: string;
  readonly callId: string;
  readonly interactionId: string;
  readonly caller: string;
  readonly did: string;
  readonly media: Pick<MediaCall, 'recordLeg' | 'stopRecording'>;
  readonly ended: AbortSignal;
  play(path: string): Promise<'finished' | 'stopped' | 'ended'>;
  listen(take: { onMediaEvent(e: MediaEvent): boolean } | null): void;
}

export interface VoicemailRequest {
  /** The mailbox: the queue whose agents get it (its id). */
  readonly queueId: string;
  readonly maxSeconds: number;
  /** Said before the beep; null: the default prompt in `language`. */
  readonly prompt: string | null;
  readonly language: Language;
}

export type VoicemailOutcome =
  | { readonly kind: 'stored'; readonly voicemailId: string; readonly durationMs: number }
  /** Too short or silent (`voicemail-rules.ts` `isMessage`): discarded, the file deleted. */
  | { readonly kind: 'empty' }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

/** What delivering a message needs of its call (a live call, or an unfinished row after a restart). */
type DeliveredCall = Pick<VoicemailCall, 'tenantId' | 'callId' | 'interactionId' | 'caller' | 'did'>;

/** Why the recording stopped. */
type Stop = 'key' | 'time' | 'hangup';

/**
 * Voicemail on phone calls (issue 7): the prompt, a beep, the caller's audio recorded by the media
 * worker into a mono WAV (written as it goes, header fixed every second, so a crash keeps the message)
 * until `#`, `maxSeconds` or the hang-up; then, for a real message, in one transaction the
 * `voicemails` row, the `task` interaction that brings it to an agent of the mailbox's queue (through
 * the router, `createTask`, like every task) and, for a call still in its flow, the call's interaction
 * ended as `voicemail`. Used by the flow verb (`voicemailStep`) and a queue's overflow
 * (`overflowToVoicemail`).
 */
export class VoicemailService {
  #beep: Promise<string> | null = null;

  constructor(private readonly deps: VoicemailDeps) {}

  /** A flow's mailbox (queue id or name) in the tenant, or null. */
  async mailbox(tenantId: string, mailbox: string): Promise<string | null> {
    const row = await this.deps.db
      .selectFrom('queues')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where((eb) => (UUID.test(mailbox) ? eb('id', '=', mailbox) : eb('name', '=', mailbox)))
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** Records one message on `call` for `request.queueId` and stores it. Never rejects. */
  async take(call: VoicemailCall, request: VoicemailRequest): Promise<VoicemailOutcome> {
    const fields = { tenantId: call.tenantId, callId: call.callId, queueId: request.queueId };
    let stage = 'prompt';
    try {
      const prompt = request.prompt?.trim() ? request.prompt : DEFAULT_VOICEMAIL_PROMPT[request.language];
      if ((await call.play(await this.deps.tts.speech(request.language, prompt))) === 'ended') {
        return { kind: 'empty' };
      }
      stage = 'beep';
      this.#beep ??= ensureBeep(this.deps.toneDir).catch((err: unknown) => {
        this.#beep = null;
        throw err;
      });
      if ((await call.play(await this.#beep)) === 'ended') return { kind: 'empty' };
      stage = 'record';
      const id = this.deps.ids.next();
      const relative = voicemailPath(call.tenantId, id, new Date(this.deps.clock.now()));
      const path = join(this.deps.dir, relative);
      await mkdir(dirname(path), { recursive: true });
      // The row first: a process that dies while recording leaves it for `recover` with the file.
      await VoicemailStore.begin(this.deps.db, {
        id,
        tenantId: call.tenantId,
        callId: call.callId,
        interactionId: call.interactionId,
        queueId: request.queueId,
        caller: call.caller,
        did: call.did,
        filePath: relative,
        at: new Date(this.deps.clock.now()),
      });
      const audio = await this.#record(call, path, request.maxSeconds);
      if (!isMessage(audio)) {
        await this.#discard(call.tenantId, id, path);
        this.deps.log.info({ ...fields, ...audio }, 'voicemail discarded: too short or silent');
        return { kind: 'empty' };
      }
      stage = 'store';
      await this.#deliver(call, request.queueId, id, audio.durationMs);
      this.deps.log.info({ ...fields, voicemailId: id, durationMs: audio.durationMs }, 'voicemail left');
      return { kind: 'stored', voicemailId: id, durationMs: audio.durationMs };
    } catch (err) {
      // The file and its unfinished row (if any) are kept: the next start delivers them (`recover`).
      this.deps.log.error({ err, ...fields, stage }, 'voicemail failed');
      return { kind: 'failed', code: 'VOICEMAIL_FAILED', message: `${stage}: ${messageOf(err)}` };
    }
  }

  /**
   * Records until `#`, the time limit or the hang-up. On hang-up the recorder is stopped from the abort
   * listener, synchronously, so the stop reaches the worker before the call's own hang-up; if the call
   * was gone anyway, the file (finalised by the worker's hang-up) is measured by its size.
   */
  async #record(call: VoicemailCall, path: string, maxSeconds: number): Promise<RecordedAudio> {
    let stopped: Promise<Awaited<ReturnType<VoicemailCall['media']['stopRecording']>> | 'gone'> | null = null;
    const stop = () => {
      stopped ??= call.media.stopRecording().catch(() => 'gone' as const);
      return stopped;
    };
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    const why = new Promise<Stop>((resolve) => {
      call.listen({
        onMediaEvent: (e) => {
          if (e.type === 'dtmf') {
            if (e.event.digit === '#') resolve('key');
            return true; // other keys while recording belong to the message, not to the flow
          }
          if (e.type === 'record-error') {
            this.deps.log.error({ callId: call.callId, message: e.message }, 'voicemail recording failed');
            resolve('time');
            return true;
          }
          return false;
        },
      });
      onAbort = () => {
        void stop();
        resolve('hangup');
      };
      call.ended.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => resolve('time'), maxSeconds * 1000);
    });
    try {
      if (call.ended.aborted) return { durationMs: 0, soundMs: 0 };
      await call.media.recordLeg(path, CALLER_LEG);
      if (call.ended.aborted) void stop();
      await why;
    } finally {
      clearTimeout(timer);
      call.ended.removeEventListener('abort', onAbort);
      call.listen(null);
    }
    const summary = await stop();
    if (summary !== 'gone' && summary !== null) {
      return { durationMs: summary.durationMs, soundMs: summary.soundMs ?? null };
    }
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    return { durationMs: monoWavDurationMs(size), soundMs: null };
  }

  /**
   * The complete message in one transaction: the task in the mailbox's queue (through the router), the
   * row completed with its length and task, and a call still in its flow ended as `voicemail`.
   */
  async #deliver(call: DeliveredCall, queueId: string, id: string, durationMs: number): Promise<void> {
    const taskId = interactionId(this.deps.ids.next());
    const at = new Date(this.deps.clock.now());
    await createTask(
      this.deps.routing,
      call.tenantId,
      {
        id: taskId,
        channel: 'task',
        queueId,
        skills: [],
        subject: call.caller,
        contact: voicemailContact(call.caller),
        data: voicemailTaskData({
          voicemailId: id,
          caller: call.caller,
          did: call.did,
          durationMs,
          callId: call.callId,
        }),
        createdBy: 'system:voicemail',
      },
      () => this.deps.clock.now(),
      async (tx) => {
        await VoicemailStore.complete(tx, call.tenantId, id, taskId, durationMs, at);
        await VoicemailStore.endInFlowAsVoicemail(tx, call.tenantId, call.interactionId, at);
      },
    );
  }

  async #discard(tenantId: string, id: string, path: string): Promise<void> {
    await unlink(path).catch(() => undefined);
    await VoicemailStore.discard(this.deps.db, tenantId, id);
  }

  /**
   * At start, before lost calls are closed: the voicemails an earlier process was recording (or failed
   * to store) are delivered from what their files hold — the recorder fixed the WAV header every
   * second, so a crash costs at most the last second — or dropped when that is no message (by length:
   * the sound level was never measured). Their calls' interactions end as `voicemail` as usual.
   * Returns how many were delivered.
   */
  async recover(): Promise<number> {
    let delivered = 0;
    const unfinished = await VoicemailStore.unfinished(this.deps.db);
    if (unfinished.length > 0)
      this.deps.log.warn({ voicemails: unfinished.length }, 'unfinished voicemails found');
    for (const v of unfinished) {
      const fields = { tenantId: v.tenantId, voicemailId: v.id, callId: v.callId };
      try {
        const path = join(this.deps.dir, v.filePath);
        const size = await stat(path).then(
          (s) => s.size,
          () => 0,
        );
        const durationMs = monoWavDurationMs(size);
        if (!isMessage({ durationMs, soundMs: null })) {
          await this.#discard(v.tenantId, v.id, path);
          this.deps.log.info({ ...fields, durationMs }, 'unfinished voicemail dropped: no message');
          continue;
        }
        await this.#deliver(v, v.queueId, v.id, durationMs);
        delivered++;
        this.deps.log.warn({ ...fields, durationMs }, 'voicemail of an earlier process delivered');
      } catch (err) {
        this.deps.log.error({ err, ...fields }, 'recovering a voicemail failed');
      }
    }
    return delivered;
  }

  /** Says `text` to the caller (best effort: a TTS failure only costs the courtesy). */
  async say(call: VoicemailCall, language: Language, text: string): Promise<void> {
    try {
      await call.play(await this.deps.tts.speech(language, text));
    } catch (err) {
      this.deps.log.warn({ err, callId: call.callId }, 'voicemail message could not be said');
    }
  }
}

/**
 * The flow verb: `done` with the voicemail id as `recording`; `timeout` when nothing was said (the
 * verb's `failed`); `error` `UNKNOWN_MAILBOX` / `VOICEMAIL_FAILED`. The flow goes on after it (say
 * goodbye, hang up); the call's interaction has already ended as `voicemail` for a stored message.
 */
export async function voicemailStep(
  service: VoicemailService,
  call: VoicemailCall,
  action: Extract<FlowAction, { type: 'voicemail' }>,
): Promise<FlowEvent> {
  const queueId = await service.mailbox(call.tenantId, action.mailbox);
  if (queueId === null) {
    return { type: 'error', code: 'UNKNOWN_MAILBOX', message: `no queue "${action.mailbox.slice(0, 64)}"` };
  }
  const outcome = await service.take(call, {
    queueId,
    maxSeconds: action.maxSeconds,
    prompt: action.prompt,
    language: action.language,
  });
  switch (outcome.kind) {
    case 'stored':
      return { type: 'done', recording: outcome.voicemailId };
    case 'empty':
      return { type: 'timeout' };
    case 'failed':
      return { type: 'error', code: outcome.code, message: outcome.message.slice(0, 500) };
  }
}

/**
 * A queue overflowed to voicemail (the router already ended the call's interaction as `voicemail`):
 * the default prompt, the message for that queue, then thanks (or "we heard nothing"). The caller is
 * hung up by the call afterwards.
 */
export async function overflowToVoicemail(
  service: VoicemailService,
  call: VoicemailCall,
  queueId: string,
  language: Language,
): Promise<VoicemailOutcome> {
  const outcome = await service.take(call, {
    queueId,
    maxSeconds: OVERFLOW_VOICEMAIL_MAX_SECONDS,
    prompt: null,
    language,
  });
  if (!call.ended.aborted) {
    await service.say(
      call,
      language,
      (outcome.kind === 'stored' ? VOICEMAIL_THANKS : VOICEMAIL_NOTHING_HEARD)[language],
    );
  }
  return outcome;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
