import type { TimerHandle, TimerName, Timers } from './timing';

/** The timers one transaction runs, by name; starting a running timer restarts it. */
export class TimerSet {
  readonly #running = new Map<TimerName, TimerHandle>();

  constructor(
    private readonly timers: Timers,
    private readonly fire: (timer: TimerName) => void,
  ) {}

  start(timer: TimerName, ms: number): void {
    this.stop(timer);
    this.#running.set(
      timer,
      this.timers.set(ms, () => {
        this.#running.delete(timer);
        this.fire(timer);
      }),
    );
  }

  stop(timer: TimerName): void {
    this.#running.get(timer)?.cancel();
    this.#running.delete(timer);
  }

  stopAll(): void {
    for (const handle of this.#running.values()) handle.cancel();
    this.#running.clear();
  }

  /** Names of running timers, for tests and diagnostics. */
  get names(): TimerName[] {
    return [...this.#running.keys()];
  }
}

/**
 * Runs events one at a time: an event raised while another is being handled (a transport error
 * reported synchronously from a send, a TU answering inside its callback) waits its turn.
 */
export class EventQueue<E> {
  readonly #pending: E[] = [];
  #busy = false;

  constructor(private readonly handle: (event: E) => void) {}

  push(event: E): void {
    this.#pending.push(event);
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift())
        this.handle(next);
    } finally {
      this.#busy = false;
    }
  }
}
