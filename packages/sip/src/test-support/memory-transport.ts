import type { SipMessage, SipRequest, SipResponse } from '../message';
import type {
  Flow,
  OnTransportError,
  SentRequest,
  SipTransport,
  Target,
  TransportError,
} from '../transport/types';

export interface SentRecord {
  readonly message: SipMessage;
  /** Set for requests. */
  readonly target: Target | null;
  /** Set for responses. */
  readonly flow: Flow | null;
  /** The fake clock's time when sent, if a clock was given. */
  readonly at: number;
}

/**
 * An in-memory transport: records what is sent and can be told to fail. Requests go out unchanged
 * (no Via rewriting). A failure is reported synchronously, the hardest case for re-entrancy.
 */
export class MemoryTransport implements SipTransport {
  readonly sent: SentRecord[] = [];
  /** When set, every send reports this error. */
  failWith: TransportError | null = null;

  constructor(private readonly clock: { readonly now: number } = { now: 0 }) {}

  sendRequest(request: SipRequest, target: Target, onError: OnTransportError): SentRequest {
    this.sent.push({ message: request, target, flow: null, at: this.clock.now });
    if (this.failWith !== null) onError(this.failWith);
    return { request, target };
  }

  sendResponse(response: SipResponse, flow: Flow, onError: OnTransportError): void {
    this.sent.push({ message: response, target: null, flow, at: this.clock.now });
    if (this.failWith !== null) onError(this.failWith);
  }

  requests(method?: string): SipRequest[] {
    return this.sent
      .map((r) => r.message)
      .filter((m): m is SipRequest => m.kind === 'request' && (method === undefined || m.method === method));
  }

  responses(status?: number): SipResponse[] {
    return this.sent
      .map((r) => r.message)
      .filter(
        (m): m is SipResponse => m.kind === 'response' && (status === undefined || m.status === status),
      );
  }

  /** Send times of the matching messages. */
  times(predicate: (m: SipMessage) => boolean): number[] {
    return this.sent.filter((r) => predicate(r.message)).map((r) => r.at);
  }
}
