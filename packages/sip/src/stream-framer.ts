import { trimWsp } from './grammar';
import { findHeaderEnd } from './header-section';
import { defaultLimits, type ParseLimits } from './limits';
import type { SipParseErrorCode } from './parse-error';

/**
 * Cuts a TCP/TLS byte stream into whole SIP messages by Content-Length (RFC 3261 §18.3), for
 * `parseMessage(frame, { framing: 'stream' })`.
 *
 * - Between messages, CRLFCRLF is an RFC 5626 keep-alive ping (answer it with a CRLF pong); a lone CRLF
 *   (a pong, or stray) is skipped.
 * - Content-Length is required; absent, repeated with different values, or malformed is a framing error.
 * - Memory is bounded: never more than `maxMessageBytes` plus one chunk is held.
 * - On any error the framer is finished: the connection cannot be re-synchronised and must be closed
 *   (RFC 4475 ncl, mcl01). Later `push` calls return nothing.
 *
 * A malformed message with a usable Content-Length is still framed; the parser then refuses it and the
 * connection survives. Not thread-safe; one framer per connection.
 */
export type FramerEvent =
  | { readonly kind: 'message'; readonly frame: Buffer }
  | { readonly kind: 'ping' }
  | { readonly kind: 'error'; readonly code: SipParseErrorCode; readonly detail: string };

const CR = 0x0d;
const LF = 0x0a;

/** Looks like `Method SP` or `SIP/`: enough to tell a SIP start line from garbage early. */
const START_LINE = /^(?:[A-Za-z0-9.!%*_+`'~-]+ [^ ]|SIP\/)/;

export class StreamFramer {
  #buffer: Buffer = Buffer.alloc(0);
  /** Where the search for CRLFCRLF resumes, so a slow trickle is not rescanned from the start. */
  #scanFrom = 0;
  /** Total frame length once the headers are in; `null` while waiting for them. */
  #frameLength: number | null = null;
  #failed = false;
  readonly #limits: ParseLimits;

  constructor(limits: Partial<ParseLimits> = {}) {
    this.#limits = { ...defaultLimits, ...limits };
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Octets held for an incomplete message. */
  get buffered(): number {
    return this.#buffer.length;
  }

  push(chunk: Uint8Array): FramerEvent[] {
    if (this.#failed) return [];
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const events: FramerEvent[] = [];
    for (;;) {
      const event = this.#next();
      if (event === null) break;
      events.push(event);
      if (event.kind === 'error') {
        this.#failed = true;
        this.#buffer = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  #consume(n: number): void {
    this.#buffer = this.#buffer.subarray(n);
    this.#scanFrom = 0;
    this.#frameLength = null;
  }

  #next(): FramerEvent | null {
    const b = this.#buffer;
    if (this.#frameLength === null) {
      if (b[0] === CR) {
        if (b.length < 2) return null;
        if (b[1] !== LF) return this.#error('SIP_PARSE_START_LINE', 'bare CR between messages');
        if (b.length < 4) {
          if (b.length === 2 || b[2] === CR) return null; // maybe the first half of a ping
          this.#consume(2);
          return this.#next();
        }
        if (b[2] === CR && b[3] === LF) {
          this.#consume(4);
          return { kind: 'ping' };
        }
        this.#consume(2);
        return this.#next();
      }
      if (b.length === 0) return null;
      const end = findHeaderEnd(b, this.#scanFrom);
      if (end < 0) return this.#waitForHeaders(b);
      const length = contentLength(b.toString('latin1', 0, end - 4));
      if (typeof length === 'string') return this.#error('SIP_BAD_CONTENT_LENGTH', length);
      if (end + length > this.#limits.maxMessageBytes) {
        return this.#error('SIP_TOO_LARGE', `message of ${end + length} octets`);
      }
      this.#frameLength = end + length;
    }
    if (b.length < this.#frameLength) return null;
    const frame = Buffer.from(b.subarray(0, this.#frameLength));
    this.#consume(this.#frameLength);
    return { kind: 'message', frame };
  }

  #waitForHeaders(b: Buffer): FramerEvent | null {
    const firstLineEnd = b.indexOf('\r\n');
    const firstLine = b.toString('latin1', 0, firstLineEnd < 0 ? Math.min(b.length, 64) : firstLineEnd);
    if ((firstLineEnd >= 0 || b.length >= 64) && !START_LINE.test(firstLine)) {
      return this.#error('SIP_PARSE_START_LINE', 'not a SIP start line');
    }
    if (firstLineEnd < 0 && b.length > this.#limits.maxHeaderBytes) {
      return this.#error('SIP_HEADER_TOO_LONG', 'start line too long');
    }
    if (b.length >= this.#limits.maxMessageBytes) return this.#error('SIP_TOO_LARGE', 'headers never end');
    this.#scanFrom = Math.max(0, b.length - 3);
    return null;
  }

  #error(code: SipParseErrorCode, detail: string): FramerEvent {
    return { kind: 'error', code, detail };
  }
}

/**
 * Content-Length from a header section read as latin1 (names are ASCII; values are digits). Scans lines
 * without the full parser, so one malformed header elsewhere does not lose the frame boundary.
 */
function contentLength(section: string): number | string {
  const lines = section.split('\r\n');
  const values: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const m = /^(?:content-length|l)[ \t]*:(.*)$/is.exec(lines[i] ?? '');
    if (m === null) continue;
    let value = m[1] ?? '';
    while (/^[ \t]/.test(lines[i + 1] ?? '')) value += ` ${lines[++i]}`;
    values.push(trimWsp(value));
  }
  if (values.length === 0) return 'Content-Length is required on a stream';
  if (values.some((v) => v !== values[0])) return 'conflicting Content-Length values';
  const v = values[0] ?? '';
  if (!/^[0-9]{1,10}$/.test(v)) return `Content-Length ${JSON.stringify(v.slice(0, 20))} is not a number`;
  return Number(v);
}
