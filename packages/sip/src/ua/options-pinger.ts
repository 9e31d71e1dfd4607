import { createRequest } from '../request';
import type { TimerHandle } from '../transaction/timing';
import type { Target } from '../transport/types';
import { formatUri, type Uri } from '../uri';
import { Emitter } from './emitter';
import type { UaContext } from './ua-context';

export interface OptionsPingerOptions {
  /** Request-URI and To of the OPTIONS. */
  readonly uri: Uri;
  readonly target: Target;
  /** Default 30 s. */
  readonly intervalMs?: number;
  /** Consecutive failures before `down`. Default 2. */
  readonly failuresBeforeDown?: number;
}

export type PeerStatus = 'unknown' | 'up' | 'down';

/**
 * OPTIONS keep-alive toward a peer (a trunk): any final response but 408/503 means it is there (a 404
 * or 405 still proves a live SIP stack); a timeout, transport error, 408 or 503 counts as a failure.
 * `status` events fire on changes only.
 */
export class OptionsPinger {
  readonly #events: Emitter<{ status: [status: PeerStatus, lastCode: number] }>;
  #status: PeerStatus = 'unknown';
  #failures = 0;
  #timer: TimerHandle | null = null;
  #running = false;

  constructor(
    private readonly ctx: UaContext,
    private readonly o: OptionsPingerOptions,
  ) {
    this.#events = new Emitter(ctx.reportError);
  }

  get status(): PeerStatus {
    return this.#status;
  }

  on(event: 'status', listener: (status: PeerStatus, lastCode: number) => void): () => void {
    return this.#events.on(event, listener);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#ping();
  }

  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = null;
  }

  #ping(): void {
    const to = `<${formatUri(this.o.uri)}>`;
    const request = createRequest({
      method: 'OPTIONS',
      uri: this.o.uri,
      from: `<sip:hotline@${this.ctx.sentBy.split(':')[0]}>;tag=${this.ctx.newTag()}`,
      to,
      callId: this.ctx.newCallId(),
      cseq: 1,
      branch: this.ctx.newBranch(),
      sentBy: this.ctx.sentBy,
      headers: [...this.ctx.commonHeaders, { name: 'Accept', value: 'application/sdp' }],
    });
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      this.#record(code);
      if (this.#running) this.#timer = this.ctx.timers.set(this.o.intervalMs ?? 30_000, () => this.#ping());
    };
    this.ctx.layer.sendRequest(request, this.o.target, {
      onResponse: (response) => {
        if (response.status >= 200) finish(response.status);
      },
      onProblem: (problem) => finish(problem === 'timeout' ? 408 : 503),
    });
  }

  #record(code: number): void {
    const failed = code === 408 || code === 503;
    let next = this.#status;
    if (failed) {
      this.#failures++;
      if (this.#failures >= (this.o.failuresBeforeDown ?? 2)) next = 'down';
    } else {
      this.#failures = 0;
      next = 'up';
    }
    if (next !== this.#status) {
      this.#status = next;
      this.#events.emit('status', next, code);
    }
  }
}
