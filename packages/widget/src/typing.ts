import type { Timers } from './connection';

/**
 * The visitor's typing indicator, throttled: `typing{active:true}` at most once per `repeatMs` while
 * keys are pressed (so the agent's indicator stays on without a frame per key), `typing{active:false}`
 * after `idleMs` without input, and at once when the message is sent or the box is emptied.
 */
export class TypingSignal {
  private active = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private idleTimer: unknown = null;

  constructor(
    private readonly send: (active: boolean) => void,
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly repeatMs = 3_000,
    private readonly idleMs = 5_000,
  ) {}

  /** The visitor edited the message box; `empty` when it now holds nothing. */
  input(empty: boolean): void {
    if (empty) {
      this.stop();
      return;
    }
    const now = this.now();
    if (!this.active || now - this.lastSentAt >= this.repeatMs) {
      this.active = true;
      this.lastSentAt = now;
      this.send(true);
    }
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = this.timers.setTimeout(() => this.stop(), this.idleMs);
  }

  /** The message was sent, or the chat closed. */
  stop(): void {
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.active) return;
    this.active = false;
    this.lastSentAt = Number.NEGATIVE_INFINITY;
    this.send(false);
  }
}
