import type { SipRequest, SipResponse } from '../message';
import { isReliable, type SentRequest, type SipTransport, type Target } from '../transport/types';
import type { ClientEvent, Effect, TransactionProblem } from './effects';
import {
  type InviteClientState,
  type InviteClientStateName,
  startInviteClient,
  stepInviteClient,
} from './invite-client';
import {
  type NonInviteClientState,
  type NonInviteClientStateName,
  startNonInviteClient,
  stepNonInviteClient,
} from './non-invite-client';
import { EventQueue, TimerSet } from './timer-set';
import type { Timers, Timing } from './timing';

/**
 * What the TU hears from a client transaction. Callbacks run synchronously inside the layer; one that
 * throws is reported to the layer's `onError` and does not disturb the transaction.
 */
export interface ClientTransactionUser {
  /** Provisional and final responses; for INVITE also every further 2xx (RFC 6026 Accepted state). */
  onResponse(response: SipResponse, tx: ClientTransaction): void;
  /** Timer B/F fired (treat as 408) or the transport failed (treat as 503, §8.1.3.1). */
  onProblem?(problem: TransactionProblem, tx: ClientTransaction): void;
  onTerminated?(tx: ClientTransaction): void;
}

export interface TransactionDeps {
  readonly transport: SipTransport;
  readonly timers: Timers;
  readonly timing: Timing;
  /** Called once when the transaction terminates, before the TU hears of it (the layer forgets it). */
  readonly forget: () => void;
  readonly reportError: (error: unknown) => void;
}

type Machine =
  | { readonly kind: 'invite'; readonly state: InviteClientState }
  | { readonly kind: 'non-invite'; readonly state: NonInviteClientState };

export type ClientStateName = InviteClientStateName | NonInviteClientStateName;

export class ClientTransaction {
  #machine: Machine;
  readonly #target: Target;
  readonly #timers: TimerSet;
  readonly #events: EventQueue<ClientEvent>;

  constructor(
    /** The request already handed to the transport once. */
    sent: SentRequest,
    private readonly user: ClientTransactionUser,
    private readonly deps: TransactionDeps,
  ) {
    this.#target = sent.target;
    this.#timers = new TimerSet(deps.timers, (timer) => this.handle({ type: 'timer', timer }));
    this.#events = new EventQueue((e) => this.#step(e));
    const reliable = isReliable(sent.target.transport);
    const first =
      sent.request.method === 'INVITE'
        ? startInviteClient(sent.request, reliable, deps.timing)
        : startNonInviteClient(sent.request, reliable, deps.timing);
    this.#machine =
      sent.request.method === 'INVITE'
        ? { kind: 'invite', state: first.state as InviteClientState }
        : { kind: 'non-invite', state: first.state as NonInviteClientState };
    this.#run(first.effects);
  }

  get state(): ClientStateName {
    return this.#machine.state.name;
  }

  /** The request as sent (its top Via names the transport actually used). */
  get request(): SipRequest {
    return this.#machine.state.request;
  }

  get target(): Target {
    return this.#target;
  }

  /** Running timers, for tests and diagnostics. */
  get runningTimers(): string[] {
    return this.#timers.names;
  }

  handle(event: ClientEvent): void {
    this.#events.push(event);
  }

  /** Reports a transport failure of any send of this transaction (first send included). */
  readonly transportFailed = (): void => this.handle({ type: 'transport-error' });

  #step(event: ClientEvent): void {
    const m = this.#machine;
    if (m.state.name === 'terminated') return;
    const { timing } = this.deps;
    if (m.kind === 'invite') {
      const next = stepInviteClient(m.state, event, timing);
      this.#machine = { kind: 'invite', state: next.state };
      this.#run(next.effects);
    } else {
      const next = stepNonInviteClient(m.state, event, timing);
      this.#machine = { kind: 'non-invite', state: next.state };
      this.#run(next.effects);
    }
  }

  #run(effects: readonly Effect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'send':
          if (e.message.kind === 'request') this.#send(e.message);
          break;
        case 'start':
          this.#timers.start(e.timer, e.ms);
          break;
        case 'stop':
          this.#timers.stop(e.timer);
          break;
        case 'pass': {
          const message = e.message;
          if (message.kind === 'response') this.#callUser(() => this.user.onResponse(message, this));
          break;
        }
        case 'report':
          this.#callUser(() => this.user.onProblem?.(e.problem, this));
          break;
        case 'terminate':
          this.#timers.stopAll();
          this.deps.forget();
          this.#callUser(() => this.user.onTerminated?.(this));
          break;
      }
    }
  }

  /** A send that throws (a message the serializer refuses) counts as a transport error. */
  #send(request: SipRequest): void {
    try {
      this.deps.transport.sendRequest(request, this.#target, this.transportFailed);
    } catch (error) {
      this.deps.reportError(error);
      this.transportFailed();
    }
  }

  #callUser(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.deps.reportError(error);
    }
  }
}
