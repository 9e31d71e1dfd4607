/**
 * The control plane's handle on media: starts the media workers (one per core by default), pins each
 * call to the least-loaded worker, and talks to it through the typed protocol. Audio timing lives in the
 * workers; nothing here is on the audio path, so a busy main thread (database, HTTP, SIP) delays
 * commands and events, never packets.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { G711Law } from '../codec/g711';
import type { JitterBufferOptions } from '../jitter/jitter-buffer';
import { createLinkBuffer } from '../link/frame-link';
import type { PortRange } from '../rtp/port-allocator';
import type { AudioCheckOptions } from '../webrtc/audio-check';
import type { WebRtcTransport } from '../webrtc/phone-leg';
import type { MediaEngineConfig } from './media-engine';
import type { MediaWorkerData } from './media-worker';
import { type NativePhoneAttachment, NativePhoneThread } from './native-phone-thread';
import type { Command, CommandResults, MediaEvent, WorkerStats } from './protocol';
import type { ThreadPriority } from './thread-priority';
import { CommandClient } from './typed-port';

export interface MediaHostOptions {
  readonly address: string;
  /** The whole RTP range; each worker gets an equal, disjoint share. */
  readonly portRange: PortRange;
  readonly workers?: number;
  readonly rtcpIntervalMs?: number;
  readonly statsIntervalMs?: number;
  readonly jitter?: Partial<JitterBufferOptions>;
  /** UDP ports for the agents' WebRTC (ICE) sockets, split between the workers; absent: any free port. */
  readonly webrtcPortRange?: PortRange;
  /**
   * The agents' WebRTC transport (ADR 0009): `native` — libdatachannel on the process's one native
   * phone thread, every phone there (start fails if it cannot load); `werift` — pure JavaScript, each
   * phone on the least-loaded media worker; `auto` (default) — native when it loads, else werift
   * (`webrtc.reason` says why).
   */
  readonly webrtc?: 'auto' | WebRtcTransport;
  /**
   * The nice value the media threads (workers, the native phone thread and its library's threads) ask
   * for, e.g. −10 to run ahead of the control plane (thread-priority.ts, ADR 0012); default 0 (as they are).
   */
  readonly threadNice?: number;
  readonly onEvent?: (event: MediaEvent) => void;
}

/** What the media threads asked for and got: `applied` of `threads`, and why not when some were refused. */
export interface MediaThreadPriority {
  readonly nice: number;
  readonly threads: number;
  readonly applied: number;
  readonly reason?: string;
}

/** Where calls or phones live: a media worker, or this host's engine on the native phone thread. */
interface Slot {
  readonly client: CommandClient;
  calls: number;
  phones: number;
}

interface WorkerSlot extends Slot {
  readonly worker: Worker;
}

/**
 * An agent phone weighs this many calls when choosing a worker: a WebRTC leg costs about three RTP
 * legs (SRTP, DTLS, werift's packet objects; see README figures).
 */
const PHONE_WEIGHT = 3;

type CallCommand = Extract<Command, { callId: string }>;
type WithoutCall<C> = C extends unknown ? Omit<C, 'callId'> : never;

export class MediaHost {
  readonly #slots: WorkerSlot[];
  readonly #callSlot = new Map<string, WorkerSlot>();
  readonly #phoneSlot = new Map<string, Slot>();
  #native: { slot: Slot; attachment: NativePhoneAttachment } | undefined;
  #webrtc: { transport: WebRtcTransport; reason?: string } = { transport: 'werift' };
  #priorities: ThreadPriority[] = [];

  private constructor(slots: WorkerSlot[]) {
    this.#slots = slots;
  }

