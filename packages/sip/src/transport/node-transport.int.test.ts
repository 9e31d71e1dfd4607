import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getTopVia, type SipMessage, type SipRequest } from '../message';
import { parseMessage } from '../parser';
import { createResponse } from '../response';
import { serializeMessage } from '../serializer';
import { makeRequest } from '../test-support/messages';
import { freePort, selfSignedCert, until } from '../test-support/net';
import { TransactionLayer } from '../transaction/transaction-layer';
import { NodeTransport, type NodeTransportOptions } from './node-transport';
import type { InboundMessage, TransportError } from './types';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function start(options: Partial<NodeTransportOptions> = {}) {
  const inbound: InboundMessage[] = [];
  const drops: string[] = [];
  const errors: unknown[] = [];
  const sut = await NodeTransport.listen({
    host: '127.0.0.1',
    udp: { port: 0 },
    tcp: { port: 0 },
    onMessage: (m) => inbound.push(m),
    onDrop: (reason) => drops.push(reason),
    onError: (e) => errors.push(e),
    ...options,
  });
  open.push(sut);
  return { sut, inbound, drops, errors };
}

/** A raw UDP peer that collects parsed datagrams. */
async function udpPeer(port = 0) {
  const socket = dgram.createSocket('udp4');
  const received: SipMessage[] = [];
  const raw: Buffer[] = [];
  socket.on('message', (b) => {
    raw.push(b);
    const r = parseMessage(b);
    if (r.ok) received.push(r.message);
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
  open.push({ close: () => new Promise<void>((resolve) => socket.close(() => resolve())) });
  return { socket, received, raw, port: socket.address().port };
}

/** A raw TCP client or accepted socket that collects the bytes it reads. */
function collect(socket: net.Socket) {
  const state = { data: '', closed: false };
  socket.on('data', (d) => {
    state.data += d.toString('latin1');
  });
  socket.on('close', () => {
    state.closed = true;
  });
  socket.on('error', () => {});
  open.push({ close: () => socket.destroy() });
  return state;
}

async function tcpClient(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, state: collect(socket) };
}

/** A raw TCP server collecting every accepted connection's bytes. */
async function tcpPeer(port = 0) {
  const accepted: Array<ReturnType<typeof collect>> = [];
  const server = net.createServer((s) => accepted.push(collect(s)));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { accepted, port: (server.address() as net.AddressInfo).port };
}

const bytesOf = (m: SipRequest) => serializeMessage(m);
/** Framed and answerable, but refused by the parser (400). */
const malformed = (m: SipRequest) =>
  Buffer.from(bytesOf(m).toString('latin1').replace('Max-Forwards: 70', 'Max-Forwards: x'), 'latin1');

describe('NodeTransport over UDP', () => {
  it('stamps received/rport on a request and answers to the source port', async () => {
    const { sut, inbound } = await start();
    const peer = await udpPeer();
    const request = makeRequest({ method: 'OPTIONS', sentBy: '127.0.0.1:9;rport' });
    peer.socket.send(bytesOf(request), sut.ports.UDP!, '127.0.0.1');
    await until(() => inbound.length === 1);
    const { message, flow } = inbound[0]!;
    expect(flow).toEqual({
      transport: 'UDP',
      remote: { address: '127.0.0.1', port: peer.port },
      local: { address: '127.0.0.1', port: sut.ports.UDP },
      connectionId: null,
    });
    expect(getTopVia(message)).toMatchObject({ received: '127.0.0.1', rport: peer.port, port: 9 });
    sut.sendResponse(createResponse(message as SipRequest, 200, { toTag: 't' }), flow, () => {});
    await until(() => peer.received.length === 1);
    expect(peer.received[0]).toMatchObject({ kind: 'response', status: 200 });
  });

  it('answers a malformed request with 400, drops garbage, and keeps working', async () => {
    const { sut, inbound, drops } = await start();
    const peer = await udpPeer();
    const bad = malformed(makeRequest({ sentBy: '127.0.0.1:9;rport' }));
    peer.socket.send(bad, sut.ports.UDP!, '127.0.0.1');
    peer.socket.send(randomBytes(300), sut.ports.UDP!, '127.0.0.1');
    peer.socket.send(Buffer.from('\r\n\r\n'), sut.ports.UDP!, '127.0.0.1');
    await until(() => peer.received.length === 1 && drops.length === 3);
    expect(peer.received[0]).toMatchObject({ kind: 'response', status: 400 });
    peer.socket.send(
      bytesOf(makeRequest({ method: 'OPTIONS', sentBy: '127.0.0.1:9;rport' })),
      sut.ports.UDP!,
      '127.0.0.1',
    );
    await until(() => inbound.length === 1);
  });

  it('fills in Via on requests, and sends one above 1300 octets over TCP (§18.1.1)', async () => {
    const { sut } = await start();
    const port = await freePort();
    const udp = await udpPeer(port);
    const tcp = await tcpPeer(port);
    const small = sut.sendRequest(
      makeRequest({ method: 'MESSAGE' }),
      { transport: 'UDP', address: '127.0.0.1', port },
      () => {},
    );
    expect(small.target.transport).toBe('UDP');
    await until(() => udp.received.length === 1);
    expect(getTopVia(udp.received[0]!)).toMatchObject({
      transport: 'UDP',
      host: '127.0.0.1',
      port: sut.ports.UDP,
      rport: 'requested',
      branch: 'z9hG4bKabc1',
    });
    const big = makeRequest({
      method: 'MESSAGE',
      branch: 'z9hG4bKbig',
      extra: [`Subject: ${'x'.repeat(1400)}`],
    });
    const sent = sut.sendRequest(big, { transport: 'UDP', address: '127.0.0.1', port }, () => {});
    expect(sent.target.transport).toBe('TCP');
    expect(getTopVia(sent.request)).toMatchObject({ transport: 'TCP', port: sut.ports.TCP });
    await until(() => tcp.accepted[0]?.data.includes('z9hG4bKbig') === true);
    expect(udp.received).toHaveLength(1);
  });

  it('drops a response whose Via is not ours (§18.1.2)', async () => {
    const { sut, inbound, drops } = await start();
    const peer = await udpPeer();
    const foreign = createResponse(makeRequest({ sentBy: '203.0.113.9:5060' }), 200, { toTag: 'x' });
    peer.socket.send(serializeMessage(foreign), sut.ports.UDP!, '127.0.0.1');
    await until(() => drops.length === 1);
    expect(inbound).toHaveLength(0);
  });
});

describe('NodeTransport over TCP', () => {
  it('answers pings, responds over the same connection, and reuses it for requests to that peer', async () => {
    const { sut, inbound } = await start();
    const client = await tcpClient(sut.ports.TCP!);
    client.socket.write('\r\n\r\n');
    await until(() => client.state.data === '\r\n');
    const request = makeRequest({ method: 'OPTIONS', transport: 'TCP', sentBy: '127.0.0.1:9' });
    client.socket.write(bytesOf(request));
    await until(() => inbound.length === 1);
    const { message, flow } = inbound[0]!;
    expect(flow.transport).toBe('TCP');
    expect(flow.connectionId).not.toBeNull();
    expect(flow.remote.port).toBe(client.socket.localPort);
    sut.sendResponse(createResponse(message as SipRequest, 200, { toTag: 't' }), flow, () => {});
    await until(() => client.state.data.includes('SIP/2.0 200 OK'));
    sut.sendRequest(
      makeRequest({ method: 'BYE', branch: 'z9hG4bKbye' }),
      { transport: 'TCP', ...flow.remote },
      () => {},
    );
    await until(() => client.state.data.includes('BYE sip:'));
    expect(sut.connectionCount).toBe(1);
  });

  it('answers a malformed framed message with 400 and keeps the connection; closes on a framing error', async () => {
    const { sut, drops } = await start();
    const client = await tcpClient(sut.ports.TCP!);
    client.socket.write(malformed(makeRequest({ transport: 'TCP' })));
    await until(() => client.state.data.includes('SIP/2.0 400'));
    expect(client.state.closed).toBe(false);
    client.socket.write('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n'); // no Content-Length
    await until(() => client.state.closed);
    expect(drops.some((d) => d.startsWith('framing'))).toBe(true);
    expect(sut.connectionCount).toBe(0);
  });

  it('opens a new connection to received and sent-by port when the request connection is gone (§18.2.2)', async () => {
    const { sut, inbound } = await start();
    const peer = await tcpPeer();
    const client = await tcpClient(sut.ports.TCP!);
    client.socket.write(
      bytesOf(makeRequest({ method: 'OPTIONS', transport: 'TCP', sentBy: `localhost:${peer.port}` })),
    );
    await until(() => inbound.length === 1);
    const { message, flow } = inbound[0]!;
    expect(getTopVia(message).received).toBe('127.0.0.1');
    client.socket.destroy();
    await until(() => sut.connectionCount === 0);
    sut.sendResponse(createResponse(message as SipRequest, 200, { toTag: 't' }), flow, () => {});
    await until(() => peer.accepted[0]?.data.includes('SIP/2.0 200 OK') === true);
  });

  it('reports a refused connection as a transport error', async () => {
    const { sut } = await start();
    const port = await freePort();
    const errors: TransportError[] = [];
    sut.sendRequest(
      makeRequest({ method: 'OPTIONS' }),
      { transport: 'TCP', address: '127.0.0.1', port },
      (e) => errors.push(e),
    );
    await until(() => errors.length === 1);
    expect(errors[0]?.code).toBe('CONNECT_FAILED');
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toHaveLength(1);
  });

  it('enforces the connection limit and the idle timeout', async () => {
    const { sut } = await start({ maxConnections: 2, idleTimeoutMs: 300 });
    const a = await tcpClient(sut.ports.TCP!);
    const b = await tcpClient(sut.ports.TCP!);
    await until(() => sut.connectionCount === 2);
    const c = await tcpClient(sut.ports.TCP!);
    await until(() => c.state.closed);
    expect(a.state.closed || b.state.closed).toBe(false);
    await until(() => a.state.closed && b.state.closed, 2_000);
    expect(sut.connectionCount).toBe(0);
  });

  it('survives random bytes on connections and keeps serving', async () => {
    const { sut, inbound, errors } = await start();
    for (let i = 0; i < 20; i++) {
      const c = await tcpClient(sut.ports.TCP!);
      c.socket.write(
        Buffer.concat([Buffer.from('INVITE sip:a@b SIP/2.0\r\nContent-Length: 5\r\n'), randomBytes(200)]),
      );
      c.socket.write(randomBytes(500));
    }
    const ok = await tcpClient(sut.ports.TCP!);
    ok.socket.write(bytesOf(makeRequest({ method: 'OPTIONS', transport: 'TCP' })));
    await until(() => inbound.length === 1);
    expect(errors).toEqual([]);
  });
});

describe('two stacks talking (transaction layer over NodeTransport)', () => {
  const cert = selfSignedCert();

  async function pair(transport: 'UDP' | 'TCP' | 'TLS') {
    const tlsOptions = { port: 0, key: cert.key, cert: cert.cert, ca: cert.cert };
    const make = async (onRequest: ConstructorParameters<typeof TransactionLayer>[0]['onRequest']) => {
      let layer: TransactionLayer | undefined;
      const t = await NodeTransport.listen({
        host: '127.0.0.1',
        udp: { port: 0 },
        tcp: { port: 0 },
        ...(transport === 'TLS' ? { tls: tlsOptions } : {}),
        onMessage: (m) => layer?.receive(m),
      });
      open.push(t);
      layer = new TransactionLayer({ transport: t, onRequest });
      return { t, layer };
    };
    const server = await make(({ request, transaction }) => {
      transaction?.respond(createResponse(request, 200, { toTag: 'srv' }));
    });
    const client = await make(() => {});
    return { server, client };
  }

  it('reports a TLS server whose certificate it does not trust', async () => {
    const { server } = await pair('TLS');
    const untrusting = await NodeTransport.listen({
      host: '127.0.0.1',
      tls: { port: 0, key: cert.key, cert: cert.cert },
      onMessage: () => {},
    });
    open.push(untrusting);
    const errors: TransportError[] = [];
    untrusting.sendRequest(
      makeRequest({ method: 'OPTIONS' }),
      { transport: 'TLS', address: '127.0.0.1', port: server.t.ports.TLS! },
      (e) => errors.push(e),
    );
    await until(() => errors.length === 1);
    expect(errors[0]?.code).toBe('CONNECT_FAILED');
  });

  for (const transport of ['UDP', 'TCP', 'TLS'] as const) {
    it(`OPTIONS over ${transport}`, async () => {
      const { server, client } = await pair(transport);
      const statuses: number[] = [];
      const tx = client.layer.sendRequest(
        makeRequest({ method: 'OPTIONS', branch: `z9hG4bK${transport}` }),
        { transport, address: '127.0.0.1', port: server.t.ports[transport]! },
        { onResponse: (r) => statuses.push(r.status) },
      );
      await until(() => statuses.length === 1);
      expect(statuses).toEqual([200]);
      expect(tx.target.transport).toBe(transport);
    });
  }
});
