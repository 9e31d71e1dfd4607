import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from '@hotline/sip/test-support/net';
import { runSipp, type SippResult, startSipp } from '@hotline/sip/test-support/sipp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../system';
import { createTestDatabase, type TestDatabase } from '../testing/databases';
import { startTestServer, type TenantClient, type TestServer } from '../testing/test-server';
import { SipService } from './sip-service';

/**
 * The server's SIP side against SIPp on 127.0.0.1: OPTIONS to us, inbound INVITEs matched to trunks
 * and numbers (404 / 480 / 403), a scanner dropped and counted on /metrics, and a trunk registering
 * (digest) with a SIPp provider and kept alive with OPTIONS — `up`, then `down` once SIPp is killed.
 * T1 is 50 ms here, so a keep-alive times out (Timer F = 64·T1) in 3.2 s instead of 32 s.
 * The SIP behaviour does not depend on the storage engine; this suite runs on PGlite.
 */
const scratch = join(import.meta.dirname, '..', '..', '..', '..', '.tmp', 'sip-server');
mkdirSync(scratch, { recursive: true });
const dir = mkdtempSync(join(scratch, 'run-'));
const registrarScenario = join(import.meta.dirname, '..', '..', 'testdata', 'sipp', 'registrar-uas.xml');

const KNOWN = '+442079460001';
const log: { level: string; fields: Record<string, unknown>; message: string }[] = [];
const capture = (level: string) => (fields: object, message: string) =>
  log.push({ level, fields: fields as Record<string, unknown>, message });

