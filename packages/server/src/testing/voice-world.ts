import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { hasCommand } from '@hotline/sip/test-support/net';
import { expect } from 'vitest';
import { SipService } from '../sip/sip-service';
import { systemClock } from '../system';
import { type MediaRuntime, startMediaRuntime } from '../voice/media-runtime';
import { createTestDatabase, type TestDatabase } from './databases';
import { startTestServer, type TenantClient, type TestServer } from './test-server';

/**
 * The world of a voice integration test: PGlite, our SIP service on 127.0.0.1, two media workers, the
 * whole HTTP/WebSocket app listening on 127.0.0.1, and one tenant — what `npm start` runs, built in the
 * test's process. The test adds its trunk, queues and line (`voiceQueue`, `queueLine`).
 */
export interface VoiceWorld {
  readonly server: TestServer;
  readonly sip: SipService;
  readonly media: MediaRuntime;
  /** The tenant's admin client. */
  readonly a: TenantClient;
  /** The agents' WebSocket. */
  readonly wsUrl: string;
  /** Stops everything and deletes the database. */
  close(): Promise<void>;
}

export async function startVoiceWorld(options: {
  tenant: string;
  /** The test's scratch directory: voice files and recordings go under it. */
  dir: string;
  /** First of 200 RTP ports (tests running at once pick apart ranges). */
  rtpBase: number;
}): Promise<VoiceWorld> {
  for (const tool of ['sipp', 'espeak-ng', 'sox'])
    if (!hasCommand(tool)) throw new Error(`${tool} is not installed (npm test installs it as root)`);
  const tdb: TestDatabase = await createTestDatabase('pglite');
  const db = await tdb.open();
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const sip = new SipService({
    db: db.kysely,
    clock: systemClock,
    log: quiet,
    realm: 'hotline.test',
    listen: { host: '127.0.0.1', port: 0 },
  });
  const media = await startMediaRuntime(
    { address: '127.0.0.1', portRange: { min: options.rtpBase, max: options.rtpBase + 199 }, workers: 2 },
    { error: () => {} },
  );
  const server = await startTestServer(db, {
    sip,
    media,
    voiceDir: join(options.dir, 'voice'),
    recordingsDir: join(options.dir, 'recordings'),
  });
  await sip.start();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const wsUrl = `ws://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/api/ws`;
  const a = await server.newTenant(options.tenant);
  return {
    server,
    sip,
    media,
    a,
    wsUrl,
    async close() {
      await sip.close();
      await server.app.close();
      await media.stop();
      await server.db.close();
      await tdb.drop();
    },
  };
}

/**
 * The tenant's trunk "Carrier": calls from 127.0.0.1 are let in; with `out`, calls out (transfers,
 * callbacks) go to the carrier listening on `out.proxyPort` over UDP, and the tenant's dial plan allows
 * numbers starting with `out.prefixes` (E.164 digits without `+`). Its id.
 */
export async function carrierTrunk(
  a: TenantClient,
  out?: { proxyPort: number; prefixes: readonly string[] },
): Promise<string> {
  const proxy =
    out === undefined ? {} : { proxy: `127.0.0.1:${out.proxyPort}`, transport: 'udp', keepAliveSec: 0 };
  const trunk = await a.request({
    method: 'POST',
    url: '/api/trunks',
    payload: { name: 'Carrier', allowedCidrs: ['127.0.0.1/32'], ...proxy },
  });
  expect(trunk.statusCode, trunk.body).toBe(201);
  if (out !== undefined) {
    const plan = await a.request({
      method: 'PUT',
      url: '/api/dial-plan',
      payload: { allowedPrefixes: out.prefixes, maxConcurrentCalls: 5, maxCallsPerMinute: 20 },
    });
    expect(plan.statusCode, plan.body).toBe(200);
  }
  return trunk.json().id as string;
}

/** Creates a queue with these voice settings (`PUT /api/queues/{id}/voice`); its id. */
export async function voiceQueue(a: TenantClient, name: string, voice: object): Promise<string> {
  const created = await a.request({ method: 'POST', url: '/api/queues', payload: { name } });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  const saved = await a.request({ method: 'PUT', url: `/api/queues/${id}/voice`, payload: voice });
  expect(saved.statusCode, saved.body).toBe(200);
  return id;
}

/**
 * A number on the trunk whose published flow puts the caller straight into the queue named `queue`
 * (hanging up if that fails), then the SIP service reloaded so that it answers the number.
 */
export async function queueLine(
  world: VoiceWorld,
  line: { number: string; trunkId: string; queue: string },
): Promise<void> {
  const { a } = world;
  const flow = await a.request({ method: 'POST', url: '/api/flows', payload: { name: 'Queue' } });
  const flowId = flow.json().id as string;
  const draft = await a.request({
    method: 'PUT',
    url: `/api/flows/${flowId}/draft`,
    payload: {
      id: 'q',
      version: 1,
      entry: 'q',
      nodes: {
        q: { verb: 'enqueue', queue: line.queue, next: { error: 'bye' } },
        bye: { verb: 'hangup' },
      },
    },
  });
  expect(draft.statusCode, draft.body).toBe(200);
  expect((await a.request({ method: 'POST', url: `/api/flows/${flowId}/publish` })).statusCode).toBe(200);
  const number = await a.request({
    method: 'POST',
    url: '/api/phone-numbers',
    payload: { number: line.number, trunkId: line.trunkId, flowId },
  });
  expect(number.statusCode, number.body).toBe(201);
  await world.sip.reload();
}
