import { describe, expect, it } from 'vitest';
import { AuthFailureBans, defaultBanPolicy } from './auth-failure-bans';
import { BoundedMap } from './bounded-map';
import type { DefenceEvent } from './defence-reason';
import { RateLimiter } from './rate-limiter';
import { KNOWN_SCANNER_AGENTS, matchScannerAgent } from './scanner-agents';
import { SipDefence, type SipDefenceOptions } from './sip-defence';
import { sourceKey } from './source-key';

const T0 = 1_700_000_000_000;

function make(o: Partial<SipDefenceOptions> = {}) {
  const events: DefenceEvent[] = [];
  let now = T0;
  const sut = new SipDefence({ clock: () => now, counters: (e) => events.push(e), ...o });
  return { sut, events, advance: (ms: number) => (now += ms), now: () => now };
}

const req = (
  sourceIp: string,
  userAgent: string | null = 'Yealink SIP-T46S 66.86.0.15',
  method = 'INVITE',
) => ({
  sourceIp,
  userAgent,
  method,
});

describe('scanner User-Agents', () => {
  it.each([
    'friendly-scanner',
    'Friendly-Scanner',
    'sipvicious',
    'SIPVicious PRO 1.0',
    'pplsip',
    'sipcli/v1.8',
    'VaxSIPUserAgent/3.1',
    'VaxIPUserAgent/3.5',
    'sundayddr',
    'iWar',
    'sip-scan',
    'SIVuS',
    'smap 0.6.0',
    'siparmyknife',
  ])('drops %s', (ua) => {
    const { sut, events } = make();
    expect(sut.inspectRequest({ ...req('198.51.100.1', ua), now: T0 })).toEqual({
      action: 'drop',
      reason: 'SCANNER_USER_AGENT',
    });
    expect(events).toEqual([
      {
        kind: 'blocked',
        reason: 'SCANNER_USER_AGENT',
        action: 'drop',
        sourceIp: '198.51.100.1',
        method: 'INVITE',
      },
    ]);
  });

  it.each([
    'Yealink SIP-T46S',
    'Zoiper rv2.10',
    'baresip v3.10.1 (x86_64/linux)',
    'Asterisk PBX 20.5.0',
    'PortSIP VoIP SDK 19.2',
    'sipp',
    null,
    '',
  ])('lets %s through', (ua) => {
    expect(matchScannerAgent(ua)).toBeNull();
  });

  it('takes extra entries and replacement lists', () => {
    const { sut } = make({ extraScannerAgents: ['PortSIP VoIP SDK'] });
    expect(sut.inspectRequest(req('198.51.100.1', 'PortSIP VoIP SDK 11.2'))).toMatchObject({
      action: 'drop',
    });
    expect(matchScannerAgent('friendly-scanner', ['only-this'])).toBeNull();
    expect(KNOWN_SCANNER_AGENTS.every((a) => a === a.toLowerCase())).toBe(true);
  });
});

