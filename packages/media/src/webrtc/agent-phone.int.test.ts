// The agent's WebRTC phone through MediaHost with two workers: a werift peer plays the browser, a test
// RTP phone plays the customer; the call is pinned to one worker and the agent phone to another thread
// (the other worker with werift, the native phone thread with libdatachannel: every test runs on both
// transports), and the audio crosses between them through the shared-memory link (ADR 0007, ADR 0009).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goertzelPower } from '../dtmf/goertzel';
import { PortAllocator } from '../rtp/port-allocator';
import { type BrowserPeer, startBrowserPeer } from '../test-support/browser-peer';
import { sleep, startPhone, until } from '../test-support/phone';
import { concat, rms, tones } from '../test-support/signals';
import { MediaHost } from '../worker/media-host';
import type { MediaEvent } from '../worker/protocol';
import { MediaCommandError } from '../worker/typed-port';
import type { WebRtcTransport } from './phone-leg';
import { WebRtcLeg } from './webrtc-leg';

const phones = new PortAllocator({ min: 41600, max: 41699 });
let events: MediaEvent[] = [];
let host: MediaHost;
const peers: BrowserPeer[] = [];

/** Share of `freq` in `pcm`'s energy (≈1 for a pure tone at freq). */
function share(pcm: Int16Array, freq: number): number {
  let energy = 0;
  for (const s of pcm) energy += s * s;
  return energy === 0 ? 0 : ((2 / pcm.length) * goertzelPower(pcm, freq, 8000)) / energy;
}

async function connectedPhone(
  phoneId: string,
  source: Int16Array,
): Promise<{ peer: BrowserPeer; worker: number }> {
  const peer = await startBrowserPeer({ source });
  peers.push(peer);
  const { answer, worker } = await host.createAgentPhone(phoneId, peer.offer);
  expect(answer).toMatch(/a=rtpmap:0 PCMU\/8000/);
  expect(answer).toMatch(/a=fingerprint:sha-256/);
  expect(answer).toMatch(/a=candidate:.* 127\.0\.0\.1 \d+ typ host/);
  await peer.accept(answer);
  await peer.connected();
  peer.start();
  await until(
    () => events.some((e) => e.type === 'phone-state' && e.phoneId === phoneId && e.state === 'connected'),
    5000,
    'phone connected',
  );
  return { peer, worker };
}

