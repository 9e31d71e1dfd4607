import type { SipResponse } from '../message';
import { report, type ServerEvent, type Step, send, start, terminate } from './effects';
import type { Timing } from './timing';

/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8).
 *
 * trying ──1xx──▶ proceeding ──200-699──▶ completed (Timer J) ──J──▶ terminated
 *   └────────────── 200-699 ───────────────┘
 * Retransmitted requests are absorbed in Trying and answered with the last response after that.
 */
export type NonInviteServerStateName = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface NonInviteServerState {
  readonly name: NonInviteServerStateName;
  readonly reliable: boolean;
  readonly lastResponse: SipResponse | null;
}

export function startNonInviteServer(reliable: boolean): Step<NonInviteServerState> {
  return { state: { name: 'trying', reliable, lastResponse: null }, effects: [] };
}

export function stepNonInviteServer(
  s: NonInviteServerState,
  event: ServerEvent,
  timing: Timing,
): Step<NonInviteServerState> {
  const none = { state: s, effects: [] };
  switch (event.type) {
    case 'request':
      if (s.name === 'trying' || s.name === 'terminated' || s.lastResponse === null) return none;
      return { state: s, effects: [send(s.lastResponse)] };
    case 'respond': {
      if (s.name === 'completed' || s.name === 'terminated') return none;
      const { response } = event;
      if (response.status < 200) {
        return { state: { ...s, name: 'proceeding', lastResponse: response }, effects: [send(response)] };
      }
      const sent = { ...s, lastResponse: response };
      if (s.reliable) return { state: { ...sent, name: 'terminated' }, effects: [send(response), terminate] };
      return {
        state: { ...sent, name: 'completed' },
        effects: [send(response), start('J', 64 * timing.t1)],
      };
    }
    case 'timer':
      if (s.name === 'completed' && event.timer === 'J') {
        return { state: { ...s, name: 'terminated' }, effects: [terminate] };
      }
      return none;
    case 'transport-error':
      if (s.name !== 'proceeding' && s.name !== 'completed') return none;
      return { state: { ...s, name: 'terminated' }, effects: [report('transport-error'), terminate] };
  }
}
