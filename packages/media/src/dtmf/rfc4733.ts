/**
 * RFC 4733 telephone-events (DTMF over RTP), payload:
 *   event (8) | E (1) R (1) volume (6) | duration (16, timestamp units since the event's start)
 * Every packet of one event carries the same RTP timestamp (the event's start); the last three carry
 * the E bit. The receiver reports each event once, at its end, however many end packets arrive; the
 * sender produces the start (marker set), continuation and three end packets for the leg to send one
 * per 20 ms tick.
 */

export const DTMF_DIGITS = '0123456789*#ABCD';

export type DtmfDigit = (typeof DTMF_DIGITS)[number];

export function eventCodeOf(digit: string): number {
  const code = DTMF_DIGITS.indexOf(digit.toUpperCase());
  if (code < 0 || digit.length !== 1) throw new RangeError(`not a DTMF digit: ${digit}`);
  return code;
}

export interface TelephoneEvent {
  readonly event: number;
  readonly end: boolean;
  /** Power level, 0 to −63 dBm0, carried as 0–63. */
  readonly volume: number;
  readonly duration: number;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function serializeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  return Uint8Array.of(
    e.event,
    (e.end ? 0x80 : 0) | (e.volume & 0x3f),
    (e.duration >> 8) & 0xff,
    e.duration & 0xff,
  );
}

export interface DtmfReport {
  readonly digit: DtmfDigit;
  readonly durationMs: number;
  /** dBm0 below zero, as sent (10 means −10 dBm0). */
  readonly volume: number;
  /** True when the end packets never came and the event was closed by a timeout. */
  readonly endLost: boolean;
}

export interface Rfc4733ReceiverStats {
  events: number;
  malformed: number;
  /** Packets of an event already reported (end retransmissions, stragglers). */
  repeats: number;
}

/**
 * Receives the telephone-event packets of one stream. `receive` for each packet with the event payload
 * type; `tick` regularly, to close an event whose end packets were lost (after `endTimeoutMs` of quiet).
 */
export class Rfc4733Receiver {
  readonly #onDigit: (report: DtmfReport) => void;
  readonly #clockRate: number;
  readonly #endTimeoutMs: number;
  #current: { ts: number; event: number; duration: number; volume: number; lastMs: number } | undefined;
  /** Start timestamps of the last events reported, so end retransmissions are ignored. */
  readonly #reported: number[] = [];
  readonly stats: Rfc4733ReceiverStats = { events: 0, malformed: 0, repeats: 0 };

  constructor(
    onDigit: (report: DtmfReport) => void,
    options: { clockRate?: number; endTimeoutMs?: number } = {},
  ) {
    this.#onDigit = onDigit;
    this.#clockRate = options.clockRate ?? 8000;
    this.#endTimeoutMs = options.endTimeoutMs ?? 800;
  }

  receive(rtpTimestamp: number, payload: Uint8Array, nowMs: number): void {
    const e = parseTelephoneEvent(payload);
    if (!e || e.event > 15) {
      // 16 (flash) and the non-DTMF events are not digits; they are counted with the malformed
      this.stats.malformed++;
      return;
    }
    if (this.#reported.includes(rtpTimestamp)) {
      this.stats.repeats++;
      return;
    }
    const cur = this.#current;
    if (cur && cur.ts !== rtpTimestamp) this.#report(true);
    if (!this.#current) {
      this.#current = { ts: rtpTimestamp, event: e.event, duration: 0, volume: e.volume, lastMs: nowMs };
    }
    const c = this.#current!;
    c.duration = Math.max(c.duration, e.duration);
    c.lastMs = nowMs;
    if (e.end) this.#report(false);
  }

  tick(nowMs: number): void {
    if (this.#current && nowMs - this.#current.lastMs >= this.#endTimeoutMs) this.#report(true);
  }

  #report(endLost: boolean): void {
    const c = this.#current!;
    this.#current = undefined;
    this.#reported.push(c.ts);
    if (this.#reported.length > 8) this.#reported.shift();
    this.stats.events++;
    this.#onDigit({
      digit: DTMF_DIGITS[c.event] as DtmfDigit,
      durationMs: Math.round((c.duration * 1000) / this.#clockRate),
      volume: c.volume,
      endLost,
    });
  }
}

export interface PlannedEventPacket {
  readonly payload: Uint8Array;
  /** Set on the first packet of the event (RFC 4733 §2.5.1.1). */
  readonly marker: boolean;
}

/**
 * The packets of one digit, to be sent one per 20 ms with the same RTP timestamp (the event's start):
 * the start with the marker bit, continuations with growing duration, and three end packets with the
 * final duration.
 */
export function planDtmfEvent(
  digit: string,
  options: { durationMs?: number; volume?: number; clockRate?: number; packetMs?: number } = {},
): PlannedEventPacket[] {
  const event = eventCodeOf(digit);
  const clockRate = options.clockRate ?? 8000;
  const packetMs = options.packetMs ?? 20;
  const volume = options.volume ?? 10;
  const steps = Math.max(1, Math.round((options.durationMs ?? 100) / packetMs));
  const unit = (packetMs * clockRate) / 1000;
  const packets: PlannedEventPacket[] = [];
  for (let k = 1; k <= steps; k++) {
    const end = k === steps;
    packets.push({
      payload: serializeTelephoneEvent({ event, end, volume, duration: Math.min(0xffff, k * unit) }),
      marker: k === 1,
    });
  }
  const last = packets[packets.length - 1]!;
  packets.push({ payload: last.payload, marker: false }, { payload: last.payload, marker: false });
  return packets;
}

/**
 * The sending side of RFC 4733 for one leg: digits queued by `enqueue`, then one packet per 20 ms
 * tick from `next(ts)` while an event plays (every packet of an event carries the timestamp of its
 * start), 60 ms of audio between two digits. Legs send audio whenever `next` gives nothing.
 */
export class Rfc4733Sender {
  #queue: { digit: string; durationMs: number }[] = [];
  #sending: { packets: PlannedEventPacket[]; index: number; ts: number } | undefined;
  #gapTicks = 0;

  /** Queues digits (0–9 * # A–D); throws RangeError on any other before queueing anything. */
  enqueue(digits: string, durationMs = 100): void {
    for (const digit of digits) planDtmfEvent(digit);
    for (const digit of digits) this.#queue.push({ digit, durationMs });
  }

  /** The event packet to send on this tick (`ts`: the leg's audio timestamp now), if any. */
  next(ts: number): { payload: Uint8Array; marker: boolean; ts: number } | undefined {
    if (!this.#sending) {
      if (this.#gapTicks > 0) {
        this.#gapTicks--;
        return undefined;
      }
      const next = this.#queue.shift();
      if (!next) return undefined;
      this.#sending = { packets: planDtmfEvent(next.digit, { durationMs: next.durationMs }), index: 0, ts };
    }
    const s = this.#sending;
    const p = s.packets[s.index++]!;
    if (s.index >= s.packets.length) {
      this.#sending = undefined;
      this.#gapTicks = 3; // 60 ms of audio between digits
    }
    return { ...p, ts: s.ts };
  }
}
