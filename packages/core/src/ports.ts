/**
 * What the pure core needs from the outside world. The server passes real implementations;
 * tests pass deterministic ones. Nothing in `core` reads the clock or randomness any other way.
 */

/** Milliseconds since the Unix epoch. */
export type Millis = number & { readonly __unit: 'ms' };

export const millis = (n: number): Millis => n as Millis;

export interface Clock {
  now(): Millis;
}

/** Produces globally unique identifiers (UUIDs in production). */
export interface IdGen {
  next(): string;
}

/** A clock that only moves when told; for tests and simulations. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = 0) {
    this.#now = start;
  }
  now(): Millis {
    return this.#now as Millis;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}
