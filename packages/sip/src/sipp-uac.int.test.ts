import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiniUas } from './test-support/mini-uas';
import { hasCommand } from './test-support/net';
import { runSipp } from './test-support/sipp';

/**
 * Interop with SIPp's built-in `uac` scenario (INVITE → 100/180/200 → ACK → BYE → 200) against a UAS
 * on our transaction layer and NodeTransport, on 127.0.0.1. Needs `sipp` (Debian `sip-tester`).
 */
const scratch = mkdtempSync(join(tmpdir(), 'hotline-sipp-'));

// `npm test` installs SIPp (Debian sip-tester); without it this suite fails rather than skips.
describe('SIPp uac → Hotline UAS', () => {
  let uas: MiniUas;
  beforeAll(async () => {
    if (!hasCommand('sipp'))
      throw new Error('sipp is not installed (Debian package sip-tester; `npm test` installs it as root)');
    uas = await MiniUas.start();
  });
  afterAll(async () => {
    await uas.close();
  });

  const snapshot = () => ({ ...uas.stats, errors: uas.stats.errors.length });
  const delta = (before: ReturnType<typeof snapshot>) => {
    const now = snapshot();
    return {
      invites: now.invites - before.invites,
      acks: now.acks - before.acks,
      byes: now.byes - before.byes,
      okRetransmissions: now.okRetransmissions - before.okRetransmissions,
      ackTimeouts: now.ackTimeouts - before.ackTimeouts,
      errors: now.errors - before.errors,
    };
  };

  it('completes every call over UDP', { timeout: 60_000 }, async () => {
    const before = snapshot();
    const calls = 20;
    const r = await runSipp({
      scenario: 'uac',
      remotePort: uas.transport.ports.UDP!,
      transport: 'u1',
      calls,
      rate: 20,
      timeoutSec: 30,
      dir: join(scratch, 'udp'),
    });
    expect(r, r.log).toMatchObject({ exitCode: 0, created: calls, successful: calls, failed: 0 });
    expect(delta(before)).toMatchObject({
      invites: calls,
      acks: calls,
      byes: calls,
      ackTimeouts: 0,
      errors: 0,
    });
    console.info(`SIPp uac UDP: ${JSON.stringify({ ...r, log: undefined })}`);
  });

  it('completes every call over UDP with 10 % simulated loss, by retransmission', {
    timeout: 150_000,
  }, async () => {
    const before = snapshot();
    const calls = 40;
    const r = await runSipp({
      scenario: 'uac',
      remotePort: uas.transport.ports.UDP!,
      transport: 'u1',
      calls,
      rate: 10,
      limit: 20,
      lost: 10,
      timeoutSec: 120,
      dir: join(scratch, 'udp-lost'),
    });
    expect(r, r.log).toMatchObject({ exitCode: 0, created: calls, successful: calls, failed: 0 });
    const d = delta(before);
    // The loss was real: SIPp retransmitted, or our UAS resent a 200 whose ACK did not come.
    expect(r.retransmissions + d.okRetransmissions).toBeGreaterThan(0);
    expect(d.errors).toBe(0);
    console.info(
      `SIPp uac UDP -lost 10: ${JSON.stringify({ ...r, log: undefined })}, UAS ${JSON.stringify(d)}`,
    );
  });

  it('completes every call over TCP', { timeout: 60_000 }, async () => {
    const before = snapshot();
    const calls = 20;
    const r = await runSipp({
      scenario: 'uac',
      remotePort: uas.transport.ports.TCP!,
      transport: 't1',
      calls,
      rate: 20,
      timeoutSec: 30,
      dir: join(scratch, 'tcp'),
    });
    expect(r, r.log).toMatchObject({
      exitCode: 0,
      created: calls,
      successful: calls,
      failed: 0,
      retransmissions: 0,
    });
    expect(delta(before)).toMatchObject({
      invites: calls,
      acks: calls,
      byes: calls,
      okRetransmissions: 0,
      errors: 0,
    });
    console.info(`SIPp uac TCP: ${JSON.stringify({ ...r, log: undefined })}`);
  });
});
