import { type AgentId, agentId, type InteractionId, interactionId, queueId, skillId } from '../ids';
import { millis } from '../ports';
import { DeadlineQueue } from '../routing/deadline-queue';
import { type QueueConfig, queueConfig } from '../routing/queue-config';
import { RoutingEngine } from '../routing/routing-engine';
import type { RoutingEvent } from '../routing/routing-events';
import { exponential, sample } from './distributions';
import { type Random, stream, xoshiro128ss } from './prng';
import { groupServes, type Scenario, type ScenarioAgentGroup, type ScenarioQueue } from './scenario';
import { AgentClock, occupancy, type QueueFigures, QueueTally } from './simulation-figures';

/**
 * A discrete-event simulation of a contact center on a virtual clock, driving the real
 * `RoutingEngine`: Poisson arrivals per queue, sampled handle times and patience, agents who answer
 * offers after a delay and end the conversation after the handle time. Wrap-up ends by the engine's
 * own deadline (`nextDeadline()` / `tick`), merged into the simulator's event calendar (the router's
 * `DeadlineQueue`, a binary heap on (time, insertion order)); on equal times the engine goes first.
 *
 * Time is in milliseconds from 0 (floating point: no two random events coincide). All agents log in
 * and become ready at 0 and stay all run. Each queue draws its customers (inter-arrival time, handle
 * time, patience, in that order) from its own random stream, so a what-if run with other staffing sees
 * the same customers. The same scenario gives the same result, bit for bit.
 */
export interface SimulationResult {
  /** By queue name, in scenario order. Definitions: see simulation-figures.ts. */
  readonly queues: Readonly<Record<string, QueueFigures>>;
  /** Handling ÷ staffed time of all agents over the window. */
  readonly occupancy: number;
  readonly measuredSec: number;
  /** Virtual time when the run stopped (after draining the last arrivals). */
  readonly endedAtSec: number;
  readonly arrivals: number;
  readonly engineCommands: number;
}

export function simulate(scenario: Scenario): SimulationResult {
  return new Simulation(scenario).run();
}

type CalendarEvent =
  | { readonly kind: 'arrival'; readonly queue: number }
  | { readonly kind: 'answer'; readonly id: InteractionId; readonly agentId: AgentId }
  | { readonly kind: 'hang_up'; readonly id: InteractionId }
  | { readonly kind: 'give_up'; readonly id: InteractionId };

interface Customer {
  readonly queue: number;
  readonly arrivedAt: number;
  readonly handleMs: number;
  /** Arrived in the measured window. */
  readonly counted: boolean;
  /** Found no free agent on arrival. */
  queued: boolean;
  connected: boolean;
}

interface SimAgent {
  readonly clock: AgentClock;
  readonly answerDelayMs: number;
}

/** Customers of the window are drained for at most this many times the duration after it ends. */
const DRAIN_LIMIT = 1;

class Simulation {
  readonly #scenario: Scenario;
  readonly #durationMs: number;
  readonly #warmupMs: number;
  readonly #engine: RoutingEngine;
  readonly #calendar = new DeadlineQueue<CalendarEvent>();
  readonly #queueRandom: Random[];
  readonly #tallies: QueueTally[];
  readonly #agents = new Map<AgentId, SimAgent>();
  readonly #members: AgentClock[][];
  readonly #customers = new Map<InteractionId, Customer>();
  #arrivals = 0;
  /** Customers of the window not yet answered or gone. */
  #open = 0;
  #commands = 0;

  constructor(scenario: Scenario) {
    this.#scenario = scenario;
    this.#durationMs = scenario.durationSec * 1000;
    this.#warmupMs = scenario.warmupSec * 1000;
    this.#engine = new RoutingEngine({ random: xoshiro128ss(stream(scenario.seed, 0)) });
    this.#queueRandom = scenario.queues.map((_, i) => xoshiro128ss(stream(scenario.seed, i + 1)));
    this.#tallies = scenario.queues.map((q) => new QueueTally(q.serviceLevelSec * 1000));
    this.#members = scenario.queues.map(() => []);
  }

