import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUri, type SipUri } from '../uri';
import { CachingDnsClient } from './dns-cache';
import { NodeDnsClient } from './dns-client';
import { type DnsStubServer, startDnsStub } from './dns-stub-server';
import { resolveSipUri } from './sip-target-resolver';

/**
 * RFC 3263 resolution through `node:dns/promises` (c-ares) against a DNS server on 127.0.0.1 that
 * answers from a table in the real wire format.
 */
let stub: DnsStubServer;

beforeAll(async () => {
  stub = await startDnsStub({
    records: {
      'trunk.example': [
        {
          type: 'NAPTR',
          order: 10,
          preference: 10,
          flags: 'S',
          service: 'SIP+D2U',
          regexp: '',
          replacement: '_sip._udp.trunk.example',
        },
      ],
      '_sip._udp.trunk.example': [
        { type: 'SRV', priority: 10, weight: 0, port: 5070, target: 'sbc-b.trunk.example' },
        { type: 'SRV', priority: 5, weight: 0, port: 5060, target: 'sbc-a.trunk.example' },
      ],
      '_sips._tcp.trunk.example': [
        { type: 'SRV', priority: 0, weight: 0, port: 5061, target: 'sbc-a.trunk.example' },
      ],
      'sbc-a.trunk.example': [
        { type: 'A', address: '192.0.2.21', ttl: 120 },
        { type: 'AAAA', address: '2001:db8:0:1::21' },
      ],
      'sbc-b.trunk.example': [{ type: 'A', address: '192.0.2.22' }],
      'nosrv.example': [{ type: 'A', address: '198.51.100.30', ttl: 7 }],
    },
    servfail: ['broken.example'],
  });
});

afterAll(async () => {
  await stub.close();
});

const sip = (text: string) => parseUri(text) as SipUri;
const client = () => new NodeDnsClient({ servers: [stub.address], timeoutMs: 500, tries: 1 });

describe('RFC 3263 over a local DNS stub', () => {
  it('NAPTR → SRV (priority order) → A/AAAA', async () => {
    const r = await resolveSipUri(sip('sip:trunk.example'), { dns: client(), random: () => 0 });
    expect(r).toEqual({
      ok: true,
      transport: 'udp',
      targets: [
        { transport: 'udp', address: '192.0.2.21', port: 5060, family: 4 },
        { transport: 'udp', address: '2001:db8:0:1::21', port: 5060, family: 6 },
        { transport: 'udp', address: '192.0.2.22', port: 5070, family: 4 },
      ],
    });
  });

  it('sips → _sips._tcp on the wire', async () => {
    const before = stub.queries.length;
    const r = await resolveSipUri(sip('sips:trunk.example'), { dns: client(), random: () => 0 });
    expect(r).toMatchObject({
      ok: true,
      transport: 'tls',
      targets: [{ address: '192.0.2.21', port: 5061 }, { family: 6 }],
    });
    expect(stub.queries.slice(before)).toContain('SRV _sips._tcp.trunk.example');
  });

  it('A records on the default port when there is no SRV; NXDOMAIN and SERVFAIL are told apart', async () => {
    const dns = client();
    expect(await resolveSipUri(sip('sip:nosrv.example'), { dns, random: () => 0 })).toMatchObject({
      targets: [{ address: '198.51.100.30', port: 5060 }],
    });
    expect(await resolveSipUri(sip('sip:unknown.example'), { dns, random: () => 0 })).toMatchObject({
      ok: false,
      code: 'DNS_NOT_FOUND',
    });
    expect(await resolveSipUri(sip('sip:broken.example'), { dns, random: () => 0 })).toMatchObject({
      ok: false,
      code: 'DNS_FAILURE',
    });
  });

  it('reads TTLs of A records from the wire and caches by them', async () => {
    expect(await client().a('sbc-a.trunk.example')).toEqual({
      ok: true,
      records: [{ address: '192.0.2.21' }],
      ttlSeconds: 120,
    });
    let now = 0;
    const dns = new CachingDnsClient(client(), { clock: () => now });
    const count = () => stub.queries.filter((q) => q === 'A nosrv.example').length;
    const before = count();
    await dns.a('nosrv.example');
    await dns.a('nosrv.example');
    expect(count()).toBe(before + 1);
    now = 7_000;
    await dns.a('nosrv.example');
    expect(count()).toBe(before + 2);
  });

  it('reports a silent server as an error, not as absence', async () => {
    const silent = await startDnsStub({ records: {}, drop: ['slow.example'] });
    try {
      const dns = new NodeDnsClient({ servers: [silent.address], timeoutMs: 200, tries: 1 });
      expect(await dns.a('slow.example')).toMatchObject({ ok: false, kind: 'error', code: 'ETIMEOUT' });
    } finally {
      await silent.close();
    }
  });
});
