import type {
  Calendar,
  createCalendarBody,
  createDispositionCodeBody,
  createNotReadyReasonBody,
  createQueueBody,
  createTeamBody,
  DispositionCode,
  NotReadyReason,
  Queue,
  Team,
  updateCalendarBody,
  updateDispositionCodeBody,
  updateNotReadyReasonBody,
  updateQueueBody,
  updateTeamBody,
} from '@hotline/protocol/config';
import type { z } from 'zod';
import { type Relation, type ResourceSpec, ResourceStore, type Row, type StoreDeps } from './resource-store';

/** Copies the given fields of a partial body into columns, skipping the absent ones. */
function pick<T extends object>(
  input: T,
  columns: Partial<Record<keyof T, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns) as [keyof T, string][]) {
    if (input[field] !== undefined) out[column] = input[field];
  }
  return out;
}

const iso = (d: Date) => d.toISOString();
const stamps = (r: Row) => ({ createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) });

type NamedCreate = z.output<typeof createTeamBody>;
type NamedUpdate = z.output<typeof updateTeamBody>;

function namedSpec(
  table: 'teams' | 'skills',
  entityType: string,
): ResourceSpec<Team, NamedCreate, NamedUpdate> {
  return {
    table,
    entityType,
    duplicateMessage: `a ${entityType} with this name already exists`,
    toDto: (r) => ({ id: r.id, name: r.name, description: r.description, ...stamps(r) }),
    toInsert: (b) => ({ name: b.name, description: b.description }),
    toUpdate: (b) => pick(b, { name: 'name', description: 'description' }),
  };
}

type ReasonCreate = z.output<typeof createNotReadyReasonBody>;
type ReasonUpdate = z.output<typeof updateNotReadyReasonBody>;
const notReadyReasonSpec: ResourceSpec<NotReadyReason, ReasonCreate, ReasonUpdate> = {
  table: 'not_ready_reasons',
  entityType: 'not_ready_reason',
  duplicateMessage: 'a not-ready reason with this name already exists',
  toDto: (r) => ({ id: r.id, name: r.name, paid: r.paid, ...stamps(r) }),
  toInsert: (b) => ({ name: b.name, paid: b.paid }),
  toUpdate: (b) => pick(b, { name: 'name', paid: 'paid' }),
};

type CodeCreate = z.output<typeof createDispositionCodeBody>;
type CodeUpdate = z.output<typeof updateDispositionCodeBody>;
const dispositionCodeSpec: ResourceSpec<DispositionCode, CodeCreate, CodeUpdate> = {
  table: 'disposition_codes',
  entityType: 'disposition_code',
  duplicateMessage: 'a disposition code with this code already exists',
  toDto: (r) => ({ id: r.id, code: r.code, name: r.name, ...stamps(r) }),
  toInsert: (b) => ({ code: b.code, name: b.name }),
  toUpdate: (b) => pick(b, { code: 'code', name: 'name' }),
};

type CalendarCreate = z.output<typeof createCalendarBody>;
type CalendarUpdate = z.output<typeof updateCalendarBody>;
const calendarSpec: ResourceSpec<Calendar, CalendarCreate, CalendarUpdate> = {
  table: 'calendars',
  entityType: 'calendar',
  duplicateMessage: 'a calendar with this name already exists',
  toDto: (r) => ({
    id: r.id,
    name: r.name,
    timeZone: r.time_zone,
    weekly: r.weekly,
    holidays: r.holidays,
    ...stamps(r),
  }),
  toInsert: (b) => ({
    name: b.name,
    time_zone: b.timeZone,
    weekly: JSON.stringify(b.weekly),
    holidays: JSON.stringify(b.holidays),
  }),
  toUpdate: (b) => ({
    ...pick(b, { name: 'name', timeZone: 'time_zone' }),
    ...(b.weekly ? { weekly: JSON.stringify(b.weekly) } : {}),
    ...(b.holidays ? { holidays: JSON.stringify(b.holidays) } : {}),
  }),
};

