import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from './deadline-queue';

describe('DeadlineQueue', () => {
  it('pops what is due by time, equal times in the order pushed, and nothing early', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), at: fc.nat(50) }),
      fc.record({ kind: fc.constant('pop' as const), now: fc.nat(60) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const sut = new DeadlineQueue<number>();
        const pending: { at: number; n: number }[] = [];
        let pushed = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            sut.push(o.at, pushed);
            pending.push({ at: o.at, n: pushed++ });
          } else {
            pending.sort((a, b) => a.at - b.at || a.n - b.n);
            const due: number[] = [];
            while (pending.length > 0 && pending[0]!.at <= o.now) due.push(pending.shift()!.n);
            const popped: number[] = [];
            for (let d = sut.popDue(o.now); d !== undefined; d = sut.popDue(o.now)) popped.push(d);
            expect(popped).toEqual(due);
          }
          expect(sut.size).toBe(pending.length);
          expect(sut.peekAt()).toBe(pending.length ? Math.min(...pending.map((p) => p.at)) : null);
        }
      }),
      { numRuns: 300 },
    );
  });
});
