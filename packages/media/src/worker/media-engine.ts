/**
 * What a media worker does, as a plain class: owns its calls, legs and RTP ports, runs the 20 ms tick
 * for all of them, and turns protocol commands into calls on them. `media-worker.ts` hosts it in a
 * worker thread; tests may also run it in-process.
 */
import { readFile } from 'node:fs/promises';
import { StereoRecorder } from '../audio/recorder';
import { openRecordingFile } from '../audio/recording-file';
import { promptPcm } from '../audio/wav';
import { Call } from '../call';
import type { JitterBufferOptions } from '../jitter/jitter-buffer';
import { LinkLeg } from '../link/link-leg';
import { PortAllocator, type PortRange } from '../rtp/port-allocator';
import { RtpLeg } from '../rtp/rtp-leg';
import { AgentPhone } from '../webrtc/agent-phone';
import type { PhoneLegFactory } from '../webrtc/phone-leg';
import { WebRtcLeg } from '../webrtc/webrtc-leg';
import type { Command, CommandResults, MediaEvent, WorkerStats } from './protocol';
import { threadPriority } from './thread-priority';
import { Ticker } from './ticker';

export interface MediaEngineConfig {
  /** Address the RTP sockets bind to (and advertise). */
  readonly address: string;
  /** This worker's share of the RTP port range. */
  readonly portRange: PortRange;
  readonly tickMs?: number;
  readonly rtcpIntervalMs?: number;
  /** Period of `leg-stats` events per call; 0 turns them off. */
  readonly statsIntervalMs?: number;
  readonly jitter?: Partial<JitterBufferOptions>;
  /** UDP ports of this worker's WebRTC (ICE) sockets; absent: any free port. */
  readonly webrtcPortRange?: PortRange;
}

const PROMPT_CACHE = 64;
export const SEND_JITTER_BUCKET_MS = 0.1;
export const SEND_JITTER_BUCKETS = 2000;

export class MediaEngine {
  readonly #config: MediaEngineConfig;
  readonly #emit: (event: MediaEvent) => void;
  readonly #ports: PortAllocator;
  readonly #calls = new Map<string, Call>();
  readonly #phones = new Map<string, AgentPhone>();
  readonly #ticker: Ticker;
  readonly #prompts = new Map<string, Int16Array>();
  /** Per call, its last command's completion (see `handle`); gone once the call has none pending. */
  readonly #callCommands = new Map<string, Promise<void>>();
  #maxTickWorkMs = 0;
  readonly #lastSendOffset = new Map<Call, number>();
  readonly #sendJitter = new Uint32Array(SEND_JITTER_BUCKETS + 1);
  #ticksSinceStats = 0;
  readonly #answerPhone: PhoneLegFactory;

  /**
   * `answerPhone` makes the agents' WebRTC legs: werift by default; the native phone thread passes
   * libdatachannel's (ADR 0009), which only that thread may load.
   */
  constructor(
    config: MediaEngineConfig,
    emit: (event: MediaEvent) => void,
    answerPhone: PhoneLegFactory = WebRtcLeg.answer,
  ) {
    this.#config = config;
    this.#emit = emit;
    this.#answerPhone = answerPhone;
    this.#ports = new PortAllocator(config.portRange);
    this.#ticker = new Ticker(config.tickMs ?? 20, (now) => this.#tick(now));
  }

  start(): void {
    this.#ticker.start();
  }

