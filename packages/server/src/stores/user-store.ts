import { canManageRole, type Role } from '@hotline/core/roles';
import { channels, type Page, type PaginationQuery } from '@hotline/protocol/common';
import {
  type AgentSkill,
  type Capacity,
  type CreateUserBody,
  defaultCapacity,
  type UpdateUserBody,
  type User,
} from '@hotline/protocol/config';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { hashPassword } from '../auth/secrets';
import type { Database, UsersTable } from '../db/schema';
import { AppError, forbidden, notFound } from '../errors';
import { recordAudit } from './audit-store';
import { translateDbError } from './db-errors';
import type { Principal } from './principal';
import type { StoreDeps } from './resource-store';

type UserRow = Selectable<UsersTable>;

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role as Role,
    teamId: r.team_id,
    locale: r.locale as User['locale'],
    active: r.active,
    capacity: capacityOf(r.capacity as Partial<User['capacity']>),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Stored capacity with defaults for channels added since it was written; unknown keys are dropped. */
function capacityOf(stored: Partial<Capacity>): Capacity {
  return Object.fromEntries(channels.map((c) => [c, stored[c] ?? defaultCapacity[c]])) as Capacity;
}

const duplicateEmail = 'a user with this e-mail already exists';

/**
 * Users of a tenant (agents, supervisors, admins, owners) and their skills. Password hashes never
 * leave this module. Role rules: nobody grants or manages a role above their own, and a tenant keeps
 * at least one active owner.
 */
export class UserStore {
  constructor(private readonly deps: StoreDeps) {}

