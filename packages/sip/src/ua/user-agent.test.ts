import { describe, expect, it } from 'vitest';
import { defaultBanPolicy } from '../defence/auth-failure-bans';
import { SipDefence } from '../defence/sip-defence';
import { digestHa1 } from '../digest';
import { getCSeq, headerValues, type SipRequest } from '../message';
import { FakeTimers } from '../test-support/fake-timers';
import { MemoryNetwork } from '../test-support/memory-network';
import { parseUri } from '../uri';
import type { CallEnd } from './call-base';
import type { IncomingCall } from './incoming-call';
import { UserAgent, type UserAgentOptions } from './user-agent';

const A = { address: '10.0.0.1', port: 5060 };
const B = { address: '10.0.0.2', port: 5060 };
const media = (port: number) => ({ address: '10.0.0.99', port });
const secret = new Uint8Array(32).fill(7);

interface Pair {
  clock: FakeTimers;
  net: MemoryNetwork;
  alice: UserAgent;
  bob: UserAgent;
  incoming: IncomingCall[];
  errors: unknown[];
}

/** Two user agents on an in-memory network; Bob hands incoming calls to `onCall` (default: answer). */
function pair(
  onCall: (call: IncomingCall) => void = (c) => c.answer(media(4000)),
  bobOptions: Partial<UserAgentOptions> = {},
  aliceOptions: Partial<UserAgentOptions> = {},
): Pair {
  const clock = new FakeTimers();
  const net = new MemoryNetwork(clock);
  const incoming: IncomingCall[] = [];
  const errors: unknown[] = [];
  let alice: UserAgent | undefined;
  let bob: UserAgent | undefined;
  const common = {
    timers: clock,
    now: () => 1_700_000_000_000 + clock.now,
    onError: (e: unknown) => errors.push(e),
  };
  alice = new UserAgent({
    transport: net.endpoint(A.address, A.port, (m) => alice?.receive(m)),
    host: A.address,
    ports: { UDP: A.port },
    ...common,
    ...aliceOptions,
  });
  bob = new UserAgent({
    transport: net.endpoint(B.address, B.port, (m) => bob?.receive(m)),
    host: B.address,
    ports: { UDP: B.port },
    onIncomingCall: (c) => {
      incoming.push(c);
      onCall(c);
    },
    ...common,
    ...bobOptions,
  });
  return { clock, net, alice, bob, incoming, errors };
}

const bobUri = parseUri('sip:bob@10.0.0.2:5060');

