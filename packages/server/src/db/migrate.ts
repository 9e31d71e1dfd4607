import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations run below any table typing
type AnyDb = Kysely<any>;

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

/**
 * Ordered plain-SQL migrations (`NNNN_name.sql`), applied in name order, each in its own
 * transaction under Kysely's migration lock. SQL files keep the schema reviewable and identical
 * on PGlite and PostgreSQL. Migrations only go forward; a mistake is fixed by a new migration.
 */
class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await readFile(migrationsDir + file, 'utf8');
      migrations[file.replace(/\.sql$/, '')] = {
        up: async (db) => {
          await sql.raw(text).execute(db);
        },
      };
    }
    return migrations;
  }
}

function migrator(db: AnyDb): Migrator {
  return new Migrator({ db, provider: new SqlFileMigrationProvider() });
}

export async function migrateToLatest(db: AnyDb): Promise<void> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

export async function pendingMigrations(db: AnyDb): Promise<string[]> {
  const list = await migrator(db).getMigrations();
  return list.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
