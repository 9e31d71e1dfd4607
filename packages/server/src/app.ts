import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import { LoginThrottle, type ThrottlePolicy } from '@hotline/core/login-throttle';
import type { Clock, IdGen } from '@hotline/core/ports';
import type { EngineSettings } from '@hotline/core/routing/engine-contract';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { CallRecordStore } from './calls/call-records';
import { installChatMetrics } from './chat/chat-metrics';
import { type ChatLimits, ChatService } from './chat/chat-service';
import { MAX_WIDGET_FRAME_BYTES } from './chat/widget-socket';
import type { TurnConfig } from './config';
import { ContactStore } from './contacts/contact-store';
import type { Db } from './db/database';
import { ChatFlowRunner } from './flows/chat-flow';
import { flowEntryPointStore } from './flows/flow-entry-point-resources';
import { tenantFlowEnv } from './flows/flow-env';
import { defaultEgressPolicy, type EgressPolicy } from './flows/flow-http';
import { FlowSessionService } from './flows/flow-sessions';
import { FlowStore } from './flows/flow-store';
import { KnowledgeBaseStore } from './flows/knowledge-base-store';
import { installAccessControl } from './http/authenticate';
import { installErrorHandling, sendRouteNotFound } from './http/error-handler';
import { installMetrics } from './http/metrics';
import { installRealtime } from './http/realtime';
import { adminRoutes } from './http/routes/admin';
import { agentPhoneRoutes } from './http/routes/agent-phone';
import { authRoutes } from './http/routes/auth';
import { callRoutes } from './http/routes/calls';
import { chatRoutes } from './http/routes/chat';
import { configRoutes } from './http/routes/config';
import { contactRoutes } from './http/routes/contacts';
import { flowEntryPointRoutes } from './http/routes/flow-entry-points';
import { flowTestRunRoutes } from './http/routes/flow-test-run';
import { flowRoutes } from './http/routes/flows';
import { healthRoutes } from './http/routes/health';
import { knowledgeBaseRoutes } from './http/routes/knowledge-base';
import { queueVoiceRoutes } from './http/routes/queue-voice';
import { replyTemplateRoutes } from './http/routes/reply-templates';
import { routingRoutes } from './http/routes/routing';
import { trunkRoutes } from './http/routes/trunks';
import { userRoutes } from './http/routes/users';
import { voicemailRoutes } from './http/routes/voicemails';
import { widgetCorsOptions, widgetRoutes } from './http/routes/widget';
import { widgetSettingsRoutes } from './http/routes/widget-settings';
import { ReplyTemplateStore } from './reply-templates/reply-template-store';
import { LiveFigures } from './routing/live-figures';
import { RoutingService } from './routing/routing-service';
import { RoutingStore } from './routing/routing-store';
import { DialPlanStore } from './sip/dial-plan-store';
import type { SipService } from './sip/sip-service';
import { trunkStores } from './sip/trunk-resources';
import { AuthStore } from './stores/auth-store';
import { configStores } from './stores/config-resources';
import { UserStore } from './stores/user-store';
import { AgentPhoneService } from './voice/agent-phone-service';
import type { MediaRuntime } from './voice/media-runtime';
import { QueueVoiceSettingsStore } from './voice/queue-voice-settings-store';
import { VoiceService } from './voice/voice-service';
import { VoicemailStore } from './voice/voicemail-store';
import { WidgetSettingsStore } from './widget-settings/widget-settings-store';

