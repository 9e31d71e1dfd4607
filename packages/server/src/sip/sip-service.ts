import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Clock } from '@hotline/core/ports';
import type { DialPlan, TrunkStatus } from '@hotline/protocol/trunks';
import { defaultDialPlan } from '@hotline/protocol/trunks';
import type { DefenceEvent } from '@hotline/sip/defence/defence-reason';
import { DialPlanGuard, type DialVerdict } from '@hotline/sip/defence/dial-plan-guard';
import type { RateLimit } from '@hotline/sip/defence/rate-limiter';
import { SipDefence } from '@hotline/sip/defence/sip-defence';
import { CachingDnsClient } from '@hotline/sip/dns/dns-cache';
import { type DnsClient, NodeDnsClient } from '@hotline/sip/dns/dns-client';
import { resolveSipUri, type SipTransport } from '@hotline/sip/dns/sip-target-resolver';
import { getTo } from '@hotline/sip/message';
import { newTag } from '@hotline/sip/request';
import { createResponse } from '@hotline/sip/response';
import type { AnswerPolicy } from '@hotline/sip/sdp/negotiation';
import type { Timing } from '@hotline/sip/transaction/timing';
import { NodeTransport } from '@hotline/sip/transport/node-transport';
import type { InboundMessage } from '@hotline/sip/transport/types';
import type { IncomingCall } from '@hotline/sip/ua/incoming-call';
import type { OutgoingCall } from '@hotline/sip/ua/outgoing-call';
import { UserAgent } from '@hotline/sip/ua/user-agent';
import { parseUri } from '@hotline/sip/uri';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { Database } from '../db/schema';
import { BlockLog } from './block-log';
import { readDialPlans } from './dial-plan-store';
import { decideInboundCall } from './inbound-call-policy';
import { SipMetrics } from './sip-metrics';
import { type DirectoryNumber, type DirectoryTrunk, TrunkDirectory } from './trunk-directory';
import { TrunkLink } from './trunk-link';

/** What the SIP side logs through (pino's shape). */
export interface SipLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SipListenConfig {
  /** Address to bind. */
  readonly host: string;
  /** Written in Via and Contact when `host` is a wildcard (0.0.0.0) or behind NAT. */
  readonly advertisedHost?: string;
  /** UDP and TCP; 0 picks one free port for both. */
  readonly port: number;
  readonly tls?: { readonly port: number; readonly key: Buffer; readonly cert: Buffer };
}

export interface SipServiceOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: SipLogger;
  readonly listen: SipListenConfig;
  /** Digest realm of the installation (inbound trunk passwords are stored as HA1 under it). */
  readonly realm: string;
  /** SIP timers (tests shorten T1 so that keep-alive timeouts come in seconds). */
  readonly timing?: Partial<Timing>;
  /** Overrides every trunk's keep-alive interval (tests). */
  readonly keepAliveIntervalMs?: number;
  /** Per-source request rate of the defence (default 20/s, bursts of 100). */
  readonly rateLimit?: RateLimit;
  /** DNS for trunk proxies (default: the system's resolvers, cached). */
  readonly dns?: DnsClient;
}

/** Answers INVITEs matched to a number; resolves with the outcome (a metric label), never throws. */
export interface InboundCallHandler {
  accept(
    call: IncomingCall,
    match: { readonly tenantId: string; readonly trunkId: string; readonly number: string },
  ): Promise<string>;
}

/** An outbound call to place through one of the tenant's trunks (`SipService.dial`). */
export interface DialRequest {
  readonly tenantId: string;
  /** The number to call, E.164 (`+` and digits; spaces and dashes are tolerated). */
  readonly number: string;
  /** The calling number presented (From user), E.164 or digits. */
  readonly callerId: string;
  /** Preferred trunk (e.g. the one the caller came in on); another usable one of the tenant otherwise. */
  readonly trunkId?: string | null;
  /** Our media: the offer is made from it. */
  readonly media: AnswerPolicy;
}

export type DialResult =
  | { readonly ok: true; readonly call: OutgoingCall; readonly number: string; readonly trunkId: string }
  | {
      readonly ok: false;
      /** `DIAL_*` from the dial plan (`DIAL_PREFIX_NOT_ALLOWED`, …), `NO_TRUNK`, `SIP_NOT_STARTED`. */
      readonly code: string;
      readonly message: string;
    };

