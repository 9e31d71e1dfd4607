import type { ListenOptions } from '../ua/user-agent';
import { UserAgent } from '../ua/user-agent';

/**
 * A Hotline UAS for interop tests and the benchmark: a real `UserAgent` on 127.0.0.1 (UDP and TCP,
 * free ports) that answers every INVITE with 200 and an SDP answer (after 180 when `ringFirst`). The
 * Request-URI user steers it: `ring` only rings (for CANCEL tests), `busy` gets 486.
 */
export interface AnsweringStats {
  invites: number;
  answered: number;
  confirmed: number;
  byes: number;
  cancelled: number;
  ackTimeouts: number;
  okRetransmissions: number;
  errors: unknown[];
}

export class AnsweringUa {
  readonly stats: AnsweringStats = {
    invites: 0,
    answered: 0,
    confirmed: 0,
    byes: 0,
    cancelled: 0,
    ackTimeouts: 0,
    okRetransmissions: 0,
    errors: [],
  };

  private constructor(readonly ua: UserAgent) {}

  static async start(
    o: { readonly ringFirst?: boolean; readonly host?: string } & Partial<ListenOptions> = {},
  ): Promise<AnsweringUa> {
    let self: AnsweringUa | undefined;
    const ringFirst = o.ringFirst ?? true;
    const ua = await UserAgent.listen({
      host: o.host ?? '127.0.0.1',
      udp: { port: 0 },
      tcp: { port: 0 },
      ...o,
      onError: (e) => self?.stats.errors.push(e),
      onIncomingCall: (call) => {
        const s = self?.stats;
        if (s === undefined) return;
        s.invites++;
        const user = call.request.uri.kind === 'sip' ? call.request.uri.user : null;
        call.on('confirmed', () => s.confirmed++);
        call.on('ended', (end) => {
          s.okRetransmissions += call.okRetransmissions;
          if (end.cause === 'bye' && end.by === 'remote') s.byes++;
          if (end.cause === 'cancelled') s.cancelled++;
          if (end.cause === 'ack-timeout') s.ackTimeouts++;
        });
        if (user === 'busy') {
          call.reject(486);
          return;
        }
        if (ringFirst || user === 'ring') call.ring();
        if (user === 'ring') return;
        if (call.answer({ address: '127.0.0.1', port: 40_000 }).ok) s.answered++;
      },
    });
    self = new AnsweringUa(ua);
    return self;
  }

  get ports() {
    return this.ua.ports;
  }

  close(): Promise<void> {
    return this.ua.close();
  }
}
