import { describe, expect, it } from 'vitest';
import { JitterBuffer, type JitterBufferOptions } from './jitter-buffer';

/** A frame whose samples all carry its index + 1, so the played order can be read back. */
const frame = (n: number) => new Int16Array(160).fill(n + 1);

interface Arrival {
  /** Frame index: RTP timestamp = base + 160·n. */
  n: number;
  atMs: number;
}

/**
 * Runs a scripted arrival pattern against the buffer on a fake clock: pushes happen at their times,
 * pops every 20 ms from `popFromMs`. Returns what each pop played: the frame index, 'c' (concealed) or
 * '-' (silence).
 */
function script(arrivals: Arrival[], pops: number, opts: Partial<JitterBufferOptions> = {}, base = 1000) {
  const sut = new JitterBuffer({ minDelayMs: 20, ...opts });
  const queue = [...arrivals].sort((a, b) => a.atMs - b.atMs);
  const played: (number | string)[] = [];
  for (let i = 0; i < pops; i++) {
    const now = i * 20;
    while (queue.length > 0 && queue[0]!.atMs <= now) {
      const a = queue.shift()!;
      sut.push((base + a.n * 160) % 2 ** 32, frame(a.n), a.atMs);
    }
    const out = sut.pop(now);
    played.push(out.kind === 'audio' ? out.pcm[0]! - 1 : out.kind === 'concealed' ? 'c' : '-');
  }
  return { sut, played };
}

const steady = (count: number, offsetMs = 5) =>
  Array.from({ length: count }, (_, n) => ({ n, atMs: n * 20 + offsetMs }));
const audioOf = (played: (number | string)[]) => played.filter((p): p is number => typeof p === 'number');