  async list(principal: Principal, page: PaginationQuery): Promise<Page<User>> {
    const base = this.deps.db.selectFrom('users').where('tenant_id', '=', principal.tenantId);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toUser), total: Number(count.n), ...page };
  }

  async get(principal: Principal, id: string): Promise<User> {
    return toUser(await this.#row(this.deps.db, principal.tenantId, id));
  }

  async create(principal: Principal, body: CreateUserBody): Promise<User> {
    if (!canManageRole(principal.role, body.role))
      throw forbidden(`you cannot create a user with role ${body.role}`);
    const id = this.deps.ids.next();
    const now = new Date(this.deps.clock.now());
    const passwordHash = await hashPassword(body.password);
    return this.#write(async (tx) => {
      await tx
        .insertInto('users')
        .values({
          id,
          tenant_id: principal.tenantId,
          email: body.email,
          password_hash: passwordHash,
          display_name: body.displayName,
          role: body.role,
          team_id: body.teamId ?? null,
          locale: body.locale ?? 'en',
          active: body.active ?? true,
          capacity: JSON.stringify({ ...defaultCapacity, ...body.capacity }),
          created_at: now,
          updated_at: now,
        })
        .execute();
      const after = toUser(await this.#row(tx, principal.tenantId, id));
      await recordAudit(tx, principal, this.deps.ids.next(), now, {
        action: 'create',
        entityType: 'user',
        entityId: id,
        before: null,
        after,
      });
      return after;
    });
  }

  async update(principal: Principal, id: string, body: UpdateUserBody): Promise<User> {
    const now = new Date(this.deps.clock.now());
    const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
    return this.#write(async (tx) => {
      const row = await this.#row(tx, principal.tenantId, id, true);
      const before = toUser(row);
      if (!canManageRole(principal.role, before.role))
        throw forbidden(`you cannot change a user with role ${before.role}`);
      if (body.role !== undefined && !canManageRole(principal.role, body.role)) {
        throw forbidden(`you cannot give role ${body.role}`);
      }
      const losesOwner =
        before.role === 'owner' &&
        ((body.role !== undefined && body.role !== 'owner') || body.active === false);
      if (losesOwner) await this.#assertAnotherOwner(tx, principal.tenantId, id);
      await tx
        .updateTable('users')
        .set({
          ...(body.email !== undefined && { email: body.email }),
          ...(passwordHash !== undefined && { password_hash: passwordHash }),
          ...(body.displayName !== undefined && { display_name: body.displayName }),
          ...(body.role !== undefined && { role: body.role }),
          ...(body.teamId !== undefined && { team_id: body.teamId }),
          ...(body.locale !== undefined && { locale: body.locale }),
          ...(body.active !== undefined && { active: body.active }),
          ...(body.capacity !== undefined && {
            capacity: JSON.stringify({ ...before.capacity, ...body.capacity }),
          }),
          updated_at: now,
        })
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      // A new password, a lost role or a deactivation ends the user's existing sessions.
      const roleChanged = body.role !== undefined && body.role !== before.role;
      if (passwordHash !== undefined || roleChanged || body.active === false) {
        await tx
          .deleteFrom('sessions')
          .where('tenant_id', '=', principal.tenantId)
          .where('user_id', '=', id)
          .execute();
      }
      const after = toUser(await this.#row(tx, principal.tenantId, id));
      await recordAudit(tx, principal, this.deps.ids.next(), now, {
        action: 'update',
        entityType: 'user',
        entityId: id,
        before,
        after: passwordHash === undefined ? after : { ...after, passwordChanged: true },
      });
      return after;
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    if (principal.userId === id) throw new AppError('FORBIDDEN', 'you cannot delete yourself');
    const now = new Date(this.deps.clock.now());
    await this.#write(async (tx) => {
      const before = toUser(await this.#row(tx, principal.tenantId, id, true));
      if (!canManageRole(principal.role, before.role))
        throw forbidden(`you cannot delete a user with role ${before.role}`);
      if (before.role === 'owner') await this.#assertAnotherOwner(tx, principal.tenantId, id);
      await tx.deleteFrom('users').where('tenant_id', '=', principal.tenantId).where('id', '=', id).execute();
      await recordAudit(tx, principal, this.deps.ids.next(), now, {
        action: 'delete',
        entityType: 'user',
        entityId: id,
        before,
        after: null,
      });
    });
  }

  async getSkills(principal: Principal, userId: string): Promise<AgentSkill[]> {
    await this.#row(this.deps.db, principal.tenantId, userId);
    return this.#skills(this.deps.db, principal.tenantId, userId);
  }

  /** Replaces the user's whole skill set (PUT semantics). */
  async setSkills(principal: Principal, userId: string, skills: AgentSkill[]): Promise<AgentSkill[]> {
    const now = new Date(this.deps.clock.now());
    return this.#write(async (tx) => {
      const user = await this.#row(tx, principal.tenantId, userId, true);
      if (!canManageRole(principal.role, user.role as Role)) throw forbidden();
      const before = await this.#skills(tx, principal.tenantId, userId);
      await tx
        .deleteFrom('agent_skills')
        .where('tenant_id', '=', principal.tenantId)
        .where('user_id', '=', userId)
        .execute();
      if (skills.length > 0) {
        await tx
          .insertInto('agent_skills')
          .values(
            skills.map((s) => ({
              tenant_id: principal.tenantId,
              user_id: userId,
              skill_id: s.skillId,
              level: s.level,
            })),
          )
          .execute();
      }
      const after = await this.#skills(tx, principal.tenantId, userId);
      await recordAudit(tx, principal, this.deps.ids.next(), now, {
        action: 'update',
        entityType: 'agent_skills',
        entityId: userId,
        before,
        after,
      });
      return after;
    });
  }

  async #skills(db: Kysely<Database>, tenantId: string, userId: string): Promise<AgentSkill[]> {
    const rows = await db
      .selectFrom('agent_skills')
      .select(['skill_id', 'level'])
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .orderBy('skill_id')
      .execute();
    return rows.map((r) => ({ skillId: r.skill_id, level: r.level }));
  }

  async #row(db: Kysely<Database>, tenantId: string, id: string, forUpdate = false): Promise<UserRow> {
    let q = db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw notFound('user');
    return row;
  }

  async #assertAnotherOwner(tx: Transaction<Database>, tenantId: string, exceptId: string): Promise<void> {
    const other = await tx
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('role', '=', 'owner')
      .where('active', '=', true)
      .where('id', '!=', exceptId)
      .executeTakeFirst();
    if (!other) throw new AppError('FORBIDDEN', 'a tenant must keep at least one active owner');
  }

  async #write<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction().execute(fn);
    } catch (error) {
      throw translateDbError(error, 'write', duplicateEmail);
    }
  }
}