describe.each<WebRtcTransport>(['native', 'werift'])('agent phone (WebRTC leg: %s)', (transport) => {
  beforeAll(async () => {
    events = [];
    host = await MediaHost.start({
      address: '127.0.0.1',
      portRange: { min: 41700, max: 41899 },
      workers: 2,
      statsIntervalMs: 0,
      webrtc: transport,
      onEvent: (e) => events.push(e),
    });
    expect(host.webrtc.transport).toBe(transport);
  }, 30_000);
  afterAll(async () => {
    for (const p of peers.splice(0)) await p.close().catch(() => {});
    await host?.stop();
  });

  it("bridges a call on one worker to an agent phone on the other, both ways, with the agent's DTMF", async () => {
    const call = host.createCall('cross-worker');
    const { peer, worker } = await connectedPhone('agent-1', tones([1000], 1000, 6000));
    expect(worker).not.toBe(call.worker); // the point of the test: two threads
    if (transport === 'native') expect(worker).toBe(host.workers); // the native phone thread

    // between calls the phone sends nothing
    const idleBefore = peer.packetsReceived;
    await sleep(300);
    expect(peer.packetsReceived - idleBefore).toBeLessThanOrEqual(1);

    const customer = await startPhone(phones, { id: 'customer-phone', source: tones([440], 1000, 6000) });
    const c = await call.createLeg({
      type: 'createLeg',
      legId: 'customer',
      codec: 'PCMU',
      remote: customer.endpoint,
      telephoneEventPt: 101,
    });
    customer.leg.setRemote(c);
    await host.attachAgentPhone('agent-1', call, 'agent');
    await call.connect(['customer', 'agent']);
    customer.start();
    try {
      // polled, not slept: on a loaded machine the jitter buffers start later and deeper
      const hears = (frames: Int16Array[], hz: number) => {
        const pcm = concat(...frames.slice(-25));
        return rms(pcm) > 1000 && share(pcm, hz) > 0.8;
      };
      await until(() => hears(peer.heard, 440), 8000, 'the browser hearing the customer (440 Hz)');
      await until(() => hears(customer.heard, 1000), 8000, "the customer hearing the agent's 1 kHz");

      peer.sendDigits('1#');
      await until(
        () => events.filter((e) => e.type === 'phone-dtmf' && e.phoneId === 'agent-1').length >= 2,
        5000,
        'two digits',
      );
      const digits = events.flatMap((e) =>
        e.type === 'phone-dtmf' && e.phoneId === 'agent-1' ? [e.event.digit] : [],
      );
      expect(digits).toEqual(['1', '#']);

      // the link adds at most a few frames: no trimming or overruns in steady state
      const [, agentLeg] = await call.stats();
      expect(agentLeg?.legId).toBe('agent');
      expect(agentLeg?.dropped['link-overrun']).toBe(0);

      // detach: the browser stops hearing the call, the call's link leg hears silence
      expect(await host.detachAgentPhone('agent-1')).toBe(true);
      await sleep(200);
      const afterDetach = peer.packetsReceived;
      await sleep(300);
      expect(peer.packetsReceived - afterDetach).toBeLessThanOrEqual(2); // at most what was in flight
      expect(
        events.some((e) => e.type === 'phone-detached' && e.phoneId === 'agent-1' && e.reason === 'detached'),
      ).toBe(true);
      await until(() => rms(concat(...customer.heard.slice(-5))) < 50, 5000, 'the customer hearing silence');

      // attach again to the same call (same leg id relinks) then the call ends: the phone goes idle
      peer.heard.length = 0; // what it hears from now on is the new link's
      await host.attachAgentPhone('agent-1', call, 'agent');
      await until(
        () => peer.heard.length >= 25 && hears(peer.heard, 440),
        8000,
        'the browser hearing the customer again',
      );
      await call.hangup();
      await until(
        () =>
          events.some(
            (e) => e.type === 'phone-detached' && e.phoneId === 'agent-1' && e.reason === 'call-ended',
          ),
        3000,
        'call-ended detach',
      );
      const stats = await host.agentPhoneStats('agent-1');
      expect(stats.state).toBe('connected');
      expect(stats.mode).toBe('idle');
      expect(stats.packetsReceived).toBeGreaterThan(50);
    } finally {
      await customer.close();
    }
  });

  it('runs the audio check: a tone, then the microphone looped back, and reports the microphone', async () => {
    const { peer } = await connectedPhone('agent-2', tones([1000], 1000, 6000));
    peer.heard.length = 0;
    await host.checkAgentPhone('agent-2', { toneHz: 440, toneMs: 600, loopbackMs: 600 });
    await until(
      () => events.some((e) => e.type === 'phone-check-done' && e.phoneId === 'agent-2'),
      5000,
      'check done',
    );
    const done = events.find((e) => e.type === 'phone-check-done' && e.phoneId === 'agent-2');
    if (done?.type !== 'phone-check-done') throw new Error('no result');
    expect(done.result.completed).toBe(true);
    expect(done.result.micToneHz).toBeGreaterThanOrEqual(980);
    expect(done.result.micToneHz).toBeLessThanOrEqual(1020);
    expect(done.result.micRmsDbfs).toBeGreaterThan(-30);
    // what the browser heard: the tone first, then its own 1 kHz
    const heard = peer.heard.filter((f) => rms(f) > 500);
    expect(heard.length).toBeGreaterThan(40);
    expect(share(concat(...heard.slice(2, 20)), 440)).toBeGreaterThan(0.8);
    expect(share(concat(...heard.slice(-15)), 1000)).toBeGreaterThan(0.8);
    await host.closeAgentPhone('agent-2');
    expect(host.phoneWorker('agent-2')).toBeUndefined();
    await expect(host.agentPhoneStats('agent-2')).rejects.toMatchObject({ code: 'NO_SUCH_PHONE' });
  });

  it('refuses unusable offers with stable codes and keeps no phone', async () => {
    const phonesBefore = (await host.workerStats()).reduce((n, s) => n + s.phones, 0);
    const refuse = async (offer: string) => {
      const e = await host.createAgentPhone('bad', offer).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(MediaCommandError);
      expect(host.phoneWorker('bad')).toBeUndefined();
      return (e as MediaCommandError).code;
    };
    expect(await refuse('hello')).toBe('BAD_OFFER');
    expect(await refuse(`v=0\r\n${'a=x\r\n'.repeat(5000)}`)).toBe('BAD_OFFER');
    const peer = await startBrowserPeer({});
    peers.push(peer);
    expect(await refuse(peer.offer.replace(/a=fingerprint:.*\r\n/, ''))).toBe('BAD_OFFER');
    const opusOnly = peer.offer
      .replace(/m=audio (\d+) (\S+) .*\r\n/, 'm=audio $1 $2 111\r\n')
      .replace(/a=rtpmap:0 .*\r\n/, 'a=rtpmap:111 opus/48000/2\r\n');
    expect(await refuse(opusOnly)).toBe('NO_COMMON_CODEC');
    const stats = await host.workerStats();
    expect(stats.reduce((n, s) => n + s.phones, 0)).toBe(phonesBefore);
  });

  // werift's leg directly (the native leg's port range is the same libdatachannel option; it cannot be
  // built on this thread once the native phone thread has loaded the addon in this process)
  it.runIf(transport === 'werift')(
    'binds ICE inside its port range, and says so when the range is used up',
    async () => {
      const peer = await startBrowserPeer({});
      peers.push(peer);
      const range = { min: 41950, max: 41953 };
      const legs: WebRtcLeg[] = [];
      try {
        for (;;) {
          const r: { leg: WebRtcLeg; answer: string } | { code?: unknown } = await WebRtcLeg.answer(
            peer.offer,
            {
              id: `r${legs.length}`,
              hostAddress: '127.0.0.1',
              portRange: range,
              now: () => performance.now(),
            },
          ).catch((e: { code?: unknown }) => e);
          if (!('leg' in r)) {
            expect(r.code).toBe('NO_PORTS');
            break;
          }
          legs.push(r.leg);
          const ports = [...r.answer.matchAll(/^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host/gm)].map((m) =>
            Number(m[1]),
          );
          expect(ports.length).toBeGreaterThan(0);
          for (const p of ports) expect(p >= range.min && p <= range.max).toBe(true);
          expect(legs.length).toBeLessThanOrEqual(4);
        }
        expect(legs.length).toBeGreaterThanOrEqual(1);
      } finally {
        for (const leg of legs) await leg.close();
      }
    },
  );
});
