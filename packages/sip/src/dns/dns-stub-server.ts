import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Test helper: a tiny authoritative DNS server on 127.0.0.1 (UDP) answering from a table, so that
 * `NodeDnsClient` (c-ares) can be tested against the real wire format without the network. Answers A,
 * AAAA, SRV and NAPTR; NXDOMAIN for names absent from the table, NODATA for names present without the
 * type asked, SERVFAIL for names listed in `servfail`, and silence for names in `drop`.
 */
export type StubRecord =
  | { readonly type: 'A' | 'AAAA'; readonly address: string; readonly ttl?: number }
  | {
      readonly type: 'SRV';
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
      readonly ttl?: number;
    }
  | {
      readonly type: 'NAPTR';
      readonly order: number;
      readonly preference: number;
      readonly flags: string;
      readonly service: string;
      readonly regexp: string;
      readonly replacement: string;
      readonly ttl?: number;
    };

export interface StubZone {
  readonly records: Readonly<Record<string, readonly StubRecord[]>>;
  readonly servfail?: readonly string[];
  readonly drop?: readonly string[];
}

const TYPE_CODE = { A: 1, AAAA: 28, SRV: 33, NAPTR: 35 } as const;

export interface DnsStubServer {
  readonly address: string;
  /** Queries received, `TYPE name`, in order. */
  readonly queries: string[];
  close(): Promise<void>;
}

export async function startDnsStub(zone: StubZone): Promise<DnsStubServer> {
  const socket: Socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg: Buffer, peer: RemoteInfo) => {
    const reply = answer(zone, msg, queries);
    if (reply !== null) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answer(zone: StubZone, query: Buffer, log: string[]): Buffer | null {
  if (query.length < 12) return null;
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  // Question: labels, then QTYPE and QCLASS.
  let offset = 12;
  const labels: string[] = [];
  while (offset < query.length && query[offset] !== 0) {
    const len = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + len).toString('ascii'));
    offset += 1 + len;
  }
  offset += 1;
  const qtype = query.readUInt16BE(offset);
  const question = query.subarray(12, offset + 4);
  const name = labels.join('.').toLowerCase();
  const typeName =
    (Object.keys(TYPE_CODE) as (keyof typeof TYPE_CODE)[]).find((t) => TYPE_CODE[t] === qtype) ??
    `TYPE${qtype}`;
  log.push(`${typeName} ${name}`);
  if (zone.drop?.includes(name)) return null;

  const entries = Object.entries(zone.records).find(([n]) => n.toLowerCase() === name)?.[1];
  let rcode = 0;
  let answers: Buffer[] = [];
  if (zone.servfail?.includes(name)) rcode = 2;
  else if (entries === undefined) rcode = 3;
  else answers = entries.filter((r) => TYPE_CODE[r.type] === qtype).map(resourceRecord);

  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  // QR, opcode copied, AA, RD copied, RA, rcode.
  header.writeUInt16BE(0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, question, ...answers]);
}

function resourceRecord(r: StubRecord): Buffer {
  const rdata = recordData(r);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE_CODE[r.type], 0);
  fixed.writeUInt16BE(1, 2); // IN
  fixed.writeUInt32BE(r.ttl ?? 300, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  // Owner name: a compression pointer to the question's name at offset 12.
  return Buffer.concat([Buffer.from([0xc0, 0x0c]), fixed, rdata]);
}

function recordData(r: StubRecord): Buffer {
  switch (r.type) {
    case 'A':
      if (!isIPv4(r.address)) throw new Error(`not IPv4: ${r.address}`);
      return Buffer.from(r.address.split('.').map(Number));
    case 'AAAA':
      if (!isIPv6(r.address)) throw new Error(`not IPv6: ${r.address}`);
      return ipv6Bytes(r.address);
    case 'SRV': {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(r.priority, 0);
      head.writeUInt16BE(r.weight, 2);
      head.writeUInt16BE(r.port, 4);
      return Buffer.concat([head, domainName(r.target)]);
    }
    case 'NAPTR': {
      const head = Buffer.alloc(4);
      head.writeUInt16BE(r.order, 0);
      head.writeUInt16BE(r.preference, 2);
      return Buffer.concat([
        head,
        charString(r.flags),
        charString(r.service),
        charString(r.regexp),
        domainName(r.replacement),
      ]);
    }
  }
}

function domainName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '');
  return Buffer.concat([...labels.map((l) => charString(l)), Buffer.from([0])]);
}

function charString(s: string): Buffer {
  const bytes = Buffer.from(s, 'ascii');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return out;
}
