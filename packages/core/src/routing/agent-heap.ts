import type { AgentKey } from './agent-order';

/**
 * An agent's entry in an `AgentHeap`: its key (copied, so that all entries have one shape) and
 * whether it is free on the heap's channel.
 */
export interface AgentHeapEntry<A> extends AgentKey {
  primary: number;
  secondary: number;
  negMatch: number;
  idleSince: number;
  ordinal: number;
  readonly agent: A;
  /** Its handle in the heap while filed there (see `AgentHeap`); -1 when not in it. */
  handle: number;
}

/**
 * Empties a reused scratch array and keeps its storage: `length = 0` drops the backing store, so the
 * next push would allocate it again (on the router's hot path, once per command or visit).
 */
export function emptyArray(list: unknown[]): void {
  while (list.length > 0) list.pop();
}

/** Numbers per place in the key array: primary, secondary, negMatch, idleSince, ordinal. */
const K = 5;

/**
 * Children per place in the router's heaps (this one and `WaitHeap`): four halve a binary heap's depth,
 * so a sift through thousands of entries waits on half as many cache misses, and the children's keys
 * it compares lie side by side. `parentOf` must agree.
 */
export const ARITY = 4;

/** The parent place of place `i` > 0 in a heap of `ARITY` children per place. */
export function parentOf(i: number): number {
  return (i - 1) >> 2;
}

/**
 * An indexed 4-ary min-heap (see `ARITY`) of agents in `compareAgentKeys` order: in the router, the free agents of
 * one pool on one channel, best first. An entry can be taken out or re-keyed in place in one
 * O(log n) sift — about three times cheaper than a delete plus an insert in an ordered tree, and
 * agents change far more often than the router reads past the best one. Reading in order (to skip an
 * agent who declined, or to list runners-up in an explanation) walks the heap lazily with a small
 * frontier, O(k log k) for the first k, without changing it.
 *
 * Sifts and in-order walks touch no entry object but the ones they return: the keys are kept beside
 * the entries, five numbers per place in one typed array, and an entry's place is found through its
 * `handle` (a number it holds while in the heap) in typed arrays too, instead of a position written
 * into every entry moved. The entries, scattered over a large heap, are what a walk or a sift waits
 * for; the arrays are dense. An entry's key fields must be changed only through `update`.
 */
export class AgentHeap<E extends AgentHeapEntry<unknown>> {
  readonly #entries: E[] = [];
  /** The key of the entry at place i, at K·i … K·i + 4 (see `K`). */
  #keys = new Float64Array(K * 16);
  /** The handle of the entry at each place, and the place of each handle given out. */
  #handleAt = new Int32Array(16);
  #placeOf = new Int32Array(16);
  /** Handles given back by entries taken out, to be given out again. */
  readonly #freeHandles: number[] = [];
  #handles = 0;
  /** Places still to visit in `visitInOrder` (kept to avoid an allocation per visit). */
  readonly #frontier: number[] = [];

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
    this.#placeOf[handle] = n;
    this.#copyKey(entry, n);
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
    // The last entry fills the hole (its handle and key still at place n of the typed arrays).
    this.#entries[i] = last;
    this.#moveNumbers(n, i);
    this.#down(i);
    this.#up(i);
  }

  /** Restores the order after the entry's key fields were changed in place. */
  update(entry: E): void {
    const i = this.#placeOf[entry.handle]!;
    this.#copyKey(entry, i);
    this.#up(i);
    this.#down(this.#placeOf[entry.handle]!);
  }

  /** Entries in heap-array order (no particular order); the heap must not change while iterating. */
  entries(): IterableIterator<E> {
    return this.#entries.values();
  }

  /**
   * Calls `visit` on the entries best first until it returns false: `ordered()` without a generator
   * or a fresh frontier, for the router's hot path. The heap must not change during the visit, and a
   * visit must not start another on the same heap.
   */
  visitInOrder(visit: (entry: E) => boolean): void {
    const entries = this.#entries;
    if (entries.length === 0) return;
    const frontier = this.#frontier;
    frontier.push(0);
    while (frontier.length > 0) {
      const i = this.#takeBest(frontier);
      const first = ARITY * i + 1;
      const end = Math.min(first + ARITY, entries.length);
      for (let c = first; c < end; c++) frontier.push(c);
      if (!visit(entries[i]!)) break;
    }
    emptyArray(frontier);
  }

  /** Entries best first, lazily; the heap must not change while iterating. */
  *ordered(): Generator<E> {
    const entries = this.#entries;
    if (entries.length === 0) return;
    const frontier = [0];
    while (frontier.length > 0) {
      const i = this.#takeBest(frontier);
      const first = ARITY * i + 1;
      const end = Math.min(first + ARITY, entries.length);
      for (let c = first; c < end; c++) frontier.push(c);
      yield entries[i]!;
    }
  }

  /** Removes and returns the frontier's best place. */
  #takeBest(frontier: number[]): number {
    // The frontier stays small (it grows by at most three per step): a linear pick is fastest.
    let best = 0;
    for (let k = 1; k < frontier.length; k++) {
      if (this.#before(frontier[k]!, frontier[best]!)) best = k;
    }
    const i = frontier[best]!;
    frontier[best] = frontier[frontier.length - 1]!;
    frontier.pop();
    return i;
  }

  /** Whether the entry at place `i` comes before the one at place `j` (`compareAgentKeys` < 0). */
  #before(i: number, j: number): boolean {
    const k = this.#keys;
    let a = K * i;
    let b = K * j;
    for (let f = 0; f < K - 1; f++, a++, b++) if (k[a] !== k[b]) return k[a]! < k[b]!;
    return k[a]! < k[b]!;
  }

  #copyKey(entry: E, i: number): void {
    const k = this.#keys;
    const a = K * i;
    k[a] = entry.primary;
    k[a + 1] = entry.secondary;
    k[a + 2] = entry.negMatch;
    k[a + 3] = entry.idleSince;
    k[a + 4] = entry.ordinal;
  }

  /** Moves the handle and key at place `from` to place `to` (the entry itself: the caller). */
  #moveNumbers(from: number, to: number): void {
    const k = this.#keys;
    const handle = this.#handleAt[from]!;
    this.#handleAt[to] = handle;
    this.#placeOf[handle] = to;
    k.copyWithin(K * to, K * from, K * from + K);
  }

  #swap(i: number, j: number): void {
    const entries = this.#entries;
    const e = entries[i]!;
    entries[i] = entries[j]!;
    entries[j] = e;
    const handles = this.#handleAt;
    const h = handles[i]!;
    handles[i] = handles[j]!;
    handles[j] = h;
    this.#placeOf[handles[i]!] = i;
    this.#placeOf[h] = j;
    const k = this.#keys;
    for (let f = 0; f < K; f++) {
      const t = k[K * i + f]!;
      k[K * i + f] = k[K * j + f]!;
      k[K * j + f] = t;
    }
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = parentOf(i);
      if (!this.#before(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#entries.length;
    for (;;) {
      const first = ARITY * i + 1;
      if (first >= n) return;
      const end = Math.min(first + ARITY, n);
      let c = first;
      for (let j = first + 1; j < end; j++) if (this.#before(j, c)) c = j;
      if (!this.#before(c, i)) return;
      this.#swap(i, c);
      i = c;
    }
  }
}

/** A typed array twice as long with the same numbers first (for the heaps' growth). */
export function grown<T extends Float64Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(2 * array.length);
  bigger.set(array);
  return bigger;
}
