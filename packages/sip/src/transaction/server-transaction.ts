import type { SipRequest, SipResponse } from '../message';
import { type Flow, isReliable } from '../transport/types';
import type { TransactionDeps } from './client-transaction';
import type { Effect, ServerEvent, TransactionProblem } from './effects';
import {
  type InviteServerState,
  type InviteServerStateName,
  startInviteServer,
  stepInviteServer,
} from './invite-server';
import {
  type NonInviteServerState,
  type NonInviteServerStateName,
  startNonInviteServer,
  stepNonInviteServer,
} from './non-invite-server';
import { EventQueue, TimerSet } from './timer-set';

/**
 * What the TU hears from a server transaction, set with `tx.listen(...)`. Callbacks that throw are
 * reported to the layer's `onError`.
 */
export interface ServerTransactionListener {
  /** Timer H fired (no ACK for a non-2xx final) or the transport could not send a response. */
  onProblem?(problem: TransactionProblem, tx: ServerTransaction): void;
  onTerminated?(tx: ServerTransaction): void;
}

interface ServerDeps extends TransactionDeps {
  /** An ACK matched in Accepted goes to the TU as a request outside any transaction (RFC 6026). */
  readonly passAck: (ack: SipRequest, flow: Flow) => void;
}

type Machine =
  | { readonly kind: 'invite'; readonly state: InviteServerState }
  | { readonly kind: 'non-invite'; readonly state: NonInviteServerState };

export type ServerStateName = InviteServerStateName | NonInviteServerStateName;

export class ServerTransaction {
  #machine: Machine;
  #listener: ServerTransactionListener = {};
  readonly #timers: TimerSet;
  readonly #events: EventQueue<ServerEvent>;
  /** Whether the last `respond` produced a send; read right after pushing the event. */
  #accepted = false;

  constructor(
    /** The request that created the transaction, top Via stamped with `received`/`rport`. */
    readonly request: SipRequest,
    /** Where it came from; every response goes back along it (§18.2.2). */
    readonly flow: Flow,
    /** The 100 to send at once for an INVITE, or `null`. */
    trying: SipResponse | null,
    private readonly deps: ServerDeps,
  ) {
    this.#timers = new TimerSet(deps.timers, (timer) => this.#events.push({ type: 'timer', timer }));
    this.#events = new EventQueue((e) => this.#step(e));
    const reliable = isReliable(flow.transport);
    if (request.method === 'INVITE') {
      const first = startInviteServer(reliable, deps.timing, trying);
      this.#machine = { kind: 'invite', state: first.state };
      this.#run(first.effects);
    } else {
      const first = startNonInviteServer(reliable);
      this.#machine = { kind: 'non-invite', state: first.state };
    }
  }

  get state(): ServerStateName {
    return this.#machine.state.name;
  }

  /** The last response sent (a provisional, or the final). */
  get lastResponse(): SipResponse | null {
    return this.#machine.state.lastResponse;
  }

  get runningTimers(): string[] {
    return this.#timers.names;
  }

  listen(listener: ServerTransactionListener): void {
    this.#listener = listener;
  }

  /**
   * Sends `response` if the state allows it: any status in Trying/Proceeding, a 2xx again in Accepted
   * (the TU's own 2xx retransmissions, §13.3.1.4). Returns false, sending nothing, otherwise (a second
   * final response, anything after termination). Called from inside this transaction's own callbacks
   * (`onProblem`, `onTerminated`) the response is queued behind the running event and false is returned.
   */
  respond(response: SipResponse): boolean {
    this.#accepted = false;
    this.#events.push({ type: 'respond', response });
    return this.#accepted;
  }

  /** A retransmission or ACK the layer matched to this transaction. */
  handle(event: ServerEvent): void {
    this.#events.push(event);
  }

  #step(event: ServerEvent): void {
    const m = this.#machine;
    if (m.state.name === 'terminated') return;
    const { timing } = this.deps;
    let effects: readonly Effect[];
    if (m.kind === 'invite') {
      const next = stepInviteServer(m.state, event, timing);
      this.#machine = { kind: 'invite', state: next.state };
      effects = next.effects;
    } else {
      const next = stepNonInviteServer(m.state, event, timing);
      this.#machine = { kind: 'non-invite', state: next.state };
      effects = next.effects;
    }
    if (event.type === 'respond') this.#accepted = effects.some((e) => e.type === 'send');
    this.#run(effects);
  }

  #run(effects: readonly Effect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'send': {
          const message = e.message;
          if (message.kind === 'response') this.#send(message);
          break;
        }
        case 'start':
          this.#timers.start(e.timer, e.ms);
          break;
        case 'stop':
          this.#timers.stop(e.timer);
          break;
        case 'pass': {
          const message = e.message;
          if (message.kind === 'request') this.#callUser(() => this.deps.passAck(message, this.flow));
          break;
        }
        case 'report':
          this.#callUser(() => this.#listener.onProblem?.(e.problem, this));
          break;
        case 'terminate':
          this.#timers.stopAll();
          this.deps.forget();
          this.#callUser(() => this.#listener.onTerminated?.(this));
          break;
      }
    }
  }

  /** A send that throws (a response the serializer refuses) counts as a transport error. */
  #send(response: SipResponse): void {
    const failed = () => this.#events.push({ type: 'transport-error' });
    try {
      this.deps.transport.sendResponse(response, this.flow, failed);
    } catch (error) {
      this.deps.reportError(error);
      failed();
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
