import { randomBytes } from 'node:crypto';
import { isRfc3261Branch } from '../headers/via';
import { getTo, getTopVia, type SipRequest, type SipResponse } from '../message';
import { createResponse } from '../response';
import type { Flow, InboundMessage, OnTransportError, SipTransport, Target } from '../transport/types';
import { ClientTransaction, type ClientTransactionUser, type TransactionDeps } from './client-transaction';
import { clientKey, isRfc2543, mergeKey, responseKey, serverKey } from './matching';
import { ServerTransaction } from './server-transaction';
import { defaultTiming, nodeTimers, type Timers, type Timing } from './timing';

/** A request for the TU. */
export interface IncomingRequest {
  readonly request: SipRequest;
  readonly flow: Flow;
  /**
   * The new server transaction to answer through; `null` for an ACK outside any transaction (the ACK
   * of a 2xx, §17.2.3, including one matched in RFC 6026 Accepted) — ACKs are never answered.
   */
  readonly transaction: ServerTransaction | null;
  /** For a CANCEL: the INVITE server transaction it cancels (§9.2), `null` when none matches (→ 481). */
  readonly cancels: ServerTransaction | null;
}

export interface TransactionLayerOptions {
  readonly transport: SipTransport;
  readonly timers?: Timers;
  readonly timing?: Partial<Timing>;
  /** Every new request (not retransmissions, not merged requests: those get 482 here). */
  readonly onRequest: (incoming: IncomingRequest) => void;
  /** A response no client transaction matches (e.g. a 2xx retransmitted after Timer M). Default: dropped. */
  readonly onStrayResponse?: (response: SipResponse, flow: Flow) => void;
  /** A TU callback threw. Default: `process.emitWarning`. */
  readonly onError?: (error: unknown) => void;
  /** To tags for the responses the layer sends itself (482). */
  readonly newTag?: () => string;
  /** Send 100 Trying as soon as an INVITE arrives (§17.2.1). Default true. */
  readonly sendTrying?: boolean;
}

/** A TU mistake: sending what a transaction cannot carry. Never raised by network input. */
export class TransactionError extends Error {
  override readonly name = 'TransactionError';
}

const randomTag = (): string => randomBytes(6).toString('hex');

/**
 * RFC 3261 §17 transaction layer: creates and matches client and server transactions, detects merged
 * requests (§8.2.2.2), finds what a CANCEL cancels (§9.2), and keeps transport and timers behind ports.
 *
 * Wire the transport's received messages to `receive`. Not thread-safe (Node's single thread is
 * assumed); every callback runs synchronously inside `receive`, a timer, or a send.
 */
export class TransactionLayer {
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();
  /** Live server transactions by merge key (§8.2.2.2); the first one holds the key. */
  readonly #merge = new Map<string, ServerTransaction>();
  readonly #timing: Timing;
  readonly #timers: Timers;
  readonly #newTag: () => string;
  readonly #reportError: (error: unknown) => void;

  constructor(private readonly options: TransactionLayerOptions) {
    this.#timing = { ...defaultTiming, ...options.timing };
    this.#timers = options.timers ?? nodeTimers;
    this.#newTag = options.newTag ?? randomTag;
    this.#reportError =
      options.onError ?? ((e) => process.emitWarning(e instanceof Error ? e : new Error(String(e))));
  }

  get timing(): Timing {
    return this.#timing;
  }

