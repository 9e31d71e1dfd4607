import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

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
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  admin: { email: string; password: string | undefined; tenantName: string };
  sessionTtlMs: number;
  trustProxy: boolean;
  missedOffersLimit: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** null when SIP_ENABLED=false. */
  sip: SipConfig | null;
  /** Digest realm of inbound trunk passwords (stored as HA1 under it, so also needed with SIP off). */
  sipRealm: string;
}

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
  };
}
