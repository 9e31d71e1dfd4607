import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { type Phone, sleep, startPhone, until } from '../test-support/phone';
import { concat, rms, tones, zeroCrossingHz } from '../test-support/signals';
import { PortAllocator } from './port-allocator';
import { RtpLeg } from './rtp-leg';
import { serializeRtp } from './rtp-packet';

const ports = new PortAllocator({ min: 41000, max: 41099 });
const opened: Phone[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

async function pair(options: { rtcpMux?: boolean; source?: Int16Array; rtcpIntervalMs?: number } = {}) {
  const extra = options.rtcpIntervalMs ? { rtcpIntervalMs: options.rtcpIntervalMs } : {};
  // b does not know a's address: it latches on a's first packet (symmetric RTP)
  const b = await startPhone(ports, { id: 'b', ...(options.rtcpMux ? { rtcpMux: true } : {}), extra });
  const a = await startPhone(ports, {
    id: 'a',
    remote: b.endpoint,
    ...(options.source ? { source: options.source } : {}),
    ...(options.rtcpMux ? { rtcpMux: true } : {}),
    extra,
  });
  opened.push(a, b);
  return { a, b };
}

function send(port: number, bytes: Uint8Array, fromPort?: number): Promise<void> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(fromPort ?? 0, '127.0.0.1', () => s.send(bytes, port, '127.0.0.1', () => s.close(resolve)));
  });
}

