/**
 * Rate-limited logging of blocked SIP requests: a scan sends thousands of datagrams a second, and one
 * log line per datagram would turn the attack into a disk problem. Per reason, at most `burst` lines
 * per `windowMs`; the next line after a quiet spell says how many were left out.
 */
export class BlockLog {
  readonly #windows = new Map<string, { start: number; lines: number; suppressed: number }>();

  constructor(
    private readonly write: (fields: Record<string, unknown>, message: string) => void,
    private readonly now: () => number,
    private readonly burst = 10,
    private readonly windowMs = 60_000,
  ) {}

  /** Logs (or counts as suppressed) one block with this `reason`. */
  blocked(reason: string, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    let w = this.#windows.get(reason);
    if (w === undefined || now - w.start >= this.windowMs) {
      const suppressed = w?.suppressed ?? 0;
      w = { start: now, lines: 0, suppressed: 0 };
      this.#windows.set(reason, w);
      if (suppressed > 0) fields = { ...fields, suppressedBefore: suppressed };
    }
    if (w.lines >= this.burst) {
      w.suppressed++;
      return;
    }
    w.lines++;
    this.write({ reason, ...fields }, message);
  }
}