describe('rate limit per source', () => {
  it('allows the burst, then the sustained rate, and drops the excess', () => {
    const { sut, events, advance } = make({
      rateLimit: { ratePerSecond: 2, burst: 3, maxTrackedSources: 10 },
    });
    const verdicts = () => Array.from({ length: 4 }, () => sut.inspectRequest(req('198.51.100.7')).action);
    expect(verdicts()).toEqual(['allow', 'allow', 'allow', 'drop']);
    advance(499);
    expect(sut.inspectRequest(req('198.51.100.7')).action).toBe('drop');
    advance(1);
    expect(sut.inspectRequest(req('198.51.100.7')).action).toBe('allow');
    expect(sut.inspectRequest(req('198.51.100.8')).action).toBe('allow');
    expect(events.filter((e) => e.kind === 'blocked').map((e) => e.kind === 'blocked' && e.reason)).toEqual([
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
  });

  it('rejects with 503 when configured, but never answers an ACK', () => {
    const { sut } = make({
      rateLimit: { ratePerSecond: 1, burst: 1, maxTrackedSources: 10 },
      rateLimitAction: 'reject',
    });
    sut.inspectRequest(req('198.51.100.7'));
    expect(sut.inspectRequest(req('198.51.100.7'))).toEqual({
      action: 'reject',
      status: 503,
      reason: 'RATE_LIMITED',
    });
    expect(sut.inspectRequest(req('198.51.100.7', null, 'ACK'))).toEqual({
      action: 'drop',
      reason: 'RATE_LIMITED',
    });
  });

  it('treats an IPv6 /64 as one source and IPv4-mapped addresses as IPv4', () => {
    const { sut } = make({ rateLimit: { ratePerSecond: 1, burst: 2, maxTrackedSources: 10 } });
    expect(sut.inspectRequest(req('2001:db8:1:2::1')).action).toBe('allow');
    expect(sut.inspectRequest(req('2001:db8:1:2:ffff::9')).action).toBe('allow');
    expect(sut.inspectRequest(req('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).action).toBe('drop');
    expect(sut.inspectRequest(req('2001:db8:1:3::1')).action).toBe('allow');
    expect(sut.inspectRequest(req('::ffff:192.0.2.1')).action).toBe('allow');
    expect(sut.inspectRequest(req('192.0.2.1')).action).toBe('allow');
    expect(sut.inspectRequest(req('192.0.2.1')).action).toBe('drop');
  });

  it('never limits trusted sources (trunk providers)', () => {
    const { sut } = make({
      rateLimit: { ratePerSecond: 1, burst: 1, maxTrackedSources: 10 },
      trustedSources: ['203.0.113.5'],
    });
    for (let i = 0; i < 50; i++)
      expect(sut.inspectRequest(req('203.0.113.5', 'friendly-scanner')).action).toBe('allow');
  });

  it('survives a clock that steps back without refilling', () => {
    const sut = new RateLimiter({ ratePerSecond: 1, burst: 1, maxTrackedSources: 10 });
    expect(sut.take('a', 10_000)).toBe(true);
    expect(sut.take('a', 5_000)).toBe(false);
    expect(sut.take('a', 10_999)).toBe(false);
    expect(sut.take('a', 11_000)).toBe(true);
  });

  it('bounds memory under a flood of distinct sources and reports evictions', () => {
    const { sut, events } = make({ rateLimit: { ratePerSecond: 1, burst: 1, maxTrackedSources: 1_000 } });
    for (let i = 0; i < 5_000; i++)
      sut.inspectRequest(req(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
    expect(events.filter((e) => e.kind === 'evicted' && e.table === 'rate')).toHaveLength(4_000);
  });
});

describe('bans after failed authentication', () => {
  const policy = {
    ...defaultBanPolicy,
    maxFailures: 3,
    windowMs: 10_000,
    banMs: 60_000,
    growthFactor: 2,
    maxBanMs: 200_000,
  };

  it('bans after maxFailures within the window and drops the source until the ban ends', () => {
    const { sut, events, advance } = make({ bans: policy });
    sut.authFailed('198.51.100.9');
    sut.authFailed('198.51.100.9');
    expect(sut.inspectRequest(req('198.51.100.9')).action).toBe('allow');
    sut.authFailed('198.51.100.9');
    expect(events).toContainEqual({
      kind: 'banned',
      sourceIp: '198.51.100.9',
      durationMs: 60_000,
      offence: 1,
    });
    expect(sut.inspectRequest(req('198.51.100.9'))).toEqual({ action: 'drop', reason: 'IP_BANNED' });
    expect(sut.inspectRequest(req('198.51.100.10')).action).toBe('allow');
    advance(59_999);
    expect(sut.bannedFor('198.51.100.9')).toBe(1);
    advance(1);
    expect(sut.inspectRequest(req('198.51.100.9')).action).toBe('allow');
  });

  it('forgets failures older than the window (sliding, not fixed)', () => {
    const { sut, advance } = make({ bans: policy });
    sut.authFailed('198.51.100.9'); // t=0
    advance(6_000);
    sut.authFailed('198.51.100.9'); // t=6s
    advance(4_001);
    sut.authFailed('198.51.100.9'); // t=10.001s: the first fell out of the window
    expect(sut.bannedFor('198.51.100.9')).toBe(0);
    advance(1_000);
    sut.authFailed('198.51.100.9'); // three within 10 s: 6, 10.001, 11.001
    expect(sut.bannedFor('198.51.100.9')).toBe(60_000);
  });

  it('a success wipes recent failures', () => {
    const { sut } = make({ bans: policy });
    sut.authFailed('198.51.100.9');
    sut.authFailed('198.51.100.9');
    sut.authSucceeded('198.51.100.9');
    sut.authFailed('198.51.100.9');
    expect(sut.bannedFor('198.51.100.9')).toBe(0);
  });

  it('bans repeat offenders longer, up to the cap, and forgives after the offence memory', () => {
    const { sut, events, advance } = make({ bans: { ...policy, offenceMemoryMs: 1_000_000 } });
    const offend = () => {
      for (let i = 0; i < 3; i++) sut.authFailed('198.51.100.9');
    };
    const durations: number[] = [];
    for (let round = 0; round < 4; round++) {
      if (round > 0) advance(durations.at(-1)!);
      offend();
      durations.push(sut.bannedFor('198.51.100.9'));
    }
    expect(durations).toEqual([60_000, 120_000, 200_000, 200_000]);
    advance(1_000);
    offend(); // failures while banned neither extend the ban nor count as an offence
    expect(sut.bannedFor('198.51.100.9')).toBe(199_000);
    advance(199_000 + 1_000_000);
    offend();
    expect(sut.bannedFor('198.51.100.9')).toBe(60_000);
    expect(events.filter((e) => e.kind === 'banned').map((e) => e.kind === 'banned' && e.offence)).toEqual([
      1, 2, 3, 4, 1,
    ]);
  });

  it('keeps bans when a flood of one-failure sources overflows the failure table', () => {
    const { sut, events } = make({ bans: { ...policy, maxTrackedSources: 100, maxBans: 100 } });
    for (let i = 0; i < 3; i++) sut.authFailed('198.51.100.9');
    for (let i = 0; i < 10_000; i++) sut.authFailed(`10.0.${i >> 8}.${i & 255}`);
    expect(sut.bannedFor('198.51.100.9')).toBe(60_000);
    expect(events.filter((e) => e.kind === 'evicted' && e.table === 'failures').length).toBe(10_000 - 100);
  });

  it('bounds the ban table, forgetting the oldest ban first', () => {
    const sut = new AuthFailureBans({ ...policy, maxFailures: 1, maxBans: 2 });
    sut.failed('a', 0);
    sut.failed('b', 1);
    sut.failed('c', 2);
    expect([sut.bannedFor('a', 3), sut.bannedFor('b', 3) > 0, sut.bannedFor('c', 3) > 0]).toEqual([
      0,
      true,
      true,
    ]);
    expect(sut.bans).toBe(2);
  });

  it('never bans trusted sources', () => {
    const { sut } = make({ bans: policy, trustedSources: ['203.0.113.5'] });
    for (let i = 0; i < 10; i++) sut.authFailed('203.0.113.5');
    expect(sut.bannedFor('203.0.113.5')).toBe(0);
  });
});

describe('helpers', () => {
  it('sourceKey', () => {
    expect(sourceKey('192.0.2.1')).toBe('192.0.2.1');
    expect(sourceKey('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('2001:0db8:0000:0000:1:2:3:4')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceKey('::1.2.3.4')).toBe('0:0:0:0::/64');
    expect(sourceKey('not-an-ip')).toBe('not-an-ip');
  });

  it('BoundedMap evicts the least recently used', () => {
    const evicted: string[] = [];
    const sut = new BoundedMap<string, number>(2, (k) => evicted.push(k));
    sut.set('a', 1);
    sut.set('b', 2);
    sut.get('a');
    sut.set('c', 3);
    expect(evicted).toEqual(['b']);
    expect([sut.peek('a'), sut.peek('b'), sut.peek('c'), sut.size]).toEqual([1, undefined, 3, 2]);
    expect(() => new BoundedMap(0)).toThrow(RangeError);
  });
});
