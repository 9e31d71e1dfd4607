import { describe, expect, it } from 'vitest';
import type { DefenceEvent } from './defence-reason';
import { DialPlanGuard, type DialPolicy, normaliseE164 } from './dial-plan-guard';

const T0 = 1_700_000_000_000;
const uk: DialPolicy = {
  allowedPrefixes: ['44', '353'],
  deniedPrefixes: ['449', '4470'],
  maxConcurrentCalls: 2,
  maxCallsPerMinute: 3,
};

function make(policies: Record<string, DialPolicy> = { acme: uk }) {
  const events: DefenceEvent[] = [];
  const sut = new DialPlanGuard({ policyFor: (t) => policies[t] ?? null, counters: (e) => events.push(e) });
  return { sut, events };
}

describe('DialPlanGuard', () => {
  it('allows an allowed prefix and normalises the number', () => {
    const { sut } = make();
    const v = sut.authorize('acme', '+44 20 7946-0958', T0);
    expect(v).toMatchObject({ ok: true, number: '+442079460958' });
    expect(sut.activeCalls('acme')).toBe(1);
  });

  it.each([
    ['+33142685300', 'DIAL_PREFIX_NOT_ALLOWED', 403],
    ['+449098790000', 'DIAL_PREFIX_DENIED', 403],
    ['+447000000000', 'DIAL_PREFIX_DENIED', 403],
    ['02079460958', 'DIAL_NOT_E164', 484],
    ['+0442079460958', 'DIAL_NOT_E164', 484],
    ['+4420794609581234', 'DIAL_NOT_E164', 484],
    ['+44 20 7946 0958;ext=1', 'DIAL_NOT_E164', 484],
  ])('refuses %s with %s', (n, reason, status) => {
    const { sut, events } = make();
    expect(sut.authorize('acme', n, T0)).toEqual({ ok: false, reason, status });
    expect(events).toEqual([{ kind: 'dial-blocked', reason, tenantId: 'acme' }]);
    expect(sut.activeCalls('acme')).toBe(0);
  });

  it('blocks tenants without a policy, allows any with `any`, and an empty allow-list allows nothing', () => {
    const { sut } = make({
      open: { ...uk, allowedPrefixes: 'any', deniedPrefixes: ['1900'] },
      closed: { ...uk, allowedPrefixes: [] },
    });
    expect(sut.authorize('nobody', '+442079460958', T0)).toMatchObject({
      ok: false,
      reason: 'DIAL_PREFIX_NOT_ALLOWED',
    });
    expect(sut.authorize('open', '+81312345678', T0).ok).toBe(true);
    expect(sut.authorize('open', '+19005550100', T0)).toMatchObject({
      ok: false,
      reason: 'DIAL_PREFIX_DENIED',
    });
    expect(sut.authorize('closed', '+442079460958', T0)).toMatchObject({
      ok: false,
      reason: 'DIAL_PREFIX_NOT_ALLOWED',
    });
  });

  it('limits concurrent calls per tenant; release frees a slot once', () => {
    const { sut } = make({ acme: uk, other: uk });
    const a = sut.authorize('acme', '+442079460001', T0);
    const b = sut.authorize('acme', '+442079460002', T0);
    expect(sut.authorize('acme', '+442079460003', T0)).toEqual({
      ok: false,
      reason: 'DIAL_TOO_MANY_CONCURRENT',
      status: 503,
    });
    expect(sut.authorize('other', '+442079460003', T0).ok).toBe(true);
    if (!a.ok || !b.ok) throw new Error('expected allowed');
    a.release();
    a.release();
    expect(sut.activeCalls('acme')).toBe(1);
    expect(sut.authorize('acme', '+442079460003', T0 + 1).ok).toBe(true);
    expect(sut.activeCalls('acme')).toBe(2);
  });

  it('limits calls started per sliding minute, counting only allowed calls', () => {
    const { sut } = make({ acme: { ...uk, maxConcurrentCalls: 100 } });
    sut.authorize('acme', '+33142685300', T0); // refused: does not count
    for (const t of [0, 20_000, 40_000]) expect(sut.authorize('acme', '+442079460958', T0 + t).ok).toBe(true);
    expect(sut.authorize('acme', '+442079460958', T0 + 59_999)).toMatchObject({
      ok: false,
      reason: 'DIAL_TOO_MANY_PER_MINUTE',
    });
    expect(sut.authorize('acme', '+442079460958', T0 + 60_000).ok).toBe(true);
    expect(sut.authorize('acme', '+442079460958', T0 + 60_001)).toMatchObject({
      ok: false,
      reason: 'DIAL_TOO_MANY_PER_MINUTE',
    });
  });

  it('normaliseE164', () => {
    expect(normaliseE164('(+44) 20.7946.0958')).toBe('+442079460958');
    expect(normaliseE164('+1')).toBeNull();
    expect(normaliseE164(`+${'1'.repeat(100)}`)).toBeNull();
    expect(normaliseE164('+٤٤٢٠٧٩٤٦٠٩٥٨')).toBeNull();
  });
});
