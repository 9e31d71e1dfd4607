import { DomainError } from '@hotline/core/domain-error';
import type { Clock } from '@hotline/core/ports';
import type { EngineSettings } from '@hotline/core/routing/engine-contract';
import { RoutingEngine } from '@hotline/core/routing/routing-engine';
import type { RoutingEvent } from '@hotline/core/routing/routing-events';
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { AppError } from '../errors';
import type { OutboxEntry, RoutingStore } from './routing-store';

/**
 * Hosts one routing engine per tenant, loaded from the database on first use. Commands of a tenant
 * run one at a time (a promise chain): the engine decides synchronously, the store writes state and
 * events in one transaction, then subscribers get the committed events. If the write fails the
 * tenant's engine is dropped and rebuilt from the database by the next command, so memory never
 * runs ahead of what is stored. Engine deadlines (offer timeouts, wrap-up, overflow) run on a timer.
 *
 * One process per tenant's routing at a time; spreading tenants over processes (a lease) comes later.
 */
export type OutboxListener = (entries: readonly OutboxEntry[]) => void;

export interface RoutingServiceDeps {
  readonly store: RoutingStore;
  readonly clock: Clock;
  readonly random: () => number;
  readonly settings: Partial<EngineSettings>;
  readonly onError: (err: unknown, tenantId: string) => void;
}

interface TenantHost {
  engine: RoutingEngine | null;
  chain: Promise<unknown>;
  timer: NodeJS.Timeout | null;
  timerAt: number | null;
  /** Bumped when configuration changes: the engine reloads queues and agents before the next command. */
  configStale: boolean;
}

export class RoutingService {
  readonly #deps: RoutingServiceDeps;
  readonly #tenants = new Map<string, TenantHost>();
  readonly #listeners = new Set<OutboxListener>();
  #closed = false;

  constructor(deps: RoutingServiceDeps) {
    this.#deps = deps;
  }

