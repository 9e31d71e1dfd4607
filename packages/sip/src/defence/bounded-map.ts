/**
 * A Map with a capacity that forgets its least recently used entry when full, so that a flood of
 * distinct source addresses costs at most `capacity` entries. `get` and `set` count as use.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(
    readonly capacity: number,
    /** Called with each entry evicted to make room. */
    private readonly onEvict: (key: K, value: V) => void = () => {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const v = this.#entries.get(key);
    if (v !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, v);
    }
    return v;
  }

  /** Reads without counting as use. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as K;
      const evicted = this.#entries.get(oldest) as V;
      this.#entries.delete(oldest);
      this.onEvict(oldest, evicted);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }
}
