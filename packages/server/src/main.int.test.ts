import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, waitForOutput } from './testing/server-process';
import { ack, bye, DTMF_1_PCAP, expectPassed, pcmuMedia, sippCall, until } from './testing/sipp-caller';

describe('main (the real process)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('refuses bad configuration with a clear message and exit code 2', async () => {
    const run = startServerProcess({ PORT: 'not-a-port', DATABASE_URL: 'mysql://x' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/invalid configuration:[\s\S]*PORT[\s\S]*DATABASE_URL/);
  });

  it('prints a generated password once, serves, shuts down gracefully and keeps data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hotline-main-'));
    dirs.push(dataDir);
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      HOTLINE_DATA_DIR: dataDir,
      HOTLINE_ADMIN_EMAIL: 'boss@example.com',
    };

    const first = startServerProcess(env);
    const [, url] = await waitForOutput(first, /running at (http:\/\/\S+\/)/);
    const [, password] = await waitForOutput(first, /Password: (\S+)\s+<- generated/);
    const base = url!.replace('localhost', '127.0.0.1');
    expect((await fetch(`${base}readyz`)).status).toBe(200);
    const login = await fetch(`${base}api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'boss@example.com', password }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const created = await fetch(`${base}api/teams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Night shift' }),
    });
    expect(created.status).toBe(201);
    const metrics = await (await fetch(`${base}metrics`)).text();
    expect(metrics).toMatch(/hotline_http_requests_total\{[^}]*route="\/api\/teams"[^}]*status="201"/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startServerProcess(env);
    const [, url2] = await waitForOutput(second, /running at (http:\/\/\S+\/)/);
    expect(second.output()).not.toMatch(/generated/);
    const base2 = url2!.replace('localhost', '127.0.0.1');
    const teams = await fetch(`${base2}api/teams`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await teams.json()) as { items: { name: string }[] }).items.map((t) => t.name)).toEqual([
      'Night shift',
    ]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('gives a first start the demo line: a SIP call answers its menu with 1, waits in Support, and leaves a CDR', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hotline-demo-'));
    dirs.push(dataDir);
    const rtp = 42_000 + Math.floor(Math.random() * 300) * 20;
    const run = startServerProcess({
      PORT: '0',
      HOST: '127.0.0.1',
      HOTLINE_DATA_DIR: dataDir,
      HOTLINE_ADMIN_EMAIL: 'demo@example.com',
      HOTLINE_ADMIN_PASSWORD: 'demo-password-1',
      HOTLINE_DEMO: 'true',
      HOTLINE_RTP_PORT_MIN: String(rtp),
      HOTLINE_RTP_PORT_MAX: String(rtp + 199),
    });
    try {
      const [, url] = await waitForOutput(run, /running at (http:\/\/\S+\/)/);
      const [, number, sipPort] = await waitForOutput(run, /Demo line: call sip:(\d+)@127\.0\.0\.1:(\d+)/);
      const base = url!.replace('localhost', '127.0.0.1');
      const login = await fetch(`${base}api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'demo@example.com', password: 'demo-password-1' }),
      });
      const { token } = (await login.json()) as { token: string };
      // biome-ignore lint/suspicious/noExplicitAny: JSON answers checked by the assertions below
      const get = async (path: string): Promise<any> =>
        (await fetch(`${base}api${path}`, { headers: { authorization: `Bearer ${token}` } })).json();

      // The caller presses 1 during the greeting, waits in the queue, then gives up.
      const call = await sippCall(dataDir, Number(sipPort), `+${number}`, 'demo call', {
        media: pcmuMedia('[media_port]'),
        body: `
  <recv response="200" rtd="true"/>${ack()}
  <pause milliseconds="2000"/>
  <nop><action><exec play_pcap_audio="${DTMF_1_PCAP}"/></action></nop>
  <pause milliseconds="12000"/>${bye}`,
      });
      const queues = await until(
        () => get('/supervisor/queues'),
        (q: { items: { name: string; waiting: number }[] }) =>
          q.items.some((x) => x.name === 'Support' && x.waiting === 1),
        14_000,
        'the demo call waiting in Support',
      );
      expect(queues.items.map((q: { name: string }) => q.name)).toEqual(['Support']);
      expectPassed(await call.done, 'demo call');
      const calls = await until(
        () => get('/calls'),
        (c: { items: { outcome: string }[] }) => c.items[0]?.outcome === 'abandoned',
        5_000,
        'the CDR of the demo call',
      );
      expect(calls.items).toEqual([
        expect.objectContaining({ did: `+${number}`, queueName: 'Support', hangupSide: 'caller' }),
      ]);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 90_000);
});
