import { parse as parseSdp, write as writeSdp } from 'sdp-transform';
import { getCallId, type SipRequest, type SipResponse } from '../message';
import { createResponse } from '../response';
import type { ServerTransaction } from '../transaction/server-transaction';
import { nodeTimers, type TimerHandle } from '../transaction/timing';
import { TransactionLayer } from '../transaction/transaction-layer';
import { NodeTransport } from '../transport/node-transport';

/**
 * A test UAS on the transaction layer and NodeTransport, standing in for the dialog layer to come.
 * INVITE → 180 then 200 with an SDP answer, retransmitting the 200 itself until the ACK (the UAS core's
 * job, §13.3.1.4: T1 doubling to T2, for 64·T1); ACK stops that; BYE → 200; OPTIONS → 200; CANCEL →
 * 200 and 487 to the INVITE (481 when nothing matches); anything else → 405.
 */
export interface MiniUasStats {
  invites: number;
  acks: number;
  byes: number;
  options: number;
  /** 2xx to INVITE sent again by the UAS core while waiting for the ACK. */
  okRetransmissions: number;
  /** Calls whose 200 was never ACKed within 64·T1. */
  ackTimeouts: number;
  /** Transaction problems reported to the TU (timeouts, transport errors). */
  problems: number;
  drops: number;
  errors: unknown[];
}

interface PendingOk {
  readonly tx: ServerTransaction;
  readonly ok: SipResponse;
  interval: number;
  elapsed: number;
  timer: TimerHandle;
}

export class MiniUas {
  readonly stats: MiniUasStats = {
    invites: 0,
    acks: 0,
    byes: 0,
    options: 0,
    okRetransmissions: 0,
    ackTimeouts: 0,
    problems: 0,
    drops: 0,
    errors: [],
  };
  readonly #pending = new Map<string, PendingOk>();
  readonly #dialogs = new Set<string>();
  #tag = 0;

  private constructor(
    readonly transport: NodeTransport,
    readonly layer: TransactionLayer,
    private readonly retransmitOk: boolean,
  ) {}

  /** `retransmitOk: false` leaves lost 200s lost: only for showing that the loss test can fail. */
  static async start(options: { retransmitOk?: boolean } = {}): Promise<MiniUas> {
    const host = '127.0.0.1';
    let uas: MiniUas | undefined;
    const transport = await NodeTransport.listen({
      host,
      udp: { port: 0 },
      tcp: { port: 0 },
      onMessage: (m) => uas?.layer.receive(m),
      onDrop: () => {
        if (uas) uas.stats.drops++;
      },
      onError: (e) => uas?.stats.errors.push(e),
    });
    const layer = new TransactionLayer({
      transport,
      onRequest: ({ request, transaction, cancels }) => uas?.onRequest(request, transaction, cancels),
      onError: (e) => uas?.stats.errors.push(e),
    });
    uas = new MiniUas(transport, layer, options.retransmitOk ?? true);
    return uas;
  }

  close(): Promise<void> {
    for (const p of this.#pending.values()) p.timer.cancel();
    this.#pending.clear();
    return this.transport.close();
  }

  onRequest(request: SipRequest, tx: ServerTransaction | null, cancels: ServerTransaction | null): void {
    const callId = getCallId(request);
    if (tx === null) {
      // An ACK outside any transaction: the ACK of our 2xx.
      if (request.method === 'ACK') {
        this.stats.acks++;
        this.#stopOk(callId);
      }
      return;
    }
    tx.listen({ onProblem: () => this.stats.problems++ });
    const toTag = `uas${++this.#tag}`;
    switch (request.method) {
      case 'INVITE':
        this.stats.invites++;
        this.#answerInvite(request, tx, toTag);
        return;
      case 'BYE':
        this.stats.byes++;
        this.#stopOk(callId); // a BYE also ends the wait for a lost ACK
        tx.respond(createResponse(request, this.#dialogs.delete(callId) ? 200 : 481, { toTag }));
        return;
      case 'OPTIONS':
        this.stats.options++;
        tx.respond(createResponse(request, 200, { toTag }));
        return;
      case 'CANCEL':
        if (cancels === null) {
          tx.respond(createResponse(request, 481, { toTag }));
          return;
        }
        tx.respond(createResponse(request, 200, { toTag }));
        cancels.respond(createResponse(cancels.request, 487, { toTag }));
        return;
      default:
        tx.respond(createResponse(request, 405, { toTag, headers: [{ name: 'Allow', value: ALLOW }] }));
    }
  }

  #answerInvite(request: SipRequest, tx: ServerTransaction, toTag: string): void {
    const callId = getCallId(request);
    const contact = this.#contact(tx);
    tx.respond(createResponse(request, 180, { toTag, headers: [contact] }));
    const ok = createResponse(request, 200, {
      toTag,
      headers: [contact, { name: 'Content-Type', value: 'application/sdp' }],
      body: Buffer.from(answerSdp(request.body.toString('utf8'))),
    });
    tx.respond(ok);
    this.#dialogs.add(callId);
    const { t1 } = this.layer.timing;
    const pending: PendingOk = { tx, ok, interval: t1, elapsed: 0, timer: { cancel() {} } };
    this.#pending.get(callId)?.timer.cancel();
    this.#pending.set(callId, pending);
    if (this.retransmitOk) this.#scheduleOk(callId, pending);
  }

  #scheduleOk(callId: string, p: PendingOk): void {
    const { t1, t2 } = this.layer.timing;
    p.timer = nodeTimers.set(p.interval, () => {
      p.elapsed += p.interval;
      if (p.elapsed >= 64 * t1) {
        this.stats.ackTimeouts++;
        this.#pending.delete(callId);
        return;
      }
      if (p.tx.respond(p.ok)) this.stats.okRetransmissions++;
      p.interval = Math.min(2 * p.interval, t2);
      this.#scheduleOk(callId, p);
    });
  }

  #stopOk(callId: string): void {
    this.#pending.get(callId)?.timer.cancel();
    this.#pending.delete(callId);
  }

  #contact(tx: ServerTransaction) {
    const t = tx.flow.transport;
    const port = this.transport.ports[t];
    return { name: 'Contact', value: `<sip:uas@127.0.0.1:${port};transport=${t.toLowerCase()}>` };
  }
}

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS';

/** PCMU answer to the offer (or a fresh one), on a dummy port: no media flows in these tests. */
function answerSdp(offer: string): string {
  const parsed = offer.trim() === '' ? null : parseSdp(offer);
  const hasPcmu = parsed?.media.some((m) => m.rtp.some((r) => r.payload === 0)) ?? true;
  return writeSdp({
    version: 0,
    origin: {
      username: 'hotline',
      sessionId: 1,
      sessionVersion: 1,
      netType: 'IN',
      ipVer: 4,
      address: '127.0.0.1',
    },
    name: '-',
    connection: { version: 4, ip: '127.0.0.1' },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: hasPcmu ? 40_000 : 0,
        protocol: 'RTP/AVP',
        payloads: '0',
        rtp: [{ payload: 0, codec: 'PCMU', rate: 8000 }],
        fmtp: [],
        direction: 'sendrecv',
      },
    ],
  });
}
