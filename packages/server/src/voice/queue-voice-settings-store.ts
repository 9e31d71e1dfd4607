import {
  type PutQueueVoiceSettings,
  type QueueVoiceSettings,
  queueVoiceDefaults,
} from '@hotline/protocol/queue-voice';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, VoiceQueueSettingsTable } from '../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../stores/audit-store';
import type { Principal } from '../stores/principal';
import type { StoreDeps } from '../stores/resource-store';

export const QUEUE_VOICE_ENTITY = 'queue_voice_settings';

type Db = Kysely<Database> | Transaction<Database>;

/** A queue's voice settings; the defaults when none were saved. Tenant-scoped; null for another tenant's queue. */
export async function readQueueVoiceSettings(
  db: Db,
  tenantId: string,
  queueId: string,
): Promise<QueueVoiceSettings | null> {
  const queue = await db
    .selectFrom('queues')
    .leftJoin('voice_queue_settings as v', (join) =>
      join.onRef('v.tenant_id', '=', 'queues.tenant_id').onRef('v.queue_id', '=', 'queues.id'),
    )
    .select([
      'queues.id',
      'v.announce_interval_sec',
      'v.announce_position',
      'v.announce_wait',
      'v.music_prompt',
      'v.recording',
      'v.callback_digit',
    ])
    .where('queues.tenant_id', '=', tenantId)
    .where('queues.id', '=', queueId)
    .executeTakeFirst();
  if (!queue) return null;
  if (queue.announce_interval_sec === null) return { queueId, ...queueVoiceDefaults };
  return toSettings(queueId, {
    announce_interval_sec: queue.announce_interval_sec,
    announce_position: queue.announce_position ?? queueVoiceDefaults.announcePosition,
    announce_wait: queue.announce_wait ?? queueVoiceDefaults.announceWait,
    music_prompt: queue.music_prompt,
    recording: queue.recording ?? queueVoiceDefaults.recording,
    callback_digit: queue.callback_digit,
  });
}

function toSettings(
  queueId: string,
  r: Pick<
    Selectable<VoiceQueueSettingsTable>,
    | 'announce_interval_sec'
    | 'announce_position'
    | 'announce_wait'
    | 'music_prompt'
    | 'recording'
    | 'callback_digit'
  >,
): QueueVoiceSettings {
  return {
    queueId,
    announceIntervalSeconds: r.announce_interval_sec,
    announcePosition: r.announce_position,
    announceWait: r.announce_wait,
    musicPrompt: r.music_prompt,
    recording: r.recording,
    callbackDigit: r.callback_digit,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `/api/queues/{id}/voice`: read, and change the fields a request names over the stored settings (the
 * others kept), audited in the same transaction.
 */
export class QueueVoiceSettingsStore {
  constructor(private readonly deps: StoreDeps) {}

  async get(principal: Principal, queueId: string): Promise<QueueVoiceSettings> {
    const settings = UUID.test(queueId)
      ? await readQueueVoiceSettings(this.deps.db, principal.tenantId, queueId)
      : null;
    if (!settings) throw notFound('queue');
    return settings;
  }

  async put(principal: Principal, queueId: string, body: PutQueueVoiceSettings): Promise<QueueVoiceSettings> {
    if (!UUID.test(queueId)) throw notFound('queue');
    return this.deps.db.transaction().execute(async (tx) => {
      // The queue's row is locked first: two admins changing different fields at once both keep theirs
      // (the second merges over the first's result, not over what both read).
      const queue = await tx
        .selectFrom('queues')
        .select('id')
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', queueId)
        .forUpdate()
        .executeTakeFirst();
      const before = queue ? await readQueueVoiceSettings(tx, principal.tenantId, queueId) : null;
      if (!before) throw notFound('queue');
      const after = merge(before, body);
      const columns = {
        announce_interval_sec: after.announceIntervalSeconds,
        announce_position: after.announcePosition,
        announce_wait: after.announceWait,
        music_prompt: after.musicPrompt,
        recording: after.recording,
        callback_digit: after.callbackDigit,
      };
      await tx
        .insertInto('voice_queue_settings')
        .values({ tenant_id: principal.tenantId, queue_id: queueId, ...columns })
        .onConflict((oc) => oc.columns(['tenant_id', 'queue_id']).doUpdateSet(columns))
        .execute();
      await recordAudit(tx, principal, this.deps.ids.next(), new Date(this.deps.clock.now()), {
        action: 'update',
        entityType: QUEUE_VOICE_ENTITY,
        entityId: queueId,
        before,
        after,
      });
      return after;
    });
  }
}

/** The fields `change` names replace those of `stored`; a null is a value (built-in music, no callback key). */
function merge(stored: QueueVoiceSettings, change: PutQueueVoiceSettings): QueueVoiceSettings {
  const pick = <K extends keyof PutQueueVoiceSettings & keyof QueueVoiceSettings>(key: K) =>
    (change[key] === undefined ? stored[key] : change[key]) as QueueVoiceSettings[K];
  return {
    queueId: stored.queueId,
    announceIntervalSeconds: pick('announceIntervalSeconds'),
    announcePosition: pick('announcePosition'),
    announceWait: pick('announceWait'),
    musicPrompt: pick('musicPrompt'),
    recording: pick('recording'),
    callbackDigit: pick('callbackDigit'),
  };
}
