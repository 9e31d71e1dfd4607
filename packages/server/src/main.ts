import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { buildServer } from './app';
import { bootstrapFirstTenant } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { createDemoSetup } from './demo/demo-tenant';
import { SipService } from './sip/sip-service';
import { AuthStore } from './stores/auth-store';
import { systemClock, uuidGen } from './system';
import { startMediaRuntime } from './voice/media-runtime';

const webDir = fileURLToPath(new URL('../../web/dist/', import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const db = await openDatabase(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'pglite', dataDir: config.dataDir },
  );
  const deps = { db, clock: systemClock, ids: uuidGen };
  const first = await bootstrapFirstTenant(new AuthStore({ ...deps, db: db.kysely }), config.admin);
  const demo =
    first.owner && config.demo
      ? await createDemoSetup({ ...deps, db: db.kysely }, first.owner, config.sipRealm)
      : null;
  const sip = config.sip
    ? new SipService({
        db: db.kysely,
        clock: systemClock,
        log: pino({ level: config.logLevel }).child({ component: 'sip' }),
        realm: config.sipRealm,
        listen: {
          host: config.sip.host,
          ...(config.sip.advertisedHost === undefined ? {} : { advertisedHost: config.sip.advertisedHost }),
          port: config.sip.port,
          ...(config.sip.tls === undefined
            ? {}
            : {
                tls: {
                  port: config.sip.tls.port,
                  cert: readFileSync(config.sip.tls.certFile),
                  key: readFileSync(config.sip.tls.keyFile),
                },
              }),
        },
      })
    : undefined;
  const media = config.media
    ? await startMediaRuntime(config.media, pino({ level: config.logLevel }).child({ component: 'media' }))
    : undefined;
  const app = await buildServer({
    ...deps,
    sessionTtlMs: config.sessionTtlMs,
    trustProxy: config.trustProxy,
    routing: { missedOffersLimit: config.missedOffersLimit },
    logger: { level: config.logLevel },
    webDir,
    ...(sip === undefined ? {} : { sip }),
    sipRealm: config.sipRealm,
    voiceDir: join(config.dataDir, 'voice'),
    recordingsDir: join(config.dataDir, 'recordings'),
    voicemailDir: join(config.dataDir, 'voicemail'),
    flowEgress: config.flowEgress,
    ...(media === undefined ? {} : { media }),
    ...(config.media?.turn === undefined ? {} : { turn: config.media.turn }),
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) process.exit(1); // a second signal: stop waiting
    closing = true;
    app.log.info({ signal }, 'shutting down');
    sip?.beginShutdown();
    await app.close();
    await sip?.close();
    await media?.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  await sip?.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const where = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}/`;
  const lines = [
    '',
    `  Hotline is running at ${where}  (database: ${db.kind === 'pglite' ? `embedded, ${config.dataDir}` : 'PostgreSQL'})`,
    `  Sign in as ${first.email}`,
    first.generatedPassword
      ? `  Password: ${first.generatedPassword}   <- generated now and shown only once; change it after signing in`
      : first.created
        ? '  Password: the one in HOTLINE_ADMIN_PASSWORD'
        : '  (existing data: use the password you set before)',
    `  API docs: ${where}docs`,
    sip
      ? `  SIP on ${config.sip?.host} port ${sip.ports.udp} (UDP, TCP)${sip.ports.tls ? `, ${sip.ports.tls} (TLS)` : ''}`
      : '  SIP off (SIP_ENABLED=false)',
    demo && sip
      ? `  Demo line: call sip:${demo.number.slice(1)}@${config.sip?.host}:${sip.ports.udp} (e.g. baresip), press 1; answer in the agent desktop`
      : '',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`hotline: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `hotline: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
