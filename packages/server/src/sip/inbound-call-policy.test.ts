import { describe, expect, it } from 'vitest';
import { BlockLog } from './block-log';
import { calledNumber, decideInboundCall } from './inbound-call-policy';
import { type DirectoryTrunk, TrunkDirectory } from './trunk-directory';

function trunk(over: Partial<DirectoryTrunk> & Pick<DirectoryTrunk, 'id' | 'tenantId'>): DirectoryTrunk {
  return {
    name: over.id,
    enabled: true,
    allowedCidrs: [],
    inboundUsername: null,
    inboundHa1: null,
    proxy: null,
    transport: 'auto',
    outboundUsername: null,
    outboundPassword: null,
    register: false,
    registerExpiresSec: 3600,
    keepAliveSec: 30,
    ...over,
  };
}

const carrierA = trunk({ id: 'ta', tenantId: 'A', allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'] });
const carrierB = trunk({ id: 'tb', tenantId: 'B', allowedCidrs: ['203.0.113.0/24'] });
const digestB = trunk({
  id: 'td',
  tenantId: 'B',
  inboundUsername: 'pbx-b',
  inboundHa1: { md5: 'md5-ha1', sha256: 'sha-ha1' },
  allowedCidrs: ['198.51.100.7'],
});
const off = trunk({ id: 'off', tenantId: 'A', enabled: false, allowedCidrs: ['192.0.2.0/24'] });
const sut = new TrunkDirectory(
  [carrierA, carrierB, digestB, off],
  [
    { number: '+442079460001', tenantId: 'A', trunkId: 'ta' },
    { number: '+442079460002', tenantId: 'B', trunkId: 'tb' },
    { number: '+442079460003', tenantId: 'B', trunkId: 'td' },
    { number: '+442079460004', tenantId: 'A', trunkId: 'off' },
  ],
);
const invite = (sourceIp: string, number: string | null, user: string | null = null) => ({
  sourceIp,
  authenticatedUser: user,
  requestUser: number,
  toUser: null,
});

describe('inbound call policy', () => {
  it('refuses a source no trunk accepts with 403, before looking at the number', () => {
    for (const [ip, number] of [
      ['192.0.2.9', '+442079460001'],
      ['192.0.2.9', '+15550000000'],
      ['198.51.100.7', '+442079460003'], // the digest trunk's address, but not authenticated
      ['192.0.2.1', '+442079460004'], // a disabled trunk's allow-list
    ] as const) {
      const d = decideInboundCall(sut, invite(ip, number));
      expect(d, `${ip} → ${number}`).toMatchObject({ status: 403, refusal: 'UNKNOWN_SOURCE' });
    }
  });

  it('answers 404 for a number no accepting trunk has, 480 with a Reason for a known one', () => {
    expect(decideInboundCall(sut, invite('203.0.113.50', '+15550000000'))).toMatchObject({
      status: 404,
      refusal: 'UNKNOWN_NUMBER',
      match: { ok: false, number: '+15550000000' },
    });
    const known = decideInboundCall(sut, invite('203.0.113.50', '442079460001'));
    expect(known).toMatchObject({
      status: 480,
      refusal: 'NOT_ROUTED_YET',
      match: { ok: true, tenantId: 'A', trunkId: 'ta', number: '+442079460001' },
    });
    expect(known.headers[0]).toMatchObject({ name: 'Reason', value: expect.stringContaining('cause=480') });
    expect(decideInboundCall(sut, invite('2001:db8::5', '+442079460001')).status).toBe(480);
    expect(decideInboundCall(sut, invite('::ffff:203.0.113.9', '+442079460001')).status).toBe(480);
  });

  it('finds a number only through a trunk that accepts the source (no reaching across tenants)', () => {
    // 203.0.113.0/24 is allowed by A's and B's carrier trunks: both tenants' carrier numbers are found…
    expect(decideInboundCall(sut, invite('203.0.113.1', '+442079460002')).match).toMatchObject({
      ok: true,
      tenantId: 'B',
    });
    // …but not B's PBX number, which only comes in over the digest trunk.
    expect(decideInboundCall(sut, invite('203.0.113.1', '+442079460003')).status).toBe(404);
    // The digest user must also come from its trunk's allowed address.
    expect(decideInboundCall(sut, invite('198.51.100.7', '+442079460003', 'pbx-b')).status).toBe(480);
    expect(decideInboundCall(sut, invite('198.51.100.8', '+442079460003', 'pbx-b')).status).toBe(403);
    expect(decideInboundCall(sut, invite('198.51.100.7', '+442079460001', 'pbx-b')).status).toBe(404);
  });

  it('skips digest for allow-listed sources only while some trunk uses digest', () => {
    expect(sut.skipsDigest('203.0.113.77')).toBe(true);
    expect(sut.skipsDigest('198.51.100.7')).toBe(false); // digest + allow-list: both required
    expect(sut.skipsDigest('192.0.2.9')).toBe(false);
    expect(sut.ha1('pbx-b', 'MD5')).toBe('md5-ha1');
    expect(sut.ha1('pbx-b', 'SHA-256-sess')).toBe('sha-ha1');
    expect(sut.ha1('nobody', 'MD5')).toBeNull();
    const noDigest = new TrunkDirectory([carrierA], []);
    expect(noDigest.skipsDigest('192.0.2.9')).toBe(true); // then the policy answers 403
    expect(decideInboundCall(noDigest, invite('192.0.2.9', '+442079460001')).status).toBe(403);
  });

  it('reports malformed allow-list entries and ignores them', () => {
    const d = new TrunkDirectory(
      [trunk({ id: 'x', tenantId: 'A', allowedCidrs: ['10.0.0.0/33', 'nope'] })],
      [],
    );
    expect(d.badCidrs.map((b) => b.cidr)).toEqual(['10.0.0.0/33', 'nope']);
    expect(d.acceptingTrunks('10.0.0.1', null)).toEqual([]);
  });

  it('reads the called number from the Request-URI, else To', () => {
    expect(calledNumber({ requestUser: '+44%2020%207946%200958', toUser: null })).toBe('+442079460958');
    expect(calledNumber({ requestUser: '4420-7946-0958;npdi', toUser: null })).toBe('+442079460958');
    expect(calledNumber({ requestUser: 'hotline', toUser: '+15551234567' })).toBe('+15551234567');
    expect(calledNumber({ requestUser: '%zz', toUser: null })).toBeNull();
    expect(calledNumber({ requestUser: null, toUser: null })).toBeNull();
  });
});

describe('block log', () => {
  it('writes at most `burst` lines per reason and window, then says how many it left out', () => {
    let now = 0;
    const lines: Record<string, unknown>[] = [];
    const sut = new BlockLog(
      (fields) => lines.push(fields),
      () => now,
      2,
      1_000,
    );
    for (let i = 0; i < 5; i++) sut.blocked('SCANNER_USER_AGENT', { i }, 'blocked');
    sut.blocked('IP_BANNED', { i: 9 }, 'blocked');
    expect(lines.map((l) => [l.reason, l.i])).toEqual([
      ['SCANNER_USER_AGENT', 0],
      ['SCANNER_USER_AGENT', 1],
      ['IP_BANNED', 9],
    ]);
    now = 1_000;
    sut.blocked('SCANNER_USER_AGENT', { i: 6 }, 'blocked');
    expect(lines.at(-1)).toEqual({ reason: 'SCANNER_USER_AGENT', i: 6, suppressedBefore: 3 });
  });
});
