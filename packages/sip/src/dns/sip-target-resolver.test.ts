import { describe, expect, it } from 'vitest';
import { parseUri, type SipUri } from '../uri';
import type { DnsAnswer, DnsClient } from './dns-client';
import type { StubRecord, StubZone } from './dns-stub-server';
import { orderSrv, resolveSipUri, type SipResolverOptions } from './sip-target-resolver';

/** The stub server's zone format, answered in memory (the wire is covered by dns.int.test.ts). */
function tableClient(zone: StubZone, log: string[] = []): DnsClient {
  const ask = <T>(
    type: StubRecord['type'],
    name: string,
    map: (r: StubRecord) => T,
  ): Promise<DnsAnswer<T>> => {
    log.push(`${type} ${name}`);
    if (zone.servfail?.includes(name))
      return Promise.resolve({ ok: false, kind: 'error', code: 'ESERVFAIL' });
    const entries = zone.records[name];
    if (entries === undefined) return Promise.resolve({ ok: false, kind: 'nxdomain', code: 'ENOTFOUND' });
    const records = entries.filter((r) => r.type === type).map(map);
    return Promise.resolve(
      records.length === 0
        ? { ok: false, kind: 'nodata', code: 'ENODATA' }
        : { ok: true, records, ttlSeconds: null },
    );
  };
  return {
    naptr: (n) => ask('NAPTR', n, (r) => r as never),
    srv: (n) =>
      ask('SRV', n, (r) =>
        r.type === 'SRV'
          ? { priority: r.priority, weight: r.weight, port: r.port, name: r.target }
          : (r as never),
      ),
    a: (n) => ask('A', n, (r) => ({ address: (r as { address: string }).address })),
    aaaa: (n) => ask('AAAA', n, (r) => ({ address: (r as { address: string }).address })),
  };
}

const sip = (text: string) => parseUri(text) as SipUri;
const A = (address: string): StubRecord => ({ type: 'A', address });
const AAAA = (address: string): StubRecord => ({ type: 'AAAA', address });
const SRV = (priority: number, weight: number, port: number, target: string): StubRecord => ({
  type: 'SRV',
  priority,
  weight,
  port,
  target,
});
const NAPTR = (order: number, preference: number, service: string, replacement: string): StubRecord => ({
  type: 'NAPTR',
  order,
  preference,
  flags: 's',
  service,
  regexp: '',
  replacement,
});

const ZONE: StubZone = {
  records: {
    'carrier.example': [A('192.0.2.1')],
    '_sip._udp.carrier.example': [
      SRV(10, 60, 5060, 'sbc1.carrier.example'),
      SRV(10, 40, 5070, 'sbc2.carrier.example'),
      SRV(20, 0, 5060, 'backup.carrier.example'),
    ],
    '_sip._tcp.carrier.example': [SRV(10, 0, 5060, 'sbc1.carrier.example')],
    '_sips._tcp.carrier.example': [SRV(10, 0, 5061, 'tls.carrier.example')],
    'sbc1.carrier.example': [A('192.0.2.11'), AAAA('2001:db8::11')],
    'sbc2.carrier.example': [A('192.0.2.12')],
    'backup.carrier.example': [A('192.0.2.13')],
    'tls.carrier.example': [A('192.0.2.14')],
    'naptr.example': [
      NAPTR(50, 10, 'SIP+D2U', '_sip._udp.naptr.example'),
      NAPTR(10, 10, 'SIP+D2T', '_sip._tcp.naptr.example'),
      NAPTR(5, 1, 'SIP+D2S', '_sip._sctp.naptr.example'),
    ],
    '_sip._tcp.naptr.example': [SRV(0, 0, 5080, 'pbx.naptr.example')],
    '_sip._udp.naptr.example': [SRV(0, 0, 5060, 'pbx.naptr.example')],
    'pbx.naptr.example': [AAAA('2001:db8::80')],
    'plain.example': [A('198.51.100.5'), A('198.51.100.6')],
    'empty.example': [],
    'dead.example': [SRV(0, 0, 0, '.')],
    '_sip._udp.dead.example': [SRV(0, 0, 0, '.')],
  },
  servfail: [
    'broken.example',
    '_sip._udp.broken.example',
    '_sip._tcp.broken.example',
    '_sips._tcp.broken.example',
  ],
};

