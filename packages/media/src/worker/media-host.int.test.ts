// The media stack as the control plane will use it: calls in worker threads driven through MediaHost,
// with test phones (RtpLegs on their own tick in this thread) as the far ends, all on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav, wavSamples } from '../audio/wav';
import { goertzelPower } from '../dtmf/goertzel';
import { PortAllocator } from '../rtp/port-allocator';
import { parseRtp } from '../rtp/rtp-packet';
import { readPcapUdp } from '../test-support/pcap';
import { sleep, startPhone, until } from '../test-support/phone';
import { concat, rms, tones, zeroCrossingHz } from '../test-support/signals';
import { MediaHost } from './media-host';
import type { MediaEvent } from './protocol';

const phones = new PortAllocator({ min: 41200, max: 41299 });
const dir = mkdtempSync(join(tmpdir(), 'media-host-'));
const events: MediaEvent[] = [];
let host: MediaHost;

beforeAll(async () => {
  host = await MediaHost.start({
    address: '127.0.0.1',
    portRange: { min: 41300, max: 41499 },
    workers: 2,
    onEvent: (e) => events.push(e),
  });
}, 30_000);
afterAll(async () => {
  await host?.stop();
});

/** Strength of `freq` in `pcm` relative to its total energy (≈1 for a pure tone at freq). */
function share(pcm: Int16Array, freq: number): number {
  let energy = 0;
  for (const s of pcm) energy += s * s;
  return energy === 0 ? 0 : ((2 / pcm.length) * goertzelPower(pcm, freq, 8000)) / energy;
}

async function bridgedCall(id: string, customerSource: Int16Array, agentSource: Int16Array) {
  const customer = await startPhone(phones, { id: `${id}-customer-phone`, source: customerSource });
  const agent = await startPhone(phones, { id: `${id}-agent-phone`, source: agentSource });
  const call = host.createCall(id);
  const c = await call.createLeg({
    type: 'createLeg',
    legId: 'customer',
    codec: 'PCMU',
    remote: customer.endpoint,
  });
  const a = await call.createLeg({
    type: 'createLeg',
    legId: 'agent',
    codec: 'PCMU',
    remote: agent.endpoint,
  });
  customer.leg.setRemote(c);
  agent.leg.setRemote(a);
  await call.connect(['customer', 'agent']);
  return { call, customer, agent };
}

