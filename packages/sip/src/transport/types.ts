import type { SipMessage, SipRequest, SipResponse } from '../message';

/**
 * The transport port: what the transaction layer needs from the network (RFC 3261 §18), and what every
 * received message carries with it. `NodeTransport` implements it on real sockets; unit tests use an
 * in-memory one.
 */
export type TransportProtocol = 'UDP' | 'TCP' | 'TLS';

export const isReliable = (t: TransportProtocol): boolean => t !== 'UDP';

export interface HostPort {
  /** An IP address (no brackets for IPv6). */
  readonly address: string;
  readonly port: number;
}

/** Where to send a request: DNS (RFC 3263) has already happened. */
export interface Target extends HostPort {
  readonly transport: TransportProtocol;
}

/**
 * The path a message travelled: its source, the local socket it came in on, and for TCP/TLS the
 * connection (so a response can go back over it, §18.2.2). `connectionId` is `null` for UDP.
 */
export interface Flow {
  readonly transport: TransportProtocol;
  readonly remote: HostPort;
  readonly local: HostPort;
  readonly connectionId: number | null;
}

export interface InboundMessage {
  /** For requests, the top Via already carries `received`/`rport` as §18.2.1 and RFC 3581 require. */
  readonly message: SipMessage;
  readonly flow: Flow;
}

/**
 * `CONNECT_FAILED`: no connection (refused, TLS verification failed); `SEND_FAILED`: a write or datagram
 * failed, or the message could not be serialised; `TOO_MANY_CONNECTIONS`: over `maxConnections`;
 * `NO_TRANSPORT`: the transport is not enabled.
 */
export type TransportErrorCode = 'CONNECT_FAILED' | 'SEND_FAILED' | 'TOO_MANY_CONNECTIONS' | 'NO_TRANSPORT';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: TransportErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export type OnTransportError = (error: TransportError) => void;

export interface SentRequest {
  /** The request as put on the wire: top Via transport and sent-by filled in. Retransmit this one. */
  readonly request: SipRequest;
  /** Where it actually went; UDP becomes TCP above the MTU threshold (§18.1.1). */
  readonly target: Target;
}

/**
 * Sending side of the transport. Both calls return at once and never throw for network reasons:
 * failures (refused connection, closed socket) are reported later through `onError`, at most once.
 */
export interface SipTransport {
  /**
   * Sends `request` toward `target`, filling the top Via's transport and sent-by (branch and other
   * parameters kept). Requests sent again (retransmissions, the ACK of §17.1.1.3) go through here too.
   */
  sendRequest(request: SipRequest, target: Target, onError: OnTransportError): SentRequest;
  /**
   * Sends a response for a request that arrived on `flow`, routed by the response's top Via (§18.2.2):
   * back over the request's connection while it is open, else to `received`/`rport`/sent-by.
   */
  sendResponse(response: SipResponse, flow: Flow, onError: OnTransportError): void;
}
