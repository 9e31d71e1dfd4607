// Benchmark of the routing engine: `npm run bench:routing`.
// At 1k, 10k and 100k agents (200 queues, 100 skills, 5 skills per agent, 5× as many interactions
// waiting as agents) it times the router's two triggers, each engine call on its own:
// - interaction: a new interaction enters a queue that has free agents and is offered to the best one;
// - agent: an agent ends an interaction (no wrap-up) and takes the best waiting one of all its queues.
// Each size runs in a fresh child process (the script forks itself), so peak RSS is that size's. A
// shared virtual machine's speed drifts by ±20 % over minutes, so the sizes run in BENCH_REPEATS rounds
// (default 5), each round every size once, in turn: per size the run with the median decisions/s is
// reported (every run is printed), and the cost per decision at the largest size over that at the
// smallest is the median of the rounds' own ratios — each compares runs a few seconds apart.
// Ends with one line of JSON: {"runs":[{"agents","waiting","decisionsPerSec","p50Ms","p99Ms","peakRssMb",
// "interaction":{"decisionsPerSec","p50Ms","p99Ms"},"agent":{…}}, …]} (top level: both triggers together).
//
// The world, built from a seeded generator so every run routes the same way:
// - skills come in 50 pairs (2k, 2k+1); an agent draws 5 skills, taking a drawn skill's partner with
//   probability ½, at levels 1–10;
// - queues 0–149 require one skill (q mod 100), queues 150–199 the pair (2(q−150), 2(q−150)+1), each at a
//   minimum level of 1–4: an agent belongs to about 7 queues (reported per run);
// - every fifth queue is chat (agents hold 1 call or 3 chats), strategies rotate over all but ring_all;
// - the 50 "hot" queues (q mod 4 = 0) hold the backlog: their members are always busy, and each
//   interaction an agent takes from them is replaced by a new one in the same queue, so waiting stays
//   at 5× agents; the other agents ("cold", in no hot queue) are free, and the interaction trigger
//   sends a new interaction to one of their queues, so every such decision picks somebody.
import { fork } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Capacity, Channel } from '@hotline/core/channels';
import {
  type AgentId,
  agentId,
  type InteractionId,
  interactionId,
  queueId,
  skillId,
} from '@hotline/core/ids';
import { type Millis, millis } from '@hotline/core/ports';
import { type QueueConfig, queueConfig, type Strategy } from '@hotline/core/routing/queue-config';
import { RoutingEngine } from '@hotline/core/routing/routing-engine';
import type { RoutingEvent } from '@hotline/core/routing/routing-events';
import { xoshiro128ss } from '@hotline/core/simulation/prng';

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const MEASURED = Number(process.env.BENCH_ITERATIONS ?? 100_000);
const WARMUP = Math.min(20_000, MEASURED);
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 5));
const QUEUES = 200;
const SKILLS = 100;
const SKILLS_PER_AGENT = 5;
const WAITING_PER_AGENT = 5;
const strategies: readonly Strategy[] = [
  'longest_idle',
  'least_busy_time',
  'fewest_handled',
  'round_robin',
  'random',
];
const capacity: Capacity = { voice: 1, chat: 3, email: 0, sms: 0, messenger: 0, task: 0 };