type QueueCreate = z.output<typeof createQueueBody>;
type QueueUpdate = z.output<typeof updateQueueBody>;
type RequiredSkills = Queue['requiredSkills'];

const queueSkills: Relation<RequiredSkills, QueueCreate | QueueUpdate> = {
  async load(tx, tenantId, ids) {
    const map = new Map<string, RequiredSkills>();
    if (ids.length === 0) return map;
    const rows = await tx
      .selectFrom('queue_skills')
      .select(['queue_id', 'skill_id', 'min_level'])
      .where('tenant_id', '=', tenantId)
      .where('queue_id', 'in', ids)
      .orderBy('queue_id')
      .orderBy('position')
      .execute();
    for (const r of rows) {
      const list = map.get(r.queue_id) ?? [];
      list.push({ skillId: r.skill_id, minLevel: r.min_level });
      map.set(r.queue_id, list);
    }
    return map;
  },
  async save(tx, tenantId, queueId, input) {
    if (input.requiredSkills === undefined) return;
    await tx
      .deleteFrom('queue_skills')
      .where('tenant_id', '=', tenantId)
      .where('queue_id', '=', queueId)
      .execute();
    if (input.requiredSkills.length === 0) return;
    await tx
      .insertInto('queue_skills')
      .values(
        input.requiredSkills.map((s, position) => ({
          tenant_id: tenantId,
          queue_id: queueId,
          skill_id: s.skillId,
          min_level: s.minLevel,
          position,
        })),
      )
      .execute();
  },
};

const queueColumns = {
  name: 'name',
  strategy: 'strategy',
  priority: 'priority',
  serviceLevelSeconds: 'service_level_seconds',
  serviceLevelPercent: 'service_level_percent',
  wrapUpSeconds: 'wrap_up_seconds',
  maxWaitSeconds: 'max_wait_seconds',
  calendarId: 'calendar_id',
  offerTimeoutSeconds: 'offer_timeout_seconds',
  blocksOtherChannels: 'blocks_other_channels',
} as const;

const queueJson = (b: QueueCreate | QueueUpdate) => ({
  ...(b.expansion ? { expansion: JSON.stringify(b.expansion) } : {}),
  ...(b.overflow ? { overflow: JSON.stringify(b.overflow) } : {}),
});

const queueSpec: ResourceSpec<Queue, QueueCreate, QueueUpdate, RequiredSkills> = {
  table: 'queues',
  entityType: 'queue',
  duplicateMessage: 'a queue with this name already exists',
  toDto: (r, skills) => ({
    id: r.id,
    name: r.name,
    strategy: r.strategy,
    priority: r.priority,
    requiredSkills: skills ?? [],
    serviceLevelSeconds: r.service_level_seconds,
    serviceLevelPercent: r.service_level_percent,
    wrapUpSeconds: r.wrap_up_seconds,
    maxWaitSeconds: r.max_wait_seconds,
    calendarId: r.calendar_id,
    offerTimeoutSeconds: r.offer_timeout_seconds,
    blocksOtherChannels: r.blocks_other_channels,
    expansion: r.expansion,
    overflow: r.overflow,
    ...stamps(r),
  }),
  toInsert: (b) => ({ ...pick(b, queueColumns), ...queueJson(b) }),
  toUpdate: (b) => ({ ...pick(b, queueColumns), ...queueJson(b) }),
  relation: queueSkills,
};

/** Every configuration resource served by the generic CRUD routes, keyed by URL segment. */
export function configStores(deps: StoreDeps) {
  return {
    teams: new ResourceStore(deps, namedSpec('teams', 'team')),
    skills: new ResourceStore(deps, namedSpec('skills', 'skill')),
    queues: new ResourceStore(deps, queueSpec),
    'not-ready-reasons': new ResourceStore(deps, notReadyReasonSpec),
    'disposition-codes': new ResourceStore(deps, dispositionCodeSpec),
    calendars: new ResourceStore(deps, calendarSpec),
  };
}
export type ConfigStores = ReturnType<typeof configStores>;
