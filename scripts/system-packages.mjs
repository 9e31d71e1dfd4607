// Finds the system programs the tests need and, when missing and running as root, installs them from
// Debian with apt-get (`apt-get update` first). Without root it says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(`${base}/${v}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? `${base}/${versions[0]}/bin` : undefined;
}

export const chromiumPath = '/usr/bin/chromium';

/**
 * Programs the SIP interop tests drive (integration tier): SIPp, openssl for TLS certificates,
 * baresip (calls in and out), sox (baresip's audio file, prompts) and espeak-ng (speech).
 */
const sipPeers = [
  { program: 'sipp', pkg: 'sip-tester' },
  { program: 'openssl', pkg: 'openssl' },
  { program: 'baresip', pkg: 'baresip' },
  { program: 'sox', pkg: 'sox' },
  // Voice: text-to-speech of flows' `say` (the inbound-call tests and the server itself).
  { program: 'espeak-ng', pkg: 'espeak-ng' },
];

function onPath(program) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${program}`));
}

export function ensureSystemPackages({ postgres, browser, sip = postgres }) {
  const missing = [];
  if (postgres && !postgresBinDir()) missing.push('postgresql');
  if (browser && !existsSync(chromiumPath)) missing.push('chromium');
  // The softphone behind a TURN server (e2e): coturn relays the browser's media.
  if (browser && !onPath('turnserver')) missing.push('coturn');
  if (sip) for (const peer of sipPeers) if (!onPath(peer.program)) missing.push(peer.pkg);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    console.error(
      `[test] missing system packages: ${missing.join(' ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`[test] installing system packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0) {
    console.error('[test] apt-get install failed');
    process.exit(1);
  }
  // Debian starts a default cluster on install; the tests use their own and leave it alone.
}