  async stop(): Promise<void> {
    this.#ticker.stop();
    await Promise.all([...this.#calls.keys()].map((id) => this.#hangup(id)));
    await Promise.all([...this.#phones.keys()].map((id) => this.#closePhone(id, 'stopped')));
  }

  #tick(now: number): void {
    const t0 = performance.now();
    for (const call of this.#calls.values()) {
      try {
        call.tick(now);
        this.#noteSendOffset(call, performance.now() - now);
      } catch (e) {
        // a bug in one call must not stop the clock of every call on this worker
        this.#emit({
          type: 'call-error',
          callId: call.id,
          message: e instanceof Error ? e.message : String(e),
        });
        void this.#hangup(call.id).catch(() => {});
      }
    }
    for (const phone of this.#phones.values()) {
      try {
        phone.tick(now);
      } catch (e) {
        this.#emit({ type: 'phone-state', phoneId: phone.id, state: 'failed' });
        void this.#closePhone(phone.id, `tick failed: ${e instanceof Error ? e.message : String(e)}`).catch(
          () => {},
        );
      }
    }
    const work = performance.now() - t0;
    if (work > this.#maxTickWorkMs) this.#maxTickWorkMs = work;
    const every = (this.#config.statsIntervalMs ?? 5000) / (this.#config.tickMs ?? 20);
    if (every > 0 && ++this.#ticksSinceStats >= every) {
      this.#ticksSinceStats = 0;
      for (const call of this.#calls.values())
        this.#emit({ type: 'leg-stats', callId: call.id, stats: call.stats() });
    }
  }

  /**
   * The jitter this worker adds to a call's outgoing streams: |Δ| between consecutive ticks of how long
   * after the tick's due time the call's packets left (RFC 3550's D for a sender whose ideal spacing is
   * exactly 20 ms), as a histogram of 0.1 ms buckets up to 200 ms.
   */
  #noteSendOffset(call: Call, offsetMs: number): void {
    const previous = this.#lastSendOffset.get(call);
    this.#lastSendOffset.set(call, offsetMs);
    if (previous === undefined) return;
    const bucket = Math.min(
      SEND_JITTER_BUCKETS,
      Math.floor(Math.abs(offsetMs - previous) / SEND_JITTER_BUCKET_MS),
    );
    this.#sendJitter[bucket]!++;
  }

  #call(callId: string): Call {
    const call = this.#calls.get(callId);
    if (!call) throw Object.assign(new Error(`no call ${callId}`), { code: 'NO_SUCH_CALL' });
    return call;
  }

  #phone(phoneId: string): AgentPhone {
    const phone = this.#phones.get(phoneId);
    if (!phone) throw Object.assign(new Error(`no phone ${phoneId}`), { code: 'NO_SUCH_PHONE' });
    return phone;
  }

  async #createPhone(c: Extract<Command, { type: 'phoneCreate' }>): Promise<CommandResults['phoneCreate']> {
    if (this.#phones.has(c.phoneId))
      throw Object.assign(new Error(`phone ${c.phoneId} exists`), { code: 'PHONE_EXISTS' });
    const phoneId = c.phoneId;
    let phone: AgentPhone | undefined;
    const { leg, answer } = await this.#answerPhone(c.offer, {
      id: phoneId,
      ...(c.codec ? { codec: c.codec } : {}),
      hostAddress: this.#config.address,
      ...(this.#config.webrtcPortRange ? { portRange: this.#config.webrtcPortRange } : {}),
      ...(this.#config.jitter ? { jitter: this.#config.jitter } : {}),
      now: () => performance.now(),
      onDtmf: (event) => this.#emit({ type: 'phone-dtmf', phoneId, event }),
      onState: (state) => {
        if (phone && this.#phones.get(phoneId) !== phone) return; // an old phone of the same id
        this.#emit({ type: 'phone-state', phoneId, state });
        if (state === 'failed' || (state === 'closed' && phone))
          void this.#closePhone(phoneId, `connection ${state}`).catch(() => {});
      },
    });
    if (this.#phones.has(phoneId)) {
      await leg.close();
      throw Object.assign(new Error(`phone ${phoneId} exists`), { code: 'PHONE_EXISTS' });
    }
    phone = new AgentPhone(phoneId, leg, {
      onDetached: (reason) => this.#emit({ type: 'phone-detached', phoneId, reason }),
      onCheckDone: (result) => this.#emit({ type: 'phone-check-done', phoneId, result }),
    });
    this.#phones.set(phoneId, phone);
    return { answer };
  }

  async #closePhone(phoneId: string, reason: string): Promise<CommandResults['phoneClose']> {
    const phone = this.#phone(phoneId);
    this.#phones.delete(phoneId);
    const stats = await phone.close();
    this.#emit({ type: 'phone-closed', phoneId, reason });
    return stats;
  }

