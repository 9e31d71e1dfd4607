import { describe, expect, it } from 'vitest';
import { Player } from './player';

const ramp = (n: number, base: number) => Int16Array.from({ length: n }, (_, i) => base + i);

describe('Player', () => {
  it('cuts a buffer into 20 ms frames, pads the last one and reports the end', () => {
    const done: string[] = [];
    const sut = new Player((id, why) => done.push(`${id}:${why}`));
    sut.play({ id: 'p', pcm: ramp(400, 1) });
    const frames = [sut.next(), sut.next(), sut.next()];
    expect(frames.map((f) => f?.[0])).toEqual([1, 161, 321]);
    expect(frames[2]![79]).toBe(400);
    expect(frames[2]![80]).toBe(0);
    expect(done).toEqual(['p:finished']);
    expect(sut.next()).toBeUndefined();
    expect(sut.active).toBe(false);
  });

  it('plays queued prompts in order', () => {
    const sut = new Player();
    sut.play({ id: 'a', pcm: ramp(160, 100) });
    sut.play({ id: 'b', pcm: ramp(160, 200) });
    expect([sut.next()?.[0], sut.next()?.[0], sut.next()]).toEqual([100, 200, undefined]);
  });

  it('loops music on hold seamlessly, pausing it for announcements and resuming where it was', () => {
    const done: string[] = [];
    const sut = new Player((id) => done.push(id));
    sut.play({ id: 'moh', pcm: ramp(100, 0), loop: true });
    const f1 = sut.next()!;
    expect(Array.from(f1.subarray(98, 102))).toEqual([98, 99, 0, 1]);
    sut.play({ id: 'position', pcm: ramp(160, 1000) });
    expect(sut.next()![0]).toBe(1000);
    expect(done).toEqual(['position']);
    expect(sut.next()![0]).toBe(60); // 160 mod 100 — the loop resumes
    sut.stop('moh');
    expect(sut.next()).toBeUndefined();
    expect(done).toEqual(['position', 'moh']);
  });
});