interface Figures {
  decisionsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

interface Run extends Figures {
  agents: number;
  waiting: number;
  peakRssMb: number;
  interaction: Figures;
  agent: Figures;
}

interface ChildReport {
  run: Run;
  lines: string[];
}

// ── The world ─────────────────────────────────────────────────────────────────

interface BenchQueue {
  readonly config: QueueConfig;
  readonly channel: Channel;
  readonly hot: boolean;
  readonly required: readonly { skill: number; minLevel: number }[];
}

function buildQueues(random: () => number): BenchQueue[] {
  return Array.from({ length: QUEUES }, (_, q) => {
    const level = () => 1 + Math.floor(random() * 4);
    const required =
      q < 150
        ? [{ skill: q % SKILLS, minLevel: level() }]
        : [
            { skill: 2 * (q - 150), minLevel: level() },
            { skill: 2 * (q - 150) + 1, minLevel: level() },
          ];
    const channel: Channel = q % 5 === 4 ? 'chat' : 'voice';
    return {
      channel,
      hot: q % 4 === 0,
      required,
      config: queueConfig({
        id: queueId(`q${q}`),
        name: `Queue ${q}`,
        strategy: strategies[Math.floor(q / 5) % strategies.length]!,
        requiredSkills: required.map((r) => ({ skillId: skillId(`s${r.skill}`), minLevel: r.minLevel })),
        offerTimeoutMs: 20_000,
        wrapUpMs: 0,
      }),
    };
  });
}

function drawSkills(random: () => number): Map<number, number> {
  const skills = new Map<number, number>();
  const level = () => 1 + Math.floor(random() * 10);
  while (skills.size < SKILLS_PER_AGENT) {
    const s = Math.floor(random() * SKILLS);
    if (!skills.has(s)) skills.set(s, level());
    if (skills.size < SKILLS_PER_AGENT && random() < 0.5 && !skills.has(s ^ 1)) skills.set(s ^ 1, level());
  }
  return skills;
}

const qualifies = (skills: ReadonlyMap<number, number>, q: BenchQueue): boolean =>
  q.required.every((r) => (skills.get(r.skill) ?? 0) >= r.minLevel);

// ── One size, in a child process ──────────────────────────────────────────────

function measureSize(agents: number): ChildReport {
  const lines: string[] = [];
  const random = xoshiro128ss(20_240_601);
  const engine = new RoutingEngine({ random: xoshiro128ss(7) });
  const queues = buildQueues(random);
  const hotQueues = queues.map((q, i) => (q.hot ? i : -1)).filter((i) => i >= 0);
  let now = 0;
  const at = (): Millis => millis(now);
  let peakRss = process.memoryUsage().rss;
  const sampleRss = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
  };

  const setupStarted = performance.now();
  engine.setQueues(
    queues.map((q) => q.config),
    at(),
  );

  // Agents: all ready. Cold agents (in no hot queue) and their queues feed the interaction trigger.
  const coldQueuesOf: number[][] = [];
  const cold: number[] = [];
  let memberships = 0;
  let minQueues = Number.POSITIVE_INFINITY;
  let maxQueues = 0;
  for (let a = 0; a < agents; a++) {
    const skills = drawSkills(random);
    const mine = queues.map((q, i) => (qualifies(skills, q) ? i : -1)).filter((i) => i >= 0);
    memberships += mine.length;
    minQueues = Math.min(minQueues, mine.length);
    maxQueues = Math.max(maxQueues, mine.length);
    const id = agentId(`a${a}`);
    const profile = { id, capacity, skills: new Map([...skills].map(([s, l]) => [skillId(`s${s}`), l])) };
    engine.upsertAgent(profile, at());
    engine.login(id, at());
    engine.setReady(id, at());
    if (mine.length > 0 && mine.every((q) => !queues[q]!.hot)) {
      cold.push(a);
      coldQueuesOf[a] = mine;
    }
  }
  if (cold.length === 0)
    throw new Error('no agent is outside the hot queues; the interaction trigger cannot be measured');

  // Interactions: the id's number indexes their queue. Connected hot interactions wait for the agent trigger.
  const queueOf: number[] = [];
  const connectedHot = new IndexedSet<InteractionId>();
  const agentOf = new Map<InteractionId, AgentId>();
  let waiting = 0;
  let misses = 0;

  const enqueue = (q: number): RoutingEvent[] => {
    const n = queueOf.length;
    queueOf.push(q);
    return engine.enqueue(
      { id: interactionId(`i${n}`), channel: queues[q]!.channel, queueId: queues[q]!.config.id },
      at(),
    );
  };

  /**
   * Carries out offers outside the timing: the agent accepts; a cold interaction ends at once (its agent
   * stays free); a hot one stays connected and, once the backlog is built, is replaced by a new one in
   * its queue (`refill`), so the backlog stays the same size in every queue.
   */
  let building = true;
  const refill: number[] = [];
  const settle = (events: readonly RoutingEvent[]): number => {
    let decisions = 0;
    for (const e of events) {
      if (e.type !== 'routing.offered') continue;
      decisions++;
      const agent = e.agentIds[0]!;
      settle(engine.accept(agent, e.interactionId, at()));
      const q = queueOf[Number(e.interactionId.slice(1))]!;
      if (queues[q]!.hot) {
        connectedHot.add(e.interactionId);
        agentOf.set(e.interactionId, agent);
        waiting--;
        if (!building) refill.push(q);
      } else {
        settle(engine.end(e.interactionId, at()));
      }
    }
    return decisions;
  };
  const feed = (q: number) => {
    waiting++;
    settle(enqueue(q));
  };
  const refillAll = () => {
    for (let q = refill.pop(); q !== undefined; q = refill.pop()) feed(q);
  };

