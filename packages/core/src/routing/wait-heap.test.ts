import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WaitHeap } from './wait-heap';
import { compareWaitKeys, type WaitKey } from './wait-order';

interface Entry extends WaitKey {
  handle: number;
}

describe('WaitHeap', () => {
  it('keeps the best first through inserts and removals from anywhere, and lists in wait order', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('insert' as const),
        priority: fc.nat(2),
        // Times past 2^31 (real epoch milliseconds) and ties, broken by seq.
        enqueuedAt: fc.oneof(fc.nat(5), fc.constant(1_764_000_000_000)),
      }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat(500) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.nat(10), (ops, k) => {
        const sut = new WaitHeap<Entry>();
        const inside: Entry[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'insert') {
            const e: Entry = { negPriority: -o.priority, enqueuedAt: o.enqueuedAt, seq: seq++, handle: -1 };
            sut.insert(e);
            inside.push(e);
          } else if (inside.length > 0) {
            const e = inside.splice(o.pick % inside.length, 1)[0]!;
            sut.remove(e);
            expect(e.handle).toBe(-1);
            sut.remove(e); // a second removal changes nothing
          }
          expect(sut.size).toBe(inside.length);
          expect(sut.peek()).toBe([...inside].sort(compareWaitKeys)[0]);
        }
        const sorted = [...inside].sort(compareWaitKeys);
        const listed: Entry[] = [];
        for (const e of sut.ordered()) {
          listed.push(e);
          if (listed.length > k) break;
        }
        expect(listed).toEqual(sorted.slice(0, k + 1));
        expect([...sut.ordered()]).toEqual(sorted);
        expect(new Set(sut.entries())).toEqual(new Set(inside));
      }),
      { numRuns: 300 },
    );
  });
});