/** A one-request SIPp client scenario expecting `expect` (for `null`: a 200 within 1.5 s, which must not come). */
function scenario(o: { method: 'OPTIONS' | 'INVITE'; userAgent: string; expect: number | null }): string {
  const sdp = [
    'v=0',
    'o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]',
    's=-',
    'c=IN IP[media_ip_type] [media_ip]',
    't=0 0',
    'm=audio [media_port] RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
  ].join('\n      ');
  const invite = o.method === 'INVITE';
  // No retransmissions when no answer is expected: SIPp would wait for them instead of the recv timeout.
  const request = `
  <send${o.expect === null ? '' : ' retrans="500"'}>
    <![CDATA[
      ${o.method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 ${o.method}
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      User-Agent: ${o.userAgent}
      ${invite ? 'Content-Type: application/sdp' : 'Accept: application/sdp'}
      Content-Length: [len]
${invite ? `\n      ${sdp}` : ''}
    ]]>
  </send>${invite ? '\n  <recv response="100" optional="true"/>' : ''}`;
  const answer =
    o.expect === null
      ? // SIPp counts a receive timeout as a failed call (FailedTimeoutOnRecv), even with `ontimeout`.
        `
  <recv response="200" timeout="1500"/>`
      : `
  <recv response="${o.expect}"/>`;
  const ack = invite
    ? `
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`
    : '';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${o.method} expecting ${o.expect ?? 'no answer'}">${request}${answer}${ack}
</scenario>
`;
}

let runs = 0;
async function send(
  port: number,
  o: { method: 'OPTIONS' | 'INVITE'; to: string; userAgent?: string; expect: number | null },
): Promise<SippResult> {
  const run = join(dir, `run-${++runs}`);
  mkdirSync(run, { recursive: true });
  const file = join(run, 'scenario.xml');
  writeFileSync(file, scenario({ method: o.method, userAgent: o.userAgent ?? 'SIPp', expect: o.expect }));
  return runSipp({
    scenario: { file },
    remotePort: port,
    service: o.to,
    transport: 'u1',
    calls: 1,
    rate: 1,
    timeoutSec: 10,
    dir: run,
  });
}

function expectPassed(r: SippResult, what: string): void {
  expect(r.successful, `${what}: ${r.log}`).toBe(1);
  expect(r.failed, `${what}: ${r.log}`).toBe(0);
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

describe('SIP in the server, against SIPp', () => {
  let tdb: TestDatabase;
  let server: TestServer;
  let sip: SipService;
  let port: number;
  let a: TenantClient;
  let carrier: { id: string };

  beforeAll(async () => {
    if (!hasCommand('sipp'))
      throw new Error('sipp is not installed (Debian package sip-tester; `npm test` installs it as root)');
    tdb = await createTestDatabase('pglite');
    const db = await tdb.open();
    sip = new SipService({
      db: db.kysely,
      clock: systemClock,
      log: { info: capture('info'), warn: capture('warn'), error: capture('error') },
      realm: 'hotline.test',
      listen: { host: '127.0.0.1', port: 0 },
      timing: { t1: 50 },
      keepAliveIntervalMs: 300,
    });
    server = await startTestServer(db, { sip });
    await sip.start();
    port = sip.ports.udp!;
    expect(sip.ports.tcp).toBe(port);
    a = await server.newTenant('A');
    const trunk = await a.request({
      method: 'POST',
      url: '/api/trunks',
      payload: { name: 'Carrier', allowedCidrs: ['127.0.0.1/32'] },
    });
    expect(trunk.statusCode, trunk.body).toBe(201);
    carrier = trunk.json();
    const number = await a.request({
      method: 'POST',
      url: '/api/phone-numbers',
      payload: { number: KNOWN, trunkId: carrier.id },
    });
    expect(number.statusCode, number.body).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await sip?.close();
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  const metrics = async () => (await server.app.inject({ method: 'GET', url: '/metrics' })).body;

  it('answers OPTIONS to itself with 200', async () => {
    expectPassed(await send(port, { method: 'OPTIONS', to: 'hotline', expect: 200 }), 'OPTIONS');
  });

  it('turns INVITEs away: unknown number 404 (logged), known number 480, unknown source 403', async () => {
    expectPassed(await send(port, { method: 'INVITE', to: '15550000000', expect: 404 }), 'unknown DID');
    expect(log.some((l) => l.fields.reason === 'UNKNOWN_NUMBER' && l.fields.number === '+15550000000')).toBe(
      true,
    );
    expectPassed(await send(port, { method: 'INVITE', to: KNOWN.slice(1), expect: 480 }), 'known DID');
    expect(log.some((l) => l.fields.tenantId === a.tenantId && l.fields.number === KNOWN)).toBe(true);

    // The carrier's allow-list no longer holds 127.0.0.1: the same call is refused as from a stranger.
    const moved = await a.request({
      method: 'PATCH',
      url: `/api/trunks/${carrier.id}`,
      payload: { allowedCidrs: ['192.0.2.0/24'] },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expectPassed(await send(port, { method: 'INVITE', to: KNOWN, expect: 403 }), 'source not allowed');
    await a.request({
      method: 'PATCH',
      url: `/api/trunks/${carrier.id}`,
      payload: { allowedCidrs: ['127.0.0.1'] },
    });
    expectPassed(await send(port, { method: 'INVITE', to: KNOWN, expect: 480 }), 'allowed again');

    const m = await metrics();
    expect(m).toMatch(/hotline_sip_inbound_calls_total\{outcome="UNKNOWN_NUMBER"\} 1/);
    expect(m).toMatch(/hotline_sip_inbound_calls_total\{outcome="NOT_ROUTED_YET"\} 2/);
    expect(m).toMatch(/hotline_sip_blocked_total\{reason="UNKNOWN_SOURCE",action="reject"\} 1/);
  });

  it('drops a scanner silently and counts it on /metrics', async () => {
    const r = await send(port, { method: 'OPTIONS', to: '100', userAgent: 'friendly-scanner', expect: null });
    // No answer: SIPp's one call fails on its receive timeout (an answer would have made it succeed).
    expect(r.successful, r.log).toBe(0);
    expect(r.failed, r.log).toBe(1);
    expect(r.log).toMatch(/receive timeout on message/);
    expect(await metrics()).toMatch(
      /hotline_sip_blocked_total\{reason="SCANNER_USER_AGENT",action="drop"\} 1/,
    );
    expect(log.some((l) => l.fields.reason === 'SCANNER_USER_AGENT' && l.level === 'warn')).toBe(true);
  });

  it('registers a trunk with a SIPp provider (digest) and shows it up, then down when SIPp is gone', async () => {
    const provider = await startSipp({
      scenario: { file: registrarScenario },
      transport: 'u1',
      calls: 10_000,
      rate: 1,
      timeoutSec: 60,
      dir: join(dir, 'provider'),
    });
    try {
      const created = await a.request({
        method: 'POST',
        url: '/api/trunks',
        payload: {
          name: 'Provider',
          proxy: `127.0.0.1:${provider.port}`,
          transport: 'udp',
          outboundUsername: 'trunkuser',
          outboundPassword: 'trunkpass-123',
          register: true,
          registerExpiresSec: 60,
          keepAliveSec: 5,
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().id;
      const read = async () => (await a.request({ method: 'GET', url: '/api/trunks' })).json().items;
      const up = await until(
        read,
        (items) => items.find((t: { id: string }) => t.id === id)?.status.state === 'up',
        15_000,
      );
      const status = up.find((t: { id: string }) => t.id === id).status;
      expect(status).toMatchObject({ state: 'up', registration: 'registered', lastCode: 200, detail: null });
      expect(Date.parse(status.since)).toBeGreaterThan(Date.now() - 20_000);
      expect(await metrics()).toMatch(/hotline_sip_trunks\{state="up"\} 1/);

      process.kill(provider.pid!, 'SIGKILL');
      await provider.done;
      const down = await until(
        async () => (await a.request({ method: 'GET', url: `/api/trunks/${id}` })).json().status,
        (s) => s.state === 'down',
        20_000,
      );
      expect(down).toMatchObject({ state: 'down', detail: 'KEEPALIVE_TIMEOUT', lastCode: 408 });
      expect(log.some((l) => l.message === 'SIP trunk down' && l.fields.trunkId === id)).toBe(true);
    } finally {
      if (provider.pid !== undefined) {
        try {
          process.kill(provider.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }, 60_000);

  it('answers 503 to OPTIONS and new INVITEs while shutting down', async () => {
    sip.beginShutdown();
    expectPassed(await send(port, { method: 'OPTIONS', to: 'hotline', expect: 503 }), 'OPTIONS');
    expectPassed(await send(port, { method: 'INVITE', to: KNOWN, expect: 503 }), 'INVITE');
  });
});