  while (waiting < agents * WAITING_PER_AGENT) {
    now++;
    feed(hotQueues[Math.floor(random() * hotQueues.length)]!);
    if ((now & 4095) === 0) sampleRss();
  }
  building = false;
  const setupSec = (performance.now() - setupStarted) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  sampleRss();

  // ── The measured loop: one decision of each trigger per step ──
  const total = WARMUP + MEASURED;
  const interactionMs = new Float64Array(MEASURED);
  const agentMs = new Float64Array(MEASURED);
  let interactionDecisions = 0;
  let agentDecisions = 0;
  for (let i = 0; i < total; i++) {
    now++;
    const measured = i >= WARMUP;
    const slot = i - WARMUP;

    // Interaction trigger: a queue of a random free agent, so at least one eligible agent is free.
    const a = cold[Math.floor(random() * cold.length)]!;
    const myQueues = coldQueuesOf[a]!;
    const q = myQueues[Math.floor(random() * myQueues.length)]!;
    const n = queueOf.length;
    queueOf.push(q);
    const request = {
      id: interactionId(`i${n}`),
      channel: queues[q]!.channel,
      queueId: queues[q]!.config.id,
    };
    let t0 = process.hrtime.bigint();
    let events = engine.enqueue(request, at());
    let t1 = process.hrtime.bigint();
    let decisions = settle(events);
    refillAll();
    if (decisions === 0) misses++;
    if (measured) {
      interactionMs[slot] = Number(t1 - t0) / 1e6;
      interactionDecisions += decisions;
    }

    // Agent trigger: a busy agent of the hot queues ends a call or chat and takes the best waiting one.
    // A chat under a call frees nothing routable (the call blocks other channels): the call ends instead.
    let ending = connectedHot.pick(random());
    const holder = agentOf.get(ending)!;
    const call = engine.agentState(holder)!.work.find((w) => w.exclusive && w.phase === 'connected');
    if (call) ending = call.interactionId;
    connectedHot.delete(ending);
    agentOf.delete(ending);
    t0 = process.hrtime.bigint();
    events = engine.end(ending, at());
    t1 = process.hrtime.bigint();
    decisions = settle(events);
    refillAll();
    if (decisions === 0) misses++;
    if (measured) {
      agentMs[slot] = Number(t1 - t0) / 1e6;
      agentDecisions += decisions;
    }

    // Offer timeouts of accepted offers are due by now: let the engine drop them, untimed.
    if ((i & 1023) === 0) {
      engine.tick(at());
      sampleRss();
    }
  }
  sampleRss();

  // The router agrees on the backlog the figures claim.
  let inQueues = 0;
  for (const q of hotQueues) inQueues += engine.queueSnapshot(queues[q]!.config.id).waiting;
  if (inQueues !== waiting)
    throw new Error(`the router holds ${inQueues} waiting interactions, not ${waiting}`);

  const interaction = figures(interactionMs, interactionDecisions);
  const agent = figures(agentMs, agentDecisions);
  const both = new Float64Array(MEASURED * 2);
  both.set(interactionMs);
  both.set(agentMs, MEASURED);
  const combined = figures(both, interactionDecisions + agentDecisions);
  const run: Run = {
    agents,
    waiting,
    ...combined,
    peakRssMb: Math.round(peakRss / 2 ** 20),
    interaction,
    agent,
  };
  lines.push(
    `${agents} agents, ${waiting} waiting, ${(memberships / agents).toFixed(1)} queues per agent (${minQueues}–${maxQueues}), ` +
      `${cold.length} free agents for the interaction trigger; setup ${setupSec.toFixed(1)} s`,
    `  interaction trigger: ${fmt(interaction)}`,
    `  agent trigger:       ${fmt(agent)}`,
    `  both:                ${fmt(combined)}; peak RSS ${run.peakRssMb} MB` +
      (misses > 0 ? `; ${misses} calls decided nothing` : ''),
  );
  return { run, lines };
}

