/**
 * A queue's figures over one period ("today"), as supervisors see them. Pure: the caller records
 * events as they happen and calls `reset()` when the period ends.
 *
 * Definitions (waits are from entering the queue to being answered or giving up, ms):
 *   - offered: interactions that entered the queue (`recordOffered`, once each, also those that end
 *     up abandoned); still-waiting ones are offered but neither answered nor abandoned yet.
 *   - short abandon: an abandon with wait < `shortAbandonMs` (default 5 s): a misdial or a caller who
 *     hung up on the greeting, not a failure of the queue. Short abandons are counted apart and left
 *     out of the service level and the abandon rate.
 *   - service level for target T = answered with wait ≤ T ÷ (answered + abandoned with wait > T),
 *     short abandons excluded. Callers who gave up within T count neither for nor against the queue
 *     (they did not give it the chance); callers who gave up after T count against it. Null with an
 *     empty denominator. (Erlang A's `serviceLevel` is a model figure over all arrivals instead.)
 *   - ASA = total wait of answered ÷ answered; AHT = total handle time ÷ handled (`recordHandled`,
 *     talk + hold + wrap-up, once each interaction is done); null when nothing was recorded.
 *   - abandon rate = (abandoned − short abandoned) ÷ (offered − short abandoned); null when the
 *     denominator is 0.
 * The answered and abandoned waits are kept (one number each) so that the service level can be asked
 * for any target; a day of even 100,000 calls is under a megabyte.
 */
export interface QueueStatsOptions {
  /** Abandons with a shorter wait are short abandons. Default 5,000 ms. */
  shortAbandonMs?: number;
}

export const DEFAULT_SHORT_ABANDON_MS = 5_000;

export class QueueStats {
  readonly shortAbandonMs: number;
  #offered = 0;
  #answeredWaits: number[] = [];
  #answeredWaitSum = 0;
  /** Waits of abandons that are not short. */
  #abandonedWaits: number[] = [];
  #shortAbandoned = 0;
  #handled = 0;
  #handleSum = 0;

  constructor(options: QueueStatsOptions = {}) {
    this.shortAbandonMs = options.shortAbandonMs ?? DEFAULT_SHORT_ABANDON_MS;
    checkDuration('shortAbandonMs', this.shortAbandonMs);
  }

  recordOffered(): void {
    this.#offered += 1;
  }

  recordAnswered(waitMs: number): void {
    checkDuration('waitMs', waitMs);
    this.#answeredWaits.push(waitMs);
    this.#answeredWaitSum += waitMs;
  }

  recordAbandoned(waitMs: number): void {
    checkDuration('waitMs', waitMs);
    if (waitMs < this.shortAbandonMs) this.#shortAbandoned += 1;
    else this.#abandonedWaits.push(waitMs);
  }

  recordHandled(handleMs: number): void {
    checkDuration('handleMs', handleMs);
    this.#handled += 1;
    this.#handleSum += handleMs;
  }

  /** Answered within `targetMs` ÷ (answered + abandoned after `targetMs`); see the definitions above. */
  serviceLevel(targetMs: number): number | null {
    checkDuration('targetMs', targetMs);
    let within = 0;
    for (const w of this.#answeredWaits) if (w <= targetMs) within += 1;
    let abandonedAfter = 0;
    for (const w of this.#abandonedWaits) if (w > targetMs) abandonedAfter += 1;
    const denominator = this.#answeredWaits.length + abandonedAfter;
    return denominator === 0 ? null : within / denominator;
  }

  get asaMs(): number | null {
    const n = this.#answeredWaits.length;
    return n === 0 ? null : this.#answeredWaitSum / n;
  }

  get ahtMs(): number | null {
    return this.#handled === 0 ? null : this.#handleSum / this.#handled;
  }

  get abandonRate(): number | null {
    const denominator = this.#offered - this.#shortAbandoned;
    return denominator <= 0 ? null : this.#abandonedWaits.length / denominator;
  }

  get offered(): number {
    return this.#offered;
  }

  get answered(): number {
    return this.#answeredWaits.length;
  }

  /** All abandons, short ones included. */
  get abandoned(): number {
    return this.#abandonedWaits.length + this.#shortAbandoned;
  }

  get shortAbandoned(): number {
    return this.#shortAbandoned;
  }

  get handled(): number {
    return this.#handled;
  }

  /** Starts a new period: every count and sum back to zero (the options stay). */
  reset(): void {
    this.#offered = 0;
    this.#answeredWaits = [];
    this.#answeredWaitSum = 0;
    this.#abandonedWaits = [];
    this.#shortAbandoned = 0;
    this.#handled = 0;
    this.#handleSum = 0;
  }
}

function checkDuration(name: string, ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms))
    throw new RangeError(`${name} must be a finite number ≥ 0, got ${ms}`);
}
