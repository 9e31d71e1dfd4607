// Benchmark of web chat: `npm run bench:chat`.
// One server process (this one) on 127.0.0.1 — PGlite in a temp dir, or PostgreSQL when DATABASE_URL
// is set — holding BENCH_CUSTOMERS widget sockets (default 10,000) and BENCH_AGENTS agent sockets
// (default 1,000; each agent accepted its share of the chats and watches them on /api/ws). The client
// sockets live in a child process (this script forked with --clients), so the server's RSS and CPU
// are its own. The child sends BENCH_RATE customer messages a second (default 1,000, spread over all
// customers) for BENCH_SECONDS (default 20) and times each from the customer's send to the agent
// socket's receipt of the `chat.message` (both clocks in the child). Every message is stored (group
// commit) before it is delivered, so the latency includes the database write. With DATABASE_URL the
// bench creates a scratch database on that server and drops it after.
// The server's own share of the latency shows in its event-loop delay (monitorEventLoopDelay), the
// stalls of 50 ms or more, and GC pauses while sending: on a loaded machine the end-to-end figures
// also carry the client process and PostgreSQL waiting for a CPU, and these do not.
// Prints the machine and the figures; ends with one line of JSON:
// {"customers","agents","messagesPerSec","p50Ms","p99Ms","peakRssMb"} plus "loopP99Ms", "loopMaxMs"
// (server event-loop delay) and "load1" (the machine's 1-minute load average at the end).
import { execSync, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { buildServer } from '../packages/server/src/app';
import { newSecret, sha256 } from '../packages/server/src/auth/secrets';
import { openDatabase } from '../packages/server/src/db/database';
import { AuthStore } from '../packages/server/src/stores/auth-store';
import { systemClock, uuidGen } from '../packages/server/src/system';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 1_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

interface ClientPlan {
  port: number;
  customers: { conversationId: string; token: string }[];
  agents: { token: string; interactionIds: string[] }[];
  rate: number;
  seconds: number;
}

interface ClientResult {
  connectMs: number;
  sent: number;
  acked: number;
  received: number;
  errors: Record<string, number>;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  achievedRate: number;
}

if (process.argv[2] === '--clients') {
  await runClients(process.argv[3]!);
} else {
  await runServer();
}

async function runServer(): Promise<void> {
  const started = Date.now();
  const limit = Number(fdLimit());
  if (Number.isFinite(limit) && limit < CUSTOMERS + AGENTS + 200) {
    throw new Error(
      `ulimit -n is ${limit}; ${CUSTOMERS + AGENTS + 200} needed: raise it (ulimit -n 65536) and run again`,
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'hotline-bench-chat-'));
  const scratch = process.env.DATABASE_URL ? await scratchDatabase(process.env.DATABASE_URL) : null;
  const url = scratch?.url;
  const db = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir });
  const unlimited = { burst: 1e9, perSecond: 1e9 };
  const app = await buildServer({
    db,
    clock: systemClock,
    ids: uuidGen,
    sessionTtlMs: 86_400_000,
    logger: false,
    chatLimits: { addressMessages: unlimited, addressConversations: unlimited },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const stalls = stallWatch();

  // ── World: one tenant, one queue, one widget topic, AGENTS ready agents ────
  const slug = `bench-${Date.now().toString(36)}`;
  const auth = new AuthStore({ db: db.kysely, clock: systemClock, ids: uuidGen });
  const owner = await auth.createTenantWithOwner({
    tenantName: 'Bench shop',
    slug,
    email: `owner@${slug}.example`,
    password: 'bench-password-123',
    displayName: 'Owner',
  });
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: `owner@${slug}.example`, password: 'bench-password-123' },
  });
  const ownerToken = login.json().token as string;
  const call = async (method: string, path: string, token: string, payload?: unknown) => {
    const res = await app.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const queue = await call('POST', '/api/queues', ownerToken, {
    name: 'Web chat',
    wrapUpSeconds: 0,
    offerTimeoutSeconds: 600,
  });
  await call('PUT', '/api/widget-settings', ownerToken, {
    topics: [{ key: 'general', label: { en: 'General', ru: 'Общие' }, queueId: queue.id }],
  });
  // Agents, their sessions and presence, and CUSTOMERS connected chats go straight into the tables,
  // as if each chat had been started from the widget and accepted: the API path costs ~20 ms of
  // commands per chat (a start and an accept), which would make setup take minutes; what is measured
  // here is holding the sockets and carrying messages. The router loads all of it (restore) on first use.
  const perAgent = Math.min(100, Math.ceil(CUSTOMERS / AGENTS));
  const now = new Date();
  const agents: { id: string; token: string; interactionIds: string[] }[] = [];
  for (let i = 0; i < AGENTS; i++)
    agents.push({ id: randomUUID(), token: newSecret('hls'), interactionIds: [] });
  const customers: { conversationId: string; token: string }[] = [];
  const tenantId = owner.tenantId;
  for (let i = 0; i < agents.length; i += 500) {
    const chunk = agents.slice(i, i + 500);
    await db.kysely
      .insertInto('users')
      .values(
        chunk.map((a, j) => ({
          id: a.id,
          tenant_id: tenantId,
          email: `agent-${i + j}@${slug}.example`,
          password_hash: 'x',
          display_name: `Agent ${i + j}`,
          role: 'agent',
          team_id: null,
          locale: 'en',
          active: true,
          capacity: JSON.stringify({ voice: 1, chat: perAgent, email: 0, sms: 0, messenger: 0, task: 0 }),
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    await db.kysely
      .insertInto('sessions')
      .values(
        chunk.map((a) => ({
          token_hash: sha256(a.token),
          tenant_id: tenantId,
          user_id: a.id,
          created_at: now,
          expires_at: new Date(now.getTime() + 86_400_000),
        })),
      )
      .execute();
    await db.kysely
      .insertInto('agent_presence')
      .values(
        chunk.map((a) => ({
          tenant_id: tenantId,
          user_id: a.id,
          presence: 'ready',
          reason: null,
          status: 'busy',
          since: now,
        })),
      )
      .execute();
  }
  for (let i = 0; i < CUSTOMERS; i += 500) {
    const rows = Array.from({ length: Math.min(500, CUSTOMERS - i) }, (_, k) => {
      const n = i + k;
      const agent = agents[n % AGENTS]!;
      const row = {
        n,
        agent,
        contactId: randomUUID(),
        visitorId: randomUUID(),
        interactionId: randomUUID(),
        token: `hlv_${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`,
      };
      agent.interactionIds.push(row.interactionId);
      customers.push({ conversationId: row.interactionId, token: row.token });
      return row;
    });
    await db.kysely
      .insertInto('contacts')
      .values(
        rows.map((r) => ({
          id: r.contactId,
          tenant_id: tenantId,
          name: `Customer ${r.n}`,
          email: `c${r.n}@customers.example`,
          phone: null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    await db.kysely
      .insertInto('widget_visitors')
      .values(
        rows.map((r) => ({
          id: r.visitorId,
          tenant_id: tenantId,
          token_hash: sha256(r.token),
          contact_id: r.contactId,
          created_at: now,
          last_seen_at: now,
        })),
      )
      .execute();
    await db.kysely
      .insertInto('interactions')
      .values(
        rows.map((r) => ({
          id: r.interactionId,
          tenant_id: tenantId,
          channel: 'chat',
          state: 'connected',
          queue_id: queue.id,
          enqueued_at: now,
          queued_at: now,
          route_seq: r.n,
          agent_id: r.agent.id,
          connected_at: now,
          subject: 'General',
          contact: JSON.stringify({ name: `Customer ${r.n}` }),
          data: JSON.stringify({ topic: 'general' }),
          contact_id: r.contactId,
          created_by: null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    await db.kysely
      .insertInto('conversations')
      .values(
        rows.map((r) => ({ tenant_id: tenantId, interaction_id: r.interactionId, visitor_id: r.visitorId })),
      )
      .execute();
  }
  // The widget config through the API: the router loads (restores) the world and sees agents online.
  const first = await app.inject({
    method: 'GET',
    url: `/api/widget/${slug}/config`,
  });
  if (first.statusCode !== 200 || !first.json().online) throw new Error(`widget not online: ${first.body}`);
  log(`setup: ${AGENTS} agents, ${CUSTOMERS} connected chats after ${secs(started)} s`);

  // ── Clients in a child process ──────────────────────────────────────────
  const planPath = join(dataDir, 'plan.json');
  const plan: ClientPlan = {
    port,
    customers,
    agents: agents.map((a) => ({ token: a.token, interactionIds: a.interactionIds })),
    rate: RATE,
    seconds: SECONDS,
  };
  await writeFile(planPath, JSON.stringify(plan));
  const setupRss = process.memoryUsage().rss;
  peakRss = setupRss;
  const child = fork(fileURLToPath(import.meta.url), ['--clients', planPath], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const before = await chatStats(app);
  const profile = process.env.BENCH_PROFILE ? profiler(process.env.BENCH_PROFILE) : null;
  const result = await new Promise<ClientResult>((resolve, reject) => {
    child.on('message', (m: { type: string; result?: ClientResult; sockets?: number }) => {
      if (m.type === 'connected') {
        loopDelay.enable();
        stalls.start();
        if (profile) profile.start().catch(reject);
        log(`clients: ${m.sockets} sockets open and caught up; sending ${RATE}/s for ${SECONDS} s`);
      }
      if (m.type === 'result') resolve(m.result!);
    });
    child.on('exit', (code) => reject(new Error(`client process exited (${code}) before reporting`)));
  });
  loopDelay.disable();
  stalls.stop();
  if (profile) log(`profile of the sending phase: ${await profile.stop()}`);
  const after = await chatStats(app);
  const flushes = after.flushes - before.flushes;
  const stored = after.messages - before.messages;
  clearInterval(rssTimer);
  const heldRssMb = Math.round(peakRss / 1048576);

  const cpu = cpus();
  log('');
  log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 1073741824)} GiB RAM,`,
  );
  log(
    `         node ${process.version}, ${process.platform}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  log(
    `         database ${url ? 'PostgreSQL (DATABASE_URL)' : 'PGlite (temp dir)'}; open files limit (ulimit -n) ${fdLimit()}`,
  );
  log(`held:    ${CUSTOMERS} customer sockets + ${AGENTS} agent sockets in one server process`);
  log(
    `         server RSS after setup ${Math.round(setupRss / 1048576)} MiB, peak while sending ${heldRssMb} MiB`,
  );
  log(
    `sent:    ${result.sent} messages in ${SECONDS} s (${result.achievedRate.toFixed(0)}/s), ` +
      `${result.acked} acked, ${result.received} delivered to agents, errors ${JSON.stringify(result.errors)}`,
  );
  log(
    `stored:  ${stored} messages in ${flushes} transactions (${(stored / Math.max(1, flushes)).toFixed(1)} per commit, ` +
      `at most ${after.largestBatch}); a transaction took ${((after.flushMs - before.flushMs) / Math.max(1, flushes)).toFixed(1)} ms ` +
      `on average, ${after.longestFlushMs.toFixed(1)} ms at most`,
  );
  log(
    `latency: customer send → agent receive p50 ${result.p50Ms.toFixed(1)} ms, p90 ${result.p90Ms.toFixed(1)} ms, ` +
      `p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms`,
  );
  log(
    `server event loop delay while sending: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, ` +
      `p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, p99.9 ${(loopDelay.percentile(99.9) / 1e6).toFixed(1)} ms, ` +
      `max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
  );
  log(`         ${stalls.summary()}`);
  await app.close();
  await db.close();
  await scratch?.drop();
  await rm(dataDir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      customers: CUSTOMERS,
      agents: AGENTS,
      messagesPerSec: Math.round(result.achievedRate),
      p50Ms: round1(result.p50Ms),
      p99Ms: round1(result.p99Ms),
      peakRssMb: heldRssMb,
      loopP99Ms: round1(loopDelay.percentile(99) / 1e6),
      loopMaxMs: round1(loopDelay.max / 1e6),
      load1: round1(loadavg()[0]!),
    }),
  );
  process.exit(0);
}

/**
 * DATABASE_URL names a server to use, not a database to fill: the bench creates a database of its
 * own there (and drops it after), so runs start from empty tables and leave nothing behind. Without
 * the right to create databases, it uses the one given.
 */
async function scratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hotline_bench_chat_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    await admin.end();
    log(`could not create a scratch database (${(err as Error).message}); using DATABASE_URL as it is`);
    return { url, drop: async () => {} };
  }
  await admin.end();
  const own = new URL(url);
  own.pathname = `/${name}`;
  return {
    url: own.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Where the event loop stopped while messages flowed: every gap of 50 ms or more between 5 ms ticks
 * (with its time since sending began and the CPU time the process used meanwhile), and the garbage
 * collector's pauses. A gap with little CPU in it is the machine (the process waited for a core), not
 * the server's own work; one with about as much CPU as wall time is the server's.
 */
function stallWatch() {
  const stalls: { atS: number; ms: number; cpuMs: number }[] = [];
  const gc = { count: 0, totalMs: 0, maxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  });
  let timer: NodeJS.Timeout | null = null;
  let t0 = 0;
  return {
    start() {
      t0 = performance.now();
      let last = t0;
      let lastCpu = process.cpuUsage();
      observer.observe({ entryTypes: ['gc'] });
      timer = setInterval(() => {
        const now = performance.now();
        const cpu = process.cpuUsage();
        if (now - last >= 55) {
          const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
          stalls.push({ atS: (last - t0) / 1000, ms: now - last - 5, cpuMs });
        }
        last = now;
        lastCpu = cpu;
      }, 5);
    },
    stop() {
      if (timer) clearInterval(timer);
      observer.disconnect();
    },
    summary(): string {
      const worst = [...stalls].sort((a, b) => b.ms - a.ms).slice(0, 8);
      return (
        `stalls ≥ 50 ms: ${stalls.length}` +
        (worst.length
          ? ` (worst: ${worst.map((s) => `${s.ms.toFixed(0)} ms at ${s.atS.toFixed(1)} s with ${s.cpuMs.toFixed(0)} ms CPU`).join(', ')})`
          : '') +
        `; GC pauses ${gc.count}, total ${gc.totalMs.toFixed(0)} ms, longest ${gc.maxMs.toFixed(1)} ms`
      );
    },
  };
}

/** The chat log's counters (transactions and messages written), from `/metrics`. */
async function chatStats(app: Awaited<ReturnType<typeof buildServer>>): Promise<{
  flushes: number;
  messages: number;
  flushMs: number;
  longestFlushMs: number;
  largestBatch: number;
}> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    flushes: read('hotline_chat_log_commits'),
    messages: read('hotline_chat_log_messages'),
    flushMs: read('hotline_chat_log_flush_seconds') * 1000,
    longestFlushMs: read('hotline_chat_log_longest_flush_seconds') * 1000,
    largestBatch: read('hotline_chat_log_largest_batch'),
  };
}

async function runClients(planPath: string): Promise<void> {
  const plan = JSON.parse(await readFile(planPath, 'utf8')) as ClientPlan;
  const t0 = performance.now();
  const base = `ws://127.0.0.1:${plan.port}`;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let acked = 0;
  let received = 0;

  const open = (url: string, headers: Record<string, string> = {}) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { headers, perMessageDeflate: false });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });

  const agentSockets: WebSocket[] = [];
  await pool(plan.agents, 50, async (a) => {
    const ws = await open(`${base}/api/ws`, { authorization: `Bearer ${a.token}` });
    let watching = 0;
    await new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const f = JSON.parse(String(data));
        if (f.type === 'chat.watching' && ++watching === a.interactionIds.length) resolve();
        if (f.type === 'chat.message' && f.message.author.kind === 'customer' && f.message.clientId) {
          const at = sentAt.get(f.message.clientId);
          if (at !== undefined) {
            latencies.push(performance.now() - at);
            sentAt.delete(f.message.clientId);
            received++;
          }
        }
      });
      for (const id of a.interactionIds)
        ws.send(JSON.stringify({ type: 'watch', interactionId: id, after: 0 }));
      if (a.interactionIds.length === 0) resolve();
    });
    agentSockets.push(ws);
  });
  const customerSockets: WebSocket[] = [];
  await pool(plan.customers, 100, async (c) => {
    const ws = await open(`${base}/api/widget/ws`);
    await new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const f = JSON.parse(String(data));
        if (f.type === 'welcome') resolve();
        else if (f.type === 'ack') acked++;
        else if (f.type === 'error') errors[f.code] = (errors[f.code] ?? 0) + 1;
      });
      ws.send(JSON.stringify({ type: 'hello', token: c.token, conversationId: c.conversationId, after: 0 }));
    });
    customerSockets.push(ws);
  });
  const connectMs = performance.now() - t0;
  process.send?.({ type: 'connected', sockets: agentSockets.length + customerSockets.length });

  // Steady sending: every 10 ms, as many as are due, round-robin over the customers.
  let sent = 0;
  let next = 0;
  const start = performance.now();
  const total = plan.rate * plan.seconds;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * plan.rate));
      while (sent < due) {
        const ws = customerSockets[next++ % customerSockets.length]!;
        const clientId = `b${sent.toString(36).padStart(8, '0')}`;
        sentAt.set(clientId, performance.now());
        ws.send(JSON.stringify({ type: 'send', clientId, text: `bench message ${sent}` }));
        sent++;
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  const sendingSeconds = (performance.now() - start) / 1000;
  const drainUntil = performance.now() + 10_000;
  while ((received < sent || acked < sent) && performance.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, 50));
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const result: ClientResult = {
    connectMs,
    sent,
    acked,
    received,
    errors,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    maxMs: latencies.at(-1) ?? 0,
    achievedRate: sent / sendingSeconds,
  };
  if (received < sent) errors.undelivered = sent - received;
  process.send?.({ type: 'result', result });
  for (const ws of [...customerSockets, ...agentSockets]) ws.terminate();
  process.exit(0);
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

/** BENCH_PROFILE=<file.cpuprofile>: the server's CPU profile while messages flow (open in DevTools). */
function profiler(path: string) {
  const session = new Session();
  return {
    async start() {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(path, JSON.stringify(profile));
      session.disconnect();
      return path;
    },
  };
}

/** The soft limit on open files; each process here needs one per socket (CUSTOMERS + AGENTS + a few). */
function fdLimit(): string {
  try {
    return execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim();
  } catch {
    return 'unknown';
  }
}

function secs(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function log(line: string): void {
  console.log(line);
}
