import { z } from 'zod';
import { descriptionSchema, nameSchema, timestampSchema } from './common';

const timestamps = { createdAt: timestampSchema, updatedAt: timestampSchema };
const id = z.uuid();

// ── SIP trunks ──────────────────────────────────────────────────────────────
const ipv4 = String.raw`(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;
const ipv6 = '[0-9a-fA-F:.]*:[0-9a-fA-F:.]*';
/** `203.0.113.0/24`, `198.51.100.7` (one address), `2001:db8::/32`. The server checks IPv6 further. */
export const cidrSchema = z
  .string()
  .trim()
  .max(64)
  .regex(
    new RegExp(`^(${ipv4}(/(3[0-2]|[12]?\\d))?|${ipv6}(/(12[0-8]|1[01]\\d|[1-9]?\\d))?)$`),
    'an IPv4 or IPv6 address or CIDR block (203.0.113.0/24)',
  );
/** A host name or IP address, with an optional port: `sip.carrier.example`, `203.0.113.5:5080`, `[2001:db8::1]`. */
export const sipHostSchema = z
  .string()
  .trim()
  .max(255)
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.?)(:([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d\d|655[0-2]\d|6553[0-5]))?$/,
    'a host name or IP address, optionally with :port',
  );
/** SIP user names as carriers issue them (RFC 3261 `user` unreserved characters, no escapes). */
const sipUserSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9\-_.!~*'()&=+$,;?/]+$/, "letters, digits and - _ . ! ~ * ' ( ) & = + $ , ; ? /");
/** Write-only: accepted on create/update, never returned. */
const secretSchema = z.string().min(8).max(128);

export const trunkTransports = ['auto', 'udp', 'tcp', 'tls'] as const;
export const trunkStates = ['disabled', 'unknown', 'up', 'down'] as const;
export const registrationStates = ['off', 'registering', 'registered', 'failed'] as const;

/** Live view of a trunk in this server process: OPTIONS keep-alive and registration. */
export const trunkStatusSchema = z.object({
  /** `disabled`: switched off or SIP not running; `unknown`: nothing heard yet (or no keep-alive). */
  state: z.enum(trunkStates),
  /** When `state` last changed; null before any change. */
  since: timestampSchema.nullable(),
  /** Status of the last keep-alive or REGISTER answer (408 for a timeout, 503 for a transport error). */
  lastCode: z.number().int().nullable(),
  registration: z.enum(registrationStates),
  /** Why it is down, when known: `DNS_NOT_FOUND`, `REGISTER_FAILED`, `KEEPALIVE_TIMEOUT` … */
  detail: z.string().nullable(),
});
export type TrunkStatus = z.infer<typeof trunkStatusSchema>;

export const trunkSchema = z.object({
  id,
  name: z.string(),
  enabled: z.boolean(),
  /** Inbound: requests from these sources are accepted without digest (unless a username is set too). */
  allowedCidrs: z.array(z.string()),
  /** Inbound digest user; with allowed sources too, both are required. */
  inboundUsername: z.string().nullable(),
  hasInboundPassword: z.boolean(),
  /** Outbound proxy (RFC 3263 resolution: NAPTR, SRV, A/AAAA); null: inbound only. */
  proxy: z.string().nullable(),
  transport: z.enum(trunkTransports),
  outboundUsername: z.string().nullable(),
  hasOutboundPassword: z.boolean(),
  /** REGISTER to the proxy, refreshed before it expires. */
  register: z.boolean(),
  registerExpiresSec: z.number().int(),
  /** OPTIONS keep-alive interval toward the proxy; 0: none. */
  keepAliveSec: z.number().int(),
  status: trunkStatusSchema,
  ...timestamps,
});
export type Trunk = z.infer<typeof trunkSchema>;

const trunkFields = {
  name: nameSchema,
  enabled: z.boolean(),
  allowedCidrs: z.array(cidrSchema).max(50),
  inboundUsername: sipUserSchema.nullable(),
  inboundPassword: secretSchema,
  proxy: sipHostSchema.nullable(),
  transport: z.enum(trunkTransports),
  outboundUsername: sipUserSchema.nullable(),
  outboundPassword: secretSchema.nullable(),
  register: z.boolean(),
  registerExpiresSec: z.number().int().min(60).max(86_400),
  keepAliveSec: z.union([z.literal(0), z.number().int().min(5).max(3_600)]),
};

const usernameNeedsPassword = {
  message: 'inboundPassword is required whenever inboundUsername is set',
  path: ['inboundPassword'],
};
const registerNeedsProxy = { message: 'register needs a proxy', path: ['proxy'] };

export const createTrunkBody = z
  .strictObject({
    name: trunkFields.name,
    enabled: trunkFields.enabled.default(true),
    allowedCidrs: trunkFields.allowedCidrs.default([]),
    inboundUsername: trunkFields.inboundUsername.default(null),
    inboundPassword: trunkFields.inboundPassword.optional(),
    proxy: trunkFields.proxy.default(null),
    transport: trunkFields.transport.default('auto'),
    outboundUsername: trunkFields.outboundUsername.default(null),
    outboundPassword: trunkFields.outboundPassword.default(null),
    register: trunkFields.register.default(false),
    registerExpiresSec: trunkFields.registerExpiresSec.default(3_600),
    keepAliveSec: trunkFields.keepAliveSec.default(30),
  })
  .refine((b) => (b.inboundUsername === null) === (b.inboundPassword === undefined), usernameNeedsPassword)
  .refine((b) => !b.register || b.proxy !== null, registerNeedsProxy);
export type CreateTrunkBody = z.input<typeof createTrunkBody>;

/** Absent fields stay; `inboundUsername: null` removes inbound digest (and its password). */
export const updateTrunkBody = z
  .strictObject(trunkFields)
  .partial()
  .refine(
    (b) => typeof b.inboundUsername !== 'string' || b.inboundPassword !== undefined,
    usernameNeedsPassword,
  )
  .refine((b) => b.inboundPassword === undefined || typeof b.inboundUsername === 'string', {
    message: 'send inboundUsername with inboundPassword (HA1 is computed from both)',
    path: ['inboundUsername'],
  })
  .refine((b) => !b.register || b.proxy !== null, registerNeedsProxy);
export type UpdateTrunkBody = z.input<typeof updateTrunkBody>;

// ── Phone numbers (DIDs) ─────────────────────────────────────────────────────
/** E.164: `+`, then 2–15 digits, the first 1–9. Spaces, dots, dashes and parentheses are dropped. */
export const e164Schema = z
  .string()
  .max(40)
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{1,14}$/, 'an E.164 number: + and 2–15 digits (+4420 7946 0958)'));

/**
 * A number the tenant receives calls on, through one of its trunks. A number belongs to one tenant
 * in the whole installation (as on the public network).
 */
export const phoneNumberSchema = z.object({
  id,
  number: z.string(),
  trunkId: id,
  description: z.string(),
  /** The flow (IVR) calls to this number start in; null: straight to routing. */
  flowId: id.nullable(),
  ...timestamps,
});
export type PhoneNumber = z.infer<typeof phoneNumberSchema>;
export const createPhoneNumberBody = z.strictObject({
  number: e164Schema,
  trunkId: id,
  description: descriptionSchema.default(''),
  /** A flow of this tenant (INVALID_REFERENCE otherwise); a bound flow cannot be deleted (IN_USE). */
  flowId: id.nullable().default(null),
});
export type CreatePhoneNumberBody = z.input<typeof createPhoneNumberBody>;
export const updatePhoneNumberBody = z
  .strictObject({ number: e164Schema, trunkId: id, description: descriptionSchema, flowId: id.nullable() })
  .partial();
export type UpdatePhoneNumberBody = z.input<typeof updatePhoneNumberBody>;

// ── Outbound dial plan (one per tenant) ─────────────────────────────────────
/** E.164 digits without `+`: `44`, `7495`, `1900`. */
export const dialPrefixSchema = z.string().regex(/^[0-9]{1,15}$/, 'digits without +, 1–15 of them');
export const dialPlanSchema = z.object({
  /** A number must start with one of these; empty: no outbound calls. */
  allowedPrefixes: z.array(z.string()),
  /** Never, even when allowed (premium rate, satellite …). */
  deniedPrefixes: z.array(z.string()),
  maxConcurrentCalls: z.number().int(),
  maxCallsPerMinute: z.number().int(),
  /** null while the tenant still has the defaults. */
  updatedAt: timestampSchema.nullable(),
});
export type DialPlan = z.infer<typeof dialPlanSchema>;
export const putDialPlanBody = z.strictObject({
  allowedPrefixes: z.array(dialPrefixSchema).max(500),
  deniedPrefixes: z.array(dialPrefixSchema).max(500).default([]),
  maxConcurrentCalls: z.number().int().min(0).max(10_000),
  maxCallsPerMinute: z.number().int().min(0).max(100_000),
});
export type PutDialPlanBody = z.input<typeof putDialPlanBody>;
/** Until an admin sets one: no outbound calls at all (toll-fraud safe). */
export const defaultDialPlan: DialPlan = {
  allowedPrefixes: [],
  deniedPrefixes: [],
  maxConcurrentCalls: 10,
  maxCallsPerMinute: 30,
  updatedAt: null,
};
