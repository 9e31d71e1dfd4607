import { Counter, Gauge, type Registry } from 'prom-client';

/** SIP figures on the server's `/metrics`. Labels are stable codes only, never addresses or numbers. */
export class SipMetrics {
  /** Requests dropped or refused before any transaction (defence reasons, plus UNKNOWN_SOURCE). */
  readonly blocked: Counter<'reason' | 'action'>;
  readonly bans: Counter;
  readonly dialBlocked: Counter<'reason'>;
  readonly inboundCalls: Counter<'outcome'>;
  readonly outboundCalls: Counter;

  constructor(
    registry: Registry,
    read: { trunks: () => Record<string, number>; dialogs: () => number; challenged: () => number },
  ) {
    const registers = [registry];
    this.blocked = new Counter({
      name: 'hotline_sip_blocked_total',
      help: 'SIP requests blocked by the defence or refused as from an unknown source, by reason',
      labelNames: ['reason', 'action'],
      registers,
    });
    this.bans = new Counter({
      name: 'hotline_sip_bans_total',
      help: 'source addresses banned after repeated failed SIP authentication',
      registers,
    });
    this.dialBlocked = new Counter({
      name: 'hotline_sip_dial_blocked_total',
      help: 'outbound calls refused by a tenant dial plan, by reason',
      labelNames: ['reason'],
      registers,
    });
    new Counter({
      name: 'hotline_sip_auth_challenges_total',
      help: 'digest challenges sent (401/407) to INVITE and REGISTER',
      registers,
      collect() {
        this.reset();
        this.inc(read.challenged());
      },
    });
    this.inboundCalls = new Counter({
      name: 'hotline_sip_inbound_calls_total',
      help: 'inbound INVITEs by outcome (UNKNOWN_SOURCE, UNKNOWN_NUMBER, NOT_ROUTED_YET …)',
      labelNames: ['outcome'],
      registers,
    });
    this.outboundCalls = new Counter({
      name: 'hotline_sip_outbound_calls_total',
      help: 'outbound INVITEs placed through trunks (transfers, callbacks) after the dial plan allowed them',
      registers,
    });
    new Gauge({
      name: 'hotline_sip_trunks',
      help: 'trunks by live status (up, down, unknown, disabled)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(read.trunks())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'hotline_sip_dialogs',
      help: 'SIP dialogs in progress (early and confirmed)',
      registers,
      collect() {
        this.set(read.dialogs());
      },
    });
  }
}
