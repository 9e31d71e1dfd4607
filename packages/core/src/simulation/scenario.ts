import { type Capacity, type Channel, channels } from '../channels';
import { type Strategy, strategies } from '../routing/queue-config';
import { type Distribution, distributionKinds } from './distributions';

/**
 * A simulation scenario as read from a JSON file (times in seconds, as planners think of them).
 * `parseScenario` checks a parsed file and fills the defaults; its errors name the field
 * (`queues[1].handleTime.meanSec: …`) so a planner can fix the file without reading this code.
 */
export interface Scenario {
  /** Same seed, same scenario → the same result, to the last digit. */
  readonly seed: number;
  /** Arrivals are generated in [0, durationSec); the run then drains until they are all settled. */
  readonly durationSec: number;
  /** Interactions arriving before this (and agent time before it) are left out of the figures. */
  readonly warmupSec: number;
  readonly queues: readonly ScenarioQueue[];
  readonly agents: readonly ScenarioAgentGroup[];
}

export interface ScenarioQueue {
  readonly name: string;
  readonly strategy: Strategy;
  readonly channel: Channel;
  readonly priority: number;
  /** Target answer time for the service level. */
  readonly serviceLevelSec: number;
  /** Poisson arrival rate (a file may give `callsPerInterval` + `intervalSec` instead). */
  readonly arrivalsPerHour: number;
  readonly handleTime: Distribution;
  /** How long a customer waits before hanging up; `null`: nobody abandons. */
  readonly patience: Distribution | null;
  readonly requiredSkills: readonly { readonly skill: string; readonly minLevel: number }[];
  readonly wrapUpSec: number;
  readonly offerTimeoutSec: number;
}

export interface ScenarioAgentGroup {
  /** Prefix of the agents' ids; defaults to `group<N>`. */
  readonly name: string;
  readonly count: number;
  readonly skills: Readonly<Record<string, number>>;
  readonly capacity: Capacity;
  /** Restricts the group to these queues (by name); `null`: every queue whose skills it has. */
  readonly queues: readonly string[] | null;
  /** Time from an offer to the agent's answer (ringing, reading the preview). */
  readonly answerDelaySec: number;
}

/** Capacity when a group states none: one interaction on every channel. */
export const defaultCapacity: Capacity = { voice: 1, chat: 1, email: 1, sms: 1, messenger: 1, task: 1 };

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(readonly issues: readonly string[]) {
    super(`invalid scenario:\n  ${issues.join('\n  ')}`);
  }
}

/**
 * Whether the router may offer the queue's interactions to the group's agents: membership, capacity on
 * the queue's channel, and every required skill at its level (the router's own rule, for the figures).
 */
export function groupServes(group: ScenarioAgentGroup, queue: ScenarioQueue): boolean {
  if (group.queues !== null && !group.queues.includes(queue.name)) return false;
  if (group.capacity[queue.channel] < 1) return false;
  return queue.requiredSkills.every((r) => (group.skills[r.skill] ?? 0) >= r.minLevel);
}

type Json = Record<string, unknown>;

/** Validates a parsed scenario file; throws `ScenarioError` listing every problem found. */
export function parseScenario(input: unknown): Scenario {
  const issues: string[] = [];
  const v = new Reader(issues);
  const root = v.object(input, '');
  if (!root) throw new ScenarioError(issues);
  v.known(root, '', ['seed', 'durationSec', 'warmupSec', 'queues', 'agents']);

  const seed = v.integer(root.seed, 'seed', { min: 0, max: 2 ** 32 - 1 }) ?? 0;
  const durationSec = v.number(root.durationSec, 'durationSec', { min: 0, exclusive: true }) ?? 1;
  const warmupSec = v.optionalNumber(root.warmupSec, 'warmupSec', 0, { min: 0 });
  if (warmupSec >= durationSec) issues.push('warmupSec: must be less than durationSec');

  const queues = v.array(root.queues, 'queues').map((q, i) => parseQueue(v, q, `queues[${i}]`));
  const names = new Set<string>();
  for (const [i, q] of queues.entries()) {
    if (names.has(q.name)) issues.push(`queues[${i}].name: "${q.name}" is used by another queue`);
    names.add(q.name);
  }
  const agents = v.array(root.agents, 'agents').map((a, i) => parseAgents(v, a, `agents[${i}]`, names));
  const groupNames = new Set<string>();
  for (const [i, a] of agents.entries()) {
    if (groupNames.has(a.name)) issues.push(`agents[${i}].name: "${a.name}" is used by another group`);
    groupNames.add(a.name);
    for (const q of queues) {
      if (a.answerDelaySec >= q.offerTimeoutSec && (a.queues === null || a.queues.includes(q.name))) {
        issues.push(
          `agents[${i}].answerDelaySec: ${a.answerDelaySec} s is not shorter than the offer timeout of queue "${q.name}" (${q.offerTimeoutSec} s); every offer would time out`,
        );
      }
    }
  }
  if (issues.length > 0) throw new ScenarioError(issues);
  return { seed, durationSec, warmupSec, queues, agents };
}