  /** Live transactions, for metrics and tests. */
  get size(): { readonly client: number; readonly server: number } {
    return { client: this.#clients.size, server: this.#servers.size };
  }

  /**
   * Starts a client transaction for `request` (any method but ACK). Its top Via must carry an
   * RFC 3261 branch (`z9hG4bK…`) unique to this transaction; the transport fills in sent-by.
   */
  sendRequest(request: SipRequest, target: Target, user: ClientTransactionUser): ClientTransaction {
    if (request.method === 'ACK')
      throw new TransactionError('ACK is sent with sendAck, not as a transaction');
    const branch = getTopVia(request).branch;
    if (!isRfc3261Branch(branch) || branch === null) {
      throw new TransactionError('the top Via needs an RFC 3261 branch (z9hG4bK…)');
    }
    const key = clientKey(branch, request.method);
    if (this.#clients.has(key)) throw new TransactionError(`branch ${branch} is already in use`);
    let failedEarly = false;
    let tx: ClientTransaction | undefined;
    const onError: OnTransportError = () => {
      if (tx === undefined) failedEarly = true;
      else tx.transportFailed();
    };
    const sent = this.options.transport.sendRequest(request, target, onError);
    tx = new ClientTransaction(
      sent,
      user,
      this.#deps(() => this.#forgetClient(key, tx)),
    );
    this.#clients.set(key, tx);
    if (failedEarly) tx.transportFailed();
    return tx;
  }

  /** The ACK of a 2xx (§13.2.2.4) is its own thing, not a transaction: it goes straight out. */
  sendAck(ack: SipRequest, target: Target, onError: OnTransportError = () => {}): void {
    if (ack.method !== 'ACK') throw new TransactionError('sendAck sends ACKs only');
    this.options.transport.sendRequest(ack, target, onError);
  }

  /** A message from the transport. */
  receive(inbound: InboundMessage): void {
    const { message, flow } = inbound;
    if (message.kind === 'response') this.#receiveResponse(message, flow);
    else this.#receiveRequest(message, flow);
  }

  #receiveResponse(response: SipResponse, flow: Flow): void {
    const key = responseKey(response);
    const tx = key === null ? undefined : this.#clients.get(key);
    if (tx !== undefined) tx.handle({ type: 'response', response });
    else this.#callTu(() => this.options.onStrayResponse?.(response, flow));
  }

  #receiveRequest(request: SipRequest, flow: Flow): void {
    const method = request.method === 'ACK' ? 'INVITE' : request.method;
    const existing = this.#matchServer(request, method);
    if (existing !== undefined) {
      existing.handle({ type: 'request', request });
      return;
    }
    if (request.method === 'ACK') {
      this.#deliver({ request, flow, transaction: null, cancels: null });
      return;
    }
    const merged = getTo(request).tag === null ? this.#merge.get(mergeKey(request)) : undefined;
    const tx = this.#createServer(request, flow);
    if (merged !== undefined) {
      tx.respond(createResponse(request, 482, { toTag: this.#newTag() }));
      return;
    }
    const cancels = request.method === 'CANCEL' ? (this.#matchServer(request, 'INVITE') ?? null) : null;
    this.#deliver({ request, flow, transaction: tx, cancels });
  }

  /** §17.2.3, with the RFC 2543 To-tag rule: an ACK carries the tag of our response. */
  #matchServer(request: SipRequest, method: string): ServerTransaction | undefined {
    const tx = this.#servers.get(serverKey(request, method));
    if (tx === undefined || !isRfc2543(request)) return tx;
    const tag = getTo(request).tag;
    const response = tx.lastResponse;
    const expected =
      request.method === 'ACK' && response !== null ? getTo(response).tag : getTo(tx.request).tag;
    return tag === expected ? tx : undefined;
  }

  #createServer(request: SipRequest, flow: Flow): ServerTransaction {
    const key = serverKey(request, request.method);
    const merge = mergeKey(request);
    const trying =
      request.method === 'INVITE' && this.options.sendTrying !== false ? createResponse(request, 100) : null;
    let tx: ServerTransaction | undefined;
    const deps = {
      ...this.#deps(() => {
        if (tx === undefined) return;
        if (this.#servers.get(key) === tx) this.#servers.delete(key);
        if (this.#merge.get(merge) === tx) this.#merge.delete(merge);
      }),
      passAck: (ack: SipRequest, ackFlow: Flow) =>
        this.#deliver({ request: ack, flow: ackFlow, transaction: null, cancels: null }),
    };
    tx = new ServerTransaction(request, flow, trying, deps);
    this.#servers.set(key, tx);
    if (!this.#merge.has(merge)) this.#merge.set(merge, tx);
    return tx;
  }

  #forgetClient(key: string, tx: ClientTransaction | undefined): void {
    if (tx !== undefined && this.#clients.get(key) === tx) this.#clients.delete(key);
  }

  #deps(forget: () => void): TransactionDeps {
    return {
      transport: this.options.transport,
      timers: this.#timers,
      timing: this.#timing,
      forget,
      reportError: this.#reportError,
    };
  }

  #deliver(incoming: IncomingRequest): void {
    this.#callTu(() => this.options.onRequest(incoming));
  }

  #callTu(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#reportError(error);
    }
  }
}
