/**
 * N-party mixing of 20 ms PCM frames: every participant hears the sum of the others (mix minus itself).
 * Supervisors join with a mode:
 * - `listen`: hears everybody, heard by nobody;
 * - `whisper`: hears everybody, heard only by the agent they coach;
 * - `barge`: a full participant.
 * Pure and allocation-light: one 32-bit accumulator for the public mix, saturated to 16 bits per listener.
 */

export type SupervisorMode = 'listen' | 'whisper' | 'barge';

export type MemberRole =
  | { kind: 'participant' }
  | { kind: 'supervisor'; mode: SupervisorMode; agent: string };

const FRAME = 160;

export class Mixer {
  readonly #members = new Map<string, MemberRole>();
  readonly #sum = new Int32Array(FRAME);

  add(legId: string, role: MemberRole = { kind: 'participant' }): void {
    this.#members.set(legId, role);
  }

  /** Changes a supervisor's mode (listen → whisper → barge and back) without leaving the mix. */
  setRole(legId: string, role: MemberRole): void {
    if (!this.#members.has(legId)) throw new Error(`not in the mix: ${legId}`);
    this.#members.set(legId, role);
  }

  remove(legId: string): void {
    this.#members.delete(legId);
  }

  get size(): number {
    return this.#members.size;
  }

  has(legId: string): boolean {
    return this.#members.has(legId);
  }

  /** Given what each member said this tick, what each member hears. Missing inputs count as silence. */
  mix(said: ReadonlyMap<string, Int16Array>, _silence?: Int16Array): Map<string, Int16Array> {
    const sum = this.#sum;
    sum.fill(0);
    for (const [id, role] of this.#members) {
      if (!isPublic(role)) continue;
      const frame = said.get(id);
      if (frame) for (let i = 0; i < FRAME; i++) sum[i]! += frame[i]!;
    }
    const heard = new Map<string, Int16Array>();
    for (const [id, role] of this.#members) {
      const out = new Int16Array(FRAME);
      const own = isPublic(role) ? said.get(id) : undefined;
      const whispers = this.#whispersFor(id, said);
      for (let i = 0; i < FRAME; i++) {
        let v = sum[i]! - (own ? own[i]! : 0);
        for (const w of whispers) v += w[i]!;
        out[i] = Math.max(-32768, Math.min(32767, v));
      }
      heard.set(id, out);
    }
    return heard;
  }

  #whispersFor(listener: string, said: ReadonlyMap<string, Int16Array>): Int16Array[] {
    const out: Int16Array[] = [];
    for (const [id, role] of this.#members) {
      if (role.kind === 'supervisor' && role.mode === 'whisper' && role.agent === listener) {
        const f = said.get(id);
        if (f) out.push(f);
      }
    }
    return out;
  }
}

function isPublic(role: MemberRole): boolean {
  return role.kind === 'participant' || role.mode === 'barge';
}
