import type { Millis } from '../ports';

/**
 * Estimated wait time (EWT) of one waiting interaction, told to callers ("about 3 minutes") and shown
 * to supervisors.
 *
 * Method — the queue drains at the staffed service rate:
 *   - free slots ≥ position                → 0 (an agent can take it now);
 *   - no staffed agent                     → null: unknown, the caller says "no agents available";
 *   - otherwise  (position − freeSlots) × AHT / (servingAgents × concurrency).
 * servingAgents × concurrency / AHT is how many interactions of this queue the staffed agents finish
 * per millisecond (a chat agent with capacity 3 finishes about 3 per AHT), and position − freeSlots is
 * how many must finish before this one is taken. So the estimate falls when agents log in or become
 * ready and rises with the recent handle time. It ignores callers ahead who will abandon (so it errs
 * long, which callers forgive more than a short one) and agents' time already spent on the current
 * interaction (memoryless, as in Erlang C).
 *
 * AHT is the queue's recent average handle time (feed it from `HandleTimeAverage`). With no history
 * yet it is `fallbackAhtMs` — unless a recent average time-to-answer is known: what callers actually
 * waited lately says more than a configured guess, so then the estimate is that ASA for any caller not
 * taken at once. With a history, ASA is not used: the drain formula reacts to staffing, ASA lags it.
 */
export interface WaitEstimateInput {
  /** 1-based place of the interaction among those waiting for this queue. */
  position: number;
  /** Agents able to serve this queue on this channel now: logged in, not in not-ready. */
  servingAgents: number;
  /**
   * Free capacity among them on this channel: an idle agent with chat capacity 3 counts 3, one with
   * 2 chats open counts 1. More than servingAgents × concurrency is taken as that (racy snapshot).
   */
  freeSlots: number;
  /** Recent average handle time of this queue, ms; null or absent when there is no history. */
  ahtMs?: number | null;
  /** Handle time assumed with no history; `DEFAULT_AHT_MS` when absent. */
  fallbackAhtMs?: number;
  /** Interactions of this channel one agent handles at once (voice 1, chat e.g. 3). Default 1. */
  concurrency?: number;
  /** Recent average time-to-answer of this queue, ms; used only when there is no handle-time history. */
  recentAsaMs?: number | null;
}

/** Handle time assumed before a queue has any history: 5 minutes, a common planning default. */
export const DEFAULT_AHT_MS = 300_000;

/** Estimated wait in whole milliseconds, or null when nobody is staffed (see the method above). */
export function estimateWaitMs(input: WaitEstimateInput): number | null {
  const { position, servingAgents } = input;
  const concurrency = input.concurrency ?? 1;
  if (!Number.isInteger(position) || position < 1) {
    throw new RangeError(`position must be a whole number ≥ 1, got ${position}`);
  }
  if (!Number.isInteger(servingAgents) || servingAgents < 0) {
    throw new RangeError(`servingAgents must be a whole number ≥ 0, got ${servingAgents}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  if (!(input.freeSlots >= 0)) throw new RangeError(`freeSlots must be ≥ 0, got ${input.freeSlots}`);
  const freeSlots = Math.min(input.freeSlots, servingAgents * concurrency);

  if (freeSlots >= position) return 0;
  if (servingAgents === 0) return null;
  const aht = positiveOrNull(input.ahtMs);
  if (aht === null) {
    const asa = input.recentAsaMs;
    if (asa !== null && asa !== undefined && asa >= 0 && Number.isFinite(asa)) return Math.round(asa);
  }
  const handleMs = aht ?? input.fallbackAhtMs ?? DEFAULT_AHT_MS;
  if (!(handleMs > 0) || !Number.isFinite(handleMs)) {
    throw new RangeError(`fallbackAhtMs must be a positive number, got ${handleMs}`);
  }
  return Math.round(((position - freeSlots) * handleMs) / (servingAgents * concurrency));
}

function positiveOrNull(x: number | null | undefined): number | null {
  return x !== null && x !== undefined && x > 0 && Number.isFinite(x) ? x : null;
}

/**
 * How quickly old samples stop counting: after `samples` further samples, or after `ms` of time,
 * a sample's weight has halved.
 */
export type HalfLife = { samples: number } | { ms: number };

/**
 * Exponentially weighted moving average of handle times, for the AHT that `estimateWaitMs` uses.
 *
 * Kept as a weighted sum and a weight sum that both decay by the same factor, so the value is the
 * weighted mean of the samples so far: the first sample is the value as it is (no start-up bias
 * towards 0), and the value does not drift while no samples arrive. With a half-life in time each
 * sample needs its time (`at`, ms, passed in: the core reads no clock); a sample older than the newest
 * one seen counts as simultaneous with it.
 */
export class HandleTimeAverage {
  #weightedSum = 0;
  #weight = 0;
  #count = 0;
  #lastAt: number | null = null;

  constructor(private readonly halfLife: HalfLife) {
    const h = 'samples' in halfLife ? halfLife.samples : halfLife.ms;
    if (!(h > 0) || !Number.isFinite(h))
      throw new RangeError(`half-life must be a positive number, got ${h}`);
  }

  record(handleMs: number, at?: Millis): void {
    if (!(handleMs >= 0) || !Number.isFinite(handleMs)) {
      throw new RangeError(`handleMs must be a finite number ≥ 0, got ${handleMs}`);
    }
    const decay = this.#decaySince(at);
    this.#weightedSum = this.#weightedSum * decay + handleMs;
    this.#weight = this.#weight * decay + 1;
    this.#count += 1;
  }

  /** The average in ms, or null before the first sample. */
  get valueMs(): number | null {
    return this.#count === 0 ? null : this.#weightedSum / this.#weight;
  }

  /** Samples recorded so far. */
  get count(): number {
    return this.#count;
  }

  #decaySince(at: Millis | undefined): number {
    if ('samples' in this.halfLife) return 2 ** (-1 / this.halfLife.samples);
    if (at === undefined) throw new RangeError('a half-life in time needs the time of each sample');
    const elapsed = this.#lastAt === null ? 0 : Math.max(0, at - this.#lastAt);
    this.#lastAt = this.#lastAt === null ? at : Math.max(this.#lastAt, at);
    return 2 ** (-elapsed / this.halfLife.ms);
  }
}
