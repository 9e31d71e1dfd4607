import { describe, expect, it } from 'vitest';
import { type RecordingFile, StereoRecorder } from './audio/recorder';
import { Call } from './call';
import type { LegStats, MediaLeg } from './leg';

/** A leg that "says" a constant level every tick and keeps what it was sent. */
class FakeLeg implements MediaLeg {
  readonly sent: number[] = [];
  closed = false;
  constructor(
    readonly id: string,
    readonly level: number,
  ) {}
  receiveFrame(): Int16Array {
    return new Int16Array(160).fill(this.level);
  }
  sendFrame(pcm: Int16Array): void {
    this.sent.push(pcm[0]!);
  }
  sendDtmf(): void {}
  stats(): LegStats {
    return { legId: this.id } as LegStats;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function setup() {
  const done: string[] = [];
  const sut = new Call('c1', { onPlayDone: (leg, id, why) => done.push(`${leg}/${id}/${why}`) });
  const customer = new FakeLeg('customer', 1);
  const agent = new FakeLeg('agent', 2);
  sut.addLeg(customer);
  sut.addLeg(agent);
  return { sut, customer, agent, done };
}

describe('Call', () => {
  it('sends silence until connected, then bridges', () => {
    const { sut, customer, agent } = setup();
    sut.tick(0);
    sut.connect(['customer', 'agent']);
    sut.tick(20);
    expect(customer.sent).toEqual([0, 2]);
    expect(agent.sent).toEqual([0, 1]);
  });

  it('lets a prompt replace what one leg hears, then gives the bridge back', () => {
    const { sut, customer, agent, done } = setup();
    sut.connect(['customer', 'agent']);
    sut.play('customer', { id: 'hold-on', pcm: new Int16Array(320).fill(7) });
    for (let t = 0; t < 3; t++) sut.tick(t * 20);
    expect(customer.sent).toEqual([7, 7, 2]);
    expect(agent.sent).toEqual([1, 1, 1]);
    expect(done).toEqual(['customer/hold-on/finished']);
  });

  it('turns into a mixer when a supervisor joins, whispering to the agent only', () => {
    const { sut, customer, agent } = setup();
    const supervisor = new FakeLeg('supervisor', 100);
    sut.addLeg(supervisor);
    sut.connect(['customer', 'agent']);
    sut.join('supervisor', { kind: 'supervisor', mode: 'whisper', agent: 'agent' });
    sut.tick(0);
    expect([customer.sent[0], agent.sent[0], supervisor.sent[0]]).toEqual([2, 101, 3]);
  });

  it('records customer left and agent right, and finalises on hangup', async () => {
    const { sut, customer, agent } = setup();
    const writes: { data: Uint8Array; position: number }[] = [];
    const file: RecordingFile = {
      async write(data, position) {
        writes.push({ data: Uint8Array.from(data), position });
      },
      async close() {},
    };
    sut.record(new StereoRecorder(file, { flushEveryFrames: 100 }), 'customer', 'agent');
    sut.tick(0);
    sut.tick(20);
    const result = await sut.hangup();
    expect(result.recording).toMatchObject({ ok: true, frames: 2, dataBytes: 1280 });
    const data = writes.find((w) => w.position === 44)!.data;
    const view = new DataView(data.buffer);
    expect([view.getInt16(0, true), view.getInt16(2, true)]).toEqual([1, 2]);
    expect(customer.closed && agent.closed).toBe(true);
    expect(() => sut.leg('customer')).toThrow(/no leg/);
  });

  it('refuses a second leg with the same id and a bridge to an unknown leg', () => {
    const { sut } = setup();
    expect(() => sut.addLeg(new FakeLeg('agent', 0))).toThrow(/already/);
    expect(() => sut.connect(['customer', 'nobody'])).toThrow(/no leg/);
  });
  it('records one leg in mono and stops the recording while the call goes on', async () => {
    const { sut, customer } = setup();
    const writes: Uint8Array[] = [];
    const file: RecordingFile = {
      async write(data) {
        writes.push(data.slice());
      },
      async close() {},
    };
    sut.connect(['customer', 'agent']);
    sut.record(new StereoRecorder(file, { channels: 1 }), 'customer');
    for (let t = 0; t < 3; t++) sut.tick(t * 20);
    const summary = await sut.stopRecording();
    expect(summary).toMatchObject({ ok: true, frames: 3, dataBytes: 3 * 320, durationMs: 60, soundMs: 0 });
    sut.tick(60); // the call goes on, nothing more is recorded
    expect(customer.sent).toHaveLength(4);
    expect(await sut.stopRecording()).toBeUndefined();
    const { recording } = await sut.hangup();
    expect(recording).toBeUndefined();
    // Every sample written is the customer's level (1): the agent's (2) is not in a mono recording.
    const audio = writes.filter((w) => w.length > 44);
    expect(
      audio.every((w) => new Int16Array(w.buffer, w.byteOffset, w.length / 2).every((v) => v === 1)),
    ).toBe(true);
  });
});
