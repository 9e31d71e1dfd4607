import { getTopVia, type SipMessage, type SipRequest, type SipResponse } from '../message';
import { serializeMessage } from '../serializer';
import type { Timers } from '../transaction/timing';
import { decodeInbound } from '../transport/inbound';
import { responseDestination } from '../transport/response-route';
import type {
  Flow,
  HostPort,
  InboundMessage,
  OnTransportError,
  SentRequest,
  SipTransport,
  Target,
} from '../transport/types';
import { stampSentBy } from '../transport/via-stamp';

/** One message on the wire, for assertions. */
export interface WireRecord {
  readonly from: string;
  readonly to: string;
  readonly message: SipMessage;
  readonly at: number;
  readonly dropped: boolean;
}

/**
 * An in-memory IP network for user-agent tests: endpoints by `address:port`, every message serialised
 * and parsed again (as the wire would), delivered after `latencyMs` on the injected (fake) clock, Via
 * stamped like `NodeTransport` does (sent-by on send, `received`/`rport` on receipt). `drop` simulates
 * loss; every message is kept in `log`.
 */
export class MemoryNetwork {
  readonly log: WireRecord[] = [];
  readonly #endpoints = new Map<string, (m: InboundMessage) => void>();
  /** Return true to lose the message. */
  drop: (message: SipMessage, from: string, to: string) => boolean = () => false;

  constructor(
    private readonly timers: Timers & { readonly now: number },
    private readonly latencyMs = 1,
  ) {}

  endpoint(address: string, port: number, onMessage: (m: InboundMessage) => void): MemoryEndpoint {
    this.#endpoints.set(`${address}:${port}`, onMessage);
    return new MemoryEndpoint(this, { address, port });
  }

  /** Requests (optionally of one method) seen on the wire, lost ones included. */
  requests(method?: string): SipRequest[] {
    return this.log
      .map((r) => r.message)
      .filter((m): m is SipRequest => m.kind === 'request' && (method === undefined || m.method === method));
  }

  responses(status?: number): SipResponse[] {
    return this.log
      .map((r) => r.message)
      .filter(
        (m): m is SipResponse => m.kind === 'response' && (status === undefined || m.status === status),
      );
  }

  deliver(message: SipMessage, from: HostPort, to: HostPort): void {
    const fromKey = `${from.address}:${from.port}`;
    const toKey = `${to.address}:${to.port}`;
    const dropped = this.drop(message, fromKey, toKey);
    this.log.push({ from: fromKey, to: toKey, message, at: this.timers.now, dropped });
    if (dropped) return;
    const bytes = serializeMessage(message);
    this.timers.set(this.latencyMs, () => {
      const receiver = this.#endpoints.get(toKey);
      if (receiver === undefined) return;
      const flow: Flow = { transport: 'UDP', remote: from, local: to, connectionId: null };
      const decoded = decodeInbound(bytes, flow, {
        framing: 'datagram',
        isOurSentBy: () => true,
        newTag: () => 'x',
      });
      if (decoded.kind === 'message') receiver({ message: decoded.message, flow });
    });
  }
}

export class MemoryEndpoint implements SipTransport {
  constructor(
    private readonly network: MemoryNetwork,
    readonly local: HostPort,
  ) {}

  sendRequest(request: SipRequest, target: Target, _onError: OnTransportError): SentRequest {
    const stamped: SipRequest = { ...request, headers: stampSentBy(request.headers, 'UDP', this.local) };
    this.network.deliver(stamped, this.local, target);
    return { request: stamped, target: { ...target, transport: 'UDP' } };
  }

  sendResponse(response: SipResponse, flow: Flow, _onError: OnTransportError): void {
    this.network.deliver(response, this.local, responseDestination(getTopVia(response), flow));
  }
}
