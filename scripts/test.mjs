#!/usr/bin/env node
// Runs every test tier: `node scripts/test.mjs [unit|integration|e2e ...]` (all three by default).
// Installs missing system packages with apt-get when run as root, and starts a throwaway PostgreSQL
// cluster on 127.0.0.1 for the integration and e2e tiers, stopped at the end whatever happens.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startThrowawayPostgres } from './pg-cluster.mjs';
import { ensureSystemPackages } from './system-packages.mjs';

const tiers = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
const selected = tiers.length > 0 ? tiers : ['unit', 'integration', 'e2e'];
for (const t of selected) {
  if (!['unit', 'integration', 'e2e'].includes(t)) {
    console.error(`unknown tier "${t}" (expected unit, integration, e2e)`);
    process.exit(2);
  }
}

const needsPostgres = selected.some((t) => t !== 'unit');
const needsBrowser = selected.includes('e2e');
ensureSystemPackages({ postgres: needsPostgres, browser: needsBrowser });

if (!existsSync('node_modules/.bin/vitest')) {
  console.log('[test] installing npm dependencies');
  run('npm', ['install', '--no-audit', '--no-fund']);
}

let pg;
let status = 0;
try {
  if (needsPostgres && !process.env.HOTLINE_TEST_DATABASE_URL) {
    pg = await startThrowawayPostgres();
    process.env.HOTLINE_TEST_DATABASE_URL = pg.url;
    console.log(`[test] PostgreSQL ${pg.version} on ${pg.url}`);
  }
  for (const tier of selected) {
    console.log(`\n[test] ── ${tier} ──`);
    const code = run('npx', ['vitest', 'run', '--project', tier, ...extra]);
    if (code !== 0) {
      status = code;
      break;
    }
  }
} finally {
  await pg?.stop();
}
process.exit(status);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  return r.status ?? 1;
}