describe('MediaHost (worker threads)', () => {
  it('bridges a µ-law WAV made by sox from one leg to the other, and records both sides in stereo', async () => {
    const wav = join(dir, 'tone.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', wav, 'synth', '2', 'sine', '440']);
    const r = parseWav(readFileSync(wav));
    if (!r.ok) throw new Error(r.reason);
    const { call, customer, agent } = await bridgedCall('sox', wavSamples(r.wav), tones([1000], 1000, 6000));
    const recording = join(dir, 'sox-call.wav');
    await call.record(recording, 'customer', 'agent');
    customer.start();
    agent.start();
    try {
      await sleep(1500);
      // what crossed the bridge: the agent's phone hears the sox tone, the customer hears the agent
      const atAgent = concat(...agent.heard.slice(-25));
      const atCustomer = concat(...customer.heard.slice(-25));
      expect(zeroCrossingHz(atAgent)).toBeCloseTo(440, -1);
      expect(share(atAgent, 440)).toBeGreaterThan(0.8);
      expect(zeroCrossingHz(atCustomer)).toBeCloseTo(1000, -1);
      expect(share(atCustomer, 1000)).toBeGreaterThan(0.8);

      // mid-call the recording is already a readable WAV
      const mid = parseWav(readFileSync(recording));
      if (!mid.ok) throw new Error(mid.reason);
      expect(mid.wav.channels).toBe(2);
      expect(mid.wav.declaredDataBytes).toBeGreaterThan(0);

      const stats = await call.stats();
      for (const s of stats) {
        expect(s.packetsReceived).toBeGreaterThan(50);
        expect(s.lost).toBe(0);
        expect(s.remote?.latched).toBe(true);
      }
    } finally {
      const ended = await call.hangup();
      await Promise.all([customer.close(), agent.close()]);
      expect(ended.recording?.ok).toBe(true);
      expect(ended.recording!.durationMs).toBeGreaterThan(1000);
    }
    const done = parseWav(readFileSync(recording));
    if (!done.ok) throw new Error(done.reason);
    const samples = wavSamples(done.wav);
    const left = samples.filter((_, i) => i % 2 === 0).slice(-8000);
    const right = samples.filter((_, i) => i % 2 === 1).slice(-8000);
    expect(zeroCrossingHz(left.slice(-4000))).toBeCloseTo(440, -1);
    expect(zeroCrossingHz(right.slice(-4000))).toBeCloseTo(1000, -1);
    expect(events).toContainEqual({ type: 'ended', callId: 'sox' });
  });

  it('keeps sending on time while the main thread is blocked for 500 ms', async () => {
    // the receiver runs in its own thread so that its arrival times are not held up by the busy loop
    const probe = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const s = require('node:dgram').createSocket('udp4');
       const arrivals = [];
       s.on('message', () => arrivals.push(performance.now() + performance.timeOrigin));
       s.bind(0, '127.0.0.1', () => parentPort.postMessage({ port: s.address().port }));
       parentPort.on('message', () => { parentPort.postMessage({ arrivals }); s.close(); });`,
      { eval: true },
    );
    const { port } = await new Promise<{ port: number }>((resolve) => probe.once('message', resolve));
    const call = host.createCall('busy');
    await call.createLeg({
      type: 'createLeg',
      legId: 'out',
      codec: 'PCMU',
      remote: { address: '127.0.0.1', port },
    });
    await call.play({
      type: 'play',
      legId: 'out',
      id: 'moh',
      source: { kind: 'pcm', pcm: tones([400], 1000) },
      loop: true,
    });
    await sleep(300);
    const blockStart = performance.now() + performance.timeOrigin;
    const until500 = performance.now() + 500;
    while (performance.now() < until500) {
      // the control plane is stuck (a slow query, a GC pause, a CPU-bound request)
    }
    const blockEnd = performance.now() + performance.timeOrigin;
    await sleep(200);
    probe.postMessage('report');
    const { arrivals } = await new Promise<{ arrivals: number[] }>((resolve) =>
      probe.once('message', resolve),
    );
    await probe.terminate();
    await call.hangup();

    // 25 packets are due in 500 ms; a worker that waited on this thread would send none. The margins
    // allow for a machine shared with other work (a descheduled worker catches up its missed ticks).
    const during = arrivals.filter((t) => t >= blockStart && t <= blockEnd);
    expect(during.length).toBeGreaterThanOrEqual(20);
    const gaps = during.slice(1).map((t, i) => t - during[i]!);
    expect(Math.max(...gaps)).toBeLessThan(100);
  });

  it('replays SIPp’s RFC 4733 capture into a worker leg and reports the digit once', async () => {
    const packets = readPcapUdp(readFileSync('/usr/share/sip-tester/dtmf_2833_1.pcap')).map((d) => d.payload);
    expect(packets.every((p) => parseRtp(p).ok)).toBe(true);
    const call = host.createCall('pcap');
    const leg = await call.createLeg({
      type: 'createLeg',
      legId: 'trunk',
      codec: 'PCMU',
      telephoneEventPt: 101,
    });
    // SIPp's role: replay the captured datagrams at their 20 ms pace from one socket
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    for (const p of packets) {
      socket.send(p, leg.port, leg.address);
      await sleep(20);
    }
    await until(() => events.some((e) => e.type === 'dtmf' && e.callId === 'pcap'), 3000, 'dtmf event');
    await sleep(200);
    socket.close();
    const digits = events.filter((e) => e.type === 'dtmf' && e.callId === 'pcap');
    expect(digits).toEqual([
      {
        type: 'dtmf',
        callId: 'pcap',
        event: { legId: 'trunk', digit: '1', durationMs: 280, source: 'rfc4733' },
      },
    ]);
    const [stats] = await call.stats();
    expect(stats!.remote?.latched).toBe(true);
    await call.hangup();
  });

  it('plays a prompt file to a leg, reports it done, and sends DTMF on command', async () => {
    const prompt = join(dir, 'prompt.wav');
    execFileSync('sox', [
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-e',
      'u-law',
      prompt,
      'synth',
      '0.6',
      'sine',
      '600',
    ]);
    const phone = await startPhone(phones, { id: 'caller' });
    const call = host.createCall('ivr');
    const leg = await call.createLeg({
      type: 'createLeg',
      legId: 'caller',
      codec: 'PCMU',
      remote: phone.endpoint,
    });
    phone.leg.setRemote(leg);
    phone.start();
    await call.play({ type: 'play', legId: 'caller', id: 'welcome', source: { kind: 'file', path: prompt } });
    await until(() => events.some((e) => e.type === 'play-done' && e.callId === 'ivr'), 3000, 'play-done');
    expect(events).toContainEqual({
      type: 'play-done',
      callId: 'ivr',
      legId: 'caller',
      id: 'welcome',
      reason: 'finished',
    });
    await sleep(100);
    const loud = phone.heard.filter((f) => rms(f) > 1000);
    expect(loud.length).toBeGreaterThanOrEqual(25);
    expect(zeroCrossingHz(concat(...loud.slice(5, 20)))).toBeCloseTo(600, -1);
    await call.sendDtmf('caller', '42');
    await until(() => phone.digits.length === 2, 3000, 'digits at the phone');
    expect(phone.digits.map((d) => d.digit)).toEqual(['4', '2']);
    await expect(
      call.play({
        type: 'play',
        legId: 'caller',
        id: 'x',
        source: { kind: 'file', path: join(dir, 'missing.wav') },
      }),
    ).rejects.toThrow(/ENOENT/);
    await call.hangup();
    await phone.close();
  });

  it('stops a play whose file is still loading when the stop comes right after it (hold music, then answer)', async () => {
    // a file no worker has read yet: the play waits for it while the stop arrives
    const music = join(dir, 'fresh-hold-music.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', music, 'synth', '8', 'sine', '300']);
    const { call, customer, agent } = await bridgedCall('hold-race', tones([700], 1000), tones([1200], 1000));
    const playing = call.play({
      type: 'play',
      legId: 'customer',
      id: 'moh',
      source: { kind: 'file', path: music },
      loop: true,
    });
    await call.stopPlay('customer');
    await playing;
    customer.start();
    agent.start();
    try {
      await sleep(1000);
      // the customer hears the agent, not the music
      const atCustomer = concat(...customer.heard.slice(-20));
      expect(share(atCustomer, 1200)).toBeGreaterThan(0.8);
      expect(share(atCustomer, 300)).toBeLessThan(0.05);
    } finally {
      await call.hangup();
      await Promise.all([customer.close(), agent.close()]);
    }
  });

  it('reports a recording that cannot be written (disk full) and the call carries on', async () => {
    const { call, customer, agent } = await bridgedCall('full', tones([700], 1000), tones([1200], 1000));
    await call.record('/dev/full', 'customer', 'agent');
    customer.start();
    agent.start();
    await until(
      () => events.some((e) => e.type === 'record-error' && e.callId === 'full'),
      4000,
      'record-error',
    );
    const error = events.find((e) => e.type === 'record-error' && e.callId === 'full');
    expect(error).toMatchObject({ message: expect.stringMatching(/ENOSPC/) });
    const before = agent.heard.length;
    await sleep(400);
    expect(agent.heard.length - before).toBeGreaterThanOrEqual(15);
    expect(zeroCrossingHz(concat(...agent.heard.slice(-10)))).toBeCloseTo(700, -1);
    const ended = await call.hangup();
    expect(ended.recording).toMatchObject({ ok: false, error: expect.stringMatching(/ENOSPC/) });
    await Promise.all([customer.close(), agent.close()]);
  });

  it('pins calls to the least-loaded worker and refuses commands for unknown calls', async () => {
    const a = host.createCall('pin-a');
    const b = host.createCall('pin-b');
    expect(a.worker).not.toBe(b.worker);
    await expect(a.connect(['x', 'y'])).rejects.toMatchObject({ code: 'NO_SUCH_CALL' });
    const stats = await host.workerStats();
    // the two media workers, then the native phone thread's engine when native WebRTC is on (ADR 0009)
    expect(stats).toHaveLength(host.webrtc.transport === 'native' ? 3 : 2);
    // both workers tick (skipped ticks depend on how busy the machine is, so they are not asserted)
    expect(stats.every((s) => s.ticks > 0)).toBe(true);
    // the calls above left their send-jitter samples, most of them well under a frame
    const histogram = stats[0]!.sendJitterHistogram.map((n, i) => n + stats[1]!.sendJitterHistogram[i]!);
    expect(histogram).toHaveLength(2001);
    const samples = histogram.reduce((a, b) => a + b, 0);
    expect(samples).toBeGreaterThan(100);
    expect(histogram.slice(0, 100).reduce((a, b) => a + b, 0)).toBeGreaterThan(samples / 2); // < 10 ms
  });
});