  static async start(options: MediaHostOptions): Promise<MediaHost> {
    const count = Math.max(1, options.workers ?? availableParallelism());
    const span = options.portRange.max - options.portRange.min + 1;
    const share = Math.floor(span / count / 2) * 2;
    if (share < 2) throw new RangeError('RTP port range too small for the workers');
    const onEvent = options.onEvent ?? (() => {});
    const host = new MediaHost([]);
    const slots: WorkerSlot[] = [];
    for (let i = 0; i < count; i++) {
      const min = options.portRange.min + i * share;
      const config: MediaEngineConfig = {
        address: options.address,
        portRange: { min, max: min + share - 1 },
        ...(options.rtcpIntervalMs ? { rtcpIntervalMs: options.rtcpIntervalMs } : {}),
        ...(options.statsIntervalMs === undefined ? {} : { statsIntervalMs: options.statsIntervalMs }),
        ...(options.jitter ? { jitter: options.jitter } : {}),
        ...(options.webrtcPortRange ? { webrtcPortRange: shareOf(options.webrtcPortRange, i, count) } : {}),
      };
      const { port1, port2 } = new MessageChannel();
      const workerData: MediaWorkerData & { entry: string } = {
        entry: new URL('./media-worker.ts', import.meta.url).href,
        port: port2,
        config,
        nice: options.threadNice ?? 0,
      };
      const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
        workerData,
        transferList: [port2],
      });
      const client = new CommandClient(port1, (event) => {
        if (event.type === 'ended') host.#forget(event.callId);
        if (event.type === 'phone-closed') host.#forgetPhone(event.phoneId);
        onEvent(event);
      });
      worker.on('error', (e) => client.failAll(e));
      worker.on('exit', (code) => client.failAll(new Error(`media worker exited (${code})`)));
      slots.push({ worker, client, calls: 0, phones: 0 });
    }
    host.#slots.push(...slots);
    // the first answer proves a worker has loaded its code
    const started = await Promise.all(slots.map((s) => s.client.request({ type: 'workerStats' })));
    host.#priorities = started.map((s) => s.priority);
    const webrtc = options.webrtc ?? 'auto';
    if (webrtc !== 'werift') {
      try {
        await host.#attachNative(options, onEvent);
      } catch (e) {
        if (webrtc === 'native') {
          await host.stop();
          throw e;
        }
        host.#webrtc = { transport: 'werift', reason: e instanceof Error ? e.message : String(e) };
      }
    } else host.#webrtc = { transport: 'werift', reason: 'configured' };
    return host;
  }

  /** This host's phones-only engine on the process's native phone thread; every phone goes there. */
  async #attachNative(options: MediaHostOptions, onEvent: (event: MediaEvent) => void): Promise<void> {
    const thread = await NativePhoneThread.get(options.threadNice ?? 0);
    const config: MediaEngineConfig = {
      address: options.address,
      portRange: { min: 0, max: 1 }, // phones only: no RTP leg is ever created there
      ...(options.statsIntervalMs === undefined ? {} : { statsIntervalMs: options.statsIntervalMs }),
      ...(options.jitter ? { jitter: options.jitter } : {}),
      ...(options.webrtcPortRange ? { webrtcPortRange: options.webrtcPortRange } : {}),
    };
    const attachment = await thread.attach(
      config,
      (event) => {
        if (event.type === 'phone-closed') this.#forgetPhone(event.phoneId);
        onEvent(event);
      },
      (reason) => {
        // the thread died (a native fault it survived, or a bug): its phones are gone
        for (const [phoneId, slot] of [...this.#phoneSlot])
          if (slot === this.#native?.slot) {
            this.#forgetPhone(phoneId);
            onEvent({ type: 'phone-closed', phoneId, reason: `native phone thread ${reason}` });
          }
      },
    );
    this.#native = { slot: { client: attachment.client, calls: 0, phones: 0 }, attachment };
    this.#priorities.push((await attachment.client.request({ type: 'workerStats' })).priority);
    this.#webrtc = { transport: 'native', reason: `node-datachannel (libdatachannel ${thread.version})` };
  }

  /** The agents' WebRTC transport in use, and why (the fallback's cause, or the library's version). */
  get webrtc(): { readonly transport: WebRtcTransport; readonly reason?: string } {
    return this.#webrtc;
  }

  get workers(): number {
    return this.#slots.length;
  }

  /** The media threads' scheduling priority (`threadNice`): how many got it, and why not. */
  get threadPriority(): MediaThreadPriority {
    const refused = this.#priorities.find((p) => !p.applied);
    return {
      nice: this.#priorities[0]?.nice ?? 0,
      threads: this.#priorities.length,
      applied: this.#priorities.filter((p) => p.applied).length,
      ...(refused?.reason ? { reason: refused.reason } : {}),
    };
  }

  /** A call pinned to the least-loaded worker; its legs, mixing and recording all live there. */
  createCall(callId: string): MediaCall {
    if (this.#callSlot.has(callId)) throw new Error(`call ${callId} exists`);
    const slot = this.#leastLoaded();
    slot.calls++;
    this.#callSlot.set(callId, slot);
    return new MediaCall(callId, slot.client, this.#slots.indexOf(slot));
  }

  #leastLoaded(): WorkerSlot {
    const load = (s: WorkerSlot) => s.calls + PHONE_WEIGHT * s.phones;
    return this.#slots.reduce((a, b) => (load(b) < load(a) ? b : a));
  }

  /**
   * Creates an agent's phone from the browser's complete SDP offer, on the least-loaded worker, where it
   * stays until closed (ADR 0007). Resolves with the complete answer. Rejects with a MediaCommandError:
   * `BAD_OFFER`, `NO_COMMON_CODEC`, `PHONE_EXISTS`.
   */
  async createAgentPhone(
    phoneId: string,
    offer: string,
    options: { codec?: G711Law } = {},
  ): Promise<{ answer: string; worker: number }> {
    if (this.#phoneSlot.has(phoneId))
      throw Object.assign(new Error(`phone ${phoneId} exists`), { code: 'PHONE_EXISTS' });
    const slot: Slot = this.#native?.slot ?? this.#leastLoaded();
    slot.phones++;
    this.#phoneSlot.set(phoneId, slot);
    try {
      const { answer } = await slot.client.request({
        type: 'phoneCreate',
        phoneId,
        offer,
        ...(options.codec ? { codec: options.codec } : {}),
      });
      return { answer, worker: this.#indexOf(slot) };
    } catch (e) {
      this.#forgetPhone(phoneId);
      throw e;
    }
  }

  /** Which worker a phone lives on (undefined: no such phone); the native phone thread counts last. */
  phoneWorker(phoneId: string): number | undefined {
    const slot = this.#phoneSlot.get(phoneId);
    return slot ? this.#indexOf(slot) : undefined;
  }

  #indexOf(slot: Slot): number {
    return slot === this.#native?.slot ? this.#slots.length : this.#slots.indexOf(slot as WorkerSlot);
  }

  #phoneClient(phoneId: string): CommandClient {
    const slot = this.#phoneSlot.get(phoneId);
    if (!slot) throw Object.assign(new Error(`no phone ${phoneId}`), { code: 'NO_SUCH_PHONE' });
    return slot.client;
  }

  /**
   * Bridges an agent's phone into a call, wherever each lives: a shared-memory link whose call end is
   * the leg `legId` of the call (connect or join it like any leg) and whose other end feeds the phone.
   * No per-frame message crosses the main thread. Attaching again replaces the phone's previous link.
   */
  async attachAgentPhone(phoneId: string, call: MediaCall, legId: string): Promise<void> {
    const client = this.#phoneClient(phoneId);
    const link = createLinkBuffer();
    await call.linkLeg(legId, link);
    await client.request({ type: 'phoneAttach', phoneId, link });
  }

  /** Unhooks the phone from its call (the call's link leg then hears silence); false if it was idle. */
  async detachAgentPhone(phoneId: string): Promise<boolean> {
    const r = await this.#phoneClient(phoneId).request({ type: 'phoneDetach', phoneId });
    return r.detached;
  }

  /** Tone then microphone loop-back; a `phone-check-done` event reports what the microphone sent. */
  async checkAgentPhone(phoneId: string, options: AudioCheckOptions = {}): Promise<undefined> {
    return this.#phoneClient(phoneId).request({ type: 'phoneCheck', phoneId, options });
  }

  async stopAgentPhoneCheck(phoneId: string): Promise<undefined> {
    return this.#phoneClient(phoneId).request({ type: 'phoneStopCheck', phoneId });
  }

  async agentPhoneStats(phoneId: string): Promise<CommandResults['phoneStats']> {
    return this.#phoneClient(phoneId).request({ type: 'phoneStats', phoneId });
  }

  async closeAgentPhone(phoneId: string): Promise<CommandResults['phoneClose']> {
    const stats = await this.#phoneClient(phoneId).request({ type: 'phoneClose', phoneId });
    this.#forgetPhone(phoneId);
    return stats;
  }

  #forgetPhone(phoneId: string): void {
    const slot = this.#phoneSlot.get(phoneId);
    if (!slot) return;
    slot.phones--;
    this.#phoneSlot.delete(phoneId);
  }

  #forget(callId: string): void {
    const slot = this.#callSlot.get(callId);
    if (!slot) return;
    slot.calls--;
    this.#callSlot.delete(callId);
  }

  /** One entry per media worker, then this host's engine on the native phone thread (if any). */
  workerStats(): Promise<WorkerStats[]> {
    const slots: Slot[] = this.#native ? [...this.#slots, this.#native.slot] : this.#slots;
    return Promise.all(slots.map((s) => s.client.request({ type: 'workerStats' })));
  }

  async stop(): Promise<void> {
    const native = this.#native;
    this.#native = undefined;
    await Promise.all([
      ...this.#slots.map(async (s) => {
        s.client.close();
        await s.worker.terminate();
      }),
      // the native thread is never terminated (ADR 0009): this host's phones are closed, it stays
      native?.attachment.detach(),
    ]);
  }
}