function parseQueue(v: Reader, input: unknown, at: string): ScenarioQueue {
  const q = v.object(input, at) ?? {};
  v.known(q, at, [
    'name',
    'strategy',
    'channel',
    'priority',
    'serviceLevelSec',
    'arrivalsPerHour',
    'callsPerInterval',
    'intervalSec',
    'handleTime',
    'patience',
    'requiredSkills',
    'wrapUpSec',
    'offerTimeoutSec',
  ]);
  const name = v.string(q.name, `${at}.name`) ?? '';
  const strategy = v.optionalOneOf(q.strategy, `${at}.strategy`, strategies, 'longest_idle');
  const channel = v.optionalOneOf(q.channel, `${at}.channel`, channels, 'voice');
  const priority = q.priority === undefined ? 0 : (v.integer(q.priority, `${at}.priority`, {}) ?? 0);
  const serviceLevelSec = v.number(q.serviceLevelSec, `${at}.serviceLevelSec`, { min: 0 }) ?? 0;

  let arrivalsPerHour = 0;
  const perHour = q.arrivalsPerHour !== undefined;
  const perInterval = q.callsPerInterval !== undefined || q.intervalSec !== undefined;
  if (perHour === perInterval) {
    v.issues.push(`${at}: give either arrivalsPerHour or callsPerInterval with intervalSec`);
  } else if (perHour) {
    arrivalsPerHour = v.number(q.arrivalsPerHour, `${at}.arrivalsPerHour`, { min: 0 }) ?? 0;
  } else {
    const calls = v.number(q.callsPerInterval, `${at}.callsPerInterval`, { min: 0 }) ?? 0;
    const interval = v.number(q.intervalSec, `${at}.intervalSec`, { min: 0, exclusive: true }) ?? 1;
    arrivalsPerHour = (calls * 3600) / interval;
  }

  const handleTime = v.distribution(q.handleTime, `${at}.handleTime`) ?? { dist: 'constant', meanSec: 1 };
  const patience =
    q.patience === undefined || q.patience === null
      ? null
      : (v.distribution(q.patience, `${at}.patience`) ?? null);
  const requiredSkills = (
    q.requiredSkills === undefined ? [] : v.array(q.requiredSkills, `${at}.requiredSkills`, false)
  ).map((r, i) => {
    const path = `${at}.requiredSkills[${i}]`;
    const o = v.object(r, path) ?? {};
    v.known(o, path, ['skill', 'minLevel']);
    return {
      skill: v.string(o.skill, `${path}.skill`) ?? '',
      minLevel: v.integer(o.minLevel, `${path}.minLevel`, { min: 1, max: 10 }) ?? 1,
    };
  });
  const wrapUpSec = v.optionalNumber(q.wrapUpSec, `${at}.wrapUpSec`, 0, { min: 0 });
  const offerTimeoutSec = v.optionalNumber(q.offerTimeoutSec, `${at}.offerTimeoutSec`, 20, {
    min: 0,
    exclusive: true,
  });
  return {
    name,
    strategy,
    channel,
    priority,
    serviceLevelSec,
    arrivalsPerHour,
    handleTime,
    patience,
    requiredSkills,
    wrapUpSec,
    offerTimeoutSec,
  };
}

function parseAgents(
  v: Reader,
  input: unknown,
  at: string,
  queueNames: ReadonlySet<string>,
): ScenarioAgentGroup {
  const a = v.object(input, at) ?? {};
  v.known(a, at, ['name', 'count', 'skills', 'capacity', 'queues', 'answerDelaySec']);
  const index = /\[(\d+)\]$/.exec(at)?.[1] ?? '0';
  const name = a.name === undefined ? `group${index}` : (v.string(a.name, `${at}.name`) ?? '');
  const count = v.integer(a.count, `${at}.count`, { min: 0 }) ?? 0;

  const skills: Record<string, number> = {};
  const rawSkills = a.skills === undefined ? {} : (v.object(a.skills, `${at}.skills`) ?? {});
  for (const [skill, level] of Object.entries(rawSkills)) {
    skills[skill] = v.integer(level, `${at}.skills.${skill}`, { min: 1, max: 10 }) ?? 1;
  }

  let capacity = defaultCapacity;
  if (a.capacity !== undefined) {
    const raw = v.object(a.capacity, `${at}.capacity`) ?? {};
    v.known(raw, `${at}.capacity`, channels);
    const c: Record<Channel, number> = { voice: 0, chat: 0, email: 0, sms: 0, messenger: 0, task: 0 };
    for (const ch of channels) {
      if (raw[ch] !== undefined) c[ch] = v.integer(raw[ch], `${at}.capacity.${ch}`, { min: 0 }) ?? 0;
    }
    capacity = c;
  }

  let queues: string[] | null = null;
  if (a.queues !== undefined) {
    queues = v.array(a.queues, `${at}.queues`, false).map((q, i) => {
      const name = v.string(q, `${at}.queues[${i}]`) ?? '';
      if (name && !queueNames.has(name)) v.issues.push(`${at}.queues[${i}]: no queue is named "${name}"`);
      return name;
    });
  }
  const answerDelaySec = v.optionalNumber(a.answerDelaySec, `${at}.answerDelaySec`, 0, { min: 0 });
  return { name, count, skills, capacity, queues, answerDelaySec };
}

