/**
 * The process-wide native phone thread, seen from the main thread (ADR 0009).
 *
 * node-datachannel (libdatachannel) may be loaded by ONE thread per process, ever: a second thread
 * loading it aborts or crashes the process, even after the first has ended; and a thread that ends
 * with it loaded aborts the process unless it called the addon's `cleanup()` first. Hence:
 * - one thread for the whole process, started on first use and shared by every `MediaHost` (tests and
 *   benchmarks build several hosts in one process); each host attaches its own phones-only engine;
 * - it is never terminated: `MediaHost.stop()` detaches (its phones are closed), the thread stays,
 *   unref'd so that it keeps no process alive;
 * - when the process exits (`process.exit`, the end of the event loop, a handled signal), the `exit`
 *   handler asks the thread to clean the addon up and waits for it (at most 5 s) — synchronously, on a
 *   shared flag, because nothing asynchronous runs in an `exit` handler. A process killed by a signal
 *   it does not handle skips this, and needs nothing: no teardown runs;
 * - if the addon cannot load, the failure is remembered (no second attempt: that would be a second
 *   thread) and `MediaHost` falls back to werift when so configured.
 * A crash in native code still takes the whole process down; ADR 0009 weighs that against a child
 * process (which would lose the shared-memory links to the calls' workers).
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { MediaEngineConfig } from './media-engine';
import type { FromNativeThread, ToNativeThread } from './native-phone-worker';
import type { MediaEvent } from './protocol';
import { CommandClient } from './typed-port';

/** The exit handler's wait: the thread's own (1.5 s for closings, then the addon's cleanup) plus slack. */
const EXIT_WAIT_MS = 5000;

export interface NativePhoneAttachment {
  readonly client: CommandClient;
  /** Closes this host's phones on the thread; the thread stays (see above). */
  detach(): Promise<void>;
}

export class NativePhoneThread {
  readonly version: string;
  readonly #worker: Worker;
  readonly #attachments = new Map<number, { client: CommandClient; onGone: (reason: string) => void }>();
  readonly #waiting = new Map<number, () => void>();
  #nextId = 1;
  #dead: string | undefined;
  readonly #onError: Set<(message: string) => void> = new Set();

  private constructor(worker: Worker, version: string) {
    this.#worker = worker;
    this.version = version;
    worker.on('message', (m: FromNativeThread) => {
      if (m.kind === 'attached' || m.kind === 'detached') {
        this.#waiting.get(m.id)?.();
        this.#waiting.delete(m.id);
      } else if (m.kind === 'error') {
        for (const listener of this.#onError) listener(m.message);
      }
    });
    const gone = (reason: string) => {
      if (this.#dead) return;
      this.#dead = reason;
      for (const a of this.#attachments.values()) {
        a.client.failAll(new Error(`native phone thread ${reason}`));
        a.onGone(reason);
      }
      this.#attachments.clear();
      for (const w of this.#waiting.values()) w();
      this.#waiting.clear();
    };
    worker.on('error', (e) => gone(`failed: ${e.message}`));
    worker.on('exit', (code) => gone(`exited (${code})`));
  }

  /** Why the thread is gone, if it is (then nothing can attach: it cannot be started again). */
  get dead(): string | undefined {
    return this.#dead;
  }

  /** Listens to exceptions the thread caught (reported, not fatal); returns the removal. */
  onError(listener: (message: string) => void): () => void {
    this.#onError.add(listener);
    return () => this.#onError.delete(listener);
  }

  /**
   * A phones-only engine for one `MediaHost`, speaking the media protocol; `onGone` tells the host that
   * the thread died (its phones are gone).
   */
  async attach(
    config: MediaEngineConfig,
    onEvent: (event: MediaEvent) => void,
    onGone: (reason: string) => void,
  ): Promise<NativePhoneAttachment> {
    if (this.#dead)
      throw Object.assign(new Error(`native phone thread ${this.#dead}`), { code: 'NATIVE_WEBRTC_DEAD' });
    const id = this.#nextId++;
    const { port1, port2 } = new MessageChannel();
    const client = new CommandClient(port1, onEvent);
    this.#attachments.set(id, { client, onGone });
    await this.#ask({ kind: 'attach', id, port: port2, config }, id, [port2]);
    return {
      client,
      detach: async () => {
        if (!this.#attachments.delete(id)) return;
        await this.#ask({ kind: 'detach', id }, id);
        client.close();
      },
    };
  }

  #ask(m: ToNativeThread, id: number, transfer: MessagePort[] = []): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#worker.postMessage(m, transfer);
    });
  }

  static #started: Promise<NativePhoneThread> | undefined;

  /**
   * The process's thread, started on first call (asking for the nice value `nice`, see
   * thread-priority.ts: the first caller's applies for the thread's life); rejects (every time) if the
   * addon cannot load.
   */
  static get(nice = 0): Promise<NativePhoneThread> {
    NativePhoneThread.#started ??= NativePhoneThread.#start(nice);
    return NativePhoneThread.#started;
  }

  static async #start(nice: number): Promise<NativePhoneThread> {
    const exitFlag = new SharedArrayBuffer(4);
    const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
      workerData: { entry: new URL('./native-phone-worker.ts', import.meta.url).href, exitFlag, nice },
    });
    const loaded = await new Promise<FromNativeThread & { kind: 'loaded' }>((resolve) => {
      const onMessage = (m: FromNativeThread) => {
        if (m.kind !== 'loaded') return;
        worker.off('message', onMessage);
        resolve(m);
      };
      worker.on('message', onMessage);
      worker.once('error', (e) => resolve({ kind: 'loaded', ok: false, error: e.message }));
      worker.once('exit', (code) =>
        resolve({ kind: 'loaded', ok: false, error: `the thread exited (${code})` }),
      );
    });
    if (!loaded.ok) {
      void worker.terminate(); // it never loaded the addon: ending it is safe
      throw Object.assign(new Error(`node-datachannel did not load: ${loaded.error}`), {
        code: 'NATIVE_WEBRTC_UNAVAILABLE',
      });
    }
    const thread = new NativePhoneThread(worker, loaded.version);
    worker.unref(); // after the listeners: adding a 'message' listener refs the worker's port again
    process.on('exit', () => {
      if (thread.dead) return;
      worker.postMessage({ kind: 'shutdown' } satisfies ToNativeThread);
      Atomics.wait(new Int32Array(exitFlag), 0, 0, EXIT_WAIT_MS);
    });
    return thread;
  }
}
