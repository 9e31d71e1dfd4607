import type { Role } from '@hotline/core/roles';
import type { MeResponse } from '@hotline/protocol/auth';
import type { Page, PaginationQuery } from '@hotline/protocol/common';
import { type ApiKey, defaultCapacity } from '@hotline/protocol/config';
import type { Selectable } from 'kysely';
import { hashPassword, newSecret, sha256 } from '../auth/secrets';
import type { ApiKeysTable } from '../db/schema';
import { notFound } from '../errors';
import { recordAudit } from './audit-store';
import { translateDbError } from './db-errors';
import type { Principal } from './principal';
import type { StoreDeps } from './resource-store';

export interface Authenticated {
  principal: Principal;
  me: MeResponse;
}

export interface LoginCandidate {
  id: string;
  tenantId: string;
  passwordHash: string;
  active: boolean;
}

function toApiKey(r: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    prefix: r.prefix,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  };
}

/** How often a key's last-used time is written at most, so busy integrations do not write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Tenants, sessions and API keys: turning a secret into a Principal. Secrets are stored only as
 * SHA-256 (they are 256-bit random, so a slow hash adds nothing); passwords as argon2id.
 */
export class AuthStore {
  constructor(private readonly deps: StoreDeps) {}

  async tenantCount(): Promise<number> {
    const r = await this.deps.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Creates a tenant with its first owner in one transaction (first start, provisioning, tests). */
  async createTenantWithOwner(input: {
    tenantName: string;
    slug: string;
    email: string;
    password: string;
    displayName: string;
  }): Promise<{ tenantId: string; userId: string }> {
    const tenantId = this.deps.ids.next();
    const userId = this.deps.ids.next();
    const now = new Date(this.deps.clock.now());
    const passwordHash = await hashPassword(input.password);
    try {
      await this.deps.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('tenants')
          .values({ id: tenantId, name: input.tenantName, slug: input.slug, created_at: now })
          .execute();
        await tx
          .insertInto('users')
          .values({
            id: userId,
            tenant_id: tenantId,
            email: input.email.toLowerCase(),
            password_hash: passwordHash,
            display_name: input.displayName,
            role: 'owner',
            team_id: null,
            locale: 'en',
            active: true,
            capacity: JSON.stringify(defaultCapacity),
            created_at: now,
            updated_at: now,
          })
          .execute();
      });
    } catch (error) {
      throw translateDbError(error, 'write', 'this tenant slug or owner e-mail is already taken');
    }
    return { tenantId, userId };
  }

  async findLoginCandidate(email: string): Promise<LoginCandidate | undefined> {
    const r = await this.deps.db
      .selectFrom('users')
      .select(['id', 'tenant_id', 'password_hash', 'active'])
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirst();
    return r && { id: r.id, tenantId: r.tenant_id, passwordHash: r.password_hash, active: r.active };
  }

  async createSession(user: LoginCandidate, ttlMs: number): Promise<{ token: string; expiresAt: Date }> {
    const token = newSecret('hls');
    const now = this.deps.clock.now();
    const expiresAt = new Date(now + ttlMs);
    await this.deps.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('sessions')
        .where('user_id', '=', user.id)
        .where('expires_at', '<=', new Date(now))
        .execute();
      await tx
        .insertInto('sessions')
        .values({
          token_hash: sha256(token),
          tenant_id: user.tenantId,
          user_id: user.id,
          created_at: new Date(now),
          expires_at: expiresAt,
        })
        .execute();
    });
    return { token, expiresAt };
  }

  async deleteSession(token: string): Promise<void> {
    await this.deps.db.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
  }

  /** Resolves a bearer secret (session token or API key) to who is calling, or undefined. */
  async authenticate(secret: string): Promise<Authenticated | undefined> {
    if (secret.startsWith('hls_')) return this.#session(secret);
    if (secret.startsWith('hlk_')) return this.#apiKey(secret);
    return undefined;
  }

  async #session(token: string): Promise<Authenticated | undefined> {
    const now = new Date(this.deps.clock.now());
    const r = await this.deps.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .innerJoin('tenants as t', 't.id', 's.tenant_id')
      .select([
        'u.id as userId',
        'u.email',
        'u.display_name',
        'u.role',
        'u.locale',
        'u.active',
        't.id as tenantId',
        't.name as tenantName',
        't.slug',
      ])
      .where('s.token_hash', '=', sha256(token))
      .where('s.expires_at', '>', now)
      .executeTakeFirst();
    if (!r?.active) return undefined;
    const role = r.role as Role;
    return {
      principal: { tenantId: r.tenantId, role, kind: 'session', userId: r.userId, apiKeyId: null },
      me: {
        kind: 'session',
        role,
        user: {
          id: r.userId,
          email: r.email,
          displayName: r.display_name,
          role,
          locale: r.locale as 'en' | 'ru',
        },
        tenant: { id: r.tenantId, name: r.tenantName, slug: r.slug },
      },
    };
  }

  async #apiKey(secret: string): Promise<Authenticated | undefined> {
    const r = await this.deps.db
      .selectFrom('api_keys as k')
      .innerJoin('tenants as t', 't.id', 'k.tenant_id')
      .select(['k.id', 'k.role', 'k.last_used_at', 't.id as tenantId', 't.name as tenantName', 't.slug'])
      .where('k.secret_hash', '=', sha256(secret))
      .where('k.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!r) return undefined;
    const now = this.deps.clock.now();
    if (!r.last_used_at || now - r.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.deps.db
        .updateTable('api_keys')
        .set({ last_used_at: new Date(now) })
        .where('id', '=', r.id)
        .execute();
    }
    const role = r.role as Role;
    return {
      principal: { tenantId: r.tenantId, role, kind: 'api_key', userId: null, apiKeyId: r.id },
      me: { kind: 'api_key', role, user: null, tenant: { id: r.tenantId, name: r.tenantName, slug: r.slug } },
    };
  }

  async listApiKeys(principal: Principal, page: PaginationQuery): Promise<Page<ApiKey>> {
    const base = this.deps.db
      .selectFrom('api_keys')
      .where('tenant_id', '=', principal.tenantId)
      .where('revoked_at', 'is', null);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toApiKey), total: Number(count.n), ...page };
  }

  async createApiKey(
    principal: Principal,
    name: string,
    role: Role,
  ): Promise<{ apiKey: ApiKey; secret: string }> {
    const secret = newSecret('hlk');
    const id = this.deps.ids.next();
    const now = new Date(this.deps.clock.now());
    return this.deps.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('api_keys')
        .values({
          id,
          tenant_id: principal.tenantId,
          name,
          role,
          prefix: secret.slice(0, 12),
          secret_hash: sha256(secret),
          created_by: principal.userId,
          created_at: now,
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const apiKey = toApiKey(row);
      await recordAudit(tx, principal, this.deps.ids.next(), now, {
        action: 'create',
        entityType: 'api_key',
        entityId: id,
        before: null,
        after: apiKey,
      });
      return { apiKey, secret };
    });
  }

  async revokeApiKey(principal: Principal, id: string): Promise<void> {
    const now = new Date(this.deps.clock.now());
    await this.deps.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('api_keys')
        .selectAll()
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw notFound('api key');
      await tx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).execute();
      await recordAudit(tx, principal, this.deps.ids.next(), now, {
        action: 'delete',
        entityType: 'api_key',
        entityId: id,
        before: toApiKey(row),
        after: null,
      });
    });
  }
}
