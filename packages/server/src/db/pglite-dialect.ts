import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * Kysely dialect over an embedded PGlite instance.
 *
 * PGlite is one connection in this process, so the driver hands it out to one holder at a time:
 * a transaction keeps it until commit/rollback and every other query waits in FIFO order.
 * A query without parameters runs through `exec` (simple protocol), which, like node-postgres,
 * accepts several statements — the SQL migrations rely on that.
 *
 * Fairness: PGlite runs a query synchronously on this thread and its promise settles in a microtask,
 * so a loop of awaited queries (one per open socket, say) would never let the event loop read a
 * socket or fire a timer until it ends — the bench saw a 650 ms stall from 1,000 such queries. So the
 * driver yields to the event loop (`setImmediate`) before it hands the connection out: at most one
 * query or transaction runs per turn. The queries of a transaction run without yielding between them
 * (a few short statements; yielding there would only hold the connection longer).
 */
export function pgliteDialect(pg: PGlite): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PGliteDriver(pg),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(pg: PGlite) {
    this.#connection = new PGliteConnection(pg);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#release = release;
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    await this.#tail;
    await this.#connection.pg.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(readonly pg: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (compiled.parameters.length === 0) {
      const results = await this.pg.exec(compiled.sql);
      const last = results.at(-1);
      return toResult<R>(last?.rows ?? [], last?.affectedRows);
    }
    const result = await this.pg.query<R>(compiled.sql, compiled.parameters as unknown[]);
    return toResult<R>(result.rows, result.affectedRows);
  }

  // biome-ignore lint/correctness/useYield: PGlite has no cursors; Kysely only calls this for .stream()
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect does not support streaming');
  }
}

function toResult<R>(rows: unknown[], affected: number | undefined): QueryResult<R> {
  return {
    rows: rows as R[],
    ...(affected === undefined ? {} : { numAffectedRows: BigInt(affected) }),
  };
}