describe('UserAgent calls on an in-memory network', () => {
  it('INVITE → 100/180/200 → ACK → BYE → 200, with SDP offer/answer', () => {
    const p = pair((c) => {
      c.ring();
      c.answer(media(4000));
    });
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    const events: string[] = [];
    call.on('progress', (s) => events.push(`progress ${s}`));
    call.on('answered', (audio) => events.push(`answered ${audio?.remotePort}`));
    call.on('confirmed', () => events.push('confirmed'));
    p.clock.advance(10);
    expect(events).toEqual(['progress 180', 'answered 4000', 'confirmed']);
    const bobCall = p.incoming[0]!;
    expect(bobCall.state).toBe('confirmed');
    expect(bobCall.audio?.remotePort).toBe(5000);
    expect(bobCall.audio?.codecs.map((c) => c.name)).toEqual(['PCMU', 'PCMA']);
    let ended: CallEnd | null = null;
    bobCall.on('ended', (e) => (ended = e));
    call.hangUp();
    p.clock.advance(10);
    expect(ended).toEqual({ by: 'remote', cause: 'bye' });
    expect(p.net.responses(200).map((r) => getCSeq(r).method)).toEqual(['INVITE', 'BYE']);
    expect(p.alice.dialogCount + p.bob.dialogCount).toBe(0);
    expect(p.errors).toEqual([]);
  });

  it('retransmits the 200 until the ACK when ACKs are lost, then stops', () => {
    const p = pair();
    let acksLost = 0;
    p.net.drop = (m) => m.kind === 'request' && m.method === 'ACK' && acksLost++ < 2;
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    expect(call.state).toBe('confirmed');
    p.clock.advance(5_000);
    const bobCall = p.incoming[0]!;
    expect(bobCall.state).toBe('confirmed');
    expect(bobCall.okRetransmissions).toBe(2);
    expect(p.net.requests('ACK')).toHaveLength(3);
    p.clock.advance(60_000);
    expect(p.net.responses(200)).toHaveLength(3);
  });

  it('gives up after 64·T1 without ACK and sends BYE', () => {
    const p = pair();
    p.net.drop = (m) => m.kind === 'request' && m.method === 'ACK';
    p.alice.call({ to: bobUri, media: media(5000) });
    let ended: CallEnd | null = null;
    p.clock.advance(10);
    p.incoming[0]!.on('ended', (e) => (ended = e));
    p.clock.advance(40_000);
    expect(ended).toEqual({ by: 'local', cause: 'ack-timeout' });
    expect(p.net.requests('BYE')).toHaveLength(1);
  });

  it('CANCEL of a ringing call: 200 to the CANCEL, 487 to the INVITE, both sides ended', () => {
    const p = pair((c) => c.ring());
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    let aliceEnd: CallEnd | null = null;
    let bobEnd: CallEnd | null = null;
    call.on('ended', (e) => (aliceEnd = e));
    p.clock.advance(10);
    p.incoming[0]!.on('ended', (e) => (bobEnd = e));
    call.hangUp();
    p.clock.advance(10);
    expect(bobEnd).toEqual({ by: 'remote', cause: 'cancelled', status: 487 });
    expect(aliceEnd).toEqual({ by: 'local', cause: 'cancelled', status: 487 });
    expect(p.net.responses(487)).toHaveLength(1);
    expect(p.net.requests('ACK')).toHaveLength(1); // the transaction's ACK of the 487
  });

  it('defers the CANCEL until a provisional arrived (§9.1)', () => {
    const p = pair(() => {}, { sendTrying: false });
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    call.hangUp();
    p.clock.advance(10);
    expect(p.net.requests('CANCEL')).toHaveLength(0);
    p.incoming[0]!.ring();
    p.clock.advance(10);
    expect(p.net.requests('CANCEL')).toHaveLength(1);
    expect(call.state).toBe('ended');
  });

  it('rejects with the status given and ends both sides', () => {
    const p = pair((c) => c.reject(486));
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    let end: CallEnd | null = null;
    call.on('ended', (e) => (end = e));
    p.clock.advance(10);
    expect(end).toEqual({ by: 'remote', cause: 'rejected', status: 486 });
  });

  it('answers 488 to an offer without a common codec', () => {
    const p = pair((c) => c.answer({ ...media(4000), codecs: ['PCMA'] }));
    const call = p.alice.call({ to: bobUri, media: { ...media(5000), codecs: ['PCMU'] } });
    let end: CallEnd | null = null;
    call.on('ended', (e) => (end = e));
    p.clock.advance(10);
    expect(end).toMatchObject({ cause: 'rejected', status: 488 });
  });

  it('hold and resume by re-INVITE: both sides see the new direction', () => {
    const p = pair();
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    const bobCall = p.incoming[0]!;
    const seen: string[] = [];
    bobCall.on('media', (a) => seen.push(`bob ${a.remoteHold ? 'held' : 'active'} send=${a.send}`));
    call.on('media', (a) => seen.push(`alice send=${a.send} recv=${a.recv}`));
    expect(call.hold()).toBe(true);
    expect(call.hold()).toBe(false); // one re-INVITE at a time
    p.clock.advance(10);
    expect(call.resume()).toBe(true);
    p.clock.advance(10);
    expect(seen).toEqual([
      'bob held send=false',
      'alice send=true recv=false',
      'bob active send=true',
      'alice send=true recv=true',
    ]);
    const invites = p.net.requests('INVITE');
    expect(invites.map((r) => getCSeq(r).seq)).toEqual([1, 2, 3]);
    expect(invites[1]!.body.toString()).toContain('a=sendonly');
    expect(p.net.requests('ACK')).toHaveLength(3);
  });

  it('changes codec by re-INVITE from the answerer side', () => {
    const p = pair();
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    const bobCall = p.incoming[0]!;
    expect(bobCall.reoffer({ codecs: [{ name: 'PCMA', payloadType: 8 }] })).toBe(true);
    p.clock.advance(10);
    expect(bobCall.audio?.codecs.map((c) => c.name)).toEqual(['PCMA']);
    expect(call.audio?.codecs.map((c) => c.name)).toEqual(['PCMA']);
    // The UAS's first request in the dialog starts its own CSeq space.
    expect(getCSeq(p.net.requests('INVITE')[1]!).seq).toBe(1);
  });

  it('glare: both re-INVITE at once, both get 491, and the back-off resolves it', () => {
    const p = pair(undefined, { random: () => 0.1 }, { random: () => 0.1 });
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    const bobCall = p.incoming[0]!;
    expect(call.hold()).toBe(true);
    expect(bobCall.hold()).toBe(true);
    p.clock.advance(10);
    expect(p.net.responses(491)).toHaveLength(2);
    // Bob (not the Call-ID owner) retries after 0–2 s, Alice after 2.1–4 s.
    p.clock.advance(5_000);
    expect(p.net.responses(491)).toHaveLength(2);
    const reinvites = p.net.requests('INVITE').slice(1);
    expect(reinvites).toHaveLength(4);
    expect(call.audio?.send).toBe(false); // both hold: inactive
    expect(bobCall.audio?.recv).toBe(false);
  });

  it('rejects a request with a lower CSeq in the dialog with 500', () => {
    const p = pair();
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    const bye = p.net.requests('ACK')[0]!;
    // Replay the initial INVITE's CSeq as an OPTIONS in the dialog: out of order.
    const stale: SipRequest = {
      ...bye,
      method: 'OPTIONS',
      headers: bye.headers.map((h) =>
        h.name === 'CSeq'
          ? { name: 'CSeq', value: '1 OPTIONS' }
          : h.name === 'Via'
            ? { name: 'Via', value: 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKstale' }
            : h,
      ),
    };
    p.net.deliver(stale, A, B);
    p.clock.advance(10);
    expect(p.net.responses(500)).toHaveLength(1);
    expect(call.state).toBe('confirmed');
  });

  it('OPTIONS in and out of dialog get 200', async () => {
    const p = pair();
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    const status = call.options();
    p.clock.advance(10);
    await expect(status).resolves.toBe(200);
    const pinger = p.alice.pinger({ uri: bobUri, target: { transport: 'UDP', ...B }, intervalMs: 1000 });
    const statuses: string[] = [];
    pinger.on('status', (s) => statuses.push(s));
    pinger.start();
    p.clock.advance(10);
    expect(pinger.status).toBe('up');
    p.net.drop = (m) => m.kind === 'request' && m.method === 'OPTIONS';
    p.clock.advance(80_000);
    expect(statuses).toEqual(['up', 'down']);
    p.net.drop = () => false;
    p.clock.advance(40_000);
    expect(statuses).toEqual(['up', 'down', 'up']);
    pinger.stop();
    const okOptions = p.net.responses(200).filter((r) => getCSeq(r).method === 'OPTIONS');
    expect(headerValues(okOptions[0]!, 'Allow')[0]).toContain('INVITE');
  });

  it('answers BYE outside a dialog with 481', () => {
    const p = pair();
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    p.incoming[0]!.hangUp();
    p.clock.advance(10);
    expect(call.state).toBe('ended');
    const bye = p.net.requests('BYE')[0]!;
    p.net.deliver(
      {
        ...bye,
        headers: bye.headers.map((h) =>
          h.name === 'Via' ? { ...h, value: 'SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKagain' } : h,
        ),
      },
      B,
      A,
    );
    p.clock.advance(10);
    expect(p.net.responses(481)).toHaveLength(1);
  });
});

describe('session timers in calls (RFC 4028)', () => {
  it('the UAC refreshes at half the interval; the UAS keeps the call', () => {
    const st = { sessionExpires: 120, minSE: 90 };
    const p = pair(undefined, { sessionTimer: st }, { sessionTimer: st });
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    expect(call.sessionTimer).toEqual({ intervalSec: 120, weRefresh: true });
    expect(p.incoming[0]!.sessionTimer).toEqual({ intervalSec: 120, weRefresh: false });
    p.clock.advance(61_000);
    expect(p.net.requests('INVITE')).toHaveLength(2);
    p.clock.advance(200_000);
    expect(call.state).toBe('confirmed');
    expect(p.incoming[0]!.state).toBe('confirmed');
    // The refresh re-sends the same SDP: same o= version, no media event.
    const sdps = p.net.requests('INVITE').map((r) => /o=.*/.exec(r.body.toString())?.[0]);
    expect(new Set(sdps).size).toBe(1);
  });

  it('the non-refresher hangs up when no refresh comes', () => {
    const st = { sessionExpires: 120, minSE: 90 };
    const p = pair(undefined, { sessionTimer: st }, { sessionTimer: st });
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(10);
    p.net.drop = (m) => m.kind === 'request' && m.method === 'INVITE';
    let end: CallEnd | null = null;
    p.incoming[0]!.on('ended', (e) => (end = e));
    p.clock.advance(120_000);
    expect(end).toEqual({ by: 'local', cause: 'session-expired' });
    expect(call.state).toBe('ended');
  });

  it('422: the UAC retries with the UAS Min-SE and a new CSeq', () => {
    const p = pair(
      undefined,
      { sessionTimer: { sessionExpires: 1800, minSE: 600 } },
      {
        sessionTimer: { sessionExpires: 300, minSE: 90 },
      },
    );
    const call = p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(20);
    expect(p.net.responses(422)).toHaveLength(1);
    const invites = p.net.requests('INVITE');
    expect(invites.map((r) => [getCSeq(r).seq, headerValues(r, 'Session-Expires')[0]])).toEqual([
      [1, '300'],
      [2, '600'],
    ]);
    expect(call.sessionTimer?.intervalSec).toBe(600);
  });
});

describe('authentication', () => {
  const users: Record<string, string> = { alice: 'wonderland' };
  const auth = (algorithm: 'MD5' | 'SHA-256' = 'MD5') => ({
    realm: 'hotline.test',
    nonceSecret: secret,
    unknownUserSecret: secret,
    algorithm,
    lookupHa1: (u: string, alg: Parameters<typeof digestHa1>[0]) =>
      users[u] === undefined ? null : digestHa1(alg, u, 'hotline.test', users[u]),
  });

  for (const algorithm of ['MD5', 'SHA-256'] as const) {
    it(`INVITE challenged with 401 (${algorithm}) is retried with credentials and a new CSeq`, () => {
      const p = pair(undefined, { auth: auth(algorithm) });
      const call = p.alice.call({
        to: bobUri,
        media: media(5000),
        credentials: { username: 'alice', password: 'wonderland' },
      });
      p.clock.advance(20);
      expect(call.state).toBe('confirmed');
      expect(p.incoming[0]!.authenticatedUser).toBe('alice');
      const invites = p.net.requests('INVITE');
      expect(invites.map((r) => getCSeq(r).seq)).toEqual([1, 2]);
      const credentials = headerValues(invites[1]!, 'Authorization')[0]!;
      expect(credentials).toContain(`algorithm=${algorithm}`);
      expect(credentials).toContain('qop=auth');
      expect(credentials).toContain('nc=00000001');
      // The ACK of the 2xx carries the INVITE's credentials (§22.1 allows it; many servers want it).
      expect(headerValues(p.net.requests('ACK')[1]!, 'Authorization')).toHaveLength(1);
    });
  }

  it('a wrong password ends after one retry with 401 and feeds the defence bans', () => {
    const defence = new SipDefence({ clock: () => 0, bans: { ...defaultBanPolicy, maxFailures: 1 } });
    const p = pair(undefined, { auth: auth(), defence });
    const call = p.alice.call({
      to: bobUri,
      media: media(5000),
      credentials: { username: 'alice', password: 'x' },
    });
    let end: CallEnd | null = null;
    call.on('ended', (e) => (end = e));
    p.clock.advance(20);
    expect(end).toEqual({ by: 'remote', cause: 'rejected', status: 401 });
    expect(p.net.requests('INVITE')).toHaveLength(2);
    expect(p.bob.stats.challenged).toBe(2);
    expect(defence.bannedFor('10.0.0.1')).toBeGreaterThan(0);
    p.alice.call({ to: bobUri, media: media(5000) });
    p.clock.advance(20);
    expect(p.net.requests('INVITE')).toHaveLength(3);
    expect(p.bob.stats.blocked).toBeGreaterThan(0); // dropped before any transaction
    expect(p.bob.stats.challenged).toBe(2);
  });

  it('registrar with digest; the client registers, refreshes before expiry and unregisters', () => {
    const p = pair(undefined, { auth: auth('SHA-256'), registrar: { minExpires: 60 } });
    const client = p.alice.register({
      registrar: parseUri('sip:10.0.0.2'),
      aor: parseUri('sip:alice@10.0.0.2'),
      target: { transport: 'UDP', ...B },
      credentials: { username: 'alice', password: 'wonderland' },
      expires: 120,
    });
    const events: string[] = [];
    client.on('registered', (s) => events.push(`registered ${s}`));
    client.on('unregistered', () => events.push('unregistered'));
    p.clock.advance(20);
    expect(events).toEqual(['registered 120']);
    expect(p.bob.registrar?.lookup(parseUri('sip:alice@10.0.0.2'))).toHaveLength(1);
    p.clock.advance(91_000); // refresh at 120 − 30 s
    expect(events).toEqual(['registered 120', 'registered 120']);
    client.stop();
    p.clock.advance(20);
    expect(events.at(-1)).toBe('unregistered');
    expect(p.bob.registrar?.lookup(parseUri('sip:alice@10.0.0.2'))).toHaveLength(0);
  });

  it('answers stale=true for an expired nonce with the right password, and the client retries', () => {
    const p = pair(undefined, { auth: { ...auth(), nonceMaxAgeMs: 1_000 }, registrar: true });
    const client = p.alice.register({
      registrar: parseUri('sip:10.0.0.2'),
      aor: parseUri('sip:alice@10.0.0.2'),
      target: { transport: 'UDP', ...B },
      credentials: { username: 'alice', password: 'wonderland' },
      expires: 120,
    });
    p.clock.advance(20);
    expect(client.state).toBe('registered');
    p.clock.advance(91_000); // the refresh carries the old, now stale, credentials
    expect(client.state).toBe('registered');
    const challenges = p.net.responses(401).map((r) => headerValues(r, 'WWW-Authenticate')[0]!);
    expect(challenges.some((c) => /stale=true/i.test(c))).toBe(true);
  });

  it('registrar alone: 423 below Min-Expires, Contact * with Expires 0 clears', () => {
    const p = pair(undefined, { registrar: { minExpires: 300 } });
    const client = p.alice.register({
      registrar: parseUri('sip:10.0.0.2'),
      aor: parseUri('sip:alice@10.0.0.2'),
      target: { transport: 'UDP', ...B },
      expires: 60,
    });
    const granted: number[] = [];
    client.on('registered', (s) => granted.push(s));
    p.clock.advance(20);
    expect(p.net.responses(423)).toHaveLength(1);
    expect(granted).toEqual([300]);
  });
});
