import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentHeap, type AgentHeapEntry } from './agent-heap';
import { compareAgentKeys } from './agent-order';

const entry = (ordinal: number, primary: number, secondary: number): AgentHeapEntry<number> => ({
  primary,
  secondary,
  negMatch: 0,
  idleSince: 0,
  ordinal,
  agent: ordinal,
  handle: -1,
});

describe('AgentHeap', () => {
  it('keeps the best first through inserts, removals and in-place re-keying, and lists in order', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), p: fc.nat(5), s: fc.nat(5) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat(100) }),
      fc.record({ kind: fc.constant('update' as const), pick: fc.nat(100), p: fc.nat(5), s: fc.nat(5) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.nat(10), (ops, k) => {
        const sut = new AgentHeap<AgentHeapEntry<number>>();
        const inside: AgentHeapEntry<number>[] = [];
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'insert') {
            const e = entry(next++, o.p, o.s);
            sut.insert(e);
            inside.push(e);
          } else if (inside.length > 0) {
            const e = inside[o.pick % inside.length]!;
            if (o.kind === 'remove') {
              sut.remove(e);
              inside.splice(inside.indexOf(e), 1);
              expect(e.handle).toBe(-1);
            } else {
              e.primary = o.p;
              e.secondary = o.s;
              sut.update(e);
            }
          }
          expect(sut.size).toBe(inside.length);
          const sorted = [...inside].sort(compareAgentKeys);
          expect(sut.peek()).toBe(sorted[0]);
        }
        const sorted = [...inside].sort(compareAgentKeys);
        const listed: AgentHeapEntry<number>[] = [];
        for (const e of sut.ordered()) {
          listed.push(e);
          if (listed.length > k) break;
        }
        expect(listed).toEqual(sorted.slice(0, k + 1));
        expect([...sut.ordered()]).toEqual(sorted);
      }),
      { numRuns: 300 },
    );
  });
});
