/**
 * A small typed wrapper over a `MessagePort`: requests with correlated replies (as promises) one way,
 * events the other. The worker side serves commands with an async handler; a handler error becomes a
 * rejected promise on the caller's side with the same message and code.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Command, CommandOf, CommandResults, FromWorker, MediaEvent, ToWorker } from './protocol';

export class MediaCommandError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'MediaCommandError';
  }
}

/** Main-thread end. */
export class CommandClient {
  readonly #port: MessagePort;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  constructor(port: MessagePort, onEvent: (event: MediaEvent) => void) {
    this.#port = port;
    port.on('message', (m: FromWorker) => {
      if (m.kind === 'event') {
        onEvent(m.event);
        return;
      }
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new MediaCommandError(m.error.code, m.error.message));
    });
  }

  get pending(): number {
    return this.#pending.size;
  }

  request<T extends Command['type']>(command: CommandOf<T>): Promise<CommandResults[T]> {
    const id = this.#nextId++;
    return new Promise<CommandResults[T]>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const message: ToWorker = { kind: 'command', id, command };
      this.#port.postMessage(message);
    });
  }

  /** Fails every outstanding request (the worker died). */
  failAll(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  close(): void {
    this.#port.close();
  }
}

export type CommandHandler = <T extends Command['type']>(command: CommandOf<T>) => Promise<CommandResults[T]>;

/** Worker end: serves commands, emits events. */
export function serveCommands(port: MessagePort, handle: (command: Command) => Promise<unknown>) {
  port.on('message', async (m: ToWorker) => {
    let reply: FromWorker;
    try {
      reply = { kind: 'reply', id: m.id, ok: true, result: await handle(m.command) };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const code = (err as { code?: unknown }).code;
      reply = {
        kind: 'reply',
        id: m.id,
        ok: false,
        error: { code: typeof code === 'string' ? code : 'MEDIA_ERROR', message: err.message },
      };
    }
    port.postMessage(reply);
  });
  return {
    emit(event: MediaEvent): void {
      const message: FromWorker = { kind: 'event', event };
      port.postMessage(message);
    },
  };
}
