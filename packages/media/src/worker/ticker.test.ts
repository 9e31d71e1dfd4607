import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ticker } from './ticker';

describe('Ticker', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => vi.useRealTimers());

  /** Advances fake timers and the fake monotonic clock together, `late` ms of extra delay per timer. */
  function run(ms: number, late = 0) {
    const end = now + ms;
    while (now < end) {
      const step = Math.min(1, end - now);
      now += step;
      vi.advanceTimersByTime(step);
      now += late;
    }
  }

  it('ticks on absolute deadlines, so late timers do not accumulate drift', () => {
    const due: number[] = [];
    const sut = new Ticker(20, (t) => due.push(t), { now: () => now });
    sut.start();
    run(1000, 0.05); // every timer fires a little late
    sut.stop();
    expect(due.slice(0, 5)).toEqual([0, 20, 40, 60, 80]);
    // deadlines stay on the 20 ms grid however late the timers were
    expect(due.every((t, i) => t === i * 20)).toBe(true);
    expect(due.length).toBeGreaterThanOrEqual(50);
  });

  it('catches up missed ticks after a stall, up to a limit, and counts what it skips', () => {
    const due: number[] = [];
    const sut = new Ticker(20, (t) => due.push(t), { now: () => now, maxCatchUp: 5 });
    sut.start();
    run(40);
    const before = due.length;
    now += 70; // the thread was held up for 70 ms: 3–4 ticks due at once, all run back to back
    run(20);
    expect(due.length - before).toBeGreaterThanOrEqual(3);
    expect(sut.stats.skipped).toBe(0);
    now += 500; // a long stall: 25 ticks due, 5 run, the rest skipped
    run(20);
    expect(sut.stats.skipped).toBeGreaterThan(15);
    sut.stop();
    expect(sut.stats.maxLateMs).toBeGreaterThanOrEqual(400);
  });
});
