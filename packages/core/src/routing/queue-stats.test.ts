import { describe, expect, it } from 'vitest';
import { DEFAULT_SHORT_ABANDON_MS, QueueStats } from './queue-stats';

describe('QueueStats', () => {
  it('has no rates before anything happens', () => {
    const sut = new QueueStats();
    expect(sut.serviceLevel(20_000)).toBeNull();
    expect(sut.asaMs).toBeNull();
    expect(sut.ahtMs).toBeNull();
    expect(sut.abandonRate).toBeNull();
    expect([sut.offered, sut.answered, sut.abandoned, sut.shortAbandoned, sut.handled]).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect(sut.shortAbandonMs).toBe(DEFAULT_SHORT_ABANDON_MS);
  });

  it('service level = answered within target ÷ (answered + abandoned after target)', () => {
    const sut = new QueueStats();
    sut.recordAnswered(5_000); // within
    sut.recordAnswered(20_000); // within: the target is inclusive
    sut.recordAnswered(30_000); // late
    sut.recordAbandoned(12_000); // gave up within the target: neither for nor against
    sut.recordAbandoned(45_000); // gave up after the target: against
    sut.recordAbandoned(1_000); // short abandon: left out
    expect(sut.serviceLevel(20_000)).toBeCloseTo(2 / 4, 12);
    // Another target over the same calls: within 10 s → 1 of (3 answered + 12 s and 45 s abandons).
    expect(sut.serviceLevel(10_000)).toBeCloseTo(1 / 5, 12);
  });

  it('leaves short abandons out of the service level even when the target is shorter', () => {
    const sut = new QueueStats({ shortAbandonMs: 10_000 });
    sut.recordAnswered(1_000);
    sut.recordAbandoned(8_000); // short, although after the 5 s target
    sut.recordAbandoned(11_000);
    expect(sut.serviceLevel(5_000)).toBeCloseTo(1 / 2, 12);
    expect(sut.shortAbandoned).toBe(1);
    expect(sut.abandoned).toBe(2);
  });

  it('counts an abandon of exactly the threshold as a real abandon', () => {
    const sut = new QueueStats();
    sut.recordAbandoned(DEFAULT_SHORT_ABANDON_MS - 1);
    sut.recordAbandoned(DEFAULT_SHORT_ABANDON_MS);
    expect(sut.shortAbandoned).toBe(1);
    expect(sut.abandoned).toBe(2);
  });

  it('ASA = total wait of answered ÷ answered (answered at once count with 0)', () => {
    const sut = new QueueStats();
    sut.recordAnswered(0);
    sut.recordAnswered(10_000);
    sut.recordAnswered(35_000);
    sut.recordAbandoned(90_000); // abandons do not enter the ASA
    expect(sut.asaMs).toBe(15_000);
    expect(sut.answered).toBe(3);
  });

  it('AHT = total handle time ÷ handled', () => {
    const sut = new QueueStats();
    sut.recordHandled(120_000);
    sut.recordHandled(300_000);
    expect(sut.ahtMs).toBe(210_000);
    expect(sut.handled).toBe(2);
  });

  it('abandon rate = (abandoned − short) ÷ (offered − short)', () => {
    const sut = new QueueStats();
    for (let i = 0; i < 10; i++) sut.recordOffered();
    sut.recordAbandoned(2_000); // short
    sut.recordAbandoned(30_000);
    sut.recordAbandoned(60_000);
    for (let i = 0; i < 6; i++) sut.recordAnswered(10_000);
    // One is still waiting: offered counts it, as any live "today" figure does.
    expect(sut.abandonRate).toBeCloseTo(2 / 9, 12);
    expect(sut.offered).toBe(10);
  });

  it('starts a new day on reset', () => {
    const sut = new QueueStats({ shortAbandonMs: 3_000 });
    sut.recordOffered();
    sut.recordAnswered(1_000);
    sut.recordAbandoned(1_000);
    sut.recordHandled(1_000);
    sut.reset();
    expect([sut.offered, sut.answered, sut.abandoned, sut.shortAbandoned, sut.handled]).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect(sut.serviceLevel(20_000)).toBeNull();
    expect(sut.asaMs).toBeNull();
    expect(sut.shortAbandonMs).toBe(3_000);
  });

  it('rejects negative or non-finite durations', () => {
    const sut = new QueueStats();
    expect(() => sut.recordAnswered(-1)).toThrow(RangeError);
    expect(() => sut.recordAbandoned(Number.NaN)).toThrow(RangeError);
    expect(() => sut.recordHandled(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => sut.serviceLevel(-5)).toThrow(RangeError);
    expect(() => new QueueStats({ shortAbandonMs: -1 })).toThrow(RangeError);
  });
});