// The scripts below run at the 20 ms floor (the default is 40 ms) so that timings stay easy to follow.
describe('JitterBuffer', () => {
  it('plays a steady stream in order with the minimum delay and no concealment', () => {
    const { sut, played } = script(steady(50), 52);
    expect(audioOf(played)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(played.slice(0, 2)).toEqual(['-', '-']);
    expect(sut.stats).toMatchObject({ concealed: 0, late: 0, duplicate: 0, delayMs: 20 });
  });

  it('puts reordered packets back in order', () => {
    const arrivals = steady(40).map((a) => (a.n % 2 === 0 ? { ...a, atMs: a.atMs + 8 } : a));
    const { sut, played } = script(arrivals, 45);
    expect(audioOf(played)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(sut.stats.late).toBe(0);
  });

  it('drops duplicates, counted, whether still buffered or already played', () => {
    const arrivals = [...steady(20), { n: 3, atMs: 66 }, { n: 5, atMs: 300 }];
    const { sut, played } = script(arrivals, 25);
    expect(audioOf(played)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(sut.stats.duplicate).toBe(2);
  });

  it('conceals a lost frame by a faded repeat, then silence for a long gap', () => {
    const arrivals = steady(30).filter((a) => a.n !== 10 && (a.n < 15 || a.n > 22));
    const sut = new JitterBuffer({ minDelayMs: 20 });
    const kinds: string[] = [];
    const levels: number[] = [];
    for (let i = 0; i < 32; i++) {
      for (const a of arrivals)
        if (a.atMs > (i - 1) * 20 && a.atMs <= i * 20) sut.push(a.n * 160, frame(a.n), a.atMs);
      const out = sut.pop(i * 20);
      kinds.push(out.kind);
      levels.push(out.pcm[0]!);
    }
    // frame 10 plays at pop 12 (two pops of start-up delay)
    expect(kinds[12]).toBe('concealed');
    expect(levels[12]).toBe(Math.round(10 * 0.75)); // frame 9 (value 10) faded by 1/4
    expect(kinds.slice(17, 20)).toEqual(['concealed', 'concealed', 'concealed']);
    expect(levels.slice(17, 20)).toEqual([11, 8, 4]); // frame 14 (15) fading over three frames
    expect(kinds.slice(20, 25)).toEqual(['silence', 'silence', 'silence', 'silence', 'silence']);
    expect(kinds[25]).toBe('audio');
    expect(sut.stats.concealed).toBe(4);
  });

  it('conceals with silence when asked to', () => {
    const arrivals = steady(20).filter((a) => a.n !== 5);
    const { played, sut } = script(arrivals, 22, { conceal: 'silence' });
    expect(played[7]).toBe('c');
    expect(sut.stats.concealed).toBe(1);
  });

  it('grows the delay when packets arrive late, recovering the just-missed frame', () => {
    // from frame 20 on, every packet is 50 ms later than the steady pattern (35 ms of slack at start)
    const arrivals = steady(60).map((a) => (a.n >= 20 ? { ...a, atMs: a.atMs + 50 } : a));
    const { sut, played } = script(arrivals, 64);
    expect(sut.stats.grown).toBeGreaterThanOrEqual(1);
    expect(sut.stats.delayMs).toBeGreaterThanOrEqual(40);
    // after adapting nothing more is lost: the last 30 frames all play
    expect(audioOf(played).slice(-30)).toEqual(Array.from({ length: 30 }, (_, i) => 30 + i));
  });

  it('rides out bursty arrivals after adapting, then shrinks back when the network calms down', () => {
    // burst phase, 4 s: each packet 0, 20, 40 or 60 ms late in a scrambled pattern (reordering too)
    const burst = Array.from({ length: 200 }, (_, n) => ({ n, atMs: n * 20 + 5 + ((n * 37) % 4) * 20 }));
    // then 20 s of calm: after the 10 s hold, one frame less every 2 s
    const calm = Array.from({ length: 1000 }, (_, i) => ({ n: 200 + i, atMs: (200 + i) * 20 + 5 }));
    const { sut, played } = script([...burst, ...calm], 1200);
    const grownDelay = sut.stats.grown;
    expect(grownDelay).toBeGreaterThanOrEqual(2);
    // in the last 2 s of the burst phase nothing is concealed
    expect(played.slice(100, 200).filter((p) => p === 'c')).toEqual([]);
    expect(sut.stats.shrunk).toBeGreaterThanOrEqual(1);
    expect(sut.stats.delayMs).toBeLessThanOrEqual(40);
    expect(sut.stats.late).toBeLessThan(10);
  });

  it('holds a grown delay for 10 s before shrinking, so bouts of lateness do not cost a packet each', () => {
    const late = steady(100).map((a) => (a.n >= 20 && a.n < 25 ? { ...a, atMs: a.atMs + 50 } : a));
    const calm = Array.from({ length: 300 }, (_, i) => ({ n: 100 + i, atMs: (100 + i) * 20 + 5 }));
    const { sut } = script([...late, ...calm], 402);
    expect(sut.stats.grown).toBeGreaterThanOrEqual(1);
    expect(sut.stats.shrunk).toBe(0);
  });

  it('starts at the default 40 ms floor', () => {
    const sut = new JitterBuffer();
    sut.push(0, frame(0), 0);
    expect([sut.pop(0).kind, sut.pop(20).kind, sut.pop(40).kind]).toEqual(['silence', 'silence', 'audio']);
    expect(sut.stats.delayMs).toBe(40);
  });

  it('plays across RTP timestamp wrap-around', () => {
    const base = 2 ** 32 - 160 * 10;
    const { sut, played } = script(steady(30), 32, {}, base);
    expect(audioOf(played)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(sut.stats).toMatchObject({ late: 0, resyncs: 0, concealed: 0 });
  });

  it('splits a 40 ms packet into two frames', () => {
    const sut = new JitterBuffer({ minDelayMs: 20 });
    const pcm = new Int16Array(320);
    pcm.fill(7, 0, 160).fill(9, 160);
    sut.push(0, pcm, 0);
    expect(sut.pop(0).kind).toBe('silence');
    expect(sut.pop(20).pcm[0]).toBe(7);
    expect(sut.pop(40).pcm[0]).toBe(9);
  });

  it('cuts 30 ms packets (some carriers) on the 20 ms grid: every sample plays once, in order, no gaps', () => {
    const jb = new JitterBuffer();
    // Sample k of the stream has the value k % 30000 + 1 (never 0), so a gap or a repeat shows.
    const packet = (n: number) => Int16Array.from({ length: 240 }, (_, i) => ((n * 240 + i) % 30_000) + 1);
    const played: Int16Array[] = [];
    for (let t = 0, sent = 0; t < 3_000; t += 10) {
      if (t % 30 === 0) jb.push(5000 + sent * 240, packet(sent++), 1000 + t);
      if (t % 20 === 0) played.push(jb.pop(1000 + t).pcm);
    }
    const audio = played.filter((f) => f.some((v) => v !== 0));
    expect(audio.length).toBeGreaterThan(140);
    const samples = audio.flatMap((f) => [...f]);
    const wrong = samples.findIndex((v, i) => v !== (i % 30_000) + 1);
    expect(wrong, `first sample out of order (of ${samples.length})`).toBe(-1);
    expect(jb.stats.concealed).toBe(0);
  });

  it('resyncs when the sender jumps its timestamps far ahead or restarts behind', () => {
    const sut = new JitterBuffer({ minDelayMs: 20 });
    for (let n = 0; n < 5; n++) sut.push(n * 160, frame(n), n * 20);
    for (let i = 0; i < 4; i++) sut.pop(20 + i * 20);
    // jump 1 h ahead
    const far = 8000 * 3600;
    expect(sut.push(far, frame(100), 100)).toBe('accepted');
    expect(sut.stats.resyncs).toBe(1);
    expect(sut.pop(100).kind).toBe('silence');
    expect(sut.pop(120).pcm[0]).toBe(101);
    // sender restarts 1 s back in time: a run of late packets resyncs
    for (let k = 0; k < 8; k++) sut.push(far - 8000 + k * 160, frame(200 + k), 140 + k * 20);
    expect(sut.stats.resyncs).toBe(2);
    const later = [sut.pop(300), sut.pop(320)];
    expect(later.some((f) => f.kind === 'audio' && f.pcm[0]! > 200)).toBe(true);
  });
});