export interface ServerDeps {
  db: Db;
  clock: Clock;
  ids: IdGen;
  sessionTtlMs: number;
  /** Honour X-Forwarded-For (only behind a trusted reverse proxy). */
  trustProxy?: boolean;
  /** pino options, or false for silence (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Built web app to serve at `/`; skipped when absent. */
  webDir?: string;
  throttlePolicy?: ThrottlePolicy;
  /** Randomness for the `random` routing strategy (seeded in tests). */
  random?: () => number;
  /** How often open WebSockets re-check their credentials (default 30 s; tests use less). */
  realtimeRecheckMs?: number;
  /** Router settings for every tenant (defaults in core `defaultEngineSettings`). */
  routing?: Partial<EngineSettings>;
  /** Web chat rate limits (defaults in `chat/chat-service.ts`; the chat bench raises them). */
  chatLimits?: Partial<ChatLimits>;
  /** The built widget script served at `/widget.js` (default `packages/widget/dist/widget.js`). */
  widgetScript?: string;
  /** How long a widget socket may wait before its `hello` (default 5 s; tests use less). */
  widgetHelloTimeoutMs?: number;
  /**
   * The SIP side (`sip/sip-service.ts`), started and closed by the caller: trunk statuses, reload after
   * trunk changes, SIP metrics. Absent: SIP is off and trunk statuses say `disabled`.
   */
  sip?: SipService;
  /** Digest realm for inbound trunk passwords (default `hotline`; `SIP_REALM`). */
  sipRealm?: string;
  /**
   * The media engine (`voice/media-runtime.ts`), started and stopped by the caller; shared by every
   * voice feature. Absent: voice is off (the agent phone answers `VOICE_UNAVAILABLE`).
   */
  media?: MediaRuntime;
  /** TURN server handed to agents' browsers (`HOTLINE_TURN_*`). */
  turn?: TurnConfig;
  /** How long an agent's softphone outlives their last WebSocket (default 60 s; tests use less). */
  agentPhoneGraceMs?: number;
  /**
   * Where voice keeps its files: the speech cache, the music on hold, tenants' prompts
   * (`prompts/<tenant id>/*.wav`). Default `<tmp>/hotline-voice`; `main.ts` uses `HOTLINE_DATA_DIR/voice`.
   * Inbound calls are answered only with both `sip` and `media`.
   */
  voiceDir?: string;
  /** Where call recordings are written and read (default: a temporary directory; `main.ts` sets `<data dir>/recordings`). */
  recordingsDir?: string;
  /** Where voicemail audio is written and read (default: a temporary directory; `main.ts` sets `<data dir>/voicemail`). */
  voicemailDir?: string;
  /** Where flows' http verb may send requests (`HOTLINE_FLOW_HTTP_ALLOW`); default: public hosts only. */
  flowEgress?: EgressPolicy;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Composition root of the HTTP side: everything is passed in, nothing is global. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  const storeDeps = { db: deps.db.kysely, clock: deps.clock, ids: deps.ids };
  const auth = new AuthStore(storeDeps);
  const metrics = installMetrics(app);
  await app.register(fastifyCookie);
  // A hard cap above every gateway's own frame limit (a widget message is the largest): frames up to
  // the cap get the gateway's error frame; beyond it the socket is closed (1009).
  await app.register(fastifyWebsocket, { options: { maxPayload: 2 * MAX_WIDGET_FRAME_BYTES } });
  installAccessControl(app, auth);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Hotline API',
        version: '0.1.0',
        description: 'Configuration and administration API of Hotline.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'session token (hls_…) or API key (hlk_…)' },
          visitor: { type: 'http', scheme: 'bearer', description: 'website widget visitor token (hlv_…)' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'hotline_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const documented = input.url.startsWith('/api/') || input.url === '/healthz' || input.url === '/readyz';
      return documented ? out : { ...out, schema: { ...out.schema, hide: true } };
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () =>
    app.swagger(),
  );