  run(): SimulationResult {
    this.#staff();
    for (const i of this.#scenario.queues.keys()) this.#scheduleArrival(i, 0);
    const stopAt = this.#durationMs * (1 + DRAIN_LIMIT);
    let now = 0;
    for (;;) {
      const nextEvent = this.#calendar.peekAt();
      const deadline = this.#engine.nextDeadline();
      if (nextEvent === null && deadline === null) break;
      now = Math.min(nextEvent ?? Number.POSITIVE_INFINITY, deadline ?? Number.POSITIVE_INFINITY);
      if (now >= this.#durationMs && (this.#open === 0 || now > stopAt)) break;
      if (deadline !== null && deadline <= now) {
        this.#apply(this.#command(() => this.#engine.tick(millis(now))));
      } else {
        this.#handle(this.#calendar.popDue(now)!, now);
      }
    }
    const clocks = [...this.#agents.values()].map((a) => a.clock);
    for (const clock of clocks) clock.finish();
    const queues: Record<string, QueueFigures> = {};
    for (const [i, q] of this.#scenario.queues.entries()) {
      queues[q.name] = this.#tallies[i]!.figures(this.#members[i]!);
    }
    return {
      queues,
      occupancy: occupancy(clocks),
      measuredSec: (this.#durationMs - this.#warmupMs) / 1000,
      endedAtSec: now / 1000,
      arrivals: this.#arrivals,
      engineCommands: this.#commands,
    };
  }

  /** Configures the queues, then logs every agent in and sets them ready at time 0. */
  #staff(): void {
    const { queues, agents } = this.#scenario;
    const at = millis(0);
    this.#command(() =>
      this.#engine.setQueues(
        queues.map((q) => engineQueue(q, agents)),
        at,
      ),
    );
    for (const group of agents) {
      const skills = new Map(Object.entries(group.skills).map(([name, level]) => [skillId(name), level]));
      for (let n = 1; n <= group.count; n++) {
        const id = agentId(`${group.name}-${n}`);
        const agent: SimAgent = {
          clock: new AgentClock(this.#warmupMs, this.#durationMs),
          answerDelayMs: group.answerDelaySec * 1000,
        };
        this.#agents.set(id, agent);
        for (const [i, q] of queues.entries()) {
          if (groupServes(group, q)) this.#members[i]!.push(agent.clock);
        }
        this.#apply(
          this.#command(() => this.#engine.upsertAgent({ id, capacity: group.capacity, skills }, at)),
        );
        this.#apply(this.#command(() => this.#engine.login(id, at)));
        this.#apply(this.#command(() => this.#engine.setReady(id, at)));
      }
    }
  }

  #scheduleArrival(queue: number, after: number): void {
    const perHour = this.#scenario.queues[queue]!.arrivalsPerHour;
    if (perHour <= 0) return;
    const at = after + exponential(this.#queueRandom[queue]!, 3_600_000 / perHour);
    if (at < this.#durationMs) this.#calendar.push(at, { kind: 'arrival', queue });
  }

  #handle(event: CalendarEvent, now: number): void {
    switch (event.kind) {
      case 'arrival':
        this.#arrive(event.queue, now);
        return;
      case 'answer': {
        const customer = this.#customers.get(event.id);
        if (!customer || customer.connected) return;
        // The offer may have gone meanwhile (taken by another agent of a ring_all, timed out).
        const view = this.#engine.interaction(event.id);
        if (view?.state !== 'offered' || !view.offeredTo.includes(event.agentId)) return;
        this.#apply(this.#command(() => this.#engine.accept(event.agentId, event.id, millis(now))));
        return;
      }
      case 'hang_up':
        this.#customers.delete(event.id);
        this.#apply(this.#command(() => this.#engine.end(event.id, millis(now))));
        return;
      case 'give_up': {
        const customer = this.#customers.get(event.id);
        if (!customer || customer.connected) return;
        this.#settle(event.id, customer);
        if (customer.counted)
          this.#tallies[customer.queue]!.abandon(now - customer.arrivedAt, customer.queued);
        this.#apply(this.#command(() => this.#engine.abandon(event.id, millis(now))));
        return;
      }
    }
  }

  #arrive(queue: number, now: number): void {
    const q = this.#scenario.queues[queue]!;
    const random = this.#queueRandom[queue]!;
    this.#scheduleArrival(queue, now);
    const handleMs = sample(random, q.handleTime) * 1000;
    const patienceMs = q.patience ? sample(random, q.patience) * 1000 : null;
    const id = interactionId(`${q.name}#${++this.#arrivals}`);
    const counted = now >= this.#warmupMs;
    const customer: Customer = { queue, arrivedAt: now, handleMs, counted, queued: true, connected: false };
    this.#customers.set(id, customer);
    if (counted) {
      this.#tallies[queue]!.offered++;
      this.#open++;
    }
    if (patienceMs !== null) this.#calendar.push(now + patienceMs, { kind: 'give_up', id });
    const events = this.#command(() =>
      this.#engine.enqueue({ id, channel: q.channel, queueId: queueId(q.name) }, millis(now)),
    );
    customer.queued = !events.some((e) => e.type === 'routing.offered' && e.interactionId === id);
    this.#apply(events);
  }

  #settle(id: InteractionId, customer: Customer): void {
    this.#customers.delete(id);
    if (customer.counted) this.#open--;
  }

  /** Carries out what the router decided: agents answer offers, answered customers talk. */
  #apply(events: readonly RoutingEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'routing.offered':
          for (const agent of e.agentIds) {
            const delay = this.#agents.get(agent)!.answerDelayMs;
            this.#calendar.push(e.at + delay, { kind: 'answer', id: e.interactionId, agentId: agent });
          }
          break;
        case 'routing.accepted': {
          const customer = this.#customers.get(e.interactionId)!;
          customer.connected = true;
          if (customer.counted) {
            this.#open--;
            this.#tallies[customer.queue]!.answer(e.at - customer.arrivedAt, customer.queued);
          }
          this.#calendar.push(e.at + customer.handleMs, { kind: 'hang_up', id: e.interactionId });
          break;
        }
        case 'agent.state_changed':
          this.#agents.get(e.agentId)!.clock.change(e.to, e.at);
          break;
        case 'interaction.state_changed':
          // Overflow or the router gave up on it: the customer leaves unanswered (not an abandon).
          if (e.to === 'missed' || e.to === 'voicemail' || e.to === 'transferred') {
            const customer = this.#customers.get(e.interactionId);
            if (customer && !customer.connected) this.#settle(e.interactionId, customer);
          }
          break;
        default:
          break;
      }
    }
  }

  #command(run: () => RoutingEvent[]): RoutingEvent[] {
    this.#commands++;
    return run();
  }
}

function engineQueue(q: ScenarioQueue, groups: readonly ScenarioAgentGroup[]): QueueConfig {
  const restricted = groups.some((g) => g.queues !== null);
  const members = restricted
    ? new Set(
        groups
          .filter((g) => g.queues === null || g.queues.includes(q.name))
          .flatMap((g) => Array.from({ length: g.count }, (_, n) => agentId(`${g.name}-${n + 1}`))),
      )
    : null;
  return queueConfig({
    id: queueId(q.name),
    name: q.name,
    strategy: q.strategy,
    priority: q.priority,
    requiredSkills: q.requiredSkills.map((r) => ({ skillId: skillId(r.skill), minLevel: r.minLevel })),
    members,
    offerTimeoutMs: q.offerTimeoutSec * 1000,
    wrapUpMs: q.wrapUpSec * 1000,
  });
}
