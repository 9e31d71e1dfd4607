// A tiny pcap reader for tests: classic libpcap files (either byte order, µs or ns timestamps) with
// Ethernet, Linux cooked (SLL) or raw IPv4 frames, returning the UDP datagrams in capture order.

export interface CapturedDatagram {
  readonly timeMs: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

export function readPcapUdp(file: Uint8Array): CapturedDatagram[] {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  const magic = view.getUint32(0, false);
  const little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!little && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not a pcap file');
  const nanos = magic === 0x4d3cb2a1 || magic === 0xa1b23c4d;
  const linkType = view.getUint32(20, little);
  const out: CapturedDatagram[] = [];
  for (let o = 24; o + 16 <= file.length; ) {
    const sec = view.getUint32(o, little);
    const frac = view.getUint32(o + 4, little);
    const len = view.getUint32(o + 8, little);
    const frame = file.subarray(o + 16, o + 16 + len);
    o += 16 + len;
    const ip = ipv4Offset(frame, linkType);
    if (ip === undefined || frame.length < ip + 20 || frame[ip]! >> 4 !== 4 || frame[ip + 9] !== 17) continue;
    const udp = ip + (frame[ip]! & 0x0f) * 4;
    const f = new DataView(frame.buffer, frame.byteOffset, frame.length);
    const udpLen = f.getUint16(udp + 4);
    out.push({
      timeMs: sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3),
      src: frame.subarray(ip + 12, ip + 16).join('.'),
      dst: frame.subarray(ip + 16, ip + 20).join('.'),
      srcPort: f.getUint16(udp),
      dstPort: f.getUint16(udp + 2),
      payload: frame.subarray(udp + 8, Math.min(frame.length, udp + udpLen)),
    });
  }
  return out;
}

function ipv4Offset(frame: Uint8Array, linkType: number): number | undefined {
  if (linkType === 1) {
    let o = 12;
    let etherType = (frame[o]! << 8) | frame[o + 1]!;
    while (etherType === 0x8100) {
      o += 4;
      etherType = (frame[o]! << 8) | frame[o + 1]!;
    }
    return etherType === 0x0800 ? o + 2 : undefined;
  }
  if (linkType === 113) return 16; // Linux cooked capture
  if (linkType === 101 || linkType === 228) return 0; // raw IP
  return undefined;
}
