import { interactionId } from '@hotline/core/ids';
import { type IdGen, millis } from '@hotline/core/ports';
import type { RoutingEvent } from '@hotline/core/routing/routing-events';
import type { MediaCall } from '@hotline/media/worker/media-host';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { RoutingService } from '../routing/routing-service';
import { createTask } from '../routing/task-interactions';
import type { OutboundDialer } from '../sip/sip-service';
import type { AgentPhoneSeam } from './agent-seam';
import { CallbackCall } from './callback-call';
import { callbackOf, parseData } from './callback-request';
import type { VoiceLog } from './inbound-call';
import type { VoiceCallStore } from './voice-call-store';

export interface CallbacksDeps {
  readonly db: Kysely<Database>;
  readonly clock: { now(): number };
  readonly ids: IdGen;
  readonly routing: RoutingService;
  readonly calls: VoiceCallStore;
  readonly seam: () => AgentPhoneSeam;
  /** Null: no outbound calls (no SIP): callbacks wait and are never dialled. */
  readonly dialer: OutboundDialer | null;
  readonly createCall: (callId: string) => MediaCall;
  readonly ringback: () => Promise<string>;
  readonly holdMusic: (tenantId: string, queueId: string) => Promise<string>;
  readonly ringTimeoutMs: number;
  readonly recordingsDir: string;
  readonly log: VoiceLog;
  /** Attempts in all to reach a customer, and the pause before each retry. */
  readonly retry: { readonly attempts: number; readonly delayMs: number };
}

/**
 * The callbacks the router offers (ADR 0010): one `CallbackCall` per offered callback interaction (its
 * caller hung up in the queue, so no live call holds it), and the next attempt when a customer was not
 * reached.
 */
export class Callbacks {
  /** By interaction id; a promise while the interaction is read. */
  readonly #pending = new Map<string, Promise<CallbackCall | null>>();
  /** By call id (the media engine's events name the call). */
  readonly #byCall = new Map<string, CallbackCall>();
  #closed = false;

  constructor(private readonly deps: CallbacksDeps) {}

  /**
   * Router events about an interaction no live inbound call holds: a callback (the caller hung up in
   * the queue). Its first offer reads the interaction (`data.callback`) and makes a `CallbackCall`;
   * later events wait for that and go to it.
   */
  onRouting(tenantId: string, e: RoutingEvent & { interactionId: string }): void {
    let pending = this.#pending.get(e.interactionId);
    if (pending === undefined) {
      if (e.type !== 'routing.offered' || this.#closed || !this.deps.dialer) return;
      pending = this.#newCallback(tenantId, e.interactionId, e.queueId);
      this.#pending.set(e.interactionId, pending);
    }
    void pending.then((cb) => {
      if (cb === null) return;
      switch (e.type) {
        case 'routing.offered':
          cb.onOffered(e.agentIds, e.expiresAt);
          return;
        case 'routing.offer_withdrawn':
          cb.onOfferWithdrawn(e.agentId);
          return;
        case 'routing.accepted':
          cb.onAccepted(e.agentId, e.at);
          return;
        case 'interaction.queued':
          cb.onRequeued(e.queueId);
          return;
        case 'interaction.state_changed':
          cb.onStateChanged(e.to);
          return;
        default:
          return;
      }
    });
  }

  async #newCallback(tenantId: string, id: string, queueId: string): Promise<CallbackCall | null> {
    const dialer = this.deps.dialer;
    try {
      const row = await this.deps.db
        .selectFrom('interactions')
        .select(['channel', 'data'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      const data = parseData(row?.data);
      const request = callbackOf(data);
      if (row?.channel !== 'voice' || request === null || !dialer) {
        this.#pending.delete(id);
        return null;
      }
      const callId = this.deps.ids.next();
      const call = new CallbackCall(
        {
          db: this.deps.db,
          clock: this.deps.clock,
          routing: this.deps.routing,
          calls: this.deps.calls,
          seam: this.deps.seam,
          dialer,
          ringback: this.deps.ringback,
          holdMusic: (queue) => this.deps.holdMusic(tenantId, queue),
          ringTimeoutMs: this.deps.ringTimeoutMs,
          recordingsDir: this.deps.recordingsDir,
          log: this.deps.log,
          onFinished: (c) => {
            this.#pending.delete(c.facts.interactionId);
            this.#byCall.delete(c.facts.callId);
          },
          onUnreached: (c, code) => void this.#retryCallback(c, code),
        },
        {
          callId,
          tenantId,
          interactionId: id,
          number: request.number,
          did: typeof data.did === 'string' ? data.did : '',
          trunkId: typeof data.trunkId === 'string' ? data.trunkId : null,
          queueId,
          request,
          data,
        },
        this.deps.createCall(callId),
      );
      this.#byCall.set(callId, call);
      return call;
    } catch (err) {
      this.deps.log.error({ err, tenantId, interactionId: id }, 'preparing a callback failed');
      this.#pending.delete(id);
      return null;
    }
  }

  /**
   * The customer of a callback was not reached: a new callback interaction for the next attempt, in
   * the same queue, not before the retry delay, ordered by the original request's time (the customer's
   * place in line). The failed attempt stays as its own interaction and CDR row. Given up after the
   * last attempt (logged; the agents saw each failure and gave it a disposition).
   */
  async #retryCallback(call: CallbackCall, code: string): Promise<void> {
    const { attempts, delayMs } = this.deps.retry;
    const { tenantId, queueId, request, data, number } = call.facts;
    const fields = { tenantId, interactionId: call.facts.interactionId, code, attempt: request.attempt };
    if (code === 'DIAL_REFUSED' || request.attempt >= attempts) {
      this.deps.log.warn(fields, 'callback given up: the customer was not reached');
      return;
    }
    const now = this.deps.clock.now();
    const next = { ...request, attempt: request.attempt + 1 };
    try {
      await createTask(
        this.deps.routing,
        tenantId,
        {
          id: interactionId(this.deps.ids.next()),
          channel: 'voice',
          queueId,
          skills: [],
          subject: `Callback to ${number} (attempt ${next.attempt})`,
          contact: { phone: number },
          data: { ...data, callback: next },
          notBefore: millis(now + delayMs),
          callback: true,
          enqueuedAt: millis(request.requestedAt || now),
          createdBy: 'system:callback',
        },
        () => this.deps.clock.now(),
      );
      this.deps.log.info({ ...fields, retryInMs: delayMs }, 'callback scheduled again');
    } catch (err) {
      this.deps.log.error({ err, ...fields }, 'scheduling a callback again failed');
    }
  }

  /** Shutdown: every callback in progress ends (its customer is hung up). */
  /** The media engine's event about a callback's call (keys, recorder failures). */
  onMediaEvent(e: MediaEvent & { callId: string }): void {
    this.#byCall.get(e.callId)?.onMediaEvent(e);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const calls = await Promise.all(this.#pending.values());
    await Promise.all(calls.map((c) => c?.terminate()));
  }
}
