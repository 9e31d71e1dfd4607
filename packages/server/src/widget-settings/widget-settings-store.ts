import { type BusinessCalendar, isOpen, nextChange } from '@hotline/core/calendar/business-hours';
import { type WidgetSettings, widgetSettingsSchema } from '@hotline/protocol/chat';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { AppError } from '../errors';
import { recordAudit } from '../stores/audit-store';
import type { Principal } from '../stores/principal';
import type { StoreDeps } from '../stores/resource-store';

/** The audit log's entity type; the entity id is the tenant's id (one settings object per tenant). */
export const WIDGET_SETTINGS_ENTITY = 'widget_settings';

/**
 * The tenant's widget settings, or the protocol defaults when the tenant never saved any.
 *
 * Contract for readers (the public widget API): the settings were valid when saved, but the queues,
 * skills and calendar they name may have been deleted since (the settings are one JSON document, not
 * foreign keys). Treat a topic whose queue no longer exists as unavailable, and a missing calendar as
 * "always open" or "closed" as the caller sees fit — never trust the ids blindly.
 */
export async function readWidgetSettings(
  db: Kysely<Database> | Transaction<Database>,
  tenantId: string,
): Promise<WidgetSettings> {
  const row = await db
    .selectFrom('widget_settings')
    .select('settings')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  // Parsing fills fields added to the schema after the row was written with their defaults.
  return widgetSettingsSchema.parse(row?.settings ?? {});
}

/**
 * Whether the business-hours calendar `calendarId` of the tenant is open at `atMillis`, and when
 * that next changes (null: not within a year). No calendar (null) means always open; so does a
 * calendar that has been deleted since the settings were saved — a chat offered by mistake is
 * better than a widget closed for good by a dangling id.
 */
export async function businessHoursAt(
  db: Kysely<Database> | Transaction<Database>,
  tenantId: string,
  calendarId: string | null,
  atMillis: number,
): Promise<{ open: boolean; nextChangeAt: number | null }> {
  if (calendarId === null) return { open: true, nextChangeAt: null };
  const row = await db
    .selectFrom('calendars')
    .select(['time_zone', 'weekly', 'holidays'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', calendarId)
    .executeTakeFirst();
  if (!row) return { open: true, nextChangeAt: null };
  const calendar = {
    timeZone: row.time_zone,
    weekly: row.weekly,
    holidays: row.holidays,
  } as BusinessCalendar;
  return { open: isOpen(calendar, atMillis), nextChangeAt: nextChange(calendar, atMillis) };
}

/**
 * Reads and replaces the widget settings of the principal's tenant. A write checks that every queue,
 * skill and calendar it names belongs to that tenant, and records an audit entry (before/after) in the
 * same transaction.
 */
export class WidgetSettingsStore {
  constructor(private readonly deps: StoreDeps) {}

  get(principal: Principal): Promise<WidgetSettings> {
    return readWidgetSettings(this.deps.db, principal.tenantId);
  }

  async put(principal: Principal, settings: WidgetSettings): Promise<WidgetSettings> {
    if (settings.enabled && settings.topics.length === 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        'an enabled widget needs at least one topic with a queue; add a topic or disable the widget',
      );
    }
    const tenantId = principal.tenantId;
    const now = new Date(this.deps.clock.now());
    return this.deps.db.transaction().execute(async (tx) => {
      await checkReferences(tx, tenantId, settings);
      const existing = await tx
        .selectFrom('widget_settings')
        .select('settings')
        .where('tenant_id', '=', tenantId)
        .forUpdate()
        .executeTakeFirst();
      const json = JSON.stringify(settings);
      // flow_id mirrors settings.flowId for its foreign key (a bound flow cannot be deleted).
      const flow_id = settings.flowId;
      await tx
        .insertInto('widget_settings')
        .values({ tenant_id: tenantId, settings: json, updated_at: now, flow_id })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: json, updated_at: now, flow_id }))
        .execute();
      const before = existing ? widgetSettingsSchema.parse(existing.settings) : null;
      await recordAudit(tx, principal, this.deps.ids.next(), now, {
        action: existing ? 'update' : 'create',
        entityType: WIDGET_SETTINGS_ENTITY,
        entityId: tenantId,
        before,
        after: settings,
      });
      return settings;
    });
  }
}

/** Every queue, skill and calendar named by `settings` must exist in `tenantId`; another tenant's id counts as unknown. */
async function checkReferences(
  tx: Transaction<Database>,
  tenantId: string,
  settings: WidgetSettings,
): Promise<void> {
  const queueIds = unique(settings.topics.map((t) => t.queueId));
  const skillIds = unique(settings.topics.flatMap((t) => t.skills.map((s) => s.skillId)));
  // One after another: a transaction holds a single connection.
  const queues = await existing(tx, 'queues', tenantId, queueIds);
  const skills = await existing(tx, 'skills', tenantId, skillIds);
  const calendar =
    settings.calendarId === null ? null : await existing(tx, 'calendars', tenantId, [settings.calendarId]);
  if (settings.flowId !== null && (await existing(tx, 'flows', tenantId, [settings.flowId])).size === 0) {
    throw new AppError('INVALID_REFERENCE', 'unknown flow', { flowId: settings.flowId });
  }
  for (const topic of settings.topics) {
    if (!queues.has(topic.queueId)) {
      throw new AppError('INVALID_REFERENCE', `topic "${topic.key}": unknown queue`, {
        topic: topic.key,
        queueId: topic.queueId,
      });
    }
    const missing = topic.skills.find((s) => !skills.has(s.skillId));
    if (missing) {
      throw new AppError('INVALID_REFERENCE', `topic "${topic.key}": unknown skill`, {
        topic: topic.key,
        skillId: missing.skillId,
      });
    }
  }
  if (calendar !== null && calendar.size === 0) {
    throw new AppError('INVALID_REFERENCE', 'unknown calendar', { calendarId: settings.calendarId });
  }
}

async function existing(
  tx: Transaction<Database>,
  table: 'queues' | 'skills' | 'calendars' | 'flows',
  tenantId: string,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx
    .selectFrom(table)
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];
