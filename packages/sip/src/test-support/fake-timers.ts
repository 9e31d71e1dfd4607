import type { TimerHandle, Timers } from '../transaction/timing';

interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told: `advance(ms)` fires every timer due by then, in order. */
export class FakeTimers implements Timers {
  #now = 0;
  #seq = 0;
  #pending: Pending[] = [];

  get now(): number {
    return this.#now;
  }

  set(ms: number, fire: () => void): TimerHandle {
    const p: Pending = { due: this.#now + ms, seq: this.#seq++, fire, cancelled: false };
    this.#pending.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  /** Timers still to fire. */
  get pendingCount(): number {
    return this.#pending.filter((p) => !p.cancelled).length;
  }

  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      this.#pending = this.#pending.filter((p) => !p.cancelled);
      const next = this.#pending
        .filter((p) => p.due <= end)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#now = next.due;
      next.cancelled = true;
      next.fire();
    }
    this.#now = end;
  }
}
