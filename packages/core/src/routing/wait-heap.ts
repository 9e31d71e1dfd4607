import { ARITY, grown, parentOf } from './agent-heap';
import type { WaitKey } from './wait-order';

/**
 * An indexed 4-ary min-heap of waiting interactions' entries in wait order (`compareWaitKeys`): the
 * interactions waiting in one pool on one channel, best first. Like `AgentHeap`, an entry can be
 * taken out from anywhere in one O(log n) sift. Four children per place (`ARITY`) halve the depth of
 * a binary heap: a sift through a large backlog waits on half as many cache misses, and the four
 * children's keys it compares lie side by side in memory.
 *
 * A sift touches no entry object: the keys are kept beside the entries, three numbers per place in
 * one typed array, and an entry's place is found through its `handle` (a number it gets while in the
 * heap) in typed arrays too, instead of a position written into each entry moved. A sift through a
 * backlog of thousands thus reads and writes a few dense arrays instead of the entries scattered
 * over the heap (the agent trigger takes the best waiting interaction out of its heap on every
 * decision). An entry's key must not change while it is in the heap.
 */
export class WaitHeap<E extends WaitKey & { handle: number }> {
  readonly #entries: E[] = [];
  /** negPriority, enqueuedAt, seq of the entry at place i, at 3i, 3i + 1, 3i + 2. */
  #keys = new Float64Array(3 * 64);
  /** The handle of the entry at each place, and the place of each handle given out. */
  #handleAt = new Int32Array(64);
  #placeOf = new Int32Array(64);
  /** Handles given back by removed entries, to be given out again. */
  readonly #freeHandles: number[] = [];
  #handles = 0;

  get size(): number {
    return this.#entries.length;
  }

  peek(): E | undefined {
    return this.#entries[0];
  }

  insert(entry: E): void {
    const n = this.#entries.length;
    if (n === this.#handleAt.length) {
      this.#handleAt = grown(this.#handleAt);
      this.#keys = grown(this.#keys);
    }
    let handle = this.#freeHandles.pop();
    if (handle === undefined) {
      handle = this.#handles++;
      if (handle === this.#placeOf.length) this.#placeOf = grown(this.#placeOf);
    }
    entry.handle = handle;
    this.#entries.push(entry);
    this.#handleAt[n] = handle;
    const k = this.#keys;
    k[3 * n] = entry.negPriority;
    k[3 * n + 1] = entry.enqueuedAt;
    k[3 * n + 2] = entry.seq;
    this.#up(n);
  }

  /** Takes the entry out (no-op when it is not in: `handle` -1). */
  remove(entry: E): void {
    const handle = entry.handle;
    if (handle < 0) return;
    entry.handle = -1;
    this.#freeHandles.push(handle);
    const i = this.#placeOf[handle]!;
    const last = this.#entries.pop()!;
    const n = this.#entries.length;
    if (i === n) return;
    this.#sink(last, n, i);
  }

  /** Entries in heap-array order (no particular order); the heap must not change while iterating. */
  entries(): IterableIterator<E> {
    return this.#entries.values();
  }

  /** Entries best first, lazily (a small frontier, O(k log k) for the first k); no change meanwhile. */
  *ordered(): Generator<E> {
    const entries = this.#entries;
    if (entries.length === 0) return;
    const frontier = [0];
    while (frontier.length > 0) {
      // The frontier stays small (it grows by at most one per step): a linear pick is fastest.
      let best = 0;
      for (let k = 1; k < frontier.length; k++) {
        if (this.#before(frontier[k]!, frontier[best]!)) best = k;
      }
      const i = frontier[best]!;
      frontier[best] = frontier[frontier.length - 1]!;
      frontier.pop();
      const first = ARITY * i + 1;
      const end = Math.min(first + ARITY, entries.length);
      for (let c = first; c < end; c++) frontier.push(c);
      yield entries[i]!;
    }
  }

  /** Whether the entry at place `i` comes before the one at place `j`. */
  #before(i: number, j: number): boolean {
    const k = this.#keys;
    const a = 3 * i;
    const b = 3 * j;
    if (k[a] !== k[b]) return k[a]! < k[b]!;
    if (k[a + 1] !== k[b + 1]) return k[a + 1]! < k[b + 1]!;
    return k[a + 2]! < k[b + 2]!;
  }

  /** Moves the entry at place `from` to place `to`, without touching it. */
  #move(from: number, to: number): void {
    const k = this.#keys;
    const handle = this.#handleAt[from]!;
    this.#entries[to] = this.#entries[from]!;
    this.#handleAt[to] = handle;
    this.#placeOf[handle] = to;
    k[3 * to] = k[3 * from]!;
    k[3 * to + 1] = k[3 * from + 1]!;
    k[3 * to + 2] = k[3 * from + 2]!;
  }

  /** Lets the entry at place `i` rise to where its key belongs (parents that come later move down). */
  #up(i: number): void {
    const k = this.#keys;
    const entry = this.#entries[i]!;
    const handle = this.#handleAt[i]!;
    const negPriority = k[3 * i]!;
    const enqueuedAt = k[3 * i + 1]!;
    const seq = k[3 * i + 2]!;
    while (i > 0) {
      const parent = parentOf(i);
      const b = 3 * parent;
      const before =
        negPriority !== k[b]
          ? negPriority < k[b]!
          : enqueuedAt !== k[b + 1]
            ? enqueuedAt < k[b + 1]!
            : seq < k[b + 2]!;
      if (!before) break;
      this.#move(parent, i);
      i = parent;
    }
    this.#entries[i] = entry;
    this.#handleAt[i] = handle;
    this.#placeOf[handle] = i;
    k[3 * i] = negPriority;
    k[3 * i + 1] = enqueuedAt;
    k[3 * i + 2] = seq;
  }

  /**
   * Refills the place `i` of a removed entry with the last one (already out of `#entries`, its
   * handle and key still at place `last` of the typed arrays): the hole goes down to a leaf along
   * the best children, and the last entry rises from there (Floyd) — it is never compared on the
   * way down, and the moved entry is never read.
   */
  #sink(entry: E, last: number, i: number): void {
    const n = this.#entries.length;
    for (;;) {
      const first = ARITY * i + 1;
      if (first >= n) break;
      const end = Math.min(first + ARITY, n);
      let c = first;
      for (let j = first + 1; j < end; j++) if (this.#before(j, c)) c = j;
      this.#move(c, i);
      i = c;
    }
    this.#entries[i] = entry;
    const k = this.#keys;
    this.#handleAt[i] = this.#handleAt[last]!;
    k[3 * i] = k[3 * last]!;
    k[3 * i + 1] = k[3 * last + 1]!;
    k[3 * i + 2] = k[3 * last + 2]!;
    this.#up(i);
  }
}
