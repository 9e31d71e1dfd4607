import type { Channel } from '@hotline/core/channels';
import { agentId, type InteractionId, queueId, skillId } from '@hotline/core/ids';
import type { Millis } from '@hotline/core/ports';
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { AppError } from '../errors';
import type { RoutingService } from './routing-service';

/** A work item to route (the task channel: CRM cases, web forms, voicemails). */
export interface NewTask {
  readonly id: InteractionId;
  readonly channel: Channel;
  readonly queueId: string;
  /** Higher is served first; absent: the queue's priority. */
  readonly priority?: number;
  readonly skills: readonly { readonly skillId: string; readonly minLevel: number }[];
  readonly subject: string;
  readonly contact: Readonly<Record<string, string>>;
  /** The screen pop's fields. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The customer's own agent, who alone may take it for `exclusiveMs`. */
  readonly preferredAgent?: { readonly agentId: string; readonly exclusiveMs: number };
  readonly notBefore?: Millis;
  /** A callback waiting for its customer (`callback_scheduled`), e.g. the next attempt of one. */
  readonly callback?: boolean;
  /** Effective enqueue time for the order (a callback's retry keeps the original request's time). */
  readonly enqueuedAt?: Millis;
  /** `users.id`, or `api_key:<id>`, or `system:<what>` for work the server creates itself. */
  readonly createdBy: string;
}

/**
 * Creates the interaction row of a task and enqueues it with the router, in one transaction: the row
 * (`new`), then the router's events. `alongside` runs in that transaction after the row exists (the
 * rows a task is made for, e.g. the voicemail it delivers), so either all of it is stored or none.
 * The one way work enters routing other than the channels' own (`POST /api/interactions`, voicemail).
 * Throws `INVALID_REFERENCE` for an unknown preferred agent; the engine's refusals as theirs.
 */
export async function createTask(
  routing: RoutingService,
  tenantId: string,
  task: NewTask,
  now: () => number,
  alongside?: (tx: Transaction<Database>) => Promise<void>,
): Promise<void> {
  await routing.execute(
    tenantId,
    (engine, at) => {
      if (task.preferredAgent && !engine.agentState(agentId(task.preferredAgent.agentId))) {
        throw new AppError('INVALID_REFERENCE', 'unknown preferred agent');
      }
      const events = engine.enqueue(
        {
          id: task.id,
          channel: task.channel,
          queueId: queueId(task.queueId),
          ...(task.priority === undefined ? {} : { priority: task.priority }),
          skills: task.skills.map((s) => ({ skillId: skillId(s.skillId), minLevel: s.minLevel })),
          preferredAgent: task.preferredAgent
            ? {
                agentId: agentId(task.preferredAgent.agentId),
                kind: 'personal',
                exclusiveMs: task.preferredAgent.exclusiveMs,
              }
            : null,
          notBefore: task.notBefore ?? null,
          ...(task.callback ? { callback: true } : {}),
          ...(task.enqueuedAt === undefined ? {} : { enqueuedAt: task.enqueuedAt }),
        },
        at,
      );
      return { events, result: undefined };
    },
    async (tx) => {
      const at = new Date(now());
      await tx
        .insertInto('interactions')
        .values({
          id: task.id,
          tenant_id: tenantId,
          channel: task.channel,
          state: 'new',
          queue_id: task.queueId,
          subject: task.subject,
          contact: JSON.stringify(task.contact),
          data: JSON.stringify(task.data),
          created_by: task.createdBy,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await alongside?.(tx);
    },
  );
}
