/**
 * The control plane's handle on media: starts the media workers (one per core by default), pins each
 * call to the least-loaded worker, and talks to it through the typed protocol. Audio timing lives in the
 * workers; nothing here is on the audio path, so a busy main thread (database, HTTP, SIP) delays
 * commands and events, never packets.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { JitterBufferOptions } from '../jitter/jitter-buffer';
import type { PortRange } from '../rtp/port-allocator';
import type { MediaEngineConfig } from './media-engine';
import type { Command, CommandResults, MediaEvent, WorkerStats } from './protocol';
import { CommandClient } from './typed-port';

export interface MediaHostOptions {
  readonly address: string;
  /** The whole RTP range; each worker gets an equal, disjoint share. */
  readonly portRange: PortRange;
  readonly workers?: number;
  readonly rtcpIntervalMs?: number;
  readonly statsIntervalMs?: number;
  readonly jitter?: Partial<JitterBufferOptions>;
  readonly onEvent?: (event: MediaEvent) => void;
}

interface WorkerSlot {
  readonly worker: Worker;
  readonly client: CommandClient;
  calls: number;
}

type CallCommand = Extract<Command, { callId: string }>;
type WithoutCall<C> = C extends unknown ? Omit<C, 'callId'> : never;

export class MediaHost {
  readonly #slots: WorkerSlot[];
  readonly #callSlot = new Map<string, WorkerSlot>();

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
      };
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
        workerData: { entry: new URL('./media-worker.ts', import.meta.url).href, port: port2, config },
        transferList: [port2],
      });
      const client = new CommandClient(port1, (event) => {
        if (event.type === 'ended') host.#forget(event.callId);
        onEvent(event);
      });
      worker.on('error', (e) => client.failAll(e));
      worker.on('exit', (code) => client.failAll(new Error(`media worker exited (${code})`)));
      slots.push({ worker, client, calls: 0 });
    }
    host.#slots.push(...slots);
    // the first answer proves a worker has loaded its code
    await Promise.all(slots.map((s) => s.client.request({ type: 'workerStats' })));
    return host;
  }

  get workers(): number {
    return this.#slots.length;
  }

  /** A call pinned to the least-loaded worker; its legs, mixing and recording all live there. */
  createCall(callId: string): MediaCall {
    if (this.#callSlot.has(callId)) throw new Error(`call ${callId} exists`);
    const slot = this.#slots.reduce((a, b) => (b.calls < a.calls ? b : a));
    slot.calls++;
    this.#callSlot.set(callId, slot);
    return new MediaCall(callId, slot.client, this.#slots.indexOf(slot));
  }

  #forget(callId: string): void {
    const slot = this.#callSlot.get(callId);
    if (!slot) return;
    slot.calls--;
    this.#callSlot.delete(callId);
  }

  workerStats(): Promise<WorkerStats[]> {
    return Promise.all(this.#slots.map((s) => s.client.request({ type: 'workerStats' })));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#slots.map(async (s) => {
        s.client.close();
        await s.worker.terminate();
      }),
    );
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
  hangup(): Promise<CommandResults['hangup']> {
    return this.#send({ type: 'hangup' }) as Promise<CommandResults['hangup']>;
  }
}
