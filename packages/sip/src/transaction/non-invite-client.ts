import type { SipRequest } from '../message';
import { type ClientEvent, pass, report, type Step, send, start, stop, terminate } from './effects';
import type { Timing } from './timing';

/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6).
 *
 * trying ──1xx──▶ proceeding ──200-699──▶ completed (Timer K) ──K──▶ terminated
 *   └────────────── 200-699 ───────────────┘
 * Timer E retransmits: doubling up to T2 in Trying, every T2 in Proceeding. Timer F (64·T1) times out.
 */
export type NonInviteClientStateName = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface NonInviteClientState {
  readonly name: NonInviteClientStateName;
  readonly request: SipRequest;
  readonly reliable: boolean;
  readonly intervalE: number;
}

/**
 * The state right after the caller handed the request to the transport (it sends first, because the
 * transport decides whether the path is reliable, §18.1.1).
 */
export function startNonInviteClient(
  request: SipRequest,
  reliable: boolean,
  timing: Timing,
): Step<NonInviteClientState> {
  return {
    state: { name: 'trying', request, reliable, intervalE: timing.t1 },
    effects: [...(reliable ? [] : [start('E', timing.t1)]), start('F', 64 * timing.t1)],
  };
}

export function stepNonInviteClient(
  s: NonInviteClientState,
  event: ClientEvent,
  timing: Timing,
): Step<NonInviteClientState> {
  const early = s.name === 'trying' || s.name === 'proceeding';
  const at = (name: NonInviteClientStateName) => ({ ...s, name });
  switch (event.type) {
    case 'timer':
      if (event.timer === 'E' && early) {
        const intervalE = s.name === 'trying' ? Math.min(2 * s.intervalE, timing.t2) : timing.t2;
        return { state: { ...s, intervalE }, effects: [send(s.request), start('E', intervalE)] };
      }
      if (event.timer === 'F' && early) {
        return { state: at('terminated'), effects: [stop('E'), report('timeout'), terminate] };
      }
      if (event.timer === 'K' && s.name === 'completed') {
        return { state: at('terminated'), effects: [terminate] };
      }
      return { state: s, effects: [] };
    case 'transport-error':
      if (!early) return { state: s, effects: [] };
      return {
        state: at('terminated'),
        effects: [stop('E'), stop('F'), report('transport-error'), terminate],
      };
    case 'response': {
      if (!early) return { state: s, effects: [] }; // Completed absorbs retransmitted finals
      const { response } = event;
      if (response.status < 200) return { state: at('proceeding'), effects: [pass(response)] };
      const effects = [stop('E'), stop('F'), pass(response)];
      if (s.reliable) return { state: at('terminated'), effects: [...effects, terminate] };
      return { state: at('completed'), effects: [...effects, start('K', timing.t4)] };
    }
  }
}