  /**
   * Runs a command. Those of one call run one after the other, in the order received: a command that
   * waits (a prompt file being read, a recording file being opened) holds back the call's next ones, so
   * a `stopPlay` sent after a `play` stops that play even when its file was still loading — the music on
   * hold of a caller answered at once used to start after its stop, over the agent, for the whole call.
   * Commands of other calls, and phone commands, do not wait.
   */
  handle(c: Command): Promise<CommandResults[Command['type']]> {
    if (!('callId' in c)) return this.#apply(c);
    const callId = c.callId;
    const before = this.#callCommands.get(callId);
    const run = before ? before.then(() => this.#apply(c)) : this.#apply(c);
    const settled = run.then(
      () => {},
      () => {},
    );
    this.#callCommands.set(callId, settled);
    void settled.then(() => {
      if (this.#callCommands.get(callId) === settled) this.#callCommands.delete(callId);
    });
    return run;
  }

  async #apply(c: Command): Promise<CommandResults[Command['type']]> {
    switch (c.type) {
      case 'phoneCreate':
        return this.#createPhone(c);
      case 'linkLeg': {
        const call = this.#calls.get(c.callId);
        const existing = call?.legIds.includes(c.legId) ? call.leg(c.legId) : undefined;
        if (existing instanceof LinkLeg) {
          existing.relink(c.link);
          return undefined;
        }
        if (existing) throw Object.assign(new Error(`leg ${c.legId} is not a link`), { code: 'LEG_EXISTS' });
        const target = call ?? this.#newCall(c.callId);
        target.addLeg(new LinkLeg(c.legId, c.link));
        return undefined;
      }
      case 'phoneAttach':
        this.#phone(c.phoneId).attach(c.link);
        return undefined;
      case 'phoneDetach':
        return { detached: this.#phone(c.phoneId).detach() };
      case 'phoneCheck':
        this.#phone(c.phoneId).startCheck(c.options ?? {});
        return undefined;
      case 'phoneStopCheck':
        this.#phone(c.phoneId).stopCheck();
        return undefined;
      case 'phoneDtmf':
        this.#phone(c.phoneId).leg.sendDtmf(c.digits);
        return undefined;
      case 'phoneStats':
        return this.#phone(c.phoneId).stats();
      case 'phoneClose':
        return this.#closePhone(c.phoneId, 'closed');
      case 'createLeg': {
        const call = this.#calls.get(c.callId) ?? this.#newCall(c.callId);
        const ports = await this.#ports.allocate(this.#config.address, c.rtcpMux ?? false);
        const callId = c.callId;
        const leg = new RtpLeg({
          id: c.legId,
          codec: c.codec,
          ports,
          now: () => performance.now(),
          ...(c.telephoneEventPt === undefined ? {} : { telephoneEventPt: c.telephoneEventPt }),
          ...(c.remote ? { remote: c.remote } : {}),
          ...(c.rtcpMux === undefined ? {} : { rtcpMux: c.rtcpMux }),
          ...(c.inbandDtmf === undefined ? {} : { inbandDtmf: c.inbandDtmf }),
          ...(this.#config.rtcpIntervalMs ? { rtcpIntervalMs: this.#config.rtcpIntervalMs } : {}),
          ...(this.#config.jitter ? { jitter: this.#config.jitter } : {}),
          onDtmf: (event) => this.#emit({ type: 'dtmf', callId, event }),
          onBye: (legId, reason) => this.#emit({ type: 'leg-bye', callId, legId, reason }),
        });
        try {
          call.addLeg(leg);
        } catch (e) {
          ports.release();
          throw e;
        }
        return { address: leg.localAddress, port: leg.localPort };
      }
      case 'setRemote': {
        const leg = this.#call(c.callId).leg(c.legId);
        if (!(leg instanceof RtpLeg)) throw new Error(`leg ${c.legId} is not an RTP leg`);
        leg.setRemote(c.remote);
        return undefined;
      }
      case 'connect':
        this.#call(c.callId).connect(c.legIds);
        return undefined;
      case 'join':
        this.#call(c.callId).join(c.legId, c.role);
        return undefined;
      case 'play': {
        const call = this.#call(c.callId);
        const pcm = c.source.kind === 'pcm' ? c.source.pcm : await this.#prompt(c.source.path);
        call.play(c.legId, { id: c.id, pcm, ...(c.loop ? { loop: true } : {}) });
        return undefined;
      }
      case 'stopPlay':
        this.#call(c.callId).stopPlay(c.legId, c.id);
        return undefined;
      case 'record': {
        const call = this.#call(c.callId);
        call.leg(c.customerLegId);
        call.leg(c.agentLegId);
        const callId = c.callId;
        const recorder = new StereoRecorder(await openRecordingFile(c.path), {
          onError: (e) => this.#emit({ type: 'record-error', callId, message: e.message }),
        });
        call.record(recorder, c.customerLegId, c.agentLegId);
        return undefined;
      }
      case 'recordLeg': {
        const call = this.#call(c.callId);
        call.leg(c.legId);
        const callId = c.callId;
        const recorder = new StereoRecorder(await openRecordingFile(c.path), {
          channels: 1,
          onError: (e) => this.#emit({ type: 'record-error', callId, message: e.message }),
        });
        if (this.#calls.get(callId) !== call) {
          // Hung up while the file was being opened: nothing will ever finish this recorder.
          await recorder.finish();
          throw new Error(`call ${callId} ended`);
        }
        call.record(recorder, c.legId);
        return undefined;
      }
      case 'stopRecord':
        return (await this.#call(c.callId).stopRecording()) ?? null;
      case 'sendDtmf':
        this.#call(c.callId).leg(c.legId).sendDtmf(c.digits, c.durationMs);
        return undefined;
      case 'stats':
        return this.#call(c.callId).stats();
      case 'hangup':
        return this.#hangup(c.callId);
      case 'workerStats':
        return this.workerStats();
    }
  }

  #newCall(callId: string): Call {
    const call = new Call(callId, {
      onPlayDone: (legId, id, reason) => this.#emit({ type: 'play-done', callId, legId, id, reason }),
    });
    this.#calls.set(callId, call);
    return call;
  }

  async #hangup(callId: string): Promise<CommandResults['hangup']> {
    const call = this.#call(callId);
    this.#calls.delete(callId);
    this.#lastSendOffset.delete(call);
    const result = await call.hangup();
    this.#emit({ type: 'ended', callId });
    return result;
  }

  workerStats(): WorkerStats {
    const s = this.#ticker.stats;
    let legs = 0;
    for (const c of this.#calls.values()) legs += c.legIds.length;
    return {
      calls: this.#calls.size,
      phones: this.#phones.size,
      legs,
      ticks: s.ticks,
      skippedTicks: s.skipped,
      maxTickLateMs: s.maxLateMs,
      tickLateP99Ms: s.lateP99Ms,
      maxTickWorkMs: this.#maxTickWorkMs,
      sendJitterHistogram: Array.from(this.#sendJitter),
      priority: threadPriority(),
    };
  }

  async #prompt(path: string): Promise<Int16Array> {
    const cached = this.#prompts.get(path);
    if (cached) return cached;
    const r = promptPcm(await readFile(path));
    if (!r.ok) throw Object.assign(new Error(`${path}: ${r.reason}`), { code: 'BAD_PROMPT' });
    if (this.#prompts.size >= PROMPT_CACHE) this.#prompts.delete(this.#prompts.keys().next().value!);
    this.#prompts.set(path, r.pcm);
    return r.pcm;
  }
}
