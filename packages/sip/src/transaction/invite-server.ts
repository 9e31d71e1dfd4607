import type { SipResponse } from '../message';
import { pass, report, type ServerEvent, type Step, send, start, stop, terminate } from './effects';
import type { Timing } from './timing';

/**
 * INVITE server transaction: RFC 3261 §17.2.1 (Figure 7) as updated by RFC 6026 §8.5–8.7. A 2xx from
 * the TU moves it to Accepted for Timer L (64·T1): retransmitted INVITEs are absorbed, further 2xx from
 * the TU (its own retransmissions, §13.3.1.4) are sent, an ACK is passed to the TU. The transaction never
 * retransmits a 2xx itself.
 *
 * proceeding ──300-699──▶ completed (G, H) ──ACK──▶ confirmed (I) ──I──▶ terminated
 *     └──────── 2xx ────▶ accepted (L) ──L──▶ terminated          completed ──H──▶ terminated (timeout)
 */
export type InviteServerStateName = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export interface InviteServerState {
  readonly name: InviteServerStateName;
  readonly reliable: boolean;
  /** Resent for a retransmitted INVITE (Proceeding, Completed) and by Timer G. */
  readonly lastResponse: SipResponse | null;
  readonly intervalG: number;
}

/** `trying`: the 100 to send at once (§17.2.1 lets a server send it immediately), or `null`. */
export function startInviteServer(
  reliable: boolean,
  timing: Timing,
  trying: SipResponse | null,
): Step<InviteServerState> {
  return {
    state: { name: 'proceeding', reliable, lastResponse: trying, intervalG: timing.t1 },
    effects: trying === null ? [] : [send(trying)],
  };
}

export function stepInviteServer(
  s: InviteServerState,
  event: ServerEvent,
  timing: Timing,
): Step<InviteServerState> {
  const none = { state: s, effects: [] };
  switch (event.type) {
    case 'request': {
      if (event.request.method === 'ACK') {
        if (s.name === 'accepted') return { state: s, effects: [pass(event.request)] };
        if (s.name !== 'completed') return none;
        const effects = [stop('G'), stop('H')];
        if (s.reliable) return { state: { ...s, name: 'terminated' }, effects: [...effects, terminate] };
        return { state: { ...s, name: 'confirmed' }, effects: [...effects, start('I', timing.t4)] };
      }
      // A retransmitted INVITE: answer again with the last response, except in Accepted (RFC 6026).
      const resend = (s.name === 'proceeding' || s.name === 'completed') && s.lastResponse !== null;
      return resend && s.lastResponse !== null ? { state: s, effects: [send(s.lastResponse)] } : none;
    }
    case 'respond': {
      const { response } = event;
      if (s.name === 'accepted') {
        return response.status >= 200 && response.status < 300
          ? { state: s, effects: [send(response)] }
          : none;
      }
      if (s.name !== 'proceeding') return none;
      if (response.status < 200)
        return { state: { ...s, lastResponse: response }, effects: [send(response)] };
      if (response.status < 300) {
        return {
          state: { ...s, name: 'accepted', lastResponse: response },
          effects: [send(response), start('L', 64 * timing.t1)],
        };
      }
      return {
        state: { ...s, name: 'completed', lastResponse: response, intervalG: timing.t1 },
        effects: [send(response), ...(s.reliable ? [] : [start('G', timing.t1)]), start('H', 64 * timing.t1)],
      };
    }
    case 'timer':
      if (s.name === 'completed' && event.timer === 'G' && s.lastResponse !== null) {
        const intervalG = Math.min(2 * s.intervalG, timing.t2);
        return { state: { ...s, intervalG }, effects: [send(s.lastResponse), start('G', intervalG)] };
      }
      if (s.name === 'completed' && event.timer === 'H') {
        return { state: { ...s, name: 'terminated' }, effects: [stop('G'), report('timeout'), terminate] };
      }
      if ((s.name === 'confirmed' && event.timer === 'I') || (s.name === 'accepted' && event.timer === 'L')) {
        return { state: { ...s, name: 'terminated' }, effects: [terminate] };
      }
      return none;
    case 'transport-error':
      if (s.name === 'accepted') return { state: s, effects: [report('transport-error')] };
      if (s.name === 'proceeding' || s.name === 'completed') {
        return {
          state: { ...s, name: 'terminated' },
          effects: [stop('G'), stop('H'), report('transport-error'), terminate],
        };
      }
      return none;
  }
}
