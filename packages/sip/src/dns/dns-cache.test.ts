import { describe, expect, it } from 'vitest';
import { CachingDnsClient } from './dns-cache';
import type { DnsAnswer, DnsClient } from './dns-client';

function counting(answers: Record<string, DnsAnswer<never>>) {
  const calls: string[] = [];
  const ask = (type: string) => (name: string) => {
    calls.push(`${type} ${name}`);
    return Promise.resolve(
      answers[`${type} ${name}`] ?? ({ ok: false, kind: 'nxdomain', code: 'ENOTFOUND' } as const),
    );
  };
  const client: DnsClient = { naptr: ask('NAPTR'), srv: ask('SRV'), a: ask('A'), aaaa: ask('AAAA') };
  return { client, calls };
}

const ok = (ttlSeconds: number | null) =>
  ({ ok: true, records: [{ address: '192.0.2.1' }], ttlSeconds }) as unknown as DnsAnswer<never>;

describe('CachingDnsClient', () => {
  it('keeps an answer for its TTL on the injected clock, case- and dot-insensitively', async () => {
    let now = 0;
    const { client, calls } = counting({ 'A host.example': ok(30) });
    const sut = new CachingDnsClient(client, { clock: () => now });
    await sut.a('host.example');
    await sut.a('HOST.example.');
    now = 29_999;
    await sut.a('host.example');
    expect(calls).toEqual(['A host.example']);
    now = 30_000;
    await sut.a('host.example');
    expect(calls).toHaveLength(2);
  });

  it('uses the default TTL when the client cannot see one, caps long TTLs, caches negative answers briefly', async () => {
    let now = 0;
    const { client, calls } = counting({ 'SRV _sip._udp.x': ok(null), 'A long': ok(86_400) });
    const sut = new CachingDnsClient(client, {
      clock: () => now,
      defaultTtlSeconds: 10,
      negativeTtlSeconds: 5,
      maxTtlSeconds: 100,
    });
    await sut.srv('_sip._udp.x');
    await sut.a('long');
    await sut.a('missing');
    now = 4_999;
    await Promise.all([sut.srv('_sip._udp.x'), sut.a('long'), sut.a('missing')]);
    expect(calls).toHaveLength(3);
    now = 5_000;
    await sut.a('missing');
    expect(calls).toHaveLength(4);
    now = 10_000;
    await sut.srv('_sip._udp.x');
    now = 100_000;
    await sut.a('long');
    expect(calls).toEqual([
      'SRV _sip._udp.x',
      'A long',
      'A missing',
      'A missing',
      'SRV _sip._udp.x',
      'A long',
    ]);
  });

  it('does not cache errors, and shares one query among concurrent lookups', async () => {
    const { client, calls } = counting({ 'A bad': { ok: false, kind: 'error', code: 'ESERVFAIL' } });
    const sut = new CachingDnsClient(client, { clock: () => 0 });
    await sut.a('bad');
    await sut.a('bad');
    expect(calls).toEqual(['A bad', 'A bad']);
    const [x, y] = await Promise.all([sut.aaaa('same'), sut.aaaa('same')]);
    expect(x).toBe(y);
    expect(calls.filter((c) => c === 'AAAA same')).toHaveLength(1);
  });

  it('bounds its size', async () => {
    const { client, calls } = counting({});
    const sut = new CachingDnsClient(client, { clock: () => 0, maxEntries: 2 });
    for (const n of ['a', 'b', 'c', 'a']) await sut.a(n);
    expect(calls).toEqual(['A a', 'A b', 'A c', 'A a']);
  });
});
