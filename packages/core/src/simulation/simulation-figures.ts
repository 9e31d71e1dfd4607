import type { AgentStatus } from '../agent/agent-state';

/**
 * The figures a simulation reports, with the definitions a planner needs to compare them with a
 * forecast. Only interactions that arrive in the measured window [warm-up, duration) count; the run
 * drains after the last arrival, so each of them ends answered, abandoned, or (when no agent could
 * ever take it) unresolved.
 *
 * - service level = answered within the target ÷ (answered + abandoned); abandons count against it,
 *   however short (without abandonment, as in Erlang C, this is answered within target ÷ answered);
 *   1 when nothing was answered or abandoned;
 * - ASA = mean time from arrival to answer of the answered ones (includes the agent's answer delay);
 * - waited = share of (answered + abandoned) that found no free agent on arrival, i.e. were not offered
 *   to anyone at once (Erlang's P(wait));
 * - abandon rate = abandoned ÷ offered;
 * - occupancy = time the queue's agents spent handling ÷ their staffed time over the window, where
 *   "the queue's agents" are those who qualify for it (skills and membership) — an agent who serves
 *   several queues counts in each of them, with all of their work — and handling means reserved,
 *   busy or wrap-up (any work, on any channel; a chat agent with one of three chats is handling).
 */
export interface QueueFigures {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  /** Neither answered nor abandoned when the run stopped (nobody could take them). */
  readonly unresolved: number;
  readonly answeredWithinTarget: number;
  readonly serviceLevel: number;
  readonly asaSec: number;
  readonly maxWaitSec: number;
  readonly waitedRate: number;
  readonly abandonRate: number;
  readonly occupancy: number;
  /** Agents qualified for the queue. */
  readonly agents: number;
}

export class QueueTally {
  offered = 0;
  answered = 0;
  abandoned = 0;
  answeredWithinTarget = 0;
  #queued = 0;
  #waitSumMs = 0;
  #maxWaitMs = 0;

  constructor(readonly targetMs: number) {}

  /** `queued`: no agent was free when the customer arrived. */
  answer(waitMs: number, queued: boolean): void {
    this.answered++;
    this.#waitSumMs += waitMs;
    if (waitMs > this.#maxWaitMs) this.#maxWaitMs = waitMs;
    if (waitMs <= this.targetMs) this.answeredWithinTarget++;
    if (queued) this.#queued++;
  }

  abandon(waitMs: number, queued: boolean): void {
    this.abandoned++;
    if (queued) this.#queued++;
    if (waitMs > this.#maxWaitMs) this.#maxWaitMs = waitMs;
  }

  figures(agents: readonly AgentClock[]): QueueFigures {
    const settled = this.answered + this.abandoned;
    return {
      offered: this.offered,
      answered: this.answered,
      abandoned: this.abandoned,
      unresolved: this.offered - settled,
      answeredWithinTarget: this.answeredWithinTarget,
      serviceLevel: settled === 0 ? 1 : this.answeredWithinTarget / settled,
      asaSec: this.answered === 0 ? 0 : this.#waitSumMs / this.answered / 1000,
      maxWaitSec: this.#maxWaitMs / 1000,
      waitedRate: settled === 0 ? 0 : this.#queued / settled,
      abandonRate: this.offered === 0 ? 0 : this.abandoned / this.offered,
      occupancy: occupancy(agents),
      agents: agents.length,
    };
  }
}

const handling: ReadonlySet<AgentStatus> = new Set(['reserved', 'busy', 'wrap_up']);

/** Time one agent spent staffed and handling inside the measured window, from its status changes. */
export class AgentClock {
  handlingMs = 0;
  staffedMs = 0;
  #status: AgentStatus = 'logged_out';
  #since = 0;

  constructor(
    readonly windowStart: number,
    readonly windowEnd: number,
  ) {}

  /** The agent's status became `status` at `at` (times must not go back). */
  change(status: AgentStatus, at: number): void {
    this.#close(at);
    this.#status = status;
    this.#since = at;
  }

  /** Counts the open status up to the end of the window. */
  finish(): void {
    this.#close(this.windowEnd);
    this.#since = Math.max(this.#since, this.windowEnd);
  }

  #close(at: number): void {
    const from = Math.max(this.#since, this.windowStart);
    const to = Math.min(at, this.windowEnd);
    if (to <= from) return;
    if (this.#status !== 'logged_out') this.staffedMs += to - from;
    if (handling.has(this.#status)) this.handlingMs += to - from;
  }
}

export function occupancy(agents: readonly AgentClock[]): number {
  let busy = 0;
  let staffed = 0;
  for (const a of agents) {
    busy += a.handlingMs;
    staffed += a.staffedMs;
  }
  return staffed === 0 ? 0 : busy / staffed;
}
