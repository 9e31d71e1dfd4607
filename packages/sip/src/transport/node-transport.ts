import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import type { Via } from '../headers/via';
import type { ParseLimits } from '../limits';
import { getTopVia, type SipRequest, type SipResponse } from '../message';
import { serializeMessage } from '../serializer';
import { type DecodeContext, decodeInbound } from './inbound';
import { defaultPort, responseDestination } from './response-route';
import { StreamConnection } from './stream-connection';
import {
  type Flow,
  type HostPort,
  type InboundMessage,
  type OnTransportError,
  type SentRequest,
  type SipTransport,
  type Target,
  TransportError,
  type TransportProtocol,
} from './types';
import { stampSentBy } from './via-stamp';

export interface TlsOptions {
  readonly port: number;
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** Trusted roots for outbound connections; Node's defaults when absent. */
  readonly ca?: string | Buffer;
  /** Outbound: refuse servers whose certificate does not verify. Default true. */
  readonly rejectUnauthorized?: boolean;
}

export interface NodeTransportOptions {
  /** Address to bind, an IP (`0.0.0.0` is allowed, then set `advertisedHost`). */
  readonly host: string;
  /** sent-by host in our Vias. Default: `host`. */
  readonly advertisedHost?: string;
  /**
   * Port 0 picks a free one (see `ports`). Omit a transport to disable it. `recvBufferSize` and
   * `sendBufferSize` set SO_RCVBUF/SO_SNDBUF in bytes (Linux caps them at net.core.rmem_max/wmem_max
   * and reports double): a burst beyond the receive buffer is dropped by the kernel, unseen by us.
   */
  readonly udp?: {
    readonly port: number;
    readonly recvBufferSize?: number;
    readonly sendBufferSize?: number;
  };
  readonly tcp?: { readonly port: number };
  readonly tls?: TlsOptions;
  /** A UDP request larger than this goes over TCP (§18.1.1: 1300, 200 below a 1500 MTU). */
  readonly udpMaxBytes?: number;
  /** Open TCP + TLS connections, both directions. Over it, accepts are closed and connects refused. */
  readonly maxConnections?: number;
  /** A connection with no traffic for this long is closed. Default 5 min. */
  readonly idleTimeoutMs?: number;
  readonly limits?: Partial<ParseLimits>;
  /** Every received message, with its flow. Exceptions are caught and go to `onError`. */
  readonly onMessage: (inbound: InboundMessage) => void;
  /** Something received was not handed up (parse failure, foreign response, framing error). */
  readonly onDrop?: (reason: string, flow: Flow) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * UDP, TCP and TLS on Node sockets (RFC 3261 §18, RFC 3581). Responses go back over the connection
 * their request came on; requests reuse an open connection to the same address, port and transport.
 * Nothing received can throw out of here: every message goes through `decodeInbound`.
 */
export class NodeTransport implements SipTransport {
  #udp: dgram.Socket | null = null;
  #udpLocal: HostPort = { address: '', port: 0 };
  #tcp: net.Server | null = null;
  #tls: tls.Server | null = null;
  readonly #connections = new Map<number, StreamConnection>();
  /** Open connections by `transport|address|port` of the peer, for reuse. */
  readonly #byPeer = new Map<string, StreamConnection>();
  #nextId = 1;
  #ports: Partial<Record<TransportProtocol, number>> = {};
  readonly #decode: Omit<DecodeContext, 'framing'>;

  private constructor(private readonly options: NodeTransportOptions) {
    this.#decode = {
      limits: options.limits ?? {},
      isOurSentBy: (via) => this.#isOurSentBy(via),
      newTag: () => randomBytes(6).toString('hex'),
    };
  }

  /** Binds every configured transport; rejects (closing what was opened) if any bind fails. */
  static async listen(options: NodeTransportOptions): Promise<NodeTransport> {
    const t = new NodeTransport(options);
    try {
      await t.#open();
    } catch (error) {
      await t.close();
      throw error;
    }
    return t;
  }

  /** SO_RCVBUF of the UDP socket as the kernel reports it (Linux: twice what was asked), or null. */
  get udpRecvBufferSize(): number | null {
    try {
      return this.#udp?.getRecvBufferSize() ?? null;
    } catch {
      return null;
    }
  }

  /** The bound ports. */
  get ports(): Readonly<Partial<Record<TransportProtocol, number>>> {
    return this.#ports;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get #sentByHost(): string {
    return this.options.advertisedHost ?? this.options.host;
  }

