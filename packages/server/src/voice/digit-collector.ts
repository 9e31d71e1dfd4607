/**
 * Keypad entry for one `collect` action on a call (menu: one key; gather: digits until the finish key,
 * the maximum length or a pause). Pure: the caller feeds digits and reports timer expiries; this class
 * says when the answer is complete and which timer to run next. Times are relative milliseconds.
 *
 * Rules:
 * - before the first key, the caller has `firstDigitTimeoutMs` (the flow's `timeoutMs`, counted from the
 *   end of the prompt) — silence is the flow's `timeout`;
 * - after a key, `interDigitTimeoutMs` without another ends the entry with what was typed;
 * - `finishOnKey` ends it (not part of the value); pressed first, it is an empty answer (the flow's
 *   validation decides, usually a retry);
 * - `maxDigits` ends it on the last digit;
 * - keys after completion are ignored (a flood is bounded: at most `maxDigits` digits are kept).
 */
export interface DigitCollectorOptions {
  readonly maxDigits: number | null;
  readonly finishOnKey: string | null;
  readonly firstDigitTimeoutMs: number;
  readonly interDigitTimeoutMs: number;
}

/** What the channel does after a key or a timer. */
export type CollectStep =
  | { readonly kind: 'wait'; readonly timeoutMs: number }
  | { readonly kind: 'input'; readonly value: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'ignored' };

/** Longest value kept when a gather has no maximum (the flow language caps digits at 32 too). */
export const MAX_COLLECTED_DIGITS = 32;
export const DEFAULT_INTER_DIGIT_TIMEOUT_MS = 3_000;

const KEY = /^[0-9*#A-D]$/;

export class DigitCollector {
  #digits = '';
  #done = false;

  constructor(private readonly o: DigitCollectorOptions) {}

  /** The timer to run when the prompt has finished (or at once when there is none). */
  start(): CollectStep {
    return this.#digits === ''
      ? { kind: 'wait', timeoutMs: this.o.firstDigitTimeoutMs }
      : { kind: 'wait', timeoutMs: this.o.interDigitTimeoutMs };
  }

  get done(): boolean {
    return this.#done;
  }

  /** Digits typed so far (for logs and barge-in decisions). */
  get digits(): string {
    return this.#digits;
  }

  press(key: string): CollectStep {
    if (this.#done || !KEY.test(key)) return { kind: 'ignored' };
    if (this.o.finishOnKey !== null && key === this.o.finishOnKey) return this.#finish();
    this.#digits += key;
    const max = Math.min(this.o.maxDigits ?? MAX_COLLECTED_DIGITS, MAX_COLLECTED_DIGITS);
    if (this.#digits.length >= max) return this.#finish();
    return { kind: 'wait', timeoutMs: this.o.interDigitTimeoutMs };
  }

  /** The running timer fired. */
  expire(): CollectStep {
    if (this.#done) return { kind: 'ignored' };
    if (this.#digits === '') {
      this.#done = true;
      return { kind: 'timeout' };
    }
    return this.#finish();
  }

  #finish(): CollectStep {
    this.#done = true;
    return { kind: 'input', value: this.#digits };
  }
}
