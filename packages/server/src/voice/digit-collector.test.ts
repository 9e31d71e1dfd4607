import { describe, expect, it } from 'vitest';
import { type CollectStep, DigitCollector, MAX_COLLECTED_DIGITS } from './digit-collector';

const make = (o: Partial<ConstructorParameters<typeof DigitCollector>[0]> = {}) =>
  new DigitCollector({
    maxDigits: null,
    finishOnKey: '#',
    firstDigitTimeoutMs: 8000,
    interDigitTimeoutMs: 3000,
    ...o,
  });

/** Feeds keys ('.' = the running timer fires) and returns every step. */
function feed(sut: DigitCollector, keys: string): CollectStep[] {
  return [...keys].map((k) => (k === '.' ? sut.expire() : sut.press(k)));
}

describe('DigitCollector (gather and menu keypad entry)', () => {
  it('waits the first-key timeout before any key, then the inter-digit timeout after each', () => {
    const sut = make();
    expect(sut.start()).toEqual({ kind: 'wait', timeoutMs: 8000 });
    expect(sut.press('4')).toEqual({ kind: 'wait', timeoutMs: 3000 });
    expect(sut.press('2')).toEqual({ kind: 'wait', timeoutMs: 3000 });
    expect(sut.digits).toBe('42');
  });

  it.each([
    ['finish key ends the entry, not part of the value', { finishOnKey: '#' }, '123#', '123'],
    ['max length ends it on the last digit', { maxDigits: 4 }, '1234', '1234'],
    ['a pause after some keys ends it with what was typed', {}, '12.', '12'],
    ['a menu takes one key', { maxDigits: 1, finishOnKey: null }, '7', '7'],
    ['star and pound are keys when not the finish key', { finishOnKey: null, maxDigits: 3 }, '*0#', '*0#'],
    ['the finish key first is an empty answer', {}, '#', ''],
  ] as const)('%s', (_name, options, keys, value) => {
    const steps = feed(make(options), keys);
    expect(steps.at(-1)).toEqual({ kind: 'input', value });
    expect(steps.slice(0, -1).every((s) => s.kind === 'wait')).toBe(true);
  });

  it('silence before any key is the flow timeout', () => {
    const sut = make();
    sut.start();
    expect(sut.expire()).toEqual({ kind: 'timeout' });
    expect(sut.done).toBe(true);
  });

  it('ignores keys after completion, unknown keys and a late timer (a flood stays bounded)', () => {
    const sut = make({ maxDigits: 2 });
    expect(feed(sut, '12').at(-1)).toEqual({ kind: 'input', value: '12' });
    expect(feed(sut, '3456789#.')).toEqual(Array(9).fill({ kind: 'ignored' }));
    expect(make().press('x')).toEqual({ kind: 'ignored' });
  });

  it('never keeps more than the cap, even without a maximum', () => {
    const sut = make({ finishOnKey: null });
    const steps = feed(sut, '1'.repeat(100));
    expect(steps.filter((s) => s.kind === 'input')).toEqual([
      { kind: 'input', value: '1'.repeat(MAX_COLLECTED_DIGITS) },
    ]);
  });
});
