import { describe, expect, it } from 'vitest';
import { LoginThrottle, type ThrottlePolicy } from './login-throttle';
import { ManualClock } from './ports';

const policy: ThrottlePolicy = {
  accountFailures: 3,
  accountLockMs: 1_000,
  maxLockMs: 8_000,
  addressFailures: 5,
  windowMs: 60_000,
  maxKeys: 4,
};

function setup() {
  const clock = new ManualClock(1_000_000);
  return { clock, sut: new LoginThrottle(clock, policy) };
}

describe('LoginThrottle', () => {
  it('locks an account after the allowed failures and unlocks after the lock time', () => {
    const { clock, sut } = setup();
    for (let i = 0; i < 2; i++) sut.recordFailure('a@x', `10.0.0.${i}`);
    expect(sut.check('a@x', '10.0.0.9')).toEqual({ allowed: true });
    sut.recordFailure('a@x', '10.0.0.3');
    expect(sut.check('a@x', '10.0.0.9')).toEqual({ allowed: false, retryAfterMs: 1_000 });
    clock.advance(1_000);
    expect(sut.check('a@x', '10.0.0.9')).toEqual({ allowed: true });
  });

  it('doubles the account lock with each further failure, up to the maximum', () => {
    const { clock, sut } = setup();
    const locks: number[] = [];
    for (let i = 0; i < 8; i++) {
      sut.recordFailure('a@x', `10.0.1.${i}`);
      const v = sut.check('a@x', 'elsewhere');
      locks.push(v.allowed ? 0 : v.retryAfterMs);
      clock.advance(0);
    }
    expect(locks).toEqual([0, 0, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('locks an address that fails across many accounts', () => {
    const { sut } = setup();
    for (let i = 0; i < 5; i++) sut.recordFailure(`user${i}@x`, '192.0.2.1');
    const v = sut.check('fresh@x', '192.0.2.1');
    expect(v.allowed).toBe(false);
    expect(sut.check('fresh@x', '192.0.2.2')).toEqual({ allowed: true });
  });

  it('clears the account but not the address on success', () => {
    const { sut } = setup();
    sut.recordFailure('a@x', '192.0.2.1');
    sut.recordFailure('a@x', '192.0.2.1');
    sut.recordSuccess('a@x');
    sut.recordFailure('a@x', '192.0.2.1');
    expect(sut.check('a@x', '192.0.2.9')).toEqual({ allowed: true });
    sut.recordFailure('b@x', '192.0.2.1');
    sut.recordFailure('c@x', '192.0.2.1');
    expect(sut.check('d@x', '192.0.2.1').allowed).toBe(false);
  });

  it('forgets failures older than the window', () => {
    const { clock, sut } = setup();
    sut.recordFailure('a@x', '1');
    sut.recordFailure('a@x', '2');
    clock.advance(60_001);
    sut.recordFailure('a@x', '3');
    expect(sut.check('a@x', '4')).toEqual({ allowed: true });
  });

  it('keeps memory bounded under a spray of addresses', () => {
    const { sut } = setup();
    for (let i = 0; i < 100; i++) sut.recordFailure(`u${i}`, `a${i}`);
    // The newest keys are still remembered; the count stays at the bound.
    sut.recordFailure('u99', 'a99');
    sut.recordFailure('u99', 'a99');
    expect(sut.check('u99', 'z').allowed).toBe(false);
    expect(sut.size).toEqual({ accounts: 4, addresses: 4 });
  });
});
