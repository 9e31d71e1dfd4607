import { resolve } from 'node:path';
import { z } from 'zod';
import { type EgressPolicy, parseEgressAllowList } from './flows/flow-http';

const port = z.coerce.number().int().min(0).max(65_535);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Media threads run this far ahead of the control plane unless configured (`HOTLINE_MEDIA_NICE`): a
 * tick waiting behind the database or HTTP work is heard as jitter (ADR 0012).
 */
export const DEFAULT_MEDIA_NICE = -10;

const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  HOTLINE_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  HOTLINE_ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email()).default('admin@hotline.local'),
  HOTLINE_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  HOTLINE_TENANT_NAME: z.string().trim().min(1).max(120).default('Default'),
  HOTLINE_SESSION_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 90)
    .default(12),
  HOTLINE_TRUST_PROXY: flag.default(false),
  /** On the first start, give the first tenant the demo line (queue, IVR, local trunk, number). */
  HOTLINE_DEMO: flag.default(true),
  /** Offers in a row an agent lets time out before routing sets them not ready ("missed"); 0: never. */
  HOTLINE_MISSED_OFFERS_LIMIT: z.coerce.number().int().min(0).max(100).default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** SIP (trunks): on unless `false`. */
  SIP_ENABLED: flag.default(true),
  /** Loopback by default: SIP on a public address is scanned within minutes; open it on purpose. */
  SIP_HOST: z.string().min(1).default('127.0.0.1'),
  /** The address carriers reach us at (Via, Contact) when SIP_HOST is 0.0.0.0 or behind NAT. */
  SIP_ADVERTISED_HOST: z.string().min(1).optional(),
  /** UDP and TCP; 0 picks a free port (tests). */
  SIP_PORT: port.default(5060),
  SIP_TLS_PORT: port.default(5061),
  /** PEM files; TLS listens only when both are set. */
  SIP_TLS_CERT: z.string().min(1).optional(),
  SIP_TLS_KEY: z.string().min(1).optional(),
  /** Digest realm of inbound trunk authentication (inbound passwords are stored as HA1 under it). */
  SIP_REALM: z.string().min(1).max(128).default('hotline'),
  /** Hosts (`host` or `host:port`, comma-separated) flows' http verb may call on private addresses. */
  HOTLINE_FLOW_HTTP_ALLOW: z.string().max(4_000).optional(),
  /** Media (RTP, WebRTC): on unless `false`. */
  HOTLINE_MEDIA_ENABLED: flag.default(true),
  /** The address RTP and WebRTC sockets bind to and advertise (set the public one behind 1:1 NAT). */
  HOTLINE_RTP_ADDRESS: z.string().min(1).default('127.0.0.1'),
  HOTLINE_RTP_PORT_MIN: port.default(40_000),
  HOTLINE_RTP_PORT_MAX: port.default(49_999),
  /** UDP ports of the agents' WebRTC (ICE) sockets, both or neither; must not overlap the RTP range. */
  HOTLINE_WEBRTC_PORT_MIN: port.optional(),
  HOTLINE_WEBRTC_PORT_MAX: port.optional(),
  /** Media worker threads; default one per core. */
  HOTLINE_MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /**
   * The nice value media threads ask for (Linux; ADR 0012): ahead of the control plane by default;
   * needs CAP_SYS_NICE, refused it is logged and they run as they are; 0 leaves them alone.
   */
  HOTLINE_MEDIA_NICE: z.coerce.number().int().min(-20).max(19).default(DEFAULT_MEDIA_NICE),
  /**
   * The agents' WebRTC transport (ADR 0009): `native` (libdatachannel on one phone thread; start fails
   * without it), `werift` (pure JavaScript in the media workers), `auto` (native when it loads, else werift).
   */
  HOTLINE_WEBRTC: z.enum(['auto', 'native', 'werift']).default('auto'),
  /** TURN for agents behind NAT (`turn:host:3478?transport=udp`, `turns:…`), handed to browsers. */
  HOTLINE_TURN_URL: z
    .string()
    .regex(/^turns?:[^\s,]+$/, 'must be a turn: or turns: URL')
    .optional(),
  /** Static TURN credentials… */
  HOTLINE_TURN_USERNAME: z.string().min(1).max(256).optional(),
  HOTLINE_TURN_PASSWORD: z.string().min(1).max(256).optional(),
  /** …or coturn's `static-auth-secret` (TURN REST API): short-lived credentials per agent. */
  HOTLINE_TURN_SECRET: z.string().min(8).max(256).optional(),
  /**
   * `relay`: browsers send media only through the TURN server (a network that lets nothing else out, or
   * to keep agents' addresses private); `all` (default): the direct path when it works, TURN otherwise.
   */
  HOTLINE_TURN_POLICY: z.enum(['all', 'relay']).default('all'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  admin: { email: string; password: string | undefined; tenantName: string };
  sessionTtlMs: number;
  trustProxy: boolean;
  /** Create the demo line on the first start (`HOTLINE_DEMO`). */
  demo: boolean;
  missedOffersLimit: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** null when SIP_ENABLED=false. */
  sip: SipConfig | null;
  /** Digest realm of inbound trunk passwords (stored as HA1 under it, so also needed with SIP off). */
  sipRealm: string;
  /** Where flows' http verb may send requests (`HOTLINE_FLOW_HTTP_ALLOW`). */
  flowEgress: EgressPolicy;
  /** null when HOTLINE_MEDIA_ENABLED=false. */
  media: MediaConfig | null;
}