/** Places outbound calls (what voice needs of `SipService`; tests may pass their own). */
export interface OutboundDialer {
  dial(request: DialRequest): DialResult;
}

const STATES = ['up', 'down', 'unknown', 'disabled'] as const;

/**
 * Hotline's SIP endpoint: one user agent on UDP/TCP (and TLS when configured) with the defence in
 * front, the trunk directory for inbound matching, one `TrunkLink` per trunk with a proxy
 * (registration, keep-alive, live status), and the tenants' dial-plan guard. The HTTP side reads
 * statuses and calls `reload()` after trunk changes; inbound calls go through `decideInboundCall`.
 */
export class SipService implements OutboundDialer {
  #ua: UserAgent | null = null;
  #transport: NodeTransport | null = null;
  #directory = new TrunkDirectory([], []);
  #dialPlans = new Map<string, DialPlan>();
  readonly #links = new Map<string, { link: TrunkLink; fingerprint: string }>();
  readonly #defence: SipDefence;
  readonly #guard: DialPlanGuard;
  readonly #blockLog: BlockLog;
  readonly #dns: DnsClient;
  #metrics: SipMetrics | null = null;
  #shuttingDown = false;
  #inboundCalls: InboundCallHandler | null = null;
  #reloading: Promise<void> = Promise.resolve();