function options(o: Partial<SipResolverOptions> = {}, log: string[] = []): SipResolverOptions {
  return { dns: tableClient(ZONE, log), random: () => 0, ...o };
}

describe('resolveSipUri (RFC 3263)', () => {
  it('uses a numeric host as is: no DNS, default port and transport', async () => {
    const log: string[] = [];
    expect(await resolveSipUri(sip('sip:192.0.2.9'), options({}, log))).toEqual({
      ok: true,
      transport: 'udp',
      targets: [{ transport: 'udp', address: '192.0.2.9', port: 5060, family: 4 }],
    });
    expect(await resolveSipUri(sip('sips:[2001:db8::9]:5071'), options({}, log))).toMatchObject({
      targets: [{ transport: 'tls', address: '2001:db8::9', port: 5071, family: 6 }],
    });
    expect(await resolveSipUri(sip('sip:192.0.2.9;transport=TCP'), options({}, log))).toMatchObject({
      transport: 'tcp',
    });
    expect(log).toEqual([]);
  });

  it('with an explicit port skips NAPTR and SRV: A/AAAA only', async () => {
    const log: string[] = [];
    const r = await resolveSipUri(sip('sip:carrier.example:5080'), options({}, log));
    expect(r).toEqual({
      ok: true,
      transport: 'udp',
      targets: [{ transport: 'udp', address: '192.0.2.1', port: 5080, family: 4 }],
    });
    expect(log).toEqual(['A carrier.example', 'AAAA carrier.example']);
  });

  it('orders SRV by priority, then weight, and resolves each target (IPv4 before IPv6)', async () => {
    const r = await resolveSipUri(sip('sip:carrier.example'), options({ naptr: false }));
    expect(r.ok && r.targets.map((t) => `${t.address}:${t.port}`)).toEqual([
      '192.0.2.11:5060',
      '2001:db8::11:5060',
      '192.0.2.12:5070',
      '192.0.2.13:5060',
    ]);
    const high = await resolveSipUri(
      sip('sip:carrier.example'),
      options({ naptr: false, random: () => 0.99 }),
    );
    expect(high.ok && high.targets.map((t) => t.address)).toEqual([
      '192.0.2.12',
      '192.0.2.11',
      '2001:db8::11',
      '192.0.2.13',
    ]);
    const v6first = await resolveSipUri(
      sip('sip:carrier.example'),
      options({ naptr: false, families: [6, 4] }),
    );
    expect(v6first.ok && v6first.targets[0]!.address).toBe('2001:db8::11');
  });

  it('follows transport=tcp to _sip._tcp, and sips to _sips._tcp', async () => {
    const log: string[] = [];
    const tcp = await resolveSipUri(sip('sip:carrier.example;transport=tcp'), options({}, log));
    expect(tcp).toMatchObject({
      ok: true,
      transport: 'tcp',
      targets: [{ address: '192.0.2.11', port: 5060 }, { address: '2001:db8::11' }],
    });
    expect(log[0]).toBe('SRV _sip._tcp.carrier.example'); // the transport is known: no NAPTR
    const tls = await resolveSipUri(sip('sips:carrier.example'), options());
    expect(tls).toEqual({
      ok: true,
      transport: 'tls',
      targets: [{ transport: 'tls', address: '192.0.2.14', port: 5061, family: 4 }],
    });
  });

  it('takes NAPTR in order, skipping services we do not speak', async () => {
    const r = await resolveSipUri(sip('sip:naptr.example'), options());
    expect(r).toEqual({
      ok: true,
      transport: 'tcp',
      targets: [{ transport: 'tcp', address: '2001:db8::80', port: 5080, family: 6 }],
    });
    const udpOnly = await resolveSipUri(sip('sip:naptr.example'), options({ transports: ['udp'] }));
    expect(udpOnly).toMatchObject({ transport: 'udp', targets: [{ port: 5060 }] });
  });

  it('without NAPTR tries SRV per transport in our preference', async () => {
    const log: string[] = [];
    const r = await resolveSipUri(sip('sip:carrier.example'), options({ transports: ['tcp', 'udp'] }, log));
    expect(r).toMatchObject({ transport: 'tcp' });
    expect(log.slice(0, 2)).toEqual(['NAPTR carrier.example', 'SRV _sip._tcp.carrier.example']);
  });

  it('falls back to A records on the default port when there is no SRV', async () => {
    const r = await resolveSipUri(sip('sip:plain.example'), options());
    expect(r).toEqual({
      ok: true,
      transport: 'udp',
      targets: [
        { transport: 'udp', address: '198.51.100.5', port: 5060, family: 4 },
        { transport: 'udp', address: '198.51.100.6', port: 5060, family: 4 },
      ],
    });
    const secure = await resolveSipUri(sip('sips:plain.example'), options());
    expect(secure).toMatchObject({ transport: 'tls', targets: [{ port: 5061 }, { port: 5061 }] });
  });

  it('uses maddr instead of the host', async () => {
    expect(await resolveSipUri(sip('sip:carrier.example;maddr=192.0.2.77'), options())).toMatchObject({
      targets: [{ address: '192.0.2.77', port: 5060 }],
    });
  });

  it('reports NXDOMAIN and empty names as DNS_NOT_FOUND, SERVFAIL as DNS_FAILURE', async () => {
    expect(await resolveSipUri(sip('sip:nowhere.example'), options())).toMatchObject({
      ok: false,
      code: 'DNS_NOT_FOUND',
    });
    expect(await resolveSipUri(sip('sip:empty.example'), options())).toMatchObject({
      ok: false,
      code: 'DNS_NOT_FOUND',
    });
    expect(await resolveSipUri(sip('sip:dead.example'), options())).toMatchObject({
      ok: false,
      code: 'DNS_NOT_FOUND',
    });
    expect(await resolveSipUri(sip('sip:broken.example'), options())).toMatchObject({
      ok: false,
      code: 'DNS_FAILURE',
    });
  });

  it('refuses what it cannot reach', async () => {
    expect(await resolveSipUri(sip('sip:carrier.example;transport=sctp'), options())).toMatchObject({
      code: 'DNS_BAD_TARGET',
    });
    expect(await resolveSipUri(sip('sips:carrier.example;transport=udp'), options())).toMatchObject({
      code: 'DNS_BAD_TARGET',
    });
    expect(await resolveSipUri(sip('sips:carrier.example'), options({ transports: ['udp'] }))).toMatchObject({
      code: 'DNS_BAD_TARGET',
    });
    expect(
      await resolveSipUri(sip('sip:carrier.example;transport=tls'), options({ transports: ['udp'] })),
    ).toMatchObject({
      code: 'DNS_BAD_TARGET',
    });
  });

  it('never throws, even when the DNS port does', async () => {
    const throwing: DnsClient = {
      naptr: () => Promise.reject(new Error('boom')),
      srv: () => Promise.reject(new Error('boom')),
      a: () => Promise.reject(new Error('boom')),
      aaaa: () => Promise.reject(new Error('boom')),
    };
    expect(await resolveSipUri(sip('sip:carrier.example'), { dns: throwing, random: () => 0 })).toMatchObject(
      { ok: false, code: 'DNS_FAILURE' },
    );
  });
});

