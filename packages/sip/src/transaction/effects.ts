import type { SipMessage, SipRequest, SipResponse } from '../message';
import type { TimerName } from './timing';

/**
 * What a state machine step asks its runner to do, in order. The machines are pure
 * (`step(state, event) → { state, effects }`); `ClientTransaction` and `ServerTransaction` carry the
 * effects out against the transport, the timers and the TU.
 */
export type Effect =
  /** Put this message on the wire toward the transaction's peer (first send or retransmission). */
  | { readonly type: 'send'; readonly message: SipMessage }
  /** (Re)start a timer; starting one that runs cancels the old one. */
  | { readonly type: 'start'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'stop'; readonly timer: TimerName }
  /** Hand a message to the TU: responses (client side), the ACK of a 2xx in Accepted (server side). */
  | { readonly type: 'pass'; readonly message: SipMessage }
  /** Tell the TU something went wrong; the transaction may stay alive (INVITE server in Accepted). */
  | { readonly type: 'report'; readonly problem: TransactionProblem }
  | { readonly type: 'terminate' };

/** `timeout`: Timer B, F or H fired. `transport-error`: the transport could not send. */
export type TransactionProblem = 'timeout' | 'transport-error';

export type ClientEvent =
  | { readonly type: 'response'; readonly response: SipResponse }
  | { readonly type: 'timer'; readonly timer: TimerName }
  | { readonly type: 'transport-error' };

export type ServerEvent =
  /** A retransmitted request, or an ACK, matched to this transaction. */
  | { readonly type: 'request'; readonly request: SipRequest }
  /** The TU sends a response through the transaction. */
  | { readonly type: 'respond'; readonly response: SipResponse }
  | { readonly type: 'timer'; readonly timer: TimerName }
  | { readonly type: 'transport-error' };

export interface Step<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
}

export const send = (message: SipMessage): Effect => ({ type: 'send', message });
export const start = (timer: TimerName, ms: number): Effect => ({ type: 'start', timer, ms });
export const stop = (timer: TimerName): Effect => ({ type: 'stop', timer });
export const pass = (message: SipMessage): Effect => ({ type: 'pass', message });
export const report = (problem: TransactionProblem): Effect => ({ type: 'report', problem });
export const terminate: Effect = { type: 'terminate' };
