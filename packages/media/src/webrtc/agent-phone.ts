/**
 * An agent's phone on its media worker: one WebRTC leg (werift or native, see `phone-leg.ts`) that
 * lives for the agent's whole login, and what it is connected to at the moment — nothing (idle: we send nothing; the browser's ICE consent checks
 * keep the path open), a call through a link (see `link/frame-link.ts`, ADR 0007) or the audio check.
 * `tick` runs every 20 ms on the worker's clock, like a call's.
 */

import type { LegStats } from '../leg';
import { FrameLinkEnd } from '../link/frame-link';
import { AudioCheck, type AudioCheckOptions, type AudioCheckResult } from './audio-check';
import type { PhoneLeg, WebRtcState } from './phone-leg';

export type PhoneMode = 'idle' | 'linked' | 'check';

export interface AgentPhoneEvents {
  /** The call side closed the link (the call ended) or a new attach replaced it. */
  onDetached(reason: 'call-ended' | 'replaced' | 'detached'): void;
  onCheckDone(result: AudioCheckResult): void;
}

export class AgentPhone {
  readonly id: string;
  readonly leg: PhoneLeg;
  readonly #events: AgentPhoneEvents;
  #link: FrameLinkEnd | undefined;
  #check: AudioCheck | undefined;

  constructor(id: string, leg: PhoneLeg, events: AgentPhoneEvents) {
    this.id = id;
    this.leg = leg;
    this.#events = events;
  }

  get mode(): PhoneMode {
    return this.#link ? 'linked' : this.#check ? 'check' : 'idle';
  }

  get state(): WebRtcState {
    return this.leg.state;
  }

  /** Connects the phone to a call's link; a running check is stopped (reported as not completed). */
  attach(buffer: SharedArrayBuffer): void {
    this.#stopCheck();
    if (this.#link) {
      this.#link.close();
      this.#events.onDetached('replaced');
    }
    this.#link = new FrameLinkEnd(buffer, 'b');
    this.leg.resume();
  }

  detach(): boolean {
    if (!this.#link) return false;
    this.#link.close();
    this.#link = undefined;
    this.#events.onDetached('detached');
    return true;
  }

  startCheck(options: AudioCheckOptions): void {
    if (this.#link) throw Object.assign(new Error(`phone ${this.id} is on a call`), { code: 'PHONE_BUSY' });
    this.#stopCheck();
    this.#check = new AudioCheck(options);
    this.leg.resume();
  }

  stopCheck(): void {
    this.#stopCheck();
  }

  #stopCheck(): void {
    const check = this.#check;
    if (!check) return;
    this.#check = undefined;
    this.#events.onCheckDone(check.result());
  }

  tick(nowMs: number): void {
    const heard = this.leg.receiveFrame(nowMs);
    const link = this.#link;
    if (link) {
      if (link.closed) {
        this.#link = undefined;
        this.#events.onDetached('call-ended');
        return;
      }
      link.write(heard);
      this.leg.sendFrame(link.read(), nowMs);
      return;
    }
    const check = this.#check;
    if (check) {
      this.leg.sendFrame(check.next(heard), nowMs);
      if (check.done) this.#stopCheck();
    }
  }

  stats(): LegStats & { state: WebRtcState; mode: PhoneMode } {
    return { ...this.leg.stats(), state: this.leg.state, mode: this.mode };
  }

  async close(): Promise<LegStats> {
    this.#stopCheck();
    this.#link?.close();
    this.#link = undefined;
    const stats = this.leg.stats();
    await this.leg.close();
    return stats;
  }
}