describe('orderSrv (RFC 2782)', () => {
  const rec = (priority: number, weight: number, name: string) => ({ priority, weight, port: 5060, name });

  it('picks by weight in proportion over many draws', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const firsts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const first = orderSrv([rec(1, 10, 'a'), rec(1, 30, 'b'), rec(1, 60, 'c')], random)[0]!.name;
      firsts[first] = (firsts[first] ?? 0) + 1;
    }
    expect(firsts.a! / 10_000).toBeCloseTo(0.1, 1);
    expect(firsts.b! / 10_000).toBeCloseTo(0.3, 1);
    expect(firsts.c! / 10_000).toBeCloseTo(0.6, 1);
  });

  it('keeps every record once, priorities ascending, drops "." targets', () => {
    const out = orderSrv(
      [rec(2, 0, 'z'), rec(1, 5, 'a'), rec(1, 0, 'b'), rec(0, 0, '.'), rec(1, 5, 'c')],
      () => 0.5,
    );
    expect(out.map((r) => r.name).sort()).toEqual(['a', 'b', 'c', 'z']);
    expect(out.at(-1)!.name).toBe('z');
    expect(orderSrv([rec(1, 0, 'b'), rec(1, 5, 'a')], () => 0)[0]!.name).toBe('b');
  });
});
