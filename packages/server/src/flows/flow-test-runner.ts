import type { BusinessCalendar } from '@hotline/core/calendar/business-hours';
import type { FlowEnv, FlowEvent, FlowState, FlowStep } from '@hotline/core/flow/flow-types';
import { resume, start } from '@hotline/core/flow/interpreter';
import { buildFaqIndex } from '@hotline/core/flow/text-match';
import { compileFlow } from '@hotline/core/flow/validate-flow';
import type { Clock } from '@hotline/core/ports';
import { millis } from '@hotline/core/ports';
import type { FlowTestHttpReply, FlowTestRunResult, flowTestRunBody } from '@hotline/protocol/flow-test-run';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../db/schema';
import { AppError } from '../errors';
import { readKnowledgeBase } from './knowledge-base-store';

type Request = z.infer<typeof flowTestRunBody>;

/** Canned `http` replies applied in one request at most this many times (a flow looping on them). */
const MAX_CANNED_REPLIES = 20;

/**
 * One step of a simulated conversation for the flow editor: compile the document (unsaved edits
 * included), then `start` or `resume` the core interpreter with the tenant's calendars and knowledge
 * base. Nothing is stored and no request leaves the server: the client keeps the state and answers
 * `http` actions itself (or through `httpReplies`, by node id). An invalid document is refused with
 * VALIDATION_FAILED and the validator's issues in `details`, as saving a draft is.
 */
export async function runFlowTestStep(
  deps: { db: Kysely<Database>; clock: Clock },
  tenantId: string,
  input: Request,
): Promise<FlowTestRunResult> {
  const compiled = compileFlow(input.document);
  if (!compiled.ok) {
    const issues = compiled.issues.map(({ code, path, message }) => ({ code, path, message }));
    throw new AppError(
      'VALIDATION_FAILED',
      `the flow is invalid (${issues.length} issue${issues.length === 1 ? '' : 's'}); first at ${issues[0]?.path || '/'}: ${issues[0]?.message}`,
      issues,
    );
  }
  if (input.state !== undefined && input.event === undefined) {
    throw new AppError('VALIDATION_FAILED', 'a state needs the event that answers its pending action');
  }
  const env = await tenantEnv(deps.db, tenantId, clockOf(input.clock) ?? deps.clock.now());
  const flow = compiled.flow;
  let step: FlowStep =
    input.state === undefined
      ? start(flow, input.context, env)
      : resume(flow, input.state as unknown as FlowState, input.event as FlowEvent, env);
  const visited = [...step.visited];
  for (let n = 0; n < MAX_CANNED_REPLIES && !step.refused && step.action.type === 'http'; n += 1) {
    const reply = input.httpReplies?.[step.state.node];
    if (!reply) break;
    step = resume(flow, step.state, eventOf(reply), env);
    visited.push(...step.visited);
  }
  return {
    action: step.action as unknown as Record<string, unknown>,
    state: step.state as unknown as Record<string, unknown>,
    visited,
    ...(step.refused && { refused: step.refused }),
  };
}

function eventOf(reply: FlowTestHttpReply): FlowEvent {
  if ('fail' in reply) return reply.fail === 'timeout' ? { type: 'timeout' } : { type: 'error' };
  return { type: 'http_response', status: reply.status, body: reply.body };
}

function clockOf(clock: Request['clock']): number | null {
  if (clock === undefined) return null;
  return typeof clock === 'number' ? clock : Date.parse(clock);
}

/**
 * The tenant's data the verbs read, as running sessions see it (`flow-env.ts`): every business-hours
 * calendar by id, and the enabled knowledge-base articles. Read fresh for every step: an admin trying
 * a flow sees their last edit at once.
 */
async function tenantEnv(db: Kysely<Database>, tenantId: string, now: number): Promise<FlowEnv> {
  const [rows, articles] = await Promise.all([
    db
      .selectFrom('calendars')
      .select(['id', 'time_zone', 'weekly', 'holidays'])
      .where('tenant_id', '=', tenantId)
      .execute(),
    readKnowledgeBase(db, tenantId),
  ]);
  const calendars = new Map<string, BusinessCalendar>(
    rows.map((r) => [
      r.id,
      { timeZone: r.time_zone, weekly: r.weekly, holidays: r.holidays } as BusinessCalendar,
    ]),
  );
  return {
    now: millis(now),
    calendars: (id) => calendars.get(id),
    knowledgeBase: buildFaqIndex(articles),
  };
}