  sendRequest(request: SipRequest, target: Target, reportError: OnTransportError): SentRequest {
    const onError = once(reportError);
    let transport = target.transport;
    let stamped = this.#stamp(request, transport);
    let bytes = serializeMessage(stamped);
    const udpMax = this.options.udpMaxBytes ?? 1300;
    if (transport === 'UDP' && bytes.length > udpMax && this.#tcp !== null) {
      transport = 'TCP';
      stamped = this.#stamp(request, transport);
      bytes = serializeMessage(stamped);
    }
    const actual: Target = { ...target, transport };
    if (this.#ports[transport] === undefined) {
      this.#later(onError, new TransportError('NO_TRANSPORT', `${transport} is not enabled`));
    } else if (transport === 'UDP') {
      this.#sendUdp(bytes, actual, onError);
    } else {
      const conn = this.#connectionTo(actual, onError);
      conn?.write(bytes, (e) => onError(new TransportError('SEND_FAILED', e.message)));
    }
    return { request: stamped, target: actual };
  }

  sendResponse(response: SipResponse, flow: Flow, reportError: OnTransportError): void {
    const onError = once(reportError);
    let bytes: Buffer;
    let via: Via;
    try {
      bytes = serializeMessage(response);
      via = getTopVia(response);
    } catch (error) {
      this.#later(onError, new TransportError('SEND_FAILED', String(error)));
      return;
    }
    if (flow.transport === 'UDP') {
      this.#sendUdp(bytes, responseDestination(via, flow), onError);
      return;
    }
    const open = flow.connectionId === null ? undefined : this.#connections.get(flow.connectionId);
    if (open !== undefined && !open.closed) {
      open.write(bytes, (e) => onError(new TransportError('SEND_FAILED', e.message)));
      return;
    }
    // §18.2.2: the connection is gone; open one to received (or sent-by) and sent-by's port.
    const target: Target = { transport: flow.transport, ...responseDestination(via, flow) };
    this.#connectionTo(target, onError)?.write(bytes, (e) =>
      onError(new TransportError('SEND_FAILED', e.message)),
    );
  }

  /** Closes listeners and every connection. */
  async close(): Promise<void> {
    for (const conn of [...this.#connections.values()]) conn.close(null);
    const closing: Promise<void>[] = [];
    if (this.#udp !== null) {
      const udp = this.#udp;
      closing.push(new Promise((resolve) => udp.close(() => resolve())));
    }
    for (const server of [this.#tcp, this.#tls]) {
      if (server !== null) closing.push(new Promise((resolve) => server.close(() => resolve())));
    }
    this.#udp = null;
    this.#tcp = null;
    this.#tls = null;
    await Promise.all(closing);
  }

  async #open(): Promise<void> {
    const { host, udp, tcp, tls: tlsOptions } = this.options;
    if (udp !== undefined) {
      const socket = dgram.createSocket({
        type: net.isIPv6(host) ? 'udp6' : 'udp4',
        ...(udp.recvBufferSize === undefined ? {} : { recvBufferSize: udp.recvBufferSize }),
        ...(udp.sendBufferSize === undefined ? {} : { sendBufferSize: udp.sendBufferSize }),
      });
      this.#udp = socket;
      socket.on('message', (msg, rinfo) => this.#receiveDatagram(msg, rinfo));
      socket.on('error', (error) => this.#reportError(error));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(udp.port, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      const local = socket.address();
      this.#udpLocal = { address: local.address, port: local.port };
      this.#ports.UDP = local.port;
    }
    if (tcp !== undefined) {
      this.#tcp = net.createServer((socket) => this.#accept(socket, 'TCP'));
      this.#ports.TCP = await listen(this.#tcp, host, tcp.port);
    }
    if (tlsOptions !== undefined) {
      this.#tls = tls.createServer({ key: tlsOptions.key, cert: tlsOptions.cert }, (socket) =>
        this.#accept(socket, 'TLS'),
      );
      this.#tls.on('tlsClientError', (error, socket) =>
        this.options.onDrop?.(`TLS handshake: ${error.message}`, {
          transport: 'TLS',
          remote: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
          local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
          connectionId: null,
        }),
      );
      this.#ports.TLS = await listen(this.#tls, host, tlsOptions.port);
    }
  }

  #stamp(request: SipRequest, transport: TransportProtocol): SipRequest {
    const port = this.#ports[transport] ?? defaultPort(transport);
    return {
      ...request,
      headers: stampSentBy(request.headers, transport, { address: this.#sentByHost, port }),
    };
  }

  #isOurSentBy(via: Via): boolean {
    const host = via.host.startsWith('[') ? via.host.slice(1, -1) : via.host;
    if (host.toLowerCase() !== this.#sentByHost.toLowerCase()) return false;
    const transport = via.transport as TransportProtocol;
    const port = via.port ?? defaultPort(transport);
    return this.#ports[transport] === port;
  }

  #sendUdp(bytes: Buffer, target: HostPort, onError: OnTransportError): void {
    const socket = this.#udp;
    if (socket === null) {
      this.#later(onError, new TransportError('NO_TRANSPORT', 'UDP is not enabled'));
      return;
    }
    socket.send(bytes, target.port, target.address, (error) => {
      if (error) onError(new TransportError('SEND_FAILED', error.message));
    });
  }

  /** An open connection to `target`, or a new one; `undefined` (error reported) over the limit. */
  #connectionTo(target: Target, onError: OnTransportError): StreamConnection | undefined {
    const key = peerKey(target.transport, target);
    const existing = this.#byPeer.get(key);
    if (existing !== undefined && !existing.closed) return existing;
    if (this.#connections.size >= (this.options.maxConnections ?? 1024)) {
      this.#later(onError, new TransportError('TOO_MANY_CONNECTIONS', `${this.#connections.size} open`));
      return undefined;
    }
    const tlsOptions = this.options.tls;
    let socket: net.Socket;
    if (target.transport === 'TLS') {
      socket = tls.connect({
        host: target.address,
        port: target.port,
        ...(tlsOptions?.ca === undefined ? {} : { ca: tlsOptions.ca }),
        rejectUnauthorized: tlsOptions?.rejectUnauthorized ?? true,
      });
    } else {
      socket = net.connect({ host: target.address, port: target.port });
    }
    const failed = (error: Error) => onError(new TransportError('CONNECT_FAILED', error.message));
    socket.once('error', failed);
    socket.once(target.transport === 'TLS' ? 'secureConnect' : 'connect', () => socket.off('error', failed));
    return this.#register(socket, target.transport === 'TLS' ? 'TLS' : 'TCP', target);
  }

  #accept(socket: net.Socket, transport: 'TCP' | 'TLS'): void {
    const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    if (this.#connections.size >= (this.options.maxConnections ?? 1024)) {
      this.options.onDrop?.('too many connections', {
        transport,
        remote,
        local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
        connectionId: null,
      });
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    this.#register(socket, transport, remote);
  }

  #register(socket: net.Socket, transport: 'TCP' | 'TLS', remote: HostPort): StreamConnection {
    const conn = new StreamConnection(
      this.#nextId++,
      transport,
      socket,
      remote,
      this.options.idleTimeoutMs ?? 300_000,
      this.options.limits ?? {},
      {
        onFrame: (frame, c) => this.#dispatch(frame, c.flow(), (response) => c.write(response, () => {})),
        onDrop: (reason, c) => this.options.onDrop?.(reason, c.flow()),
        onClose: (c) => {
          this.#connections.delete(c.id);
          const key = peerKey(c.transport, c.remote);
          if (this.#byPeer.get(key) === c) this.#byPeer.delete(key);
        },
      },
    );
    this.#connections.set(conn.id, conn);
    this.#byPeer.set(peerKey(transport, remote), conn);
    return conn;
  }

  #receiveDatagram(bytes: Buffer, rinfo: dgram.RemoteInfo): void {
    const flow: Flow = {
      transport: 'UDP',
      remote: { address: rinfo.address, port: rinfo.port },
      local: this.#udpLocal,
      connectionId: null,
    };
    this.#dispatch(bytes, flow, null);
  }

  /** Decodes and hands up one message; answers a refused request; never throws. */
  #dispatch(bytes: Buffer, flow: Flow, replyOnConnection: ((bytes: Buffer) => void) | null): void {
    try {
      const decoded = decodeInbound(bytes, flow, {
        ...this.#decode,
        framing: flow.transport === 'UDP' ? 'datagram' : 'stream',
      });
      if (decoded.kind === 'message') {
        this.options.onMessage({ message: decoded.message, flow });
        return;
      }
      this.options.onDrop?.(decoded.reason, flow);
      if (decoded.kind === 'reply') {
        if (replyOnConnection !== null) replyOnConnection(serializeMessage(decoded.response));
        else this.sendResponse(decoded.response, flow, () => {});
      }
    } catch (error) {
      this.#reportError(error);
    }
  }

  #reportError(error: unknown): void {
    if (this.options.onError !== undefined) this.options.onError(error);
    else process.emitWarning(error instanceof Error ? error : new Error(String(error)));
  }

  /** Errors are reported after the send call returns, as `SipTransport` promises. */
  #later(onError: OnTransportError, error: TransportError): void {
    queueMicrotask(() => onError(error));
  }
}

/** `SipTransport` reports an error at most once per send. */
function once(onError: OnTransportError): OnTransportError {
  let called = false;
  return (error) => {
    if (called) return;
    called = true;
    onError(error);
  };
}

const peerKey = (transport: TransportProtocol, peer: HostPort): string =>
  `${transport}|${peer.address.toLowerCase()}|${peer.port}`;

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
