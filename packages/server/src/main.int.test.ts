import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, waitForOutput } from './testing/server-process';

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
});