  await app.register(healthRoutes, { db: deps.db, metrics });
  await app.register(authRoutes, {
    auth,
    throttle: new LoginThrottle(deps.clock, deps.throttlePolicy),
    sessionTtlMs: deps.sessionTtlMs,
  });
  await app.register(userRoutes, { users: new UserStore(storeDeps) });
  await app.register(configRoutes, { stores: configStores(storeDeps) });
  await app.register(adminRoutes, { auth, db: deps.db.kysely });
  await app.register(widgetSettingsRoutes, { store: new WidgetSettingsStore(storeDeps) });
  await app.register(contactRoutes, { contacts: new ContactStore(storeDeps) });
  await app.register(replyTemplateRoutes, { templates: new ReplyTemplateStore(storeDeps) });
  await app.register(flowRoutes, { flows: new FlowStore(storeDeps) });
  await app.register(queueVoiceRoutes, { store: new QueueVoiceSettingsStore(storeDeps) });
  await app.register(flowEntryPointRoutes, { store: flowEntryPointStore(storeDeps) });
  await app.register(flowTestRunRoutes, { db: deps.db.kysely, clock: deps.clock });
  await app.register(knowledgeBaseRoutes, { store: new KnowledgeBaseStore(storeDeps) });
  deps.sip?.attachMetrics(metrics);
  await app.register(trunkRoutes, {
    stores: trunkStores(storeDeps, deps.sipRealm ?? 'hotline'),
    dialPlans: new DialPlanStore(storeDeps),
    sip: deps.sip ?? null,
  });

  const routingStore = new RoutingStore(deps.db.kysely);
  const routing = new RoutingService({
    store: routingStore,
    clock: deps.clock,
    random: deps.random ?? Math.random,
    settings: deps.routing ?? {},
    onError: (err, tenantId) => app.log.error({ err, tenantId }, 'routing failed'),
  });
  const figures = new LiveFigures(deps.db, routing, deps.clock);
  const chat = new ChatService({
    db: deps.db.kysely,
    routing,
    clock: deps.clock,
    ids: deps.ids,
    limits: deps.chatLimits,
    onError: (err) => app.log.error({ err }, 'chat failed'),
  });
  // The chat bot: widget conversations of a tenant whose widget names a flow start in it.
  const chatBot = new ChatFlowRunner({
    db: deps.db.kysely,
    clock: deps.clock,
    ids: deps.ids,
    flows: new FlowSessionService({ ...storeDeps, tenantEnv: tenantFlowEnv(deps.db.kysely, deps.clock) }),
    routing,
    chat,
    egress: deps.flowEgress ?? defaultEgressPolicy,
    onError: (err) => app.log.error({ err }, 'chat bot failed'),
  });
  chat.attachBot(chatBot);
  await app.register(routingRoutes, {
    db: deps.db,
    routing,
    figures,
    ids: deps.ids,
    clock: deps.clock,
    chatTransferNote: async (note) => {
      await chat.transferNote(note);
    },
  });
  installChatMetrics(metrics, chat);
  await app.register(fastifyCors, { delegator: widgetCorsOptions(chat) });
  await app.register(chatRoutes, { db: deps.db, chat, ids: deps.ids, clock: deps.clock });
  await app.register(widgetRoutes, {
    db: deps.db,
    chat,
    ids: deps.ids,
    clock: deps.clock,
    widgetScript: deps.widgetScript,
    helloTimeoutMs: deps.widgetHelloTimeoutMs,
  });
  const agentPhone = new AgentPhoneService({
    media: deps.media,
    log: app.log,
    ...(deps.agentPhoneGraceMs === undefined ? {} : { graceMs: deps.agentPhoneGraceMs }),
  });
  await app.register(callRoutes, {
    calls: new CallRecordStore(deps.db.kysely),
    db: deps.db,
    recordingsDir: recordingsDirOf(deps),
    clock: deps.clock,
    ids: deps.ids,
  });
  await app.register(voicemailRoutes, {
    voicemails: new VoicemailStore(deps.db.kysely, deps.clock, deps.ids),
    db: deps.db,
    dir: voicemailDirOf(deps),
    clock: deps.clock,
    ids: deps.ids,
  });
  await app.register(agentPhoneRoutes, {
    enabled: deps.media !== undefined,
    turn: deps.turn,
    ttlMs: deps.sessionTtlMs,
    clock: deps.clock,
  });
  app.addHook('onClose', async () => agentPhone.close());
  await installRealtime(app, {
    agentPhone,
    routing,
    store: routingStore,
    figures,
    auth,
    chat,
    recheckMs: deps.realtimeRecheckMs,
  });
  app.addHook('onClose', async () => chatBot.close());
  app.addHook('onClose', async () => chat.close());
  installConfigRefresh(app, routing);
  // After a restart, tenants with work in progress resume routing (and their timers) at once.
  app.addHook('onReady', async () => routing.warmUp(await tenantsWithOpenWork(deps.db)));
  // …and bot conversations continue where they stopped (after routing: their hand-overs use it).
  app.addHook('onReady', async () => chatBot.recover());
  app.addHook('onClose', async () => routing.close());
  // Registered after routing's (and the agent phone's) close hooks: onClose hooks run last-registered
  // first, so calls are hung up while routing still records their end.
  installVoice(app, deps, routing)?.setAgentPhone(agentPhone.voiceSeam());

