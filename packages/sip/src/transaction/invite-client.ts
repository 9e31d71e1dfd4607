import type { SipRequest } from '../message';
import { type ClientEvent, pass, report, type Step, send, start, stop, terminate } from './effects';
import { ackForNonSuccess } from './requests';
import { TIMER_D_MS, type Timing } from './timing';

/**
 * INVITE client transaction: RFC 3261 §17.1.1 (Figure 5) as updated by RFC 6026 §8.4 — a 2xx moves it
 * to Accepted, where it stays for Timer M (64·T1) passing every further 2xx to the TU (each fork's 2xx
 * must reach the TU so it can ACK or BYE it); it never ACKs a 2xx itself.
 *
 * calling ──1xx──▶ proceeding ──300-699──▶ completed (ACK sent, Timer D) ──D──▶ terminated
 *    └──────────── 2xx ─────────┴──────▶ accepted (Timer M) ──M──▶ terminated
 */
export type InviteClientStateName = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface InviteClientState {
  readonly name: InviteClientStateName;
  /** The INVITE as sent. */
  readonly request: SipRequest;
  readonly reliable: boolean;
  /** The interval Timer A was last started with; it doubles on each firing, without a cap (§17.1.1.2). */
  readonly intervalA: number;
  /** The ACK sent for a non-2xx final response, resent for each retransmission of it. */
  readonly ack: SipRequest | null;
}

/**
 * The state right after the caller handed the request to the transport (it sends first, because the
 * transport decides whether the path is reliable, §18.1.1).
 */
export function startInviteClient(
  request: SipRequest,
  reliable: boolean,
  timing: Timing,
): Step<InviteClientState> {
  const state: InviteClientState = { name: 'calling', request, reliable, intervalA: timing.t1, ack: null };
  return {
    state,
    effects: [...(reliable ? [] : [start('A', timing.t1)]), start('B', 64 * timing.t1)],
  };
}

export function stepInviteClient(
  s: InviteClientState,
  event: ClientEvent,
  timing: Timing,
): Step<InviteClientState> {
  const at = (name: InviteClientStateName, extra: Partial<InviteClientState> = {}) => ({
    ...s,
    ...extra,
    name,
  });
  const early = s.name === 'calling' || s.name === 'proceeding';
  switch (event.type) {
    case 'timer':
      if (event.timer === 'A' && s.name === 'calling') {
        const intervalA = s.intervalA * 2;
        return { state: { ...s, intervalA }, effects: [send(s.request), start('A', intervalA)] };
      }
      if (event.timer === 'B' && s.name === 'calling') {
        return { state: at('terminated'), effects: [stop('A'), report('timeout'), terminate] };
      }
      if ((event.timer === 'D' && s.name === 'completed') || (event.timer === 'M' && s.name === 'accepted')) {
        return { state: at('terminated'), effects: [terminate] };
      }
      return { state: s, effects: [] };
    case 'transport-error':
      if (early || s.name === 'completed') {
        return { state: at('terminated'), effects: [report('transport-error'), terminate] };
      }
      return { state: s, effects: [] };
    case 'response': {
      const { response } = event;
      const status = response.status;
      if (status < 200) {
        if (!early) return { state: s, effects: [] };
        return { state: at('proceeding'), effects: [stop('A'), stop('B'), pass(response)] };
      }
      if (status < 300) {
        if (early) {
          return {
            state: at('accepted'),
            effects: [stop('A'), stop('B'), pass(response), start('M', 64 * timing.t1)],
          };
        }
        // RFC 6026: further 2xx (retransmissions, other forks) go to the TU; in Completed they are stray.
        return { state: s, effects: s.name === 'accepted' ? [pass(response)] : [] };
      }
      if (early) {
        const ack = ackForNonSuccess(s.request, response);
        const effects = [stop('A'), stop('B'), pass(response), send(ack)];
        if (s.reliable) return { state: at('terminated', { ack }), effects: [...effects, terminate] };
        return { state: at('completed', { ack }), effects: [...effects, start('D', TIMER_D_MS)] };
      }
      // A retransmitted final response: ACK it again, do not bother the TU (§17.1.1.2).
      if (s.name === 'completed' && s.ack !== null) return { state: s, effects: [send(s.ack)] };
      return { state: s, effects: [] };
    }
  }
}
