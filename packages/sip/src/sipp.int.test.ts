import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHa1 } from './digest';
import { AnsweringUa } from './test-support/answering-ua';
import { hasCommand } from './test-support/net';
import { runSipp, startSipp } from './test-support/sipp';
import type { CallEnd } from './ua/call-base';
import { UserAgent } from './ua/user-agent';
import { parseUri } from './uri';

/**
 * Interop with SIPp (Debian `sip-tester`) on 127.0.0.1 against our `UserAgent`: the built-in `uac`
 * scenario (UDP, UDP with 10 % loss, TCP), digest authentication, a CANCEL of a ringing call, and our
 * UA calling SIPp's built-in `uas`. Each SIPp run is bounded by `-m` and `-timeout`, then SIGKILL.
 */
const scratch = mkdtempSync(join(tmpdir(), 'hotline-sipp-'));
const scenarios = join(import.meta.dirname, '..', 'testdata', 'sipp');
const secret = new Uint8Array(32).fill(3);

function requireSipp(): void {
  if (!hasCommand('sipp'))
    throw new Error('sipp is not installed (Debian package sip-tester; `npm test` installs it as root)');
}

describe('SIPp uac → Hotline UserAgent', () => {
  let uas: AnsweringUa;
  beforeAll(async () => {
    requireSipp();
    uas = await AnsweringUa.start({
      registrar: true,
      auth: {
        realm: 'hotline.test',
        nonceSecret: secret,
        unknownUserSecret: secret,
        methods: ['INVITE'],
        // Only calls to `secure` are challenged: others come from "trusted" SIPp runs below.
        lookupHa1: (user, algorithm) =>
          user === 'sipp' ? digestHa1(algorithm, 'sipp', 'hotline.test', 'sippsecret') : null,
        trustedSources: [],
      },
    });
  });
  afterAll(async () => {
    await uas.close();
  });

  const snapshot = () => ({ ...uas.stats, errors: uas.stats.errors.length });
  const delta = (before: ReturnType<typeof snapshot>) => {
    const now = snapshot();
    return {
      invites: now.invites - before.invites,
      confirmed: now.confirmed - before.confirmed,
      byes: now.byes - before.byes,
      cancelled: now.cancelled - before.cancelled,
      okRetransmissions: now.okRetransmissions - before.okRetransmissions,
      ackTimeouts: now.ackTimeouts - before.ackTimeouts,
      errors: now.errors - before.errors,
    };
  };

  it('completes every call over UDP, with digest (SIPp -au/-ap, MD5 qop=auth)', {
    timeout: 60_000,
  }, async () => {
    const before = snapshot();
    const calls = 20;
    const r = await runSipp({
      scenario: { file: join(scenarios, 'uac-auth.xml') },
      remotePort: uas.ports.UDP!,
      transport: 'u1',
      auth: { username: 'sipp', password: 'sippsecret' },
      calls,
      rate: 20,
      timeoutSec: 30,
      dir: join(scratch, 'auth'),
    });
    expect(r, r.log).toMatchObject({ exitCode: 0, created: calls, successful: calls, failed: 0 });
    expect(delta(before)).toMatchObject({ invites: calls, confirmed: calls, byes: calls, errors: 0 });
    expect(uas.ua.stats.challenged).toBeGreaterThanOrEqual(calls);
    console.info(`SIPp uac digest: ${JSON.stringify({ ...r, log: undefined })}`);
  });

  it('refuses a wrong password: SIPp gets 401 again and fails every call', { timeout: 60_000 }, async () => {
    const before = snapshot();
    const r = await runSipp({
      scenario: { file: join(scenarios, 'uac-auth.xml') },
      remotePort: uas.ports.UDP!,
      transport: 'u1',
      auth: { username: 'sipp', password: 'wrong' },
      calls: 3,
      rate: 10,
      timeoutSec: 4,
      dir: join(scratch, 'auth-wrong'),
    });
    expect(r.successful).toBe(0);
    expect(delta(before).invites).toBe(0);
  });
});

