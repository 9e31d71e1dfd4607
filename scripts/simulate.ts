// Runs a contact-center simulation on the real router: `npm run simulate -- FILE.json`.
// Prints a table per queue, then ends with one line of JSON:
// {"queues":{"NAME":{"offered","serviceLevel","asaSec","abandonRate","occupancy"}}}.
// Scenario format: examples/simulation/README.md; definitions of the figures: simulation-figures.ts.
import { readFileSync } from 'node:fs';
import { erlangA } from '@hotline/core/routing/erlang';
import {
  groupServes,
  parseScenario,
  type Scenario,
  ScenarioError,
  type ScenarioQueue,
} from '@hotline/core/simulation/scenario';
import type { QueueFigures } from '@hotline/core/simulation/simulation-figures';
import { simulate } from '@hotline/core/simulation/simulator';

function load(file: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseScenario(json);
  } catch (error) {
    if (error instanceof ScenarioError) fail(`${file}: ${error.message}`);
    throw error;
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

const file = process.argv[2];
if (!file) fail('usage: npm run simulate -- SCENARIO.json');
const scenario = load(file);

const started = performance.now();
const result = simulate(scenario);
const elapsedSec = (performance.now() - started) / 1000;

const measuredHours = result.measuredSec / 3600;
console.log(
  `${file}: seed ${scenario.seed}, ${measuredHours.toFixed(1)} h measured after ${scenario.warmupSec} s warm-up, ` +
    `${result.arrivals} arrivals, ${result.engineCommands} router commands in ${elapsedSec.toFixed(2)} s`,
);
const header = [
  'queue',
  'agents',
  'offered',
  'answered',
  'abandoned',
  'SL',
  'ASA s',
  'max wait s',
  'waited',
  'abandoned %',
  'occupancy',
];
const rows = Object.entries(result.queues).map(([name, q]: [string, QueueFigures]) => [
  name,
  String(q.agents),
  String(q.offered),
  String(q.answered),
  String(q.abandoned),
  pct(q.serviceLevel),
  q.asaSec.toFixed(2),
  q.maxWaitSec.toFixed(1),
  pct(q.waitedRate),
  pct(q.abandonRate),
  pct(q.occupancy),
]);
console.log(table([header, ...rows]));
console.log(`occupancy of all agents: ${pct(result.occupancy)}`);
for (const [name, q] of Object.entries(result.queues)) {
  if (q.agents === 0) console.log(`warning: no agent can take interactions of ${name}`);
  if (q.unresolved > 0)
    console.log(`warning: ${q.unresolved} interactions of ${name} were never answered nor abandoned`);
}
for (const q of scenario.queues) {
  const reference = erlangReference(scenario, q);
  if (reference) console.log(reference);
}
console.log(
  'SL = answered within target ÷ (answered + abandoned); waited = found no free agent; ' +
    'occupancy = handling ÷ staffed time of the agents qualified for the queue (examples/simulation/README.md)',
);

const summary: Record<
  string,
  Pick<QueueFigures, 'offered' | 'serviceLevel' | 'asaSec' | 'abandonRate' | 'occupancy'>
> = {};
for (const [name, q] of Object.entries(result.queues)) {
  summary[name] = {
    offered: q.offered,
    serviceLevel: round(q.serviceLevel, 6),
    asaSec: round(q.asaSec, 3),
    abandonRate: round(q.abandonRate, 6),
    occupancy: round(q.occupancy, 6),
  };
}
console.log(JSON.stringify({ queues: summary }));

/**
 * Erlang C (or A, with exponential patience) for a queue the formulas describe: exponential handle
 * time, no wrap-up, and agents who answer at once, one at a time, and serve no other queue.
 */
function erlangReference(s: Scenario, q: ScenarioQueue): string | null {
  if (q.handleTime.dist !== 'exponential' || q.wrapUpSec > 0) return null;
  if (q.patience && q.patience.dist !== 'exponential') return null;
  const groups = s.agents.filter((g) => groupServes(g, q));
  const alone = groups.every(
    (g) =>
      g.capacity[q.channel] === 1 &&
      g.answerDelaySec === 0 &&
      s.queues.every((other) => other === q || !groupServes(g, other)),
  );
  if (groups.length === 0 || !alone) return null;
  const agents = groups.reduce((n, g) => n + g.count, 0);
  const e = erlangA({
    callsPerInterval: q.arrivalsPerHour,
    intervalSec: 3600,
    ahtSec: q.handleTime.meanSec,
    agents,
    patienceSec: q.patience ? q.patience.meanSec : Number.POSITIVE_INFINITY,
    targetSec: q.serviceLevelSec,
  });
  return (
    `${q.patience ? 'Erlang A' : 'Erlang C'} for ${q.name}: SL ${pct(e.serviceLevel)}, ASA ${e.asaSec.toFixed(2)}, ` +
    `P(wait) ${e.probWait.toFixed(4)}, abandoned ${pct(e.probAbandon)}, occupancy ${pct(e.occupancy)}`
  );
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
