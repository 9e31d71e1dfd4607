import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingSignal } from './typing';

describe('TypingSignal', () => {
  let sent: boolean[];
  let sut: TypingSignal;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    sut = new TypingSignal(
      (active) => sent.push(active),
      { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as never) },
      () => Date.now(),
      3_000,
      5_000,
    );
  });
  afterEach(() => vi.useRealTimers());

  it('sends "typing" once for a burst of keys, again every 3 s while typing goes on', () => {
    for (let i = 0; i < 10; i += 1) {
      sut.input(false);
      vi.advanceTimersByTime(250);
    }
    expect(sent).toEqual([true]); // 2.5 s of keys
    vi.advanceTimersByTime(500);
    sut.input(false); // 3 s after the first
    expect(sent).toEqual([true, true]);
  });

  it('sends "stopped" after 5 s without a key', () => {
    sut.input(false);
    vi.advanceTimersByTime(4_999);
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([true, false]);
    vi.advanceTimersByTime(60_000);
    expect(sent).toEqual([true, false]);
  });

  it('each key pushes the idle deadline back', () => {
    sut.input(false);
    vi.advanceTimersByTime(4_000);
    sut.input(false);
    vi.advanceTimersByTime(4_000);
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual([true, true, false]);
  });

  it('stops at once on send or on an emptied box, and only once', () => {
    sut.input(false);
    sut.stop();
    sut.stop();
    expect(sent).toEqual([true, false]);
    sut.input(false);
    sut.input(true);
    expect(sent).toEqual([true, false, true, false]);
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([true, false, true, false]);
  });

  it('sends nothing when the box is emptied without typing first', () => {
    sut.input(true);
    sut.stop();
    expect(sent).toEqual([]);
  });

  it('typing again right after a stop is announced at once', () => {
    sut.input(false);
    sut.stop();
    vi.advanceTimersByTime(100);
    sut.input(false);
    expect(sent).toEqual([true, false, true]);
  });
});
