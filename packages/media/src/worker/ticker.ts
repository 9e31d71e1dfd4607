/**
 * The worker's 20 ms audio clock. Deadlines are absolute (start + n·period on `performance.now()`), so
 * timer lateness never accumulates into drift. When the thread was held up, the missed ticks run back to
 * back (up to `maxCatchUp`) so RTP keeps its pace; beyond that they are skipped and counted.
 */

export interface TickerStats {
  ticks: number;
  skipped: number;
  /** How late tick callbacks started, ms: the worst so far and a recent p99 estimate. */
  maxLateMs: number;
  lateP99Ms: number;
}

export class Ticker {
  readonly #periodMs: number;
  readonly #onTick: (nowMs: number) => void;
  readonly #now: () => number;
  readonly #maxCatchUp: number;
  #start = 0;
  #n = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #late: number[] = [];
  readonly stats: TickerStats = { ticks: 0, skipped: 0, maxLateMs: 0, lateP99Ms: 0 };

  constructor(
    periodMs: number,
    onTick: (nowMs: number) => void,
    options: { now?: () => number; maxCatchUp?: number } = {},
  ) {
    this.#periodMs = periodMs;
    this.#onTick = onTick;
    this.#now = options.now ?? (() => performance.now());
    this.#maxCatchUp = options.maxCatchUp ?? 5;
  }

  start(): void {
    this.#start = this.#now();
    this.#n = 0;
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const due = this.#start + this.#n * this.#periodMs;
    this.#timer = setTimeout(() => this.#run(), Math.max(0, due - this.#now()));
  }

  #run(): void {
    let now = this.#now();
    let ran = 0;
    while (this.#start + this.#n * this.#periodMs <= now) {
      const due = this.#start + this.#n * this.#periodMs;
      if (ran >= this.#maxCatchUp) {
        // too far behind: give up the missed ticks rather than burst them out
        const missed = Math.floor((now - due) / this.#periodMs) + 1;
        this.#n += missed;
        this.stats.skipped += missed;
        break;
      }
      this.#recordLate(now - due);
      this.#onTick(due);
      this.#n++;
      ran++;
      this.stats.ticks++;
      now = this.#now();
    }
    if (this.#timer !== undefined) this.#schedule();
  }

  #recordLate(ms: number): void {
    if (ms > this.stats.maxLateMs) this.stats.maxLateMs = ms;
    this.#late.push(ms);
    if (this.#late.length >= 500) {
      const sorted = [...this.#late].sort((a, b) => a - b);
      this.stats.lateP99Ms = sorted[Math.floor(sorted.length * 0.99)]!;
      this.#late.length = 0;
    }
  }
}