  constructor(private readonly o: SipServiceOptions) {
    const now = () => o.clock.now();
    this.#blockLog = new BlockLog((fields, message) => o.log.warn(fields, message), now);
    const counters = (event: DefenceEvent) => this.#onDefenceEvent(event);
    this.#defence = new SipDefence({
      clock: now,
      counters,
      ...(o.rateLimit === undefined ? {} : { rateLimit: o.rateLimit }),
    });
    this.#guard = new DialPlanGuard({
      policyFor: (tenantId) => {
        const plan = this.#dialPlans.get(tenantId) ?? defaultDialPlan;
        return {
          allowedPrefixes: plan.allowedPrefixes,
          deniedPrefixes: plan.deniedPrefixes,
          maxConcurrentCalls: plan.maxConcurrentCalls,
          maxCallsPerMinute: plan.maxCallsPerMinute,
        };
      },
      counters,
    });
    this.#dns = o.dns ?? new CachingDnsClient(new NodeDnsClient(), { clock: now });
  }

  /** Bound ports, once started. */
  get ports(): { udp?: number; tcp?: number; tls?: number } {
    const p = this.#transport?.ports ?? {};
    return { udp: p.UDP, tcp: p.TCP, tls: p.TLS };
  }

  /** Counters and gauges on the server's registry (call once, before `start`). */
  attachMetrics(registry: Registry): void {
    this.#metrics = new SipMetrics(registry, {
      trunks: () => this.#trunkStates(),
      dialogs: () => this.#ua?.dialogCount ?? 0,
      challenged: () => this.#ua?.stats.challenged ?? 0,
    });
  }

  async start(): Promise<void> {
    await this.#load();
    const { listen } = this.o;
    const transport = await bindTransport(
      listen,
      (m) => this.#receive(m),
      (error) => this.o.log.error({ err: error }, 'SIP transport error'),
    );
    this.#transport = transport;
    const host = listen.advertisedHost ?? listen.host;
    this.#ua = new UserAgent({
      transport,
      host,
      ports: transport.ports,
      defence: this.#defence,
      auth: {
        realm: this.o.realm,
        nonceSecret: randomBytes(32),
        unknownUserSecret: randomBytes(32),
        lookupHa1: (username, algorithm) => this.#directory.ha1(username, algorithm),
        methods: ['INVITE'],
        trustedSources: (ip) => this.#directory.skipsDigest(ip),
      },
      ...(this.o.timing === undefined ? {} : { timing: this.o.timing }),
      onIncomingCall: (call) => this.#onIncomingCall(call),
      onError: (error) => this.o.log.error({ err: error }, 'SIP user agent error'),
    });
    this.#syncLinks();
    this.o.log.info({ ports: this.ports, host: listen.host }, 'SIP listening');
  }

  /** Re-reads trunks, numbers and dial plans (after a change through the API); resolves when applied. */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(async () => {
      try {
        await this.#load();
        this.#syncLinks();
      } catch (error) {
        this.o.log.error({ err: error }, 'SIP trunk reload failed');
      }
    });
    return this.#reloading;
  }

  /** The live status of a trunk (its tenant checked: another tenant's id is unknown). */
  statusOf(tenantId: string, trunkId: string): TrunkStatus {
    const trunk = this.#directory.trunks.find((t) => t.id === trunkId && t.tenantId === tenantId);
    if (trunk === undefined || !trunk.enabled)
      return disabledStatus(trunk === undefined ? 'NOT_LOADED' : null);
    return this.#links.get(trunkId)?.link.status ?? unknownStatus;
  }

  /** Whether the tenant may call `number` now (dial plan); on `ok`, call `release` when the call ends. */
  authorizeOutbound(tenantId: string, number: string): DialVerdict {
    return this.#guard.authorize(tenantId, number, this.o.clock.now());
  }

  /**
   * Places an outbound call through the tenant's trunk: the tenant's dial plan first (prefixes, calls
   * at once, calls per minute — toll-fraud containment; the slot is freed when the call ends), then
   * the preferred trunk when it is enabled, has a proxy and the proxy resolved, else the first such
   * trunk of the tenant that is not down. The INVITE goes to `sip:<number>@<proxy>` with the trunk's
   * outbound credentials for a digest challenge. Never throws; listen to the returned call's events.
   */
  dial(request: DialRequest): DialResult {
    const ua = this.#ua;
    if (ua === null || this.#shuttingDown)
      return { ok: false, code: 'SIP_NOT_STARTED', message: 'the SIP service is not running' };
    const candidates = this.#directory.trunks
      .filter((t) => t.tenantId === request.tenantId && t.enabled && t.proxy !== null)
      .map((trunk) => ({ trunk, link: this.#links.get(trunk.id)?.link }))
      .filter(
        (c): c is { trunk: DirectoryTrunk; link: TrunkLink } =>
          c.link !== undefined && c.link.route !== null && c.link.status.state !== 'down',
      );
    const chosen = candidates.find((c) => c.trunk.id === request.trunkId) ?? candidates[0];
    if (chosen === undefined)
      return {
        ok: false,
        code: 'NO_TRUNK',
        message: 'no enabled trunk with a reachable outbound proxy for this tenant',
      };
    const verdict = this.authorizeOutbound(request.tenantId, request.number);
    if (!verdict.ok)
      return {
        ok: false,
        code: verdict.reason,
        message: `the dial plan refuses this number (${verdict.reason})`,
      };
    const { target, host } = chosen.link.route!;
    const { trunk } = chosen;
    const ourHost = this.o.listen.advertisedHost ?? this.o.listen.host;
    const callerUser = request.callerId.replace(/[^\d+*#]/g, '').slice(0, 32) || 'anonymous';
    let call: OutgoingCall;
    try {
      call = ua.call({
        to: parseUri(`sip:${verdict.number}@${host}`),
        from: `<sip:${callerUser}@${ourHost}>`,
        target,
        media: request.media,
        ...(trunk.outboundUsername !== null && trunk.outboundPassword !== null
          ? { credentials: { username: trunk.outboundUsername, password: trunk.outboundPassword } }
          : {}),
      });
    } catch (error) {
      verdict.release();
      this.o.log.error(
        { err: error, tenantId: request.tenantId, trunkId: trunk.id },
        'SIP outbound call failed',
      );
      return { ok: false, code: 'DIAL_FAILED', message: 'the call could not be placed' };
    }
    call.on('ended', () => verdict.release());
    this.#metrics?.outboundCalls.inc();
    this.o.log.info(
      { tenantId: request.tenantId, trunkId: trunk.id, number: verdict.number, sipCallId: call.callIdValue },
      'SIP outbound call placed',
    );
    return { ok: true, call, number: verdict.number, trunkId: trunk.id };
  }

  /**
   * Who takes INVITEs matched to a tenant's number (`voice/voice-service.ts`); null: the policy's 480
   * for every matched call (voice off).
   */
  setInboundCalls(handler: InboundCallHandler | null): void {
    this.#inboundCalls = handler;
  }

  /** From now on OPTIONS and new INVITEs get 503: load balancers and carriers move elsewhere. */
  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  async close(): Promise<void> {
    this.#shuttingDown = true;
    for (const { link } of this.#links.values()) link.stop();
    this.#links.clear();
    // Let unregistrations (Expires: 0) leave before the sockets close.
    if (this.#ua !== null) await new Promise((resolve) => setTimeout(resolve, 200));
    await this.#transport?.close();
    this.#transport = null;
    this.#ua = null;
  }

  async #load(): Promise<void> {
    const [trunkRows, numberRows, plans] = await Promise.all([
      this.o.db.selectFrom('sip_trunks').selectAll().execute(),
      this.o.db.selectFrom('phone_numbers').select(['number', 'tenant_id', 'trunk_id']).execute(),
      readDialPlans(this.o.db),
    ]);
    const trunks: DirectoryTrunk[] = trunkRows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      enabled: r.enabled,
      allowedCidrs: r.allowed_cidrs,
      inboundUsername: r.inbound_username,
      inboundHa1:
        r.inbound_ha1_md5 !== null && r.inbound_ha1_sha256 !== null
          ? { md5: r.inbound_ha1_md5, sha256: r.inbound_ha1_sha256 }
          : null,
      proxy: r.proxy,
      transport: r.transport as DirectoryTrunk['transport'],
      outboundUsername: r.outbound_username,
      outboundPassword: r.outbound_password,
      register: r.register,
      registerExpiresSec: r.register_expires_sec,
      keepAliveSec: r.keep_alive_sec,
    }));
    const numbers: DirectoryNumber[] = numberRows.map((n) => ({
      number: n.number,
      tenantId: n.tenant_id,
      trunkId: n.trunk_id,
    }));
    const directory = new TrunkDirectory(trunks, numbers);
    for (const bad of directory.badCidrs) this.o.log.warn(bad, 'SIP trunk allow-list entry ignored');
    this.#directory = directory;
    this.#dialPlans = plans;
  }

  /** Starts links for new or changed trunks with a proxy, stops those of removed or changed ones. */
  #syncLinks(): void {
    const ua = this.#ua;
    if (ua === null) return;
    const wanted = new Map<string, DirectoryTrunk>();
    for (const t of this.#directory.trunks) if (t.enabled && t.proxy !== null) wanted.set(t.id, t);
    for (const [id, { link, fingerprint }] of this.#links) {
      const trunk = wanted.get(id);
      if (trunk === undefined || fingerprintOf(trunk) !== fingerprint) {
        link.stop();
        this.#links.delete(id);
      }
    }
    const transports: SipTransport[] = ['udp', 'tcp', ...(this.o.listen.tls ? (['tls'] as const) : [])];
    for (const trunk of wanted.values()) {
      if (this.#links.has(trunk.id)) continue;
      const link = new TrunkLink(trunk, {
        ua,
        resolve: (uri) => resolveSipUri(uri, { dns: this.#dns, random: Math.random, transports }),
        now: () => this.o.clock.now(),
        ...(this.o.keepAliveIntervalMs === undefined
          ? {}
          : { keepAliveIntervalMs: this.o.keepAliveIntervalMs }),
        onChange: (t, status, previous) => {
          if (status.state === previous.state) return;
          const fields = {
            tenantId: t.tenantId,
            trunkId: t.id,
            trunk: t.name,
            ...status,
            was: previous.state,
          };
          if (status.state === 'down') this.o.log.warn(fields, 'SIP trunk down');
          else this.o.log.info(fields, `SIP trunk ${status.state}`);
        },
      });
      this.#links.set(trunk.id, { link, fingerprint: fingerprintOf(trunk) });
      link.start();
    }
  }

  /** Every received message: 503 for new work while shutting down, then the user agent (defence first). */
  #receive(inbound: InboundMessage): void {
    const { message } = inbound;
    if (
      this.#shuttingDown &&
      message.kind === 'request' &&
      (message.method === 'OPTIONS' || message.method === 'INVITE') &&
      !hasToTag(message)
    ) {
      const reply = createResponse(message, 503, {
        toTag: newTag(),
        headers: [{ name: 'Retry-After', value: '30' }],
      });
      this.#transport?.sendResponse(reply, inbound.flow, () => {});
      return;
    }
    this.#ua?.receive(inbound);
  }

  #onIncomingCall(call: IncomingCall): void {
    const uri = call.request.uri;
    const to = call.to.uri;
    const decision = decideInboundCall(this.#directory, {
      sourceIp: call.flow.remote.address,
      authenticatedUser: call.authenticatedUser,
      requestUser: uri.kind === 'sip' ? uri.user : null,
      toUser: to.kind === 'sip' ? to.user : null,
    });
    const fields = {
      sourceIp: call.flow.remote.address,
      user: call.authenticatedUser,
      number: decision.match.number,
      ...(decision.match.ok ? { tenantId: decision.match.tenantId, trunkId: decision.match.trunkId } : {}),
      status: decision.status,
    };
    const handler = this.#inboundCalls;
    if (decision.match.ok && handler !== null) {
      // Voice takes matched calls: it answers (or refuses) and names the outcome for the metric.
      const { tenantId, trunkId, number } = decision.match;
      handler
        .accept(call, { tenantId, trunkId, number })
        .then((outcome) => this.#metrics?.inboundCalls.inc({ outcome }))
        .catch((error: unknown) => {
          this.o.log.error({ err: error, ...fields }, 'SIP inbound call handler failed');
          call.reject(500);
        });
      return;
    }
    this.#metrics?.inboundCalls.inc({ outcome: decision.refusal });
    if (decision.refusal === 'UNKNOWN_SOURCE') {
      this.#metrics?.blocked.inc({ reason: 'UNKNOWN_SOURCE', action: 'reject' });
      this.#blockLog.blocked('UNKNOWN_SOURCE', fields, 'SIP INVITE from a source no trunk accepts');
    } else if (decision.refusal === 'UNKNOWN_NUMBER') {
      this.#blockLog.blocked('UNKNOWN_NUMBER', fields, 'SIP INVITE to a number no trunk of the source has');
    } else {
      this.o.log.info(fields, 'SIP call to a known number refused: voice routing not available yet');
    }
    call.reject(decision.status, decision.headers);
  }

  #onDefenceEvent(event: DefenceEvent): void {
    const m = this.#metrics;
    switch (event.kind) {
      case 'blocked':
        m?.blocked.inc({ reason: event.reason, action: event.action });
        this.#blockLog.blocked(
          event.reason,
          { sourceIp: event.sourceIp, method: event.method, action: event.action },
          'SIP request blocked',
        );
        return;
      case 'banned':
        m?.bans.inc();
        this.o.log.warn(
          { sourceIp: event.sourceIp, durationMs: event.durationMs, offence: event.offence },
          'SIP source banned after failed authentication',
        );
        return;
      case 'dial-blocked':
        m?.dialBlocked.inc({ reason: event.reason });
        this.#blockLog.blocked(
          event.reason,
          { tenantId: event.tenantId },
          'outbound call refused by dial plan',
        );
        return;
      case 'evicted':
        return;
    }
  }

  #trunkStates(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const t of this.#directory.trunks) {
      const state = this.statusOf(t.tenantId, t.id).state;
      counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }
}