/** A set with O(1) random pick and delete, for the busy agents' interactions. */
class IndexedSet<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<T, number>();

  add(item: T): void {
    this.#index.set(item, this.#items.length);
    this.#items.push(item);
  }

  delete(item: T): void {
    const i = this.#index.get(item)!;
    const last = this.#items.pop()!;
    this.#index.delete(item);
    if (last !== item) {
      this.#items[i] = last;
      this.#index.set(last, i);
    }
  }

  /** The item at a uniform position `u` ∈ [0, 1). */
  pick(u: number): T {
    return this.#items[Math.floor(u * this.#items.length)]!;
  }
}

function figures(latencies: Float64Array, decisions: number): Figures {
  let sum = 0;
  for (const x of latencies) sum += x;
  const sorted = latencies.slice().sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return {
    decisionsPerSec: Math.round(decisions / (sum / 1000)),
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
  };
}

const round = (ms: number): number => Math.round(ms * 10_000) / 10_000;
const fmt = (f: Figures): string =>
  `${f.decisionsPerSec.toLocaleString('en-US')} decisions/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`;

// ── Parent: one child per size ────────────────────────────────────────────────

function runChild(agents: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', String(agents)], {
      execArgv: [...process.execArgv, '--expose-gc', '--max-old-space-size=16384'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: ChildReport | undefined;
    child.on('message', (m) => {
      report = m as ChildReport;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && report) resolve(report);
      else reject(new Error(`the run with ${agents} agents exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const report = measureSize(Number(process.argv[childAt + 1]));
    // Forked by the parent: report through IPC. Run by hand (for profiling): print.
    if (process.send) process.send(report, () => process.exit(0));
    else console.log([...report.lines, JSON.stringify(report.run)].join('\n'));
    return;
  }
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${process.platform}; ` +
      `load average ${loadavg()[0]!.toFixed(2)} at start (other processes on the machine slow the figures down)`,
  );
  console.log(
    `${QUEUES} queues, ${SKILLS} skills, ${SKILLS_PER_AGENT} skills per agent, ${WAITING_PER_AGENT}× agents waiting; ` +
      `${WARMUP} warm-up and ${MEASURED} measured calls per trigger; latency = one engine call`,
  );
  // rounds[r][k]: round r's run of SIZES[k]
  const rounds: ChildReport[][] = [];
  for (let r = 0; r < REPEATS; r++) {
    const round: ChildReport[] = [];
    for (const size of SIZES) round.push(await runChild(size));
    rounds.push(round);
    console.log(
      `round ${r + 1}/${REPEATS}: ${round.map((t) => `${t.run.agents} agents ${t.run.decisionsPerSec.toLocaleString('en')}/s`).join(', ')}`,
    );
  }
  const runs: Run[] = [];
  SIZES.forEach((_, k) => {
    const tries = rounds
      .map((round) => round[k]!)
      .sort((a, b) => a.run.decisionsPerSec - b.run.decisionsPerSec);
    const median = tries[Math.floor((tries.length - 1) / 2)]!;
    for (const line of median.lines) console.log(line);
    if (tries.length > 1) {
      const all = tries.map((t) => Math.round(t.run.decisionsPerSec).toLocaleString('en')).join(' / ');
      console.log(`  (${tries.length} runs, both triggers: ${all} decisions/s; the median run is reported)`);
    }
    runs.push({ ...median.run, peakRssMb: Math.max(...tries.map((t) => t.run.peakRssMb)) });
  });
  if (SIZES.length > 1) {
    const ratios = rounds
      .map((round) => round[0]!.run.decisionsPerSec / round[round.length - 1]!.run.decisionsPerSec)
      .sort((a, b) => a - b);
    console.log(
      `cost per decision at ${SIZES[SIZES.length - 1]} agents over that at ${SIZES[0]}, per round (sorted): ` +
        `${ratios.map((x) => x.toFixed(2)).join(' / ')}; median ${ratios[Math.floor((ratios.length - 1) / 2)]!.toFixed(2)}×`,
    );
  }
  console.log(JSON.stringify({ runs }));
}

await main();