export interface MediaConfig {
  address: string;
  portRange: { min: number; max: number };
  /** undefined: one per core. */
  workers: number | undefined;
  /** The media threads' nice value (`HOTLINE_MEDIA_NICE`). */
  threadNice: number;
  /** undefined: any free port (the WebRTC stack picks). */
  webrtcPortRange: { min: number; max: number } | undefined;
  /** The agents' WebRTC transport (`HOTLINE_WEBRTC`). */
  webrtc: 'auto' | 'native' | 'werift';
  /** undefined: host candidates only. */
  turn: TurnConfig | undefined;
}

/** Either static credentials or coturn's shared secret (TURN REST API, time-limited usernames). */
export type TurnConfig = (
  | { url: string; kind: 'static'; username: string; password: string }
  | { url: string; kind: 'secret'; secret: string }
) & {
  /** Browsers use relayed candidates only (`HOTLINE_TURN_POLICY=relay`). */
  relayOnly: boolean;
};

export interface SipConfig {
  host: string;
  advertisedHost: string | undefined;
  port: number;
  /** Present when a certificate and key are configured. */
  tls: { port: number; certFile: string; keyFile: string } | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates configuration from the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.SIP_TLS_CERT === undefined) !== (e.SIP_TLS_KEY === undefined)) {
    throw new ConfigError('invalid configuration:\n  SIP_TLS_CERT, SIP_TLS_KEY: set both or neither');
  }
  if (e.HOTLINE_RTP_PORT_MAX - e.HOTLINE_RTP_PORT_MIN < 16) {
    throw new ConfigError(
      'invalid configuration:\n  HOTLINE_RTP_PORT_MIN, HOTLINE_RTP_PORT_MAX: the range must hold at least 16 ports',
    );
  }
  const turn = turnConfig(e);
  const webrtcPortRange = webrtcPorts(e);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.HOTLINE_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    admin: {
      email: e.HOTLINE_ADMIN_EMAIL,
      password: e.HOTLINE_ADMIN_PASSWORD,
      tenantName: e.HOTLINE_TENANT_NAME,
    },
    sessionTtlMs: Math.round(e.HOTLINE_SESSION_TTL_HOURS * 3_600_000),
    trustProxy: e.HOTLINE_TRUST_PROXY,
    demo: e.HOTLINE_DEMO,
    missedOffersLimit: e.HOTLINE_MISSED_OFFERS_LIMIT,
    logLevel: e.LOG_LEVEL,
    sip: e.SIP_ENABLED
      ? {
          host: e.SIP_HOST,
          advertisedHost: e.SIP_ADVERTISED_HOST,
          port: e.SIP_PORT,
          tls:
            e.SIP_TLS_CERT !== undefined && e.SIP_TLS_KEY !== undefined
              ? { port: e.SIP_TLS_PORT, certFile: resolve(e.SIP_TLS_CERT), keyFile: resolve(e.SIP_TLS_KEY) }
              : undefined,
        }
      : null,
    sipRealm: e.SIP_REALM,
    flowEgress: flowEgressOf(e.HOTLINE_FLOW_HTTP_ALLOW),
    media: e.HOTLINE_MEDIA_ENABLED
      ? {
          address: e.HOTLINE_RTP_ADDRESS,
          portRange: { min: e.HOTLINE_RTP_PORT_MIN, max: e.HOTLINE_RTP_PORT_MAX },
          workers: e.HOTLINE_MEDIA_WORKERS,
          threadNice: e.HOTLINE_MEDIA_NICE,
          webrtcPortRange,
          webrtc: e.HOTLINE_WEBRTC,
          turn,
        }
      : null,
  };
}

function webrtcPorts(e: z.infer<typeof envSchema>): MediaConfig['webrtcPortRange'] {
  const { HOTLINE_WEBRTC_PORT_MIN: min, HOTLINE_WEBRTC_PORT_MAX: max } = e;
  if (min === undefined && max === undefined) return undefined;
  const bad = (message: string) =>
    new ConfigError(`invalid configuration:\n  HOTLINE_WEBRTC_PORT_MIN, HOTLINE_WEBRTC_PORT_MAX: ${message}`);
  if (min === undefined || max === undefined) throw bad('set both or neither');
  if (max - min < 16) throw bad('the range must hold at least 16 ports');
  if (min <= e.HOTLINE_RTP_PORT_MAX && max >= e.HOTLINE_RTP_PORT_MIN)
    throw bad('must not overlap the RTP range');
  return { min, max };
}

function turnConfig(e: z.infer<typeof envSchema>): TurnConfig | undefined {
  const fail = (message: string): never => {
    throw new ConfigError(`invalid configuration:\n  ${message}`);
  };
  const { HOTLINE_TURN_URL: url, HOTLINE_TURN_USERNAME: username, HOTLINE_TURN_PASSWORD: password } = e;
  const secret = e.HOTLINE_TURN_SECRET;
  const relayOnly = e.HOTLINE_TURN_POLICY === 'relay';
  if (url === undefined) {
    if (username ?? password ?? secret) fail('HOTLINE_TURN_URL: needed with TURN credentials');
    if (relayOnly) fail('HOTLINE_TURN_POLICY: relay needs a TURN server (HOTLINE_TURN_URL)');
    return undefined;
  }
  if (secret !== undefined) {
    if (username ?? password) fail('HOTLINE_TURN_SECRET: set it or a username and password, not both');
    return { url, kind: 'secret', secret, relayOnly };
  }
  if (username === undefined || password === undefined)
    return fail('HOTLINE_TURN_USERNAME, HOTLINE_TURN_PASSWORD: set both, or HOTLINE_TURN_SECRET');
  return { url, kind: 'static', username, password, relayOnly };
}

function flowEgressOf(value: string | undefined): EgressPolicy {
  try {
    return parseEgressAllowList(value);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  HOTLINE_FLOW_HTTP_ALLOW: ${(error as Error).message}`);
  }
}
