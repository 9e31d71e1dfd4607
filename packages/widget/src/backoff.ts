/**
 * Reconnect delays: exponential growth capped at `maxMs`, with "equal jitter" — half the step is
 * fixed, half random — so that thousands of widgets dropped by one server restart do not all come
 * back in the same instant, yet none retries sooner than half its step.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  factor: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, maxMs: 30_000, factor: 2 };

/** Delay before reconnect attempt `attempt` (0 for the first retry); `random()` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number, options = defaultBackoff): number {
  const exponent = Math.min(Math.max(0, attempt), 30);
  const step = Math.min(options.maxMs, options.baseMs * options.factor ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}