/** One call's commands, bound to its worker. */
export class MediaCall {
  readonly id: string;
  readonly worker: number;
  readonly #client: CommandClient;

  constructor(id: string, client: CommandClient, worker: number) {
    this.id = id;
    this.#client = client;
    this.worker = worker;
  }

  #send<C extends WithoutCall<CallCommand>>(command: C) {
    return this.#client.request({ ...command, callId: this.id } as Extract<Command, { type: C['type'] }>);
  }

  createLeg(leg: WithoutCall<Extract<Command, { type: 'createLeg' }>>): Promise<CommandResults['createLeg']> {
    return this.#send(leg) as Promise<CommandResults['createLeg']>;
  }
  setRemote(legId: string, remote: { address: string; port: number }): Promise<undefined> {
    return this.#send({ type: 'setRemote', legId, remote }) as Promise<undefined>;
  }
  connect(legIds: string[]): Promise<undefined> {
    return this.#send({ type: 'connect', legIds }) as Promise<undefined>;
  }
  join(legId: string, role: Extract<Command, { type: 'join' }>['role']): Promise<undefined> {
    return this.#send({ type: 'join', legId, role }) as Promise<undefined>;
  }
  play(play: WithoutCall<Extract<Command, { type: 'play' }>>): Promise<undefined> {
    return this.#send(play) as Promise<undefined>;
  }
  stopPlay(legId: string, id?: string): Promise<undefined> {
    return this.#send({ type: 'stopPlay', legId, ...(id ? { id } : {}) }) as Promise<undefined>;
  }
  record(path: string, customerLegId: string, agentLegId: string): Promise<undefined> {
    return this.#send({ type: 'record', path, customerLegId, agentLegId }) as Promise<undefined>;
  }
  /** Records one leg (what it says) into a mono WAV at `path`; the call goes on after `stopRecording`. */
  recordLeg(path: string, legId: string): Promise<undefined> {
    return this.#send({ type: 'recordLeg', path, legId }) as Promise<undefined>;
  }
  /**
   * Ends the recording now and returns its summary (null when none ran). The worker detaches the
   * recorder on receipt, so a `hangup` sent after it finds nothing left to record.
   */
  stopRecording(): Promise<CommandResults['stopRecord']> {
    return this.#send({ type: 'stopRecord' }) as Promise<CommandResults['stopRecord']>;
  }
  sendDtmf(legId: string, digits: string, durationMs?: number): Promise<undefined> {
    return this.#send({
      type: 'sendDtmf',
      legId,
      digits,
      ...(durationMs ? { durationMs } : {}),
    }) as Promise<undefined>;
  }
  stats(): Promise<CommandResults['stats']> {
    return this.#send({ type: 'stats' }) as Promise<CommandResults['stats']>;
  }
  /** The call's end of a link to an agent phone (use `MediaHost.attachAgentPhone`). */
  linkLeg(legId: string, link: SharedArrayBuffer): Promise<undefined> {
    return this.#send({ type: 'linkLeg', legId, link }) as Promise<undefined>;
  }
  hangup(): Promise<CommandResults['hangup']> {
    return this.#send({ type: 'hangup' }) as Promise<CommandResults['hangup']>;
  }
}

function shareOf(range: PortRange, i: number, count: number): PortRange {
  const share = Math.floor((range.max - range.min + 1) / count);
  if (share < 2) throw new RangeError('WebRTC port range too small for the workers');
  return { min: range.min + i * share, max: range.min + (i + 1) * share - 1 };
}
