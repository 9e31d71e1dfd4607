import { type AgentKey, compareAgentKeys } from './agent-order';

/**
 * An indexed binary heap; in the router it holds the free agents of one pool on one channel, and the
 * interactions waiting in it, best first. Each entry knows
 * its position, so removing an agent or re-keying it in place is one O(log n) sift — about three
 * times cheaper than a delete plus an insert in an ordered tree, and agents change far more often
 * than the router reads past the best one. Reading in order (to skip an agent who declined, or to
 * list runners-up in an explanation) walks the heap lazily with a small frontier, O(k log k) for the
 * first k, without changing it.
 */
export interface AgentHeapEntry<A> extends AgentKey {
  primary: number;
  secondary: number;
  negMatch: number;
  idleSince: number;
  ordinal: number;
  readonly agent: A;
  /** Index in the heap's array; -1 when not in it. */
  pos: number;
  /** Whether the agent is free on the heap's channel now (see Pool.reindex). */
  free: boolean;
}

export class IndexedHeap<E extends { pos: number }> {
  constructor(readonly compare: (a: E, b: E) => number) {}

  readonly #a: E[] = [];
  /** Positions still to visit in `visitInOrder` (kept to avoid an allocation per visit). */
  readonly #frontier: number[] = [];

  get size(): number {
    return this.#a.length;
  }

  peek(): E | undefined {
    return this.#a[0];
  }

  insert(entry: E): void {
    entry.pos = this.#a.length;
    this.#a.push(entry);
    this.#up(entry.pos);
  }

  remove(entry: E): void {
    const i = entry.pos;
    if (i < 0) return;
    const last = this.#a.pop()!;
    entry.pos = -1;
    if (i < this.#a.length) {
      this.#a[i] = last;
      last.pos = i;
      this.#sink(i);
      this.#up(last.pos);
    }
  }

  /** Restores the order after the entry's key fields were changed in place. */
  update(entry: E): void {
    this.#up(entry.pos);
    this.#down(entry.pos);
  }

  /** Entries in heap-array order (no particular order); the heap must not change while iterating. */
  entries(): IterableIterator<E> {
    return this.#a.values();
  }

  /**
   * Calls `visit` on the entries best first until it returns false: `ordered()` without a generator
   * or a fresh frontier, for the router's hot path. The heap must not change during the visit, and a
   * visit must not start another on the same heap.
   */
  visitInOrder(visit: (entry: E) => boolean): void {
    const a = this.#a;
    if (a.length === 0) return;
    const frontier = this.#frontier;
    frontier.push(0);
    while (frontier.length > 0) {
      const i = this.#takeBest(frontier);
      const l = 2 * i + 1;
      if (l < a.length) frontier.push(l);
      if (l + 1 < a.length) frontier.push(l + 1);
      if (!visit(a[i]!)) break;
    }
    frontier.length = 0;
  }

  /** Entries best first, lazily; the heap must not change while iterating. */
  *ordered(): Generator<E> {
    const a = this.#a;
    if (a.length === 0) return;
    const frontier = [0];
    while (frontier.length > 0) {
      const i = this.#takeBest(frontier);
      const l = 2 * i + 1;
      if (l < a.length) frontier.push(l);
      if (l + 1 < a.length) frontier.push(l + 1);
      yield a[i]!;
    }
  }

  /** Removes and returns the frontier's best position. */
  #takeBest(frontier: number[]): number {
    // The frontier stays small (it grows by at most one per step): a linear pick is fastest.
    const a = this.#a;
    let best = 0;
    for (let k = 1; k < frontier.length; k++) {
      if (this.compare(a[frontier[k]!]!, a[frontier[best]!]!) < 0) best = k;
    }
    const i = frontier[best]!;
    frontier[best] = frontier[frontier.length - 1]!;
    frontier.pop();
    return i;
  }

  /** Sift-up of the entry at `i`, no higher than position `top`. */
  #up(i: number, top = 0): void {
    const a = this.#a;
    const e = a[i]!;
    while (i > top) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (this.compare(e, parent) >= 0) break;
      a[i] = parent;
      parent.pos = i;
      i = p;
    }
    a[i] = e;
    e.pos = i;
  }

  /**
   * Sift-down for an entry that most likely belongs near the bottom (the last one, moved into a
   * removed entry's place): the hole goes down to a leaf along the better children, one comparison
   * per level, and the entry rises from there (Floyd) — about half the comparisons of `#down`.
   */
  #sink(i: number): void {
    const a = this.#a;
    const n = a.length;
    const e = a[i]!;
    const start = i;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.compare(a[r]!, a[l]!) < 0 ? r : l;
      const child = a[c]!;
      a[i] = child;
      child.pos = i;
      i = c;
    }
    a[i] = e;
    e.pos = i;
    this.#up(i, start);
  }

  #down(i: number): void {
    const a = this.#a;
    const n = a.length;
    const e = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.compare(a[r]!, a[l]!) < 0 ? r : l;
      const child = a[c]!;
      if (this.compare(child, e) >= 0) break;
      a[i] = child;
      child.pos = i;
      i = c;
    }
    a[i] = e;
    e.pos = i;
  }
}

/** The free agents of one pool on one channel, best first. */
export class AgentHeap<A> extends IndexedHeap<AgentHeapEntry<A>> {
  constructor() {
    super(compareAgentKeys);
  }
}
