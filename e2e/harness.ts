import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** The repository root (this file lives in `<root>/e2e`). */
export const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const outputDir = join(root, 'test-output', 'e2e');

const webDir = join(root, 'packages', 'web');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

const widgetDir = join(root, 'packages', 'widget');

/** Builds `packages/widget/dist/widget.js` unless it is newer than every source file. */
export function ensureWidgetBuilt(): void {
  const built = join(widgetDir, 'dist', 'widget.js');
  const sources = [join(widgetDir, 'src'), join(widgetDir, 'vite.config.ts')];
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  const env = { ...process.env, NODE_ENV: 'production' };
  execFileSync(
    join(root, 'node_modules', '.bin', 'vite'),
    ['build', '-c', join(widgetDir, 'vite.config.ts')],
    { cwd: root, env, stdio: 'inherit' },
  );
}

/** Builds the web app unless `dist/index.html` is newer than every source file of it. */
export function ensureWebBuilt(): void {
  const built = join(webDir, 'dist', 'index.html');
  const sources = [join(webDir, 'src'), join(webDir, 'index.html'), join(webDir, 'vite.config.ts')];
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  execFileSync('npm', ['run', 'build', '-w', '@hotline/web'], { cwd: root, env, stdio: 'inherit' });
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

export interface RunningServer {
  baseUrl: string;
  adminEmail: string;
  adminPassword: string;
  stop(): Promise<void>;
}

/**
 * Starts the real server (`tsx packages/server/src/main.ts`) on a free port with fresh storage (an
 * embedded PGlite directory, or a new database on the PostgreSQL server of `HOTLINE_E2E_DATABASE_URL`)
 * and waits until `/readyz` says ready.
 * Server output goes to `test-output/e2e/<label>-server.log`. `extraEnv` adds or overrides settings.
 */
export async function startServer(
  label: string,
  extraEnv: Record<string, string> = {},
): Promise<RunningServer> {
  mkdirSync(outputDir, { recursive: true });
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hotline-e2e-data-'));
  const adminEmail = 'admin@example.com';
  const adminPassword = randomBytes(18).toString('base64url');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  const database = process.env.HOTLINE_E2E_DATABASE_URL
    ? await createDatabase(process.env.HOTLINE_E2E_DATABASE_URL)
    : undefined;
  if (database) env.DATABASE_URL = database.url;
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    SIP_PORT: '0',
    HOTLINE_DATA_DIR: dataDir,
    HOTLINE_ADMIN_EMAIL: adminEmail,
    HOTLINE_ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: 'warn',
    // Tests start from an empty tenant; the demo line has its own test (RestartableServer env).
    HOTLINE_DEMO: 'false',
    ...extraEnv,
  });

  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['packages/server/src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await terminate(child, exited);
    writeFileSync(join(outputDir, `${label}-server.log`), log);
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  };
  try {
    await waitUntilReady(baseUrl, exited, 60_000);
  } catch (error) {
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- server output ---\n${log}`,
    );
  }
  return { baseUrl, adminEmail, adminPassword, stop };
}

/**
 * A fresh, empty database on the PostgreSQL server of `adminUrl`, so that every run bootstraps its own
 * admin exactly as it does with a fresh PGlite directory.
 */
async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hotline_e2e_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function waitUntilReady(baseUrl: string, exited: Promise<number | null>, timeoutMs: number) {
  let gone: number | null | undefined;
  void exited.then((code) => {
    gone = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`server exited with code ${gone} before it was ready`);
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`server not ready within ${timeoutMs} ms`);
}

/** SIGTERM to our child only, then SIGKILL to the same PID if it has not exited within 10 s. */
async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  process.kill(pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 10_000));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    process.kill(pid, 'SIGKILL');
    await exited;
  }
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as `test-output/e2e/<name>.png`. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Headless Chromium with a throwaway profile, English by default, 1280×800; `args` are added to its flags. */
export async function launchBrowser(args: readonly string[] = []): Promise<Browser> {
  mkdirSync(outputDir, { recursive: true });
  const profileDir = mkdtempSync(join(tmpdir(), 'hotline-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    headless: true,
    executablePath: '/usr/bin/chromium',
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  return {
    context,
    page,
    shot: async (name) => {
      await page.screenshot({ path: join(outputDir, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits for the shell. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('navbar').waitFor();
}

/**
 * The real server on a fixed port and data directory, so that it can be killed and started again in
 * place: same origin for the browsers, same stored state. It runs as one process (node with the tsx
 * loader, no wrapper), so a SIGKILL reaches the server itself and nothing is left holding the port.
 * Output of every run goes to `test-output/e2e/<label>-server.log`.
 */
export class RestartableServer {
  readonly adminEmail = 'admin@example.com';
  readonly adminPassword = randomBytes(18).toString('base64url');
  readonly dataDir = mkdtempSync(join(tmpdir(), 'hotline-e2e-restartable-'));
  #child: ChildProcess | null = null;
  #exited: Promise<number | null> = Promise.resolve(null);
  #log = '';
  #runs = 0;

  private constructor(
    readonly label: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async create(label: string, env: Record<string, string> = {}): Promise<RestartableServer> {
    mkdirSync(outputDir, { recursive: true });
    return new RestartableServer(label, await freePort(), env);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything the server printed so far (all runs), e.g. to read the SIP port it picked. */
  get output(): string {
    return this.#log;
  }

  async start(): Promise<void> {
    this.#runs += 1;
    this.#log += `\n=== start #${this.#runs} ===\n`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DATABASE_URL;
    Object.assign(env, {
      PORT: String(this.port),
      HOST: '127.0.0.1',
      SIP_PORT: '0',
      HOTLINE_DATA_DIR: this.dataDir,
      HOTLINE_ADMIN_EMAIL: this.adminEmail,
      HOTLINE_ADMIN_PASSWORD: this.adminPassword,
      LOG_LEVEL: 'warn',
      HOTLINE_DEMO: 'false',
      ...this.env,
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const append = (chunk: Buffer) => {
      this.#log += chunk.toString();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.#exited = new Promise((done) => child.once('exit', (code) => done(code)));
    try {
      await waitUntilReady(this.baseUrl, this.#exited, 60_000);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${this.#log}`);
    }
  }

  /** Kills our child (by its PID) with `signal` and waits until it is gone. */
  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    this.#log += `\n=== ${signal} ===\n`;
    process.kill(child.pid, signal);
    await this.#exited;
  }

  async dispose(): Promise<void> {
    const child = this.#child;
    if (child) await terminate(child, this.#exited);
    this.#child = null;
    writeFileSync(join(outputDir, `${this.label}-server.log`), this.#log);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** One headless Chromium holding several isolated browser contexts (a customer, agents, a supervisor). */
export async function launchSharedBrowser(): Promise<{
  session(name: string): Promise<Browser>;
  close(): Promise<void>;
}> {
  mkdirSync(outputDir, { recursive: true });
  const chromiumBrowser = await chromium.launch({
    headless: true,
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
  });
  return {
    session: async (name) => {
      // Reduced motion: charts draw each update at once, so a screenshot shows the figures, not a
      // transition on its way to them.
      const context = await chromiumBrowser.newContext({
        locale: 'en-US',
        viewport: { width: 1280, height: 800 },
        reducedMotion: 'reduce',
      });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return {
        context,
        page,
        shot: async (shotName) => {
          await page.screenshot({ path: join(outputDir, `${name}-${shotName}.png`), fullPage: true });
        },
        close: () => context.close(),
      };
    },
    close: () => chromiumBrowser.close(),
  };
}
