import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, pendingMigrations } from './migrate';
import { pgliteDialect } from './pglite-dialect';
import type { Database } from './schema';

export type DatabaseKind = 'pglite' | 'postgres';

/** An open database: the Kysely handle plus what health checks and shutdown need. */
export interface Db {
  readonly kind: DatabaseKind;
  readonly kysely: Kysely<Database>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Names of migrations not yet applied (empty when the schema is current). */
  pending(): Promise<string[]>;
  close(): Promise<void>;
}

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

/** Opens the database and applies every pending migration before returning. */
export async function openDatabase(target: DatabaseTarget): Promise<Db> {
  const kysely = new Kysely<Database>({ dialect: await dialectFor(target) });
  try {
    await migrateToLatest(kysely);
  } catch (error) {
    await kysely.destroy();
    throw error;
  }
  return {
    kind: target.kind,
    kysely,
    ping: async () => {
      await sql`select 1`.execute(kysely);
    },
    pending: () => pendingMigrations(kysely),
    close: () => kysely.destroy(),
  };
}

async function dialectFor(target: DatabaseTarget) {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.url, max: 10 });
    // An idle connection can be cut by the server (restart, failover, DROP DATABASE … FORCE). pg then
    // emits 'error' on the pool; unhandled, that would crash the process. The pool drops the client
    // and the next query opens a new connection, so there is nothing else to do here.
    pool.on('error', () => {});
    return new PostgresDialect({ pool });
  }
  const dir = join(target.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  return pgliteDialect(db);
}