const unknownStatus: TrunkStatus = {
  state: 'unknown',
  since: null,
  lastCode: null,
  registration: 'off',
  detail: null,
};

export function disabledStatus(detail: string | null): TrunkStatus {
  return { state: 'disabled', since: null, lastCode: null, registration: 'off', detail };
}

function hasToTag(message: InboundMessage['message']): boolean {
  try {
    return getTo(message).tag !== null;
  } catch {
    return false;
  }
}

/** Outbound settings that need a new link when they change. */
function fingerprintOf(t: DirectoryTrunk): string {
  return JSON.stringify([
    t.proxy,
    t.transport,
    t.outboundUsername,
    t.outboundPassword,
    t.register,
    t.registerExpiresSec,
    t.keepAliveSec,
  ]);
}

/**
 * Binds UDP and TCP on one port (and TLS). Port 0: the OS picks a TCP port, and UDP takes the same
 * number; a clash (the UDP port taken) tries another.
 */
async function bindTransport(
  listen: SipListenConfig,
  onMessage: (m: InboundMessage) => void,
  onError: (error: unknown) => void,
): Promise<NodeTransport> {
  for (let attempt = 0; ; attempt++) {
    const port = listen.port === 0 ? await freeTcpPort(listen.host) : listen.port;
    try {
      return await NodeTransport.listen({
        host: listen.host,
        ...(listen.advertisedHost === undefined ? {} : { advertisedHost: listen.advertisedHost }),
        udp: { port },
        tcp: { port },
        ...(listen.tls === undefined ? {} : { tls: listen.tls }),
        onMessage,
        onError,
      });
    } catch (error) {
      if (listen.port !== 0 || attempt >= 10 || (error as { code?: string }).code !== 'EADDRINUSE') {
        throw error;
      }
    }
  }
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
