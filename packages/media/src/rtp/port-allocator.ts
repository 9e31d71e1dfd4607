/**
 * UDP ports for RTP from a configured range: an even port for RTP and the next odd one for RTCP
 * (RFC 3550 §11), or the even port alone under rtcp-mux. Ports are handed out round-robin so a port just
 * released is not reused at once (late packets of the old call would land in the new one); ports that
 * another process holds are skipped.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export interface BoundPorts {
  readonly address: string;
  readonly rtpPort: number;
  readonly rtp: Socket;
  /** Absent under rtcp-mux. */
  readonly rtcp: Socket | undefined;
  release(): void;
}

export class PortAllocator {
  readonly #range: PortRange;
  readonly #inUse = new Set<number>();
  #next: number;

  constructor(range: PortRange) {
    const min = range.min + (range.min % 2);
    if (min + 1 > range.max) throw new RangeError(`empty RTP port range ${range.min}-${range.max}`);
    this.#range = { min, max: range.max };
    this.#next = min;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  async allocate(address: string, rtcpMux: boolean): Promise<BoundPorts> {
    const { min, max } = this.#range;
    const slots = Math.floor((max - min + 1) / 2);
    for (let attempt = 0; attempt < slots; attempt++) {
      const port = this.#next;
      this.#next = port + 2 + 1 > max ? min : port + 2;
      if (this.#inUse.has(port)) continue;
      const rtp = await bind(address, port);
      if (!rtp) continue;
      let rtcp: Socket | undefined;
      if (!rtcpMux) {
        rtcp = await bind(address, port + 1);
        if (!rtcp) {
          rtp.close();
          continue;
        }
      }
      this.#inUse.add(port);
      let released = false;
      return {
        address,
        rtpPort: port,
        rtp,
        rtcp,
        release: () => {
          if (released) return;
          released = true;
          this.#inUse.delete(port);
          rtp.close();
          rtcp?.close();
        },
      };
    }
    throw new Error(`no free RTP port in ${min}-${max}`);
  }
}

function bind(address: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    const onError = () => {
      socket.close();
      resolve(undefined);
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
