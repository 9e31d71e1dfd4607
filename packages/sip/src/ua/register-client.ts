import { getParam } from '../grammar';
import { firstHeaderValue, getContacts, type SipHeader, type SipResponse } from '../message';
import { createRequest } from '../request';
import type { TimerHandle } from '../transaction/timing';
import type { Target } from '../transport/types';
import { formatUri, type Uri } from '../uri';
import { type Credentials, DigestClient } from './digest-client';
import { Emitter } from './emitter';
import type { UaContext } from './ua-context';

export interface RegisterClientOptions {
  /** Request-URI of the REGISTER: the registrar's domain (`sip:provider.example`). */
  readonly registrar: Uri;
  /** The address of record we register (From and To). */
  readonly aor: Uri;
  readonly target: Target;
  readonly credentials?: Credentials;
  /** Seconds asked for. Default 3600. */
  readonly expires?: number;
  /** Re-register this long before the binding expires (seconds; at most half the interval). Default 30. */
  readonly refreshMarginSec?: number;
  /** After a failure, try again after this long. Default 60 s. */
  readonly retryAfterMs?: number;
}

export type RegistrationState = 'idle' | 'registering' | 'registered' | 'failed' | 'unregistered';

export interface RegisterClientEvents {
  /** The registrar accepted; `expiresSec` is what it granted. */
  registered: [expiresSec: number];
  /** A final failure (or 408/503 for timeout/transport), with the status. */
  failed: [status: number];
  unregistered: [];
}

/**
 * An outbound registration (RFC 3261 §10.2): REGISTER with one Call-ID and growing CSeq, digest answered
 * on 401/407, 423 answered with the registrar's Min-Expires, refresh before the granted expiry, retry
 * after failures, and `stop()` unregistering with `Expires: 0`.
 */
export class RegisterClient {
  readonly #events: Emitter<RegisterClientEvents>;
  readonly #callId: string;
  readonly #fromTag: string;
  readonly #digest: DigestClient | null;
  #cseq = 0;
  #expires: number;
  #state: RegistrationState = 'idle';
  #timer: TimerHandle | null = null;
  #authorization: SipHeader | null = null;

  constructor(
    private readonly ctx: UaContext,
    private readonly o: RegisterClientOptions,
  ) {
    this.#events = new Emitter(ctx.reportError);
    this.#callId = ctx.newCallId();
    this.#fromTag = ctx.newTag();
    this.#digest = o.credentials === undefined ? null : new DigestClient(o.credentials);
    this.#expires = o.expires ?? 3600;
  }

  get state(): RegistrationState {
    return this.#state;
  }

  on<K extends keyof RegisterClientEvents>(
    event: K,
    listener: (...args: RegisterClientEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  start(): void {
    this.#timer?.cancel();
    this.#send(this.#expires, 0);
  }

  /** Unregisters (Expires: 0) and stops refreshing. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    if (this.#state === 'registered' || this.#state === 'registering') this.#send(0, 0);
    else this.#state = 'unregistered';
  }

  #send(expires: number, attempt: number): void {
    this.#state = expires === 0 ? this.#state : 'registering';
    this.#cseq++;
    const aor = `<${formatUri(this.o.aor)}>`;
    const request = createRequest({
      method: 'REGISTER',
      uri: this.o.registrar,
      from: `${aor};tag=${this.#fromTag}`,
      to: aor,
      callId: this.#callId,
      cseq: this.#cseq,
      branch: this.ctx.newBranch(),
      sentBy: this.ctx.sentBy,
      contact: this.ctx.contact(this.o.target.transport),
      headers: [
        ...this.ctx.commonHeaders,
        { name: 'Expires', value: String(expires) },
        ...(this.#authorization === null ? [] : [this.#authorization]),
      ],
    });
    this.ctx.layer.sendRequest(request, this.o.target, {
      onResponse: (response) => {
        if (response.status >= 200) this.#onFinal(response, expires, attempt);
      },
      onProblem: (problem) => this.#failed(problem === 'timeout' ? 408 : 503, expires),
    });
  }

  #onFinal(response: SipResponse, expires: number, attempt: number): void {
    if ((response.status === 401 || response.status === 407) && this.#digest !== null && attempt < 3) {
      const auth = this.#digest.answer(response, { method: 'REGISTER', uri: formatUri(this.o.registrar) });
      if (auth !== null) {
        this.#authorization = auth;
        this.#send(expires, attempt + 1);
        return;
      }
    }
    if (response.status === 423 && attempt < 3) {
      const min = Number(firstHeaderValue(response, 'Min-Expires') ?? Number.NaN);
      if (Number.isFinite(min) && min > expires) {
        this.#expires = min;
        this.#send(min, attempt + 1);
        return;
      }
    }
    if (response.status >= 300) {
      this.#failed(response.status, expires);
      return;
    }
    this.#digest?.succeeded();
    if (expires === 0) {
      this.#state = 'unregistered';
      this.#events.emit('unregistered');
      return;
    }
    const granted = this.#granted(response) ?? expires;
    this.#state = 'registered';
    this.#events.emit('registered', granted);
    const margin = Math.min(this.o.refreshMarginSec ?? 30, granted / 2);
    this.#timer = this.ctx.timers.set((granted - margin) * 1000, () => this.#send(this.#expires, 0));
  }

  /** The expiry the registrar granted our Contact: its `expires` parameter, else the Expires header. */
  #granted(response: SipResponse): number | null {
    const ours = this.ctx.contact(this.o.target.transport);
    const contacts = getContacts(response);
    if (contacts !== '*') {
      for (const c of contacts) {
        const e = getParam(c.params, 'expires');
        if (typeof e === 'string' && ours.includes(formatUri(c.uri))) return Number(e);
      }
      const first = contacts[0] === undefined ? undefined : getParam(contacts[0].params, 'expires');
      if (typeof first === 'string' && contacts.length === 1) return Number(first);
    }
    const header = firstHeaderValue(response, 'Expires');
    return header === undefined ? null : Number(header);
  }

  #failed(status: number, expires: number): void {
    if (expires === 0) {
      this.#state = 'unregistered';
      this.#events.emit('unregistered');
      return;
    }
    this.#state = 'failed';
    this.#events.emit('failed', status);
    this.#timer = this.ctx.timers.set(this.o.retryAfterMs ?? 60_000, () => this.#send(this.#expires, 0));
  }
}
