/**
 * One call's media on its worker: its legs, how they hear each other (a Bridge for two, a Mixer for
 * more), a player per leg and an optional stereo recorder. `tick` runs every 20 ms on the worker's
 * clock: it pulls a frame from every leg, mixes, lets a playing prompt replace what a leg hears, sends,
 * and records customer (left) and agent (right). Single-threaded: only the owning worker touches it.
 */
import { Player, type PlayItem } from './audio/player';
import type { RecordingSummary, StereoRecorder } from './audio/recorder';
import { FRAME_SAMPLES, type LegStats, type MediaLeg } from './leg';
import { Bridge } from './mix/bridge';
import { type MemberRole, Mixer } from './mix/mixer';

const SILENCE = new Int16Array(FRAME_SAMPLES);

export interface CallEvents {
  onPlayDone?(legId: string, id: string, reason: 'finished' | 'stopped'): void;
}

export class Call {
  readonly id: string;
  readonly #legs = new Map<string, MediaLeg>();
  readonly #players = new Map<string, Player>();
  readonly #events: CallEvents;
  #connection: Bridge | Mixer | undefined;
  #recording: { recorder: StereoRecorder; customer: string; agent: string | undefined } | undefined;
  readonly #said = new Map<string, Int16Array>();

  constructor(id: string, events: CallEvents = {}) {
    this.id = id;
    this.#events = events;
  }

  get legIds(): string[] {
    return [...this.#legs.keys()];
  }

  leg(legId: string): MediaLeg {
    const leg = this.#legs.get(legId);
    if (!leg) throw new Error(`no leg ${legId} in call ${this.id}`);
    return leg;
  }

  addLeg(leg: MediaLeg): void {
    if (this.#legs.has(leg.id)) throw new Error(`leg ${leg.id} already in call ${this.id}`);
    this.#legs.set(leg.id, leg);
  }

  /** Two legs: a bridge. More: a mixer where each hears the others. */
  connect(legIds: readonly string[]): void {
    for (const id of legIds) this.leg(id);
    if (legIds.length === 2) {
      this.#connection = new Bridge(legIds[0]!, legIds[1]!);
    } else {
      const mixer = new Mixer();
      for (const id of legIds) mixer.add(id);
      this.#connection = mixer;
    }
  }

  /** Adds a leg to the mix (turning a bridge into a mixer) with a role, e.g. a whispering supervisor. */
  join(legId: string, role: MemberRole): void {
    this.leg(legId);
    let mixer = this.#connection;
    if (!(mixer instanceof Mixer)) {
      const next = new Mixer();
      if (mixer instanceof Bridge) {
        next.add(mixer.a);
        next.add(mixer.b);
      }
      mixer = next;
      this.#connection = next;
    }
    if (mixer.has(legId)) mixer.setRole(legId, role);
    else mixer.add(legId, role);
  }

  disconnect(): void {
    this.#connection = undefined;
  }

  play(legId: string, item: PlayItem): void {
    this.leg(legId);
    let player = this.#players.get(legId);
    if (!player) {
      player = new Player((id, reason) => this.#events.onPlayDone?.(legId, id, reason));
      this.#players.set(legId, player);
    }
    player.play(item);
  }

  stopPlay(legId: string, id?: string): void {
    this.#players.get(legId)?.stop(id);
  }

  /** Records `customer` (left) and `agent` (right); a mono recorder with no agent records one leg. */
  record(recorder: StereoRecorder, customer: string, agent?: string): void {
    this.#recording = { recorder, customer, agent };
  }

  /**
   * Stops the recording while the call goes on (a voicemail ended by a key): detached at once, so no
   * later frame reaches it, then flushed and closed. Undefined when nothing was recording.
   */
  async stopRecording(): Promise<RecordingSummary | undefined> {
    const rec = this.#recording;
    this.#recording = undefined;
    return rec?.recorder.finish();
  }

  tick(nowMs: number): void {
    const said = this.#said;
    said.clear();
    for (const [id, leg] of this.#legs) said.set(id, leg.receiveFrame(nowMs));
    const heard = this.#connection?.mix(said, SILENCE);
    for (const [id, leg] of this.#legs) {
      const prompt = this.#players.get(id)?.next();
      leg.sendFrame(prompt ?? heard?.get(id) ?? SILENCE, nowMs);
    }
    const rec = this.#recording;
    if (rec)
      rec.recorder.frame(said.get(rec.customer), rec.agent === undefined ? undefined : said.get(rec.agent));
  }

  stats(): LegStats[] {
    return [...this.#legs.values()].map((l) => l.stats());
  }

  /** Closes every leg and finalises the recording. */
  async hangup(): Promise<{ legs: LegStats[]; recording?: RecordingSummary }> {
    for (const p of this.#players.values()) p.stop();
    const legs = this.stats();
    await Promise.all([...this.#legs.values()].map((l) => l.close()));
    this.#legs.clear();
    const recording = await this.#recording?.recorder.finish();
    return recording ? { legs, recording } : { legs };
  }
}