  const webDir = deps.webDir && existsSync(join(deps.webDir, 'index.html')) ? deps.webDir : undefined;
  if (webDir) await app.register(fastifyStatic, { root: webDir, wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isApi = path.startsWith('/api/') || path === '/api';
    if (!isApi && webDir && request.method === 'GET') return reply.sendFile('index.html');
    return reply.status(404).send(sendRouteNotFound(request.method, request.url));
  });
  return app;
}

/**
 * Inbound calls (`voice/voice-service.ts`) when both SIP and media run: the SIP side hands matched
 * INVITEs over; on close every call is hung up before routing stops. The agent phone plugs into the
 * returned service with `voice.setAgentPhone(seam)`.
 */
function installVoice(app: FastifyInstance, deps: ServerDeps, routing: RoutingService): VoiceService | null {
  const { sip, media } = deps;
  if (!sip || !media) return null;
  const storeDeps = { db: deps.db.kysely, clock: deps.clock, ids: deps.ids };
  const voice = new VoiceService({
    ...storeDeps,
    routing,
    sessions: new FlowSessionService({ ...storeDeps, tenantEnv: tenantFlowEnv(deps.db.kysely, deps.clock) }),
    media,
    dir: deps.voiceDir ?? join(tmpdir(), 'hotline-voice'),
    recordingsDir: recordingsDirOf(deps),
    voicemailDir: voicemailDirOf(deps),
    log: app.log.child({ component: 'voice' }),
    httpPolicy: deps.flowEgress ?? defaultEgressPolicy,
    dialer: sip,
  });
  sip.setInboundCalls(voice);
  // Calls a previous process left open (it died mid-call) are ended before SIP takes new ones.
  app.addHook('onReady', async () => {
    await voice.recover().catch((err: unknown) => app.log.error({ err }, 'voice recovery failed'));
  });
  app.addHook('onClose', async () => {
    sip.setInboundCalls(null);
    await voice.close();
  });
  return voice;
}

/** Where recordings are written (voice) and served from (the calls API): one directory for both. */
function recordingsDirOf(deps: ServerDeps): string {
  return deps.recordingsDir ?? join(tmpdir(), 'hotline-recordings');
}

/** Where voicemail audio is written (voice) and served from (the voicemails API). */
function voicemailDirOf(deps: ServerDeps): string {
  return deps.voicemailDir ?? join(tmpdir(), 'hotline-voicemail');
}

/** Queues, users, skills and agent skills feed the router: after a successful change it reloads them. */
function installConfigRefresh(app: FastifyInstance, routing: RoutingService): void {
  const routingConfig = /^\/api\/(queues|users|skills)(\/|$)/;
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || reply.statusCode >= 400 || !request.auth) return;
    if (routingConfig.test(request.url)) routing.configChanged(request.auth.principal.tenantId);
  });
}

async function tenantsWithOpenWork(db: Db): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom('interactions')
    .select('tenant_id')
    .where('closed_at', 'is', null)
    .union(db.kysely.selectFrom('agent_presence').select('tenant_id').where('presence', '!=', 'logged_out'))
    .execute();
  return [...new Set(rows.map((r) => r.tenant_id))];
}