/** Type checks that record a readable issue and return undefined instead of throwing at the first one. */
class Reader {
  constructor(readonly issues: string[]) {}

  object(x: unknown, at: string): Json | undefined {
    if (typeof x === 'object' && x !== null && !Array.isArray(x)) return x as Json;
    this.issues.push(`${at || 'scenario'}: must be an object`);
    return undefined;
  }

  array(x: unknown, at: string, nonEmpty = true): unknown[] {
    if (Array.isArray(x) && (x.length > 0 || !nonEmpty)) return x;
    this.issues.push(`${at}: must be a${nonEmpty ? ' non-empty' : 'n'} array`);
    return [];
  }

  known(o: Json, at: string, fields: readonly string[]): void {
    for (const key of Object.keys(o)) {
      if (!fields.includes(key)) {
        this.issues.push(`${at ? `${at}.` : ''}${key}: unknown field (expected one of ${fields.join(', ')})`);
      }
    }
  }

  string(x: unknown, at: string): string | undefined {
    if (typeof x === 'string' && x.length > 0) return x;
    this.issues.push(`${at}: must be a non-empty string`);
    return undefined;
  }

  number(
    x: unknown,
    at: string,
    range: { min?: number; max?: number; exclusive?: boolean },
  ): number | undefined {
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      this.issues.push(`${at}: must be a number${x === undefined ? ' (missing)' : ''}`);
      return undefined;
    }
    if (range.min !== undefined && (range.exclusive ? x <= range.min : x < range.min)) {
      this.issues.push(
        `${at}: must be ${range.exclusive ? 'greater than' : 'at least'} ${range.min}, got ${x}`,
      );
      return undefined;
    }
    if (range.max !== undefined && x > range.max) {
      this.issues.push(`${at}: must be at most ${range.max}, got ${x}`);
      return undefined;
    }
    return x;
  }

  optionalNumber(
    x: unknown,
    at: string,
    fallback: number,
    range: { min?: number; max?: number; exclusive?: boolean },
  ): number {
    return x === undefined ? fallback : (this.number(x, at, range) ?? fallback);
  }

  integer(x: unknown, at: string, range: { min?: number; max?: number }): number | undefined {
    const n = this.number(x, at, range);
    if (n === undefined) return undefined;
    if (!Number.isInteger(n)) {
      this.issues.push(`${at}: must be a whole number, got ${n}`);
      return undefined;
    }
    return n;
  }

  optionalOneOf<T extends string>(x: unknown, at: string, allowed: readonly T[], fallback: T): T {
    if (x === undefined) return fallback;
    if (typeof x === 'string' && (allowed as readonly string[]).includes(x)) return x as T;
    this.issues.push(`${at}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(x)}`);
    return fallback;
  }

  distribution(x: unknown, at: string): Distribution | undefined {
    const o = this.object(x, at);
    if (!o) return undefined;
    const dist = this.optionalOneOf(o.dist, `${at}.dist`, distributionKinds, 'exponential');
    if (o.dist === undefined)
      this.issues.push(`${at}.dist: missing (one of ${distributionKinds.join(', ')})`);
    const positive = { min: 0, exclusive: true };
    switch (dist) {
      case 'exponential':
      case 'constant': {
        this.known(o, at, ['dist', 'meanSec']);
        const meanSec = this.number(o.meanSec, `${at}.meanSec`, positive);
        return meanSec === undefined ? undefined : { dist, meanSec };
      }
      case 'lognormal': {
        this.known(o, at, ['dist', 'meanSec', 'cv']);
        const meanSec = this.number(o.meanSec, `${at}.meanSec`, positive);
        const cv = this.number(o.cv, `${at}.cv`, positive);
        return meanSec === undefined || cv === undefined ? undefined : { dist, meanSec, cv };
      }
      case 'uniform': {
        this.known(o, at, ['dist', 'minSec', 'maxSec']);
        const minSec = this.number(o.minSec, `${at}.minSec`, { min: 0 });
        const maxSec = this.number(o.maxSec, `${at}.maxSec`, { min: 0 });
        if (minSec === undefined || maxSec === undefined) return undefined;
        if (maxSec <= minSec) {
          this.issues.push(`${at}.maxSec: must be greater than minSec`);
          return undefined;
        }
        return { dist, minSec, maxSec };
      }
    }
  }
}
