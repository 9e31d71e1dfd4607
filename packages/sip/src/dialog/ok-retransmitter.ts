import type { SipResponse } from '../message';
import type { TimerHandle, Timers, Timing } from '../transaction/timing';

/**
 * The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4; RFC 6026 keeps it out of the transaction):
 * resend every T1, doubling up to T2, until `stop()` (the ACK came) or 64·T1 have passed, when
 * `onGiveUp` runs — the UAS then ends the session with a BYE (§13.3.1.4).
 */
export class OkRetransmitter {
  #interval: number;
  #elapsed = 0;
  #timer: TimerHandle | null = null;
  #count = 0;

  constructor(
    private readonly ok: SipResponse,
    /** Sends the 2xx again (through the INVITE server transaction, now in Accepted). */
    private readonly resend: (ok: SipResponse) => void,
    private readonly onGiveUp: () => void,
    private readonly timers: Timers,
    private readonly timing: Timing,
  ) {
    this.#interval = timing.t1;
    this.#schedule();
  }

  /** How many times the 2xx was sent again. */
  get retransmissions(): number {
    return this.#count;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #schedule(): void {
    this.#timer = this.timers.set(this.#interval, () => {
      this.#elapsed += this.#interval;
      if (this.#elapsed >= 64 * this.timing.t1) {
        this.#timer = null;
        this.onGiveUp();
        return;
      }
      this.#count++;
      this.resend(this.ok);
      this.#interval = Math.min(2 * this.#interval, this.timing.t2);
      this.#schedule();
    });
  }
}
