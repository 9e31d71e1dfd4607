// The native WebRTC leg (libdatachannel) against werift, in this process: a werift peer plays the
// browser for a NativeWebRtcLeg, and a libdatachannel peer (the load generator's browser) plays it for
// werift's WebRtcLeg. Audio both ways (checked by Goertzel) and RFC 4733 both ways.
//
// node-datachannel is loaded on this file's thread only (vitest runs each file in its own process, see
// ADR 0009); nothing here starts a MediaHost, so no second thread loads it. It is released on exit.
import { isMainThread } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goertzelPower } from '../dtmf/goertzel';
import { type DtmfEvent, FRAME_SAMPLES } from '../leg';
import { type SimulatedBrowser, startBrowserPeer } from '../test-support/browser-peer';
import { releaseNativeBrowserPeers, startNativeBrowserPeer } from '../test-support/native-browser-peer';
import { sleep, until } from '../test-support/phone';
import { concat, rms, tones } from '../test-support/signals';
import { Ticker } from '../worker/ticker';
import { NativeWebRtcLeg } from './native-webrtc-leg';
import type { PhoneLeg, PhoneLegFactory, WebRtcState } from './phone-leg';
import { WebRtcLeg } from './webrtc-leg';

const closers: (() => Promise<void>)[] = [];
beforeAll(() => {
  // the addon's one-thread rule holds because vitest's pool is `forks` (a process per file); under
  // `threads` this file would load it in a worker that vitest later terminates: an abort
  expect(isMainThread).toBe(true);
});
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => {});
  await releaseNativeBrowserPeers();
});

/** Share of `freq` in `pcm`'s energy (≈1 for a pure tone at freq). */
function share(pcm: Int16Array, freq: number): number {
  let energy = 0;
  for (const s of pcm) energy += s * s;
  return energy === 0 ? 0 : ((2 / pcm.length) * goertzelPower(pcm, freq, 8000)) / energy;
}

/** The leg driven as a media worker drives it: receive then send one frame of `source` every 20 ms. */
function drive(leg: PhoneLeg, source: Int16Array): { heard: Int16Array[]; stop(): void } {
  const heard: Int16Array[] = [];
  let position = 0;
  const frame = new Int16Array(FRAME_SAMPLES);
  const ticker = new Ticker(20, (now) => {
    heard.push(Int16Array.from(leg.receiveFrame(now)));
    for (let i = 0; i < FRAME_SAMPLES; i++) frame[i] = source[(position + i) % source.length]!;
    position = (position + FRAME_SAMPLES) % source.length;
    leg.sendFrame(frame, now);
  });
  ticker.start();
  return { heard, stop: () => ticker.stop() };
}

const hears = (frames: Int16Array[], hz: number) => {
  const pcm = concat(...frames.slice(-25));
  return rms(pcm) > 1000 && share(pcm, hz) > 0.8;
};

async function pair(
  factory: PhoneLegFactory,
  browser: SimulatedBrowser,
  id: string,
): Promise<{ leg: PhoneLeg; answer: string; digits: DtmfEvent[]; states: WebRtcState[] }> {
  const digits: DtmfEvent[] = [];
  const states: WebRtcState[] = [];
  const { leg, answer } = await factory(browser.offer, {
    id,
    hostAddress: '127.0.0.1',
    now: () => performance.now(),
    onDtmf: (e) => digits.push(e),
    onState: (s) => states.push(s),
  });
  closers.push(() => leg.close());
  await browser.accept(answer);
  await browser.connected();
  await until(() => leg.state === 'connected', 5000, 'the leg connected');
  return { leg, answer, digits, states };
}

describe.each([
  {
    name: 'native leg ↔ werift browser',
    factory: NativeWebRtcLeg.answer as PhoneLegFactory,
    browser: (source: Int16Array) => startBrowserPeer({ source }),
  },
  {
    name: 'werift leg ↔ native browser (the load generator)',
    factory: WebRtcLeg.answer as PhoneLegFactory,
    browser: (source: Int16Array) => startNativeBrowserPeer({ source }),
  },
])('$name', ({ factory, browser: makeBrowser }) => {
  it('carries audio both ways and RFC 4733 both ways', async () => {
    const browser = await makeBrowser(tones([1000], 1000, 6000));
    closers.push(() => browser.close());
    const { leg, answer, digits, states } = await pair(factory, browser, `leg-${Math.random()}`);
    expect(answer).toMatch(/a=rtpmap:0 PCMU\/8000/);
    expect(answer).toMatch(/a=rtpmap:\d+ telephone-event\/8000/);
    expect(answer).toMatch(/a=ssrc:\d+ /); // Chromium drops RTP from an SSRC the answer did not announce
    expect(answer).toMatch(/a=candidate:.* 127\.0\.0\.1 \d+ typ host/);
    expect(states).toContain('connected');
    browser.start();
    const driven = drive(leg, tones([440], 1000, 6000));
    try {
      await until(() => hears(browser.heard, 440), 8000, 'the browser hearing the leg (440 Hz)');
      await until(() => hears(driven.heard, 1000), 8000, "the leg hearing the browser's 1 kHz");

      browser.sendDigits('1#');
      await until(() => digits.length >= 2, 5000, 'two digits from the browser');
      expect(digits.map((d) => d.digit)).toEqual(['1', '#']);
      expect(digits.every((d) => d.source === 'rfc4733' && d.durationMs >= 80)).toBe(true);

      leg.sendDtmf('5*');
      await until(() => browser.heardDigits.length >= 2, 5000, 'two digits at the browser');
      expect(browser.heardDigits).toEqual(['5', '*']);

      const stats = leg.stats();
      expect(stats.packetsReceived).toBeGreaterThan(25);
      expect(stats.packetsSent).toBeGreaterThan(25);
      expect(stats.lost).toBe(0);
    } finally {
      driven.stop();
    }
    await leg.close();
    expect(leg.state).toBe('closed');
    const received = browser.packetsReceived;
    await sleep(200);
    expect(browser.packetsReceived - received).toBeLessThanOrEqual(2);
  });

  it('refuses unusable offers with stable codes', async () => {
    const refuse = (offer: unknown) =>
      factory(offer, { id: 'bad', hostAddress: '127.0.0.1', now: () => performance.now() }).then(
        () => 'accepted',
        (e: { code?: string }) => e.code,
      );
    expect(await refuse('hello')).toBe('BAD_OFFER');
    const browser = await makeBrowser(new Int16Array(160));
    closers.push(() => browser.close());
    expect(await refuse(browser.offer.replace(/a=fingerprint:.*\r\n/, ''))).toBe('BAD_OFFER');
    const opusOnly = browser.offer
      .replace(/m=audio (\d+) (\S+) .*\r\n/, 'm=audio $1 $2 111\r\n')
      .replace(/a=rtpmap:0 .*\r\n/, 'a=rtpmap:111 opus/48000/2\r\n');
    expect(await refuse(opusOnly)).toBe('NO_COMMON_CODEC');
  });
});
