/**
 * A small typed event emitter for call and client objects. Listeners run synchronously in the order
 * added; one that throws goes to `onError` and does not stop the others or unwind into the SIP stack.
 */
// biome-ignore lint/suspicious/noExplicitAny: listener tuples of any shape
export class Emitter<Events extends { [K in keyof Events]: any[] }> {
  readonly #listeners = new Map<keyof Events, Array<(...args: unknown[]) => void>>();

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Adds a listener; the returned function removes it. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener as unknown as (...args: unknown[]) => void);
    this.#listeners.set(event, list);
    return () => {
      const current = this.#listeners.get(event);
      if (current !== undefined)
        this.#listeners.set(
          event,
          current.filter((l) => l !== (listener as unknown)),
        );
    };
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const l of this.#listeners.get(event) ?? []) {
      try {
        l(...(args as unknown[]));
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
