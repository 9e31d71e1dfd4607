import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DatabaseTarget, type Db, openDatabase } from '../db/database';

/**
 * The two storage engines every store and API test runs on. PostgreSQL comes from
 * HOTLINE_TEST_DATABASE_URL (set by `npm test`, which starts a throwaway cluster); without it the
 * PostgreSQL suites fail loudly rather than skip, so a green run always means both engines passed.
 */
export interface TestDatabase {
  target: DatabaseTarget;
  open(): Promise<Db>;
  /** Deletes the database (PGlite dir or PostgreSQL database). */
  drop(): Promise<void>;
}

export type EngineName = 'pglite' | 'postgres';
export const engines: EngineName[] = ['pglite', 'postgres'];

export async function createTestDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'hotline-pglite-'));
    const target: DatabaseTarget = { kind: 'pglite', dataDir: dir };
    return {
      target,
      open: () => openDatabase(target),
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const adminUrl = process.env.HOTLINE_TEST_DATABASE_URL;
  if (!adminUrl) {
    throw new Error(
      'HOTLINE_TEST_DATABASE_URL is not set: run the tests with `npm test`, which starts PostgreSQL',
    );
  }
  const name = `hotline_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const target: DatabaseTarget = { kind: 'postgres', url: url.toString() };
  return {
    target,
    open: () => openDatabase(target),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
