import type { ThrottlePolicy } from '@hotline/core/login-throttle';
import type { Role } from '@hotline/core/roles';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildServer, type ServerDeps } from '../app';
import type { Db } from '../db/database';
import { AuthStore } from '../stores/auth-store';
import { systemClock, uuidGen } from '../system';

export interface TestServer {
  app: FastifyInstance;
  db: Db;
  auth: AuthStore;
  /** Creates a tenant with an owner and returns a signed-in client for it. */
  newTenant(name?: string): Promise<TenantClient>;
}

export interface TenantClient {
  tenantId: string;
  ownerId: string;
  email: string;
  password: string;
  token: string;
  /** Sends a request with this tenant owner's bearer token (or `token` when given). */
  request(opts: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  /** Creates a user of `role` in this tenant and returns its bearer token. */
  userToken(role: Role): Promise<{ id: string; token: string; email: string }>;
}

let counter = 0;
const unique = () => `${process.pid}-${Date.now().toString(36)}-${++counter}`;

export async function startTestServer(
  db: Db,
  opts: {
    throttlePolicy?: ThrottlePolicy;
    chatLimits?: ServerDeps['chatLimits'];
    widgetHelloTimeoutMs?: number;
    /** The SIP side, started and closed by the test. */
    sip?: ServerDeps['sip'];
    /** The media engine, started and stopped by the test (with `sip`: inbound calls are answered). */
    media?: ServerDeps['media'];
    /** Voice files (speech cache, music, prompts). */
    voiceDir?: string;
    /** Call recordings. */
    recordingsDir?: string;
    /** Voicemail audio. */
    voicemailDir?: string;
    /** Where flows' http verb may go (tests allow-list their 127.0.0.1 servers). */
    flowEgress?: ServerDeps['flowEgress'];
  } = {},
): Promise<TestServer> {
  const app = await buildServer({
    db,
    clock: systemClock,
    ids: uuidGen,
    sessionTtlMs: 3_600_000,
    logger: false,
    realtimeRecheckMs: 200,
    ...(opts.throttlePolicy && { throttlePolicy: opts.throttlePolicy }),
    ...(opts.chatLimits && { chatLimits: opts.chatLimits }),
    ...(opts.widgetHelloTimeoutMs && { widgetHelloTimeoutMs: opts.widgetHelloTimeoutMs }),
    ...(opts.sip && { sip: opts.sip }),
    ...(opts.media && { media: opts.media }),
    ...(opts.voiceDir && { voiceDir: opts.voiceDir }),
    ...(opts.recordingsDir && { recordingsDir: opts.recordingsDir }),
    ...(opts.voicemailDir && { voicemailDir: opts.voicemailDir }),
    ...(opts.flowEgress && { flowEgress: opts.flowEgress }),
  });
  await app.ready();
  const auth = new AuthStore({ db: db.kysely, clock: systemClock, ids: uuidGen });

  const login = async (email: string, password: string): Promise<string> => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.statusCode} ${res.body}`);
    return res.json().token;
  };

  const newTenant = async (name = 'Tenant'): Promise<TenantClient> => {
    const id = unique();
    const email = `owner-${id}@example.com`;
    const password = `pw-${id}-secret`;
    const created = await auth.createTenantWithOwner({
      tenantName: `${name} ${id}`,
      slug: `t-${id}`,
      email,
      password,
      displayName: 'Owner',
    });
    const token = await login(email, password);
    const request: TenantClient['request'] = ({ token: t, headers, ...rest }) =>
      app.inject({ ...rest, headers: { authorization: `Bearer ${t ?? token}`, ...headers } });
    return {
      tenantId: created.tenantId,
      ownerId: created.userId,
      email,
      password,
      token,
      request,
      async userToken(role) {
        const userEmail = `${role}-${unique()}@example.com`;
        const userPassword = 'user-password-123';
        const res = await request({
          method: 'POST',
          url: '/api/users',
          payload: { email: userEmail, displayName: `A ${role}`, role, password: userPassword },
        });
        if (res.statusCode !== 201) throw new Error(`create ${role} failed: ${res.body}`);
        return { id: res.json().id, token: await login(userEmail, userPassword), email: userEmail };
      },
    };
  };

  return { app, db, auth, newTenant };
}
