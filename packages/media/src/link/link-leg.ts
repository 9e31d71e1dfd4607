/**
 * The call's end of a link to an agent's phone on (possibly) another worker: to the call it is a leg
 * like any other — the bridge, mixer and recorder see the agent's audio here — while the WebRTC
 * connection itself stays on the phone's worker (ADR 0007). DTMF from the agent does not cross the link
 * (the phone reports it as an event); `sendDtmf` towards the agent is refused, agents do not need tones.
 */
import { defaultJitterOptions } from '../jitter/jitter-buffer';
import type { LegStats, MediaLeg } from '../leg';
import { FrameLinkEnd } from './frame-link';

export class LinkLeg implements MediaLeg {
  readonly id: string;
  #end: FrameLinkEnd;
  #sent = 0;
  #received = 0;

  constructor(id: string, buffer: SharedArrayBuffer) {
    this.id = id;
    this.#end = new FrameLinkEnd(buffer, 'a');
  }

  /** A new link (the same leg attached to another phone, or again after a detach). */
  relink(buffer: SharedArrayBuffer): void {
    this.#end.close();
    this.#end = new FrameLinkEnd(buffer, 'a');
  }

  /** The phone side detached or went away. */
  get closed(): boolean {
    return this.#end.closed;
  }

  receiveFrame(): Int16Array {
    if (this.#end.queued > 0) this.#received++;
    return this.#end.read();
  }

  sendFrame(pcm: Int16Array): void {
    if (this.#end.closed) return;
    this.#end.write(pcm);
    this.#sent++;
  }

  sendDtmf(): void {
    throw Object.assign(new Error(`leg ${this.id} is an agent phone link: no DTMF towards the agent`), {
      code: 'NOT_SUPPORTED',
    });
  }

  stats(): LegStats {
    const c = this.#end.counters;
    return {
      legId: this.id,
      packetsSent: this.#sent,
      packetsReceived: this.#received,
      dropped: { 'link-overrun': c.overruns, 'link-trimmed': c.trimmed },
      lost: c.underruns,
      expected: this.#received + c.underruns,
      jitterMs: 0,
      jitterBuffer: {
        accepted: c.framesRead,
        played: c.framesRead,
        concealed: c.underruns,
        duplicate: 0,
        late: 0,
        overflow: c.trimmed,
        resyncs: 0,
        grown: 0,
        shrunk: 0,
        delayMs: defaultJitterOptions.frameSamples / 8,
      },
      remote: undefined,
    };
  }

  async close(): Promise<void> {
    this.#end.close();
  }
}
