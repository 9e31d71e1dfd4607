import type { Language } from '@hotline/core/flow/flow-types';
import { type InteractionId, interactionId, queueId } from '@hotline/core/ids';
import { millis } from '@hotline/core/ports';
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { RoutingService } from '../routing/routing-service';

/** A callable number: E.164 (`+`, a non-zero digit, 2–14 more). */
export const E164 = /^\+[1-9]\d{2,14}$/;

/** What the interaction's `data.callback` holds: the number to call and where the request came from. */
export interface CallbackRequest {
  readonly number: string;
  /** `queue`: the caller pressed the queue's key; `flow`: the flow's `callback` verb. */
  readonly via: 'queue' | 'flow';
  /** Ms since the epoch. */
  readonly requestedAt: number;
  /** Which attempt to reach the customer this is (1 first; a retry after no answer is 2, …). */
  readonly attempt: number;
}

/** Reads `data.callback` of an interaction's data (null when it is not a callback). */
export function callbackOf(data: unknown): CallbackRequest | null {
  if (typeof data !== 'object' || data === null) return null;
  const cb = (data as { callback?: unknown }).callback;
  if (typeof cb !== 'object' || cb === null) return null;
  const { number, via, requestedAt, attempt } = cb as Record<string, unknown>;
  if (typeof number !== 'string' || !E164.test(number)) return null;
  return {
    number,
    via: via === 'flow' ? 'flow' : 'queue',
    requestedAt: typeof requestedAt === 'number' ? requestedAt : 0,
    attempt: typeof attempt === 'number' && Number.isInteger(attempt) && attempt >= 1 ? attempt : 1,
  };
}

/** Writes `data.callback` (and a subject saying it) into the interaction, in the transaction that schedules it. */
export async function noteCallback(
  tx: Transaction<Database>,
  tenantId: string,
  interactionId: string,
  number: string,
  via: CallbackRequest['via'],
  now: number,
): Promise<void> {
  const row = await tx
    .selectFrom('interactions')
    .select('data')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', interactionId)
    .executeTakeFirst();
  const data = parseData(row?.data);
  const callback: CallbackRequest = { number, via, requestedAt: now, attempt: 1 };
  await tx
    .updateTable('interactions')
    .set({
      data: JSON.stringify({ ...data, callback }),
      // What the agent's work view and history show: a callback, not the call that asked for it.
      subject: `Callback to ${number}`,
      updated_at: new Date(now),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', interactionId)
    .execute();
}

export function parseData(data: unknown): Record<string, unknown> {
  if (typeof data === 'string') {
    try {
      const parsed: unknown = JSON.parse(data);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
}

/** Spoken digit by digit (`+7 495…` → "7 4 9 5 …"), so TTS never reads it as one large number. */
export function spokenNumber(number: string): string {
  return number.replace(/\D/g, '').split('').join(' ');
}

export const CALLBACK_TEXTS = {
  offer: {
    en: (digit: string) => `To keep your place in line and be called back, press ${spokenKey(digit, 'en')}.`,
    ru: (digit: string) =>
      `Чтобы сохранить очередь и получить обратный звонок, нажмите ${spokenKey(digit, 'ru')}.`,
  },
  confirm: {
    en: (number: string) =>
      `Thank you. You keep your place in line, and we will call you back at ${spokenNumber(number)} as soon as an agent is free. Goodbye.`,
    ru: (number: string) =>
      `Спасибо. Ваша очередь сохранена, мы перезвоним вам на номер ${spokenNumber(number)}, как только освободится оператор. До свидания.`,
  },
  hidden: {
    en: 'Sorry, your number is hidden, so we cannot call you back. Please stay on the line.',
    ru: 'К сожалению, ваш номер скрыт, и мы не можем вам перезвонить. Пожалуйста, оставайтесь на линии.',
  },
} as const;

export function callbackConfirmation(language: Language, number: string): string {
  return CALLBACK_TEXTS.confirm[language](number);
}

export function callbackOffer(language: Language, digit: string): string {
  return CALLBACK_TEXTS.offer[language](digit);
}

function spokenKey(digit: string, language: Language): string {
  if (digit === '*') return language === 'ru' ? 'звёздочку' : 'star';
  if (digit === '#') return language === 'ru' ? 'решётку' : 'hash';
  return digit;
}

/**
 * The caller pressed the queue's callback key: a `queued` interaction turns `callback_scheduled` with its
 * place kept (`requestCallback`), `data.callback` written in the same transaction. False when it is no
 * longer queued (an agent's phone already rings).
 */
export function requestQueueCallback(
  routing: RoutingService,
  tenantId: string,
  id: string,
  number: string,
  now: number,
): Promise<boolean> {
  const ix = interactionId(id) as InteractionId;
  return routing.execute(
    tenantId,
    (engine, at) => {
      if (engine.interaction(ix)?.state !== 'queued') return { events: [], result: false };
      return { events: engine.requestCallback(ix, at), result: true };
    },
    (tx) => noteCallback(tx, tenantId, id, number, 'queue', now),
  );
}

/** The flow's `callback` verb: the call's interaction waits in `queue` (not before `notBefore`) to call `number`. */
export async function scheduleFlowCallback(
  routing: RoutingService,
  tenantId: string,
  id: string,
  queue: string,
  number: string,
  notBefore: number | null,
  now: number,
): Promise<void> {
  await routing.execute(
    tenantId,
    (engine, at) => ({
      events: engine.enqueue(
        {
          id: interactionId(id) as InteractionId,
          channel: 'voice',
          queueId: queueId(queue),
          callback: true,
          ...(notBefore === null ? {} : { notBefore: millis(notBefore) }),
          from: 'in_flow',
        },
        at,
      ),
      result: undefined,
    }),
    (tx) => noteCallback(tx, tenantId, id, number, 'flow', now),
  );
}
