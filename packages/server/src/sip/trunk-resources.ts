import type {
  createPhoneNumberBody,
  createTrunkBody,
  PhoneNumber,
  Trunk,
  updatePhoneNumberBody,
  updateTrunkBody,
} from '@hotline/protocol/trunks';
import { digestHa1 } from '@hotline/sip/digest';
import type { z } from 'zod';
import { type ResourceSpec, ResourceStore, type Row, type StoreDeps } from '../stores/resource-store';

type TrunkCreate = z.output<typeof createTrunkBody>;
type TrunkUpdate = z.output<typeof updateTrunkBody>;
/** A trunk as stored; the live `status` is added by whoever runs SIP (`SipService`). */
export type StoredTrunk = Omit<Trunk, 'status'>;

const iso = (d: Date) => d.toISOString();

/** Inbound digest columns: only HA1 per algorithm, for the installation's one realm. */
function inboundColumns(realm: string, username: string | null, password: string | undefined): Row {
  if (username === null || password === undefined) {
    return { inbound_username: null, inbound_ha1_md5: null, inbound_ha1_sha256: null };
  }
  return {
    inbound_username: username,
    inbound_ha1_md5: digestHa1('MD5', username, realm, password),
    inbound_ha1_sha256: digestHa1('SHA-256', username, realm, password),
  };
}

const plainColumns = {
  name: 'name',
  enabled: 'enabled',
  proxy: 'proxy',
  transport: 'transport',
  outboundUsername: 'outbound_username',
  outboundPassword: 'outbound_password',
  register: 'register',
  registerExpiresSec: 'register_expires_sec',
  keepAliveSec: 'keep_alive_sec',
} as const satisfies Partial<Record<keyof TrunkUpdate, string>>;

/**
 * Trunks in the generic configuration store. Passwords are write-only: the DTO (and so the audit log)
 * says only whether one is set. The inbound password is kept as HA1 under `realm`, so changing the
 * realm (`SIP_REALM`) means setting inbound passwords again.
 */
export function trunkSpec(realm: string): ResourceSpec<StoredTrunk, TrunkCreate, TrunkUpdate> {
  return {
    table: 'sip_trunks',
    entityType: 'trunk',
    duplicateMessage: 'a trunk with this name (or this inbound username) already exists',
    toDto: (r) => ({
      id: r.id,
      name: r.name,
      enabled: r.enabled,
      allowedCidrs: r.allowed_cidrs,
      inboundUsername: r.inbound_username,
      hasInboundPassword: r.inbound_ha1_md5 !== null,
      proxy: r.proxy,
      transport: r.transport,
      outboundUsername: r.outbound_username,
      hasOutboundPassword: r.outbound_password !== null,
      register: r.register,
      registerExpiresSec: r.register_expires_sec,
      keepAliveSec: r.keep_alive_sec,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    }),
    toInsert: (b) => ({
      name: b.name,
      enabled: b.enabled,
      allowed_cidrs: JSON.stringify(b.allowedCidrs),
      ...inboundColumns(realm, b.inboundUsername, b.inboundPassword),
      proxy: b.proxy,
      transport: b.transport,
      outbound_username: b.outboundUsername,
      outbound_password: b.outboundPassword,
      register: b.register,
      register_expires_sec: b.registerExpiresSec,
      keep_alive_sec: b.keepAliveSec,
    }),
    toUpdate: (b) => {
      const out: Row = {};
      for (const [field, column] of Object.entries(plainColumns)) {
        const value = b[field as keyof typeof plainColumns];
        if (value !== undefined) out[column] = value;
      }
      if (b.allowedCidrs !== undefined) out.allowed_cidrs = JSON.stringify(b.allowedCidrs);
      if (b.inboundUsername !== undefined) {
        Object.assign(out, inboundColumns(realm, b.inboundUsername, b.inboundPassword));
      }
      return out;
    },
  };
}

type NumberCreate = z.output<typeof createPhoneNumberBody>;
type NumberUpdate = z.output<typeof updatePhoneNumberBody>;

export const phoneNumberSpec: ResourceSpec<PhoneNumber, NumberCreate, NumberUpdate> = {
  table: 'phone_numbers',
  entityType: 'phone_number',
  duplicateMessage: 'this number is already in use',
  toDto: (r) => ({
    id: r.id,
    number: r.number,
    trunkId: r.trunk_id,
    description: r.description,
    flowId: r.flow_id ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  }),
  toInsert: (b) => ({
    number: b.number,
    trunk_id: b.trunkId,
    description: b.description,
    flow_id: b.flowId,
  }),
  toUpdate: (b) => ({
    ...(b.number === undefined ? {} : { number: b.number }),
    ...(b.trunkId === undefined ? {} : { trunk_id: b.trunkId }),
    ...(b.description === undefined ? {} : { description: b.description }),
    ...(b.flowId === undefined ? {} : { flow_id: b.flowId }),
  }),
};

export function trunkStores(deps: StoreDeps, realm: string) {
  return {
    trunks: new ResourceStore(deps, trunkSpec(realm)),
    numbers: new ResourceStore(deps, phoneNumberSpec),
  };
}
export type TrunkStores = ReturnType<typeof trunkStores>;
