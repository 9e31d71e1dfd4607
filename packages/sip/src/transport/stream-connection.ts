import type { Socket } from 'node:net';
import type { ParseLimits } from '../limits';
import { StreamFramer } from '../stream-framer';
import type { Flow, HostPort } from './types';

const CRLF = Buffer.from('\r\n');

export interface StreamConnectionEvents {
  /** One framed message (not yet parsed). */
  readonly onFrame: (frame: Buffer, conn: StreamConnection) => void;
  /** A framing error or a socket error: the connection is being closed. */
  readonly onDrop: (reason: string, conn: StreamConnection) => void;
  readonly onClose: (conn: StreamConnection) => void;
}

/**
 * One TCP or TLS connection: cuts the stream into messages with `StreamFramer`, answers CRLFCRLF
 * pings with a CRLF pong (RFC 5626 §4.4.1), closes on a framing error (the stream cannot be
 * re-synchronised) and after `idleMs` without traffic in either direction.
 */
export class StreamConnection {
  readonly #framer: StreamFramer;
  #closed = false;

  constructor(
    readonly id: number,
    readonly transport: 'TCP' | 'TLS',
    readonly socket: Socket,
    /** For outbound connections, the target (known before the socket connects). */
    readonly remote: HostPort,
    idleMs: number,
    limits: Partial<ParseLimits>,
    private readonly events: StreamConnectionEvents,
  ) {
    this.#framer = new StreamFramer(limits);
    socket.setNoDelay(true);
    socket.setTimeout(idleMs, () => this.close('idle timeout'));
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close(null));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The flow of messages received on this connection. */
  flow(): Flow {
    return {
      transport: this.transport,
      remote: this.remote,
      local: { address: this.socket.localAddress ?? '', port: this.socket.localPort ?? 0 },
      connectionId: this.id,
    };
  }

  /** Queues `bytes` (Node buffers until the socket is connected); `onError` hears of a failed write. */
  write(bytes: Buffer, onError: (error: Error) => void): void {
    if (this.#closed) {
      onError(new Error('connection closed'));
      return;
    }
    this.socket.write(bytes, (error) => {
      if (error) onError(error);
    });
  }

  /** `reason` null: the peer or the socket closed it. */
  close(reason: string | null): void {
    if (this.#closed) return;
    this.#closed = true;
    if (reason !== null) this.events.onDrop(reason, this);
    this.socket.destroy();
    this.events.onClose(this);
  }

  #receive(chunk: Buffer): void {
    for (const event of this.#framer.push(chunk)) {
      if (this.#closed) return;
      if (event.kind === 'message') this.events.onFrame(event.frame, this);
      else if (event.kind === 'ping') this.socket.write(CRLF);
      else this.close(`framing: ${event.code}: ${event.detail}`);
    }
  }
}