describe('SIPp uac → Hotline UserAgent without authentication', () => {
  let uas: AnsweringUa;
  beforeAll(async () => {
    requireSipp();
    uas = await AnsweringUa.start();
  });
  afterAll(async () => {
    await uas.close();
  });

  const snapshot = () => ({ ...uas.stats, errors: uas.stats.errors.length });

  it('completes every call over UDP', { timeout: 60_000 }, async () => {
    const before = snapshot();
    const calls = 20;
    const r = await runSipp({
      scenario: 'uac',
      remotePort: uas.ports.UDP!,
      transport: 'u1',
      calls,
      rate: 20,
      timeoutSec: 30,
      dir: join(scratch, 'udp'),
    });
    expect(r, r.log).toMatchObject({ exitCode: 0, created: calls, successful: calls, failed: 0 });
    const now = snapshot();
    expect(now.invites - before.invites).toBe(calls);
    expect(now.confirmed - before.confirmed).toBe(calls);
    expect(now.byes - before.byes).toBe(calls);
    expect(now.errors - before.errors).toBe(0);
    console.info(`SIPp uac UDP: ${JSON.stringify({ ...r, log: undefined })}`);
  });

  it('completes every call over UDP with 10 % simulated loss, by retransmission', {
    timeout: 150_000,
  }, async () => {
    const before = snapshot();
    const calls = 40;
    const r = await runSipp({
      scenario: 'uac',
      remotePort: uas.ports.UDP!,
      transport: 'u1',
      calls,
      rate: 10,
      limit: 20,
      lost: 10,
      timeoutSec: 120,
      dir: join(scratch, 'udp-lost'),
    });
    expect(r, r.log).toMatchObject({ exitCode: 0, created: calls, successful: calls, failed: 0 });
    const now = snapshot();
    // The loss was real: SIPp retransmitted, or our UAS resent a 200 whose ACK did not come.
    expect(r.retransmissions + now.okRetransmissions - before.okRetransmissions).toBeGreaterThan(0);
    expect(now.errors - before.errors).toBe(0);
    console.info(`SIPp uac UDP -lost 10: ${JSON.stringify({ ...r, log: undefined })}`);
  });

  it('completes every call over TCP', { timeout: 60_000 }, async () => {
    const before = snapshot();
    const calls = 20;
    const r = await runSipp({
      scenario: 'uac',
      remotePort: uas.ports.TCP!,
      transport: 't1',
      calls,
      rate: 20,
      timeoutSec: 30,
      dir: join(scratch, 'tcp'),
    });
    expect(r, r.log).toMatchObject({ exitCode: 0, created: calls, successful: calls, failed: 0 });
    const now = snapshot();
    expect(now.confirmed - before.confirmed).toBe(calls);
    expect(now.byes - before.byes).toBe(calls);
    expect(now.errors - before.errors).toBe(0);
  });

  it('CANCEL of a ringing call: 200 to the CANCEL, 487 to the INVITE', { timeout: 60_000 }, async () => {
    const before = snapshot();
    const calls = 5;
    const r = await runSipp({
      scenario: { file: join(scenarios, 'uac-cancel.xml') },
      remotePort: uas.ports.UDP!,
      service: 'ring',
      transport: 'u1',
      calls,
      rate: 10,
      timeoutSec: 30,
      dir: join(scratch, 'cancel'),
    });
    expect(r, r.log).toMatchObject({ exitCode: 0, created: calls, successful: calls, failed: 0 });
    expect(snapshot().cancelled - before.cancelled).toBe(calls);
  });
});

describe('Hotline UserAgent → SIPp uas', () => {
  it('calls SIPp, gets 180/200, ACKs, hangs up with BYE', { timeout: 60_000 }, async () => {
    requireSipp();
    const sipp = await startSipp({
      scenario: 'uas',
      transport: 'u1',
      calls: 1,
      rate: 1,
      timeoutSec: 20,
      dir: join(scratch, 'uas'),
    });
    const ua = await UserAgent.listen({ host: '127.0.0.1', udp: { port: 0 } });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // SIPp binds its socket
      const call = ua.call({
        to: parseUri(`sip:service@127.0.0.1:${sipp.port}`),
        media: { address: '127.0.0.1', port: 41_000 },
      });
      const events: string[] = [];
      call.on('progress', (s) => events.push(String(s)));
      const ended = new Promise<CallEnd>((resolve) => call.on('ended', resolve));
      call.on('confirmed', () => {
        events.push('confirmed');
        setTimeout(() => call.hangUp(), 100);
      });
      expect(await ended).toEqual({ by: 'local', cause: 'bye' });
      const r = await sipp.done;
      expect(r, r.log).toMatchObject({ exitCode: 0, successful: 1, failed: 0 });
      expect(events).toEqual(['180', 'confirmed']);
      expect(call.audio?.codecs[0]?.name).toBe('PCMU');
    } finally {
      await ua.close();
    }
  });
});
