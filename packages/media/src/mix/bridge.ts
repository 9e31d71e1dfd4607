/**
 * Two legs, each hearing the other: the common call. No summing, no copies — a mixer of two would do
 * the same work with an accumulator. A third party (supervisor, conference) moves the call to a Mixer.
 */
export class Bridge {
  readonly a: string;
  readonly b: string;

  constructor(a: string, b: string) {
    if (a === b) throw new Error('a bridge needs two different legs');
    this.a = a;
    this.b = b;
  }

  /** What each leg hears: the other one's frame (silence when it has none). */
  mix(said: ReadonlyMap<string, Int16Array>, silence: Int16Array): Map<string, Int16Array> {
    return new Map([
      [this.a, said.get(this.b) ?? silence],
      [this.b, said.get(this.a) ?? silence],
    ]);
  }
}
