/**
 * A min-heap of timed items (offer timeouts, wrap-up ends, expansion and overflow checks). Items are
 * never removed early: whoever pops one checks that it still applies, which keeps every operation
 * O(log n). Equal times pop in insertion order, so runs are reproducible.
 *
 * The heap lives in three parallel arrays (time, insertion number, item) rather than an array of
 * entry objects: an offer pushes one and it lives for the offer timeout, so a wrapper per push was
 * a steady stream of objects surviving into the old generation.
 */
export class DeadlineQueue<T> {
  readonly #at: number[] = [];
  readonly #seq: number[] = [];
  readonly #items: T[] = [];
  #pushed = 0;

  get size(): number {
    return this.#items.length;
  }

  push(at: number, item: T): void {
    const seq = this.#pushed++;
    const times = this.#at;
    const seqs = this.#seq;
    const items = this.#items;
    // Sift up through a hole: parents that come later move down into it.
    let i = items.length;
    times.push(at);
    seqs.push(seq);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(at, seq, times[parent]!, seqs[parent]!)) break;
      this.#move(parent, i);
      i = parent;
    }
    times[i] = at;
    seqs[i] = seq;
    items[i] = item;
  }

  peekAt(): number | null {
    return this.#items.length > 0 ? this.#at[0]! : null;
  }

  /** Removes and returns the earliest item due at or before `now`. */
  popDue(now: number): T | undefined {
    const times = this.#at;
    const seqs = this.#seq;
    const items = this.#items;
    if (items.length === 0 || times[0]! > now) return undefined;
    const top = items[0]!;
    const at = times.pop()!;
    const seq = seqs.pop()!;
    const item = items.pop()!;
    const n = items.length;
    if (n === 0) return top;
    // Sift the last entry down from the root through a hole.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(times[r]!, seqs[r]!, times[l]!, seqs[l]!) ? r : l;
      if (!before(times[c]!, seqs[c]!, at, seq)) break;
      this.#move(c, i);
      i = c;
    }
    times[i] = at;
    seqs[i] = seq;
    items[i] = item;
    return top;
  }

  #move(from: number, to: number): void {
    this.#at[to] = this.#at[from]!;
    this.#seq[to] = this.#seq[from]!;
    this.#items[to] = this.#items[from]!;
  }
}

function before(at: number, seq: number, otherAt: number, otherSeq: number): boolean {
  return at < otherAt || (at === otherAt && seq < otherSeq);
}
