import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '../leg';
import { createLinkBuffer, FrameLinkEnd, isLinkBuffer, LINK_RING_FRAMES } from './frame-link';

const frame = (v: number) => new Int16Array(FRAME_SAMPLES).fill(v);

describe('FrameLinkEnd (shared-memory link between workers)', () => {
  it('carries frames each way in order, independently', () => {
    const buf = createLinkBuffer();
    const a = new FrameLinkEnd(buf, 'a');
    const b = new FrameLinkEnd(buf, 'b');
    a.write(frame(1));
    a.write(frame(2));
    b.write(frame(9));
    expect(b.read()[0]).toBe(1);
    expect(b.read()[159]).toBe(2);
    expect(a.read()[0]).toBe(9);
    expect(a.counters.framesWritten).toBe(2);
    expect(b.counters.framesRead).toBe(2);
  });

  it('plays silence on underrun and counts it', () => {
    const b = new FrameLinkEnd(createLinkBuffer(), 'b');
    expect(b.read().every((s) => s === 0)).toBe(true);
    expect(b.counters.underruns).toBe(1);
  });

  it('bounds the delay: a reader finding a backlog skips to the newest frames', () => {
    const buf = createLinkBuffer();
    const a = new FrameLinkEnd(buf, 'a');
    const b = new FrameLinkEnd(buf, 'b', { maxQueuedFrames: 4, targetQueuedFrames: 1 });
    for (let i = 1; i <= 6; i++) a.write(frame(i));
    expect(b.read()[0]).toBe(6); // 5 dropped, the newest played
    expect(b.counters.trimmed).toBe(5);
    expect(b.queued).toBe(0);
  });

  it('drops what the writer cannot fit and counts it', () => {
    const buf = createLinkBuffer();
    const a = new FrameLinkEnd(buf, 'a');
    for (let i = 0; i < LINK_RING_FRAMES + 3; i++) a.write(frame(i));
    expect(a.counters.overruns).toBe(3);
    expect(new FrameLinkEnd(buf, 'b').queued).toBe(LINK_RING_FRAMES);
  });

  it('keeps order across many wraps of the ring', () => {
    const buf = createLinkBuffer();
    const a = new FrameLinkEnd(buf, 'a');
    const b = new FrameLinkEnd(buf, 'b', { maxQueuedFrames: 100 });
    let expected = 0;
    for (let i = 0; i < 1000; i++) {
      a.write(frame(i % 30000));
      if (i % 3 !== 0) a.write(frame((i + 0.5) | 0));
      while (b.queued > 0) {
        b.read();
        expected++;
      }
    }
    expect(b.counters.framesRead).toBe(expected);
    expect(b.counters.trimmed + a.counters.overruns).toBe(0);
  });

  it('shares the closed flag; pads short frames; refuses foreign buffers', () => {
    const buf = createLinkBuffer();
    const a = new FrameLinkEnd(buf, 'a');
    const b = new FrameLinkEnd(buf, 'b');
    a.write(Int16Array.of(5, 5, 5));
    const got = b.read();
    expect(got[2]).toBe(5);
    expect(got[3]).toBe(0);
    expect(b.closed).toBe(false);
    a.close();
    expect(b.closed).toBe(true);
    expect(isLinkBuffer(new SharedArrayBuffer(10))).toBe(false);
    expect(() => new FrameLinkEnd(new SharedArrayBuffer(10), 'a')).toThrow(TypeError);
  });
});
