// Benchmark of the configuration API: `npm run bench:api`.
// Prints requests/s and p50/p99 latency of an authenticated GET /api/queues (autocannon over loopback,
// server in its own process as `npm start` runs it), and the time from process start to /readyz 200 for
// a fresh and an existing data dir, on PGlite and (when it can be started) PostgreSQL.
// Ends with one line of JSON: {"rps","p50Ms","p99Ms","readyFreshMs","readyExistingMs", "pg…" same keys}.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
// @ts-expect-error plain ESM helper without types
import { startThrowawayPostgres } from '../scripts/pg-cluster.mjs';

const root = new URL('../', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const QUEUES = 20;
const password = 'bench-password-123';

interface Figures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  readyFreshMs: number;
  readyExistingMs: number;
}

function startServer(env: Record<string, string>): {
  child: ChildProcess;
  port: Promise<number>;
  started: number;
} {
  const started = performance.now();
  const child = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'packages/server/src/main.ts')], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /running at http:\/\/[^:]+:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, port, started };
}

async function readyAfter(server: ReturnType<typeof startServer>): Promise<{ port: number; ms: number }> {
  const port = await server.port;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (res?.status === 200) return { port, ms: performance.now() - server.started };
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function stop(server: ReturnType<typeof startServer>): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

async function api(port: number, token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

async function run(label: string, env: Record<string, string>): Promise<Figures> {
  const first = startServer({
    ...env,
    HOTLINE_ADMIN_EMAIL: 'bench@example.com',
    HOTLINE_ADMIN_PASSWORD: password,
  });
  const fresh = await readyAfter(first);
  const { token } = (await api(fresh.port, undefined, 'POST', '/api/auth/login', {
    email: 'bench@example.com',
    password,
  })) as { token: string };
  const skills = [];
  for (let i = 0; i < 5; i++)
    skills.push((await api(fresh.port, token, 'POST', '/api/skills', { name: `Skill ${i}` })).id);
  for (let i = 0; i < QUEUES; i++) {
    await api(fresh.port, token, 'POST', '/api/queues', {
      name: `Queue ${i}`,
      requiredSkills: [{ skillId: skills[i % 5], minLevel: 1 + (i % 10) }],
    });
  }
  await stop(first);

  const second = startServer(env);
  const existing = await readyAfter(second);
  // Warm up, then measure.
  await autocannon({
    url: `http://127.0.0.1:${existing.port}/api/queues`,
    connections: 2,
    duration: 2,
    headers: { authorization: `Bearer ${token}` },
  });
  const result = await autocannon({
    url: `http://127.0.0.1:${existing.port}/api/queues?limit=50`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { authorization: `Bearer ${token}` },
  });
  await stop(second);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const figures = {
    rps: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    readyFreshMs: Math.round(fresh.ms),
    readyExistingMs: Math.round(existing.ms),
  };
  console.log(
    `${label.padEnd(10)} GET /api/queues (${QUEUES} queues, ${CONNECTIONS} connections, ${DURATION_S} s): ` +
      `${figures.rps} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms; ` +
      `ready: fresh ${figures.readyFreshMs} ms, existing ${figures.readyExistingMs} ms`,
  );
  return figures;
}

async function main() {
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${process.platform}`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'hotline-bench-'));
  const out: Record<string, number> = {};
  try {
    Object.assign(out, await run('PGlite', { HOTLINE_DATA_DIR: dataDir }));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }

  let cluster: { url: string; stop(): Promise<void> } | undefined;
  try {
    let adminUrl = process.env.HOTLINE_TEST_DATABASE_URL;
    if (!adminUrl) {
      cluster = await startThrowawayPostgres();
      adminUrl = cluster!.url;
    }
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    const name = `hotline_bench_${Date.now()}`;
    await client.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl!);
    url.pathname = `/${name}`;
    try {
      const figures = await run('PostgreSQL', { DATABASE_URL: url.toString() });
      for (const [k, v] of Object.entries(figures)) out[`pg${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
    } finally {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    }
  } catch (error) {
    console.log(`PostgreSQL not measured: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await cluster?.stop();
  }
  console.log(JSON.stringify(out));
}

await main();