  subscribe(listener: OutboxListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs `command` on the tenant's engine and stores its outcome. `prepare` runs in the same
   * transaction before the events are written (e.g. inserting a new interaction's row).
   */
  execute<T>(
    tenantId: string,
    command: (engine: RoutingEngine, at: ReturnType<Clock['now']>) => { events: RoutingEvent[]; result: T },
    prepare?: (tx: Transaction<Database>) => Promise<void>,
  ): Promise<T> {
    const host = this.#host(tenantId);
    const run = host.chain.then(async () => {
      if (this.#closed) throw new AppError('NOT_READY', 'routing is shutting down');
      const engine = await this.#engine(tenantId, host);
      const at = this.#deps.clock.now();
      let outcome: { events: RoutingEvent[]; result: T };
      try {
        outcome = command(engine, at);
      } catch (err) {
        if (err instanceof DomainError) throw toAppError(err);
        // Refusals raised before the engine changed anything leave it as it is; anything else rebuilds it.
        if (!(err instanceof AppError)) host.engine = null;
        throw err;
      }
      let entries: OutboxEntry[];
      try {
        entries = await this.#deps.store.persist(tenantId, engine, outcome.events, at, prepare);
      } catch (err) {
        host.engine = null;
        throw err;
      }
      this.#publish(entries);
      this.#schedule(tenantId, host);
      return outcome.result;
    });
    host.chain = run.catch(() => undefined);
    return run;
  }

  /** Reads the engine (snapshot figures, explanations) in turn with commands. */
  read<T>(tenantId: string, query: (engine: RoutingEngine, at: ReturnType<Clock['now']>) => T): Promise<T> {
    const host = this.#host(tenantId);
    const run = host.chain.then(async () => {
      const engine = await this.#engine(tenantId, host);
      try {
        return query(engine, this.#deps.clock.now());
      } catch (err) {
        if (err instanceof DomainError) throw toAppError(err);
        throw err;
      }
    });
    host.chain = run.catch(() => undefined);
    return run;
  }

  /** Queues, users or skills changed: the engine takes the new configuration before its next command. */
  configChanged(tenantId: string): void {
    const host = this.#tenants.get(tenantId);
    if (host) host.configStale = true;
  }

  /** Loads every tenant with open interactions or logged-in agents, so their timers run after a restart. */
  async warmUp(tenantIds: readonly string[]): Promise<void> {
    await Promise.all(tenantIds.map((id) => this.read(id, () => undefined)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const host of this.#tenants.values()) {
      if (host.timer) clearTimeout(host.timer);
      host.timer = null;
      await host.chain;
    }
  }

  #host(tenantId: string): TenantHost {
    let host = this.#tenants.get(tenantId);
    if (!host) {
      host = { engine: null, chain: Promise.resolve(), timer: null, timerAt: null, configStale: false };
      this.#tenants.set(tenantId, host);
    }
    return host;
  }

  async #engine(tenantId: string, host: TenantHost): Promise<RoutingEngine> {
    const { store, clock, random } = this.#deps;
    if (host.engine && !host.configStale) return host.engine;
    if (host.engine && host.configStale) {
      host.configStale = false;
      const engine = host.engine;
      const [queues, agents] = await Promise.all([store.loadQueues(tenantId), store.loadAgents(tenantId)]);
      const at = clock.now();
      const events = [...engine.setQueues(queues, at)];
      for (const a of agents) events.push(...engine.upsertAgent(a.profile, at));
      // A user deactivated (or deleted) since: out of routing at once; work already connected stays
      // with them until it ends.
      const active = new Set<string>(agents.map((a) => a.profile.id));
      for (const state of [...engine.agents()]) {
        if (!active.has(state.id) && state.presence !== 'logged_out')
          events.push(...engine.logout(state.id, at));
      }
      const entries = await store.persist(tenantId, engine, events, at);
      this.#publish(entries);
      return engine;
    }
    host.configStale = false;
    // "Handled today" survives a restart (today: since 00:00 UTC, as in the live figures).
    const dayStart = new Date(Math.floor(clock.now() / 86_400_000) * 86_400_000);
    const [queues, agents, open] = await Promise.all([
      store.loadQueues(tenantId),
      store.loadAgents(tenantId, dayStart),
      store.loadOpenInteractions(tenantId),
    ]);
    const engine = new RoutingEngine({ random, settings: this.#deps.settings });
    const at = clock.now();
    engine.setQueues(queues, at);
    const events = engine.restore(agents, open, at);
    const entries = await store.persist(tenantId, engine, events, at);
    host.engine = engine;
    this.#publish(entries);
    this.#schedule(tenantId, host);
    return engine;
  }

  #publish(entries: readonly OutboxEntry[]): void {
    if (entries.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(entries);
      } catch (err) {
        this.#deps.onError(err, entries[0]!.tenantId);
      }
    }
  }

  #schedule(tenantId: string, host: TenantHost): void {
    if (this.#closed || !host.engine) return;
    const next = host.engine.nextDeadline();
    if (next === host.timerAt) return;
    if (host.timer) clearTimeout(host.timer);
    host.timer = null;
    host.timerAt = next;
    if (next === null) return;
    const delay = Math.max(0, Math.min(next - this.#deps.clock.now(), 2_147_000_000));
    host.timer = setTimeout(() => {
      host.timer = null;
      host.timerAt = null;
      this.execute(tenantId, (engine, at) => ({ events: engine.tick(at), result: undefined })).catch((err) =>
        this.#deps.onError(err, tenantId),
      );
    }, delay);
  }
}

const domainToApi = {
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  UNKNOWN_QUEUE: 'INVALID_REFERENCE',
  UNKNOWN_SKILL: 'INVALID_REFERENCE',
  UNKNOWN_AGENT: 'INVALID_REFERENCE',
  UNKNOWN_INTERACTION: 'NOT_FOUND',
  NOT_YOUR_OFFER: 'NOT_YOUR_OFFER',
  AGENT_LOGGED_OUT: 'AGENT_LOGGED_OUT',
  DUPLICATE_INTERACTION: 'DUPLICATE',
} as const satisfies Record<DomainError['code'], ConstructorParameters<typeof AppError>[0]>;

function toAppError(err: DomainError): AppError {
  return new AppError(domainToApi[err.code], err.message);
}