describe('RtpLeg over UDP on 127.0.0.1', () => {
  it('carries audio both ways after latching to where the peer really sends from', async () => {
    const { a, b } = await pair({ source: tones([800], 1000, 8000) });
    b.start();
    a.start();
    await until(
      () => (b.leg.stats().remote?.latched ?? false) && a.leg.stats().packetsReceived > 10,
      3000,
      'two-way audio',
    );
    expect(b.leg.stats().remote).toEqual({ address: '127.0.0.1', port: a.endpoint.port, latched: true });
    await sleep(300);
    const recent = concat(...b.heard.slice(-10));
    expect(zeroCrossingHz(recent)).toBeCloseTo(800, -1);
    expect(b.leg.stats().lost).toBe(0);
  });

  it('drops and counts malformed packets, unknown payload types and, once latched, strangers', async () => {
    const { a, b } = await pair();
    b.start();
    a.start();
    await until(() => b.leg.stats().remote?.latched === true, 3000, 'latch');
    await send(b.endpoint.port, Uint8Array.of(0x80, 0));
    await send(b.endpoint.port, Uint8Array.of(0x40, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9));
    const stranger = serializeRtp({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 1,
      ssrc: 99,
      payload: new Uint8Array(160),
    });
    await send(b.endpoint.port, stranger);
    await send(
      a.endpoint.port,
      serializeRtp({ payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 5, payload: Uint8Array.of(1) }),
    );
    await until(() => (b.leg.stats().dropped['unexpected-source'] ?? 0) >= 3, 2000, 'drops counted');
    expect(b.leg.stats().dropped).toEqual({ 'unexpected-source': 3 });
    // a's remote was signalled, not latched yet when the stranger's datagram (pt 96) came in
    await until(() => (a.leg.stats().dropped['payload-type'] ?? 0) === 1, 2000, 'payload type drop');
    expect(b.leg.stats().remote?.port).toBe(a.endpoint.port);
  });

  it('never latches to a datagram from port 0 (it could not be answered), and keeps sending', async () => {
    const bound = await ports.allocate('127.0.0.1', false);
    const sut = new RtpLeg({ id: 'port0', codec: 'PCMU', ports: bound, now: () => performance.now() });
    try {
      const packet = serializeRtp({
        payloadType: 0,
        sequenceNumber: 1,
        timestamp: 160,
        ssrc: 7,
        payload: new Uint8Array(160),
      });
      const from = { address: '127.0.0.1', family: 'IPv4' as const, port: 0, size: packet.length };
      bound.rtp.emit('message', Buffer.from(packet), from);
      expect(sut.stats().dropped).toEqual({ 'bad-source': 1 });
      expect(sut.stats().remote?.latched ?? false).toBe(false);
      expect(() => sut.sendFrame(new Int16Array(160), performance.now())).not.toThrow();
    } finally {
      await sut.close();
    }
  });

  it('counts malformed datagrams by reason before latching', async () => {
    const { b } = await pair();
    await send(b.endpoint.port, Uint8Array.of(0x80, 0));
    await send(b.endpoint.port, Uint8Array.of(0x40, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9));
    await send(b.endpoint.port, Uint8Array.of(0x83, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9));
    await until(() => Object.values(b.leg.stats().dropped).reduce((x, y) => x + y, 0) === 3, 2000, 'drops');
    expect(b.leg.stats().dropped).toEqual({ 'too-short': 1, 'bad-version': 1, 'csrc-overrun': 1 });
    expect(b.leg.stats().remote).toBeUndefined();
  });

  it.each([false, true])('exchanges RTCP reports (rtcp-mux %s) and says BYE on close', async (rtcpMux) => {
    const byes: string[] = [];
    const b = await startPhone(ports, {
      id: 'b',
      rtcpMux,
      extra: { rtcpIntervalMs: 150, onBye: (id, reason) => byes.push(`${id}:${reason}`) },
    });
    const a = await startPhone(ports, {
      id: 'a',
      remote: b.endpoint,
      rtcpMux,
      source: tones([500], 200),
      extra: { rtcpIntervalMs: 150 },
    });
    opened.push(b);
    a.start();
    b.start();
    await until(
      () => a.leg.stats().peerReport !== undefined && b.leg.stats().peerReport !== undefined,
      4000,
      'reports',
    );
    expect(a.leg.stats().peerReport).toMatchObject({ fractionLost: 0, cumulativeLost: 0 });
    expect(a.leg.stats().peerReport!.jitterMs).toBeLessThan(20);
    await a.close();
    await until(() => byes.length === 1, 2000, 'BYE');
    expect(byes).toEqual(['b:hangup']);
  });

  it('stamps packets by the tick clock: a skipped stretch shows as a timestamp gap', async () => {
    const got: { seq: number; ts: number }[] = [];
    const sink = createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
    sink.on('message', (m) => got.push({ seq: m.readUInt16BE(2), ts: m.readUInt32BE(4) }));
    const a = await startPhone(ports, {
      id: 'a',
      remote: { address: '127.0.0.1', port: sink.address().port },
    });
    opened.push(a);
    const frame = new Int16Array(160);
    for (const now of [1000, 1020, 1040, 1140, 1160]) a.leg.sendFrame(frame, now);
    await until(() => got.length === 5, 2000, 'five packets');
    sink.close();
    const steps = got.slice(1).map((p, i) => [(p.seq - got[i]!.seq) & 0xffff, (p.ts - got[i]!.ts) >>> 0]);
    expect(steps).toEqual([
      [1, 160],
      [1, 160],
      [1, 800],
      [1, 160],
    ]);
  });

  it('sends RFC 4733 digits that the peer reports once each', async () => {
    const { a, b } = await pair();
    a.start();
    b.start();
    a.leg.sendDtmf('19#', 80);
    await until(() => b.digits.length === 3, 4000, 'digits');
    await sleep(200);
    expect(b.digits.map((d) => [d.digit, d.durationMs, d.source])).toEqual([
      ['1', 80, 'rfc4733'],
      ['9', 80, 'rfc4733'],
      ['#', 80, 'rfc4733'],
    ]);
    expect(() => a.leg.sendDtmf('1x')).toThrow(RangeError);
  });

  it('detects in-band DTMF in the audio when the peer sends tones', async () => {
    const keys = concat(
      tones([770, 1336], 100, 5000),
      new Int16Array(800),
      tones([941, 1477], 100, 5000),
      new Int16Array(4000),
    );
    const { a, b } = await pair({ source: keys });
    b.start();
    a.start();
    await until(() => b.digits.length >= 2, 4000, 'in-band digits');
    expect(b.digits.slice(0, 2).map((d) => [d.digit, d.source])).toEqual([
      ['5', 'inband'],
      ['#', 'inband'],
    ]);
    expect(rms(concat(...b.heard.slice(-50)))).toBeGreaterThan(100);
  });
});
