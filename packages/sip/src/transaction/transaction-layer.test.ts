import { describe, expect, it } from 'vitest';
import {
  getCSeq,
  getTo,
  getTopVia,
  getVias,
  headerValues,
  type SipMessage,
  type SipResponse,
} from '../message';
import { createResponse } from '../response';
import { FakeTimers } from '../test-support/fake-timers';
import { MemoryTransport } from '../test-support/memory-transport';
import { makeRequest, makeResponse, tcpFlow, udpFlow } from '../test-support/messages';
import { type Target, TransportError } from '../transport/types';
import type { TransactionProblem } from './effects';
import { cancelFor } from './requests';
import { type IncomingRequest, TransactionError, TransactionLayer } from './transaction-layer';

const udp: Target = { transport: 'UDP', address: '192.0.2.2', port: 5060 };
const tcp: Target = { ...udp, transport: 'TCP' };

function setup(timing: { t1?: number; t2?: number; t4?: number } = {}) {
  const clock = new FakeTimers();
  const transport = new MemoryTransport(clock);
  const incoming: IncomingRequest[] = [];
  const stray: SipResponse[] = [];
  const errors: unknown[] = [];
  const sut = new TransactionLayer({
    transport,
    timers: clock,
    timing,
    onRequest: (i) => incoming.push(i),
    onStrayResponse: (r) => stray.push(r),
    onError: (e) => errors.push(e),
    newTag: () => 'layertag',
  });
  const tu = () => {
    const responses: number[] = [];
    const problems: TransactionProblem[] = [];
    let terminated = 0;
    return {
      responses,
      problems,
      get terminated() {
        return terminated;
      },
      user: {
        onResponse: (r: SipResponse) => responses.push(r.status),
        onProblem: (p: TransactionProblem) => problems.push(p),
        onTerminated: () => {
          terminated++;
        },
      },
    };
  };
  return { clock, transport, incoming, stray, errors, sut, tu };
}

const isInvite = (m: SipMessage) => m.kind === 'request' && m.method === 'INVITE';
const isOptions = (m: SipMessage) => m.kind === 'request' && m.method === 'OPTIONS';
const isStatus = (status: number) => (m: SipMessage) => m.kind === 'response' && m.status === status;

describe('INVITE client transaction in the layer', () => {
  it('retransmits on Timer A (doubling, no cap) until Timer B times out at 64·T1', () => {
    const { clock, transport, sut, tu } = setup();
    const t = tu();
    const tx = sut.sendRequest(makeRequest(), udp, t.user);
    clock.advance(40_000);
    expect(transport.times(isInvite)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(t.problems).toEqual(['timeout']);
    expect(tx.state).toBe('terminated');
    expect(t.terminated).toBe(1);
    expect(sut.size.client).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('does not retransmit over a reliable transport; Timer B still runs', () => {
    const { clock, transport, sut, tu } = setup();
    const t = tu();
    sut.sendRequest(makeRequest(), tcp, t.user);
    clock.advance(31_999);
    expect(transport.times(isInvite)).toEqual([0]);
    expect(t.problems).toEqual([]);
    clock.advance(1);
    expect(t.problems).toEqual(['timeout']);
  });

  it('follows configured T1', () => {
    const { clock, transport, sut, tu } = setup({ t1: 100 });
    const t = tu();
    sut.sendRequest(makeRequest(), udp, t.user);
    clock.advance(10_000);
    expect(transport.times(isInvite)).toEqual([0, 100, 300, 700, 1500, 3100, 6300]);
    expect(t.problems).toEqual(['timeout']);
  });

  it('stops retransmitting on a provisional response and passes it up', () => {
    const { clock, transport, sut, tu } = setup();
    const t = tu();
    const invite = makeRequest();
    const tx = sut.sendRequest(invite, udp, t.user);
    clock.advance(600);
    sut.receive({ message: makeResponse(invite, 180), flow: udpFlow });
    clock.advance(60_000);
    expect(transport.times(isInvite)).toEqual([0, 500]);
    expect(t.responses).toEqual([180]);
    expect(tx.state).toBe('proceeding');
    expect(t.problems).toEqual([]);
  });

  it('ACKs a non-2xx final response (§17.1.1.3), again for each retransmission, and ends after Timer D', () => {
    const { clock, transport, sut, tu } = setup();
    const t = tu();
    const invite = makeRequest({ extra: ['Route: <sip:proxy.example.com;lr>', 'Subject: hi'] });
    const tx = sut.sendRequest(invite, udp, t.user);
    const busy = makeResponse(invite, 486, 'uas-tag');
    sut.receive({ message: busy, flow: udpFlow });
    sut.receive({ message: busy, flow: udpFlow });
    expect(t.responses).toEqual([486]);
    const acks = transport.requests('ACK');
    expect(acks).toHaveLength(2);
    const ack = acks[0]!;
    expect(ack.uri).toEqual(invite.uri);
    expect(getVias(ack)).toEqual([getTopVia(invite)]);
    expect(getCSeq(ack)).toEqual({ seq: 1, method: 'ACK' });
    expect(getTo(ack).tag).toBe('uas-tag');
    expect(headerValues(ack, 'Route')).toEqual(['<sip:proxy.example.com;lr>']);
    expect(headerValues(ack, 'Subject')).toEqual([]);
    expect(headerValues(ack, 'Call-ID')).toEqual(headerValues(invite, 'Call-ID'));
    expect(ack.body.length).toBe(0);
    expect(transport.sent.find((s) => s.message === ack)?.target).toEqual(udp);
    expect(tx.state).toBe('completed');
    clock.advance(31_999);
    expect(tx.state).toBe('completed');
    clock.advance(1);
    expect(tx.state).toBe('terminated');
  });

  it('RFC 6026: passes every 2xx to the TU while Accepted, for Timer M, and never ACKs it', () => {
    const { clock, transport, sut, tu, stray } = setup();
    const t = tu();
    const invite = makeRequest();
    const tx = sut.sendRequest(invite, udp, t.user);
    sut.receive({ message: makeResponse(invite, 200, 'fork-1'), flow: udpFlow });
    sut.receive({ message: makeResponse(invite, 200, 'fork-1'), flow: udpFlow });
    sut.receive({ message: makeResponse(invite, 200, 'fork-2'), flow: udpFlow });
    expect(t.responses).toEqual([200, 200, 200]);
    expect(tx.state).toBe('accepted');
    expect(transport.requests('ACK')).toEqual([]);
    clock.advance(32_000);
    expect(tx.state).toBe('terminated');
    sut.receive({ message: makeResponse(invite, 200, 'fork-1'), flow: udpFlow });
    expect(t.responses).toHaveLength(3);
    expect(stray.map((r) => r.status)).toEqual([200]);
  });

  it('reports a transport error, even one raised during the first send', () => {
    const { transport, sut, tu } = setup();
    const t = tu();
    transport.failWith = new TransportError('CONNECT_FAILED', 'refused');
    const tx = sut.sendRequest(makeRequest(), tcp, t.user);
    expect(t.problems).toEqual(['transport-error']);
    expect(tx.state).toBe('terminated');
    expect(sut.size.client).toBe(0);
  });

  it('matches responses by branch and CSeq method: the CANCEL and the INVITE are apart', () => {
    const { sut, tu } = setup();
    const ti = tu();
    const tc = tu();
    const invite = makeRequest();
    sut.sendRequest(invite, udp, ti.user);
    const cancel = cancelFor(invite);
    expect(getTopVia(cancel).branch).toBe(getTopVia(invite).branch);
    sut.sendRequest(cancel, udp, tc.user);
    sut.receive({ message: makeResponse(cancel, 200), flow: udpFlow });
    sut.receive({ message: makeResponse(invite, 487), flow: udpFlow });
    expect(tc.responses).toEqual([200]);
    expect(ti.responses).toEqual([487]);
  });

  it('refuses what cannot be a client transaction', () => {
    const { sut, tu } = setup();
    const t = tu();
    expect(() => sut.sendRequest(makeRequest({ branch: '1234' }), udp, t.user)).toThrow(TransactionError);
    expect(() => sut.sendRequest(makeRequest({ method: 'ACK' }), udp, t.user)).toThrow(TransactionError);
    sut.sendRequest(makeRequest(), udp, t.user);
    expect(() => sut.sendRequest(makeRequest(), udp, t.user)).toThrow(/already in use/);
  });

  it('reports a throwing TU without disturbing the transaction', () => {
    const { clock, transport, sut, errors } = setup();
    const invite = makeRequest();
    const tx = sut.sendRequest(invite, udp, {
      onResponse: () => {
        throw new Error('TU bug');
      },
    });
    sut.receive({ message: makeResponse(invite, 486), flow: udpFlow });
    expect(errors).toHaveLength(1);
    expect(transport.requests('ACK')).toHaveLength(1);
    clock.advance(32_000);
    expect(tx.state).toBe('terminated');
  });
});

describe('non-INVITE client transaction in the layer', () => {
  it('retransmits on Timer E (doubling to T2) and times out on Timer F', () => {
    const { clock, transport, sut, tu } = setup();
    const t = tu();
    sut.sendRequest(makeRequest({ method: 'OPTIONS' }), udp, t.user);
    clock.advance(40_000);
    expect(transport.times(isOptions)).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
    expect(t.problems).toEqual(['timeout']);
  });

  it('retransmits every T2 once a provisional arrived', () => {
    const { clock, transport, sut, tu } = setup();
    const t = tu();
    const options = makeRequest({ method: 'OPTIONS' });
    sut.sendRequest(options, udp, t.user);
    clock.advance(100);
    sut.receive({ message: makeResponse(options, 100), flow: udpFlow });
    clock.advance(10_000);
    // E was running at 500: fires at 500 (Proceeding: T2 from now on), then 4500, 8500.
    expect(transport.times(isOptions)).toEqual([0, 500, 4500, 8500]);
    expect(t.responses).toEqual([100]);
  });

  it('absorbs retransmitted finals in Completed and ends after T4 (UDP) or at once (TCP)', () => {
    const { clock, sut, tu } = setup();
    const a = tu();
    const options = makeRequest({ method: 'OPTIONS' });
    const txUdp = sut.sendRequest(options, udp, a.user);
    sut.receive({ message: makeResponse(options, 200), flow: udpFlow });
    sut.receive({ message: makeResponse(options, 200), flow: udpFlow });
    expect(a.responses).toEqual([200]);
    clock.advance(4_999);
    expect(txUdp.state).toBe('completed');
    clock.advance(1);
    expect(txUdp.state).toBe('terminated');

    const b = tu();
    const register = makeRequest({ method: 'REGISTER', branch: 'z9hG4bKreg' });
    const txTcp = sut.sendRequest(register, tcp, b.user);
    sut.receive({ message: makeResponse(register, 401), flow: tcpFlow });
    expect(txTcp.state).toBe('terminated');
    expect(b.responses).toEqual([401]);
  });
});

describe('INVITE server transaction in the layer', () => {
  it('sends 100 Trying at once, hands the INVITE up once, and answers retransmissions with the last response', () => {
    const { transport, sut, incoming } = setup();
    const invite = makeRequest();
    sut.receive({ message: invite, flow: udpFlow });
    sut.receive({ message: invite, flow: udpFlow });
    expect(incoming).toHaveLength(1);
    expect(transport.responses().map((r) => r.status)).toEqual([100, 100]);
    const tx = incoming[0]!.transaction!;
    tx.respond(createResponse(invite, 180, { toTag: 'u1' }));
    sut.receive({ message: invite, flow: udpFlow });
    expect(transport.responses().map((r) => r.status)).toEqual([100, 100, 180, 180]);
    expect(transport.sent.every((s) => s.flow === udpFlow)).toBe(true);
  });

  it('retransmits a non-2xx final on Timer G (to T2) until ACK; the ACK is absorbed, Timer I ends it', () => {
    const { clock, transport, sut, incoming } = setup();
    const invite = makeRequest();
    sut.receive({ message: invite, flow: udpFlow });
    const tx = incoming[0]!.transaction!;
    expect(tx.respond(createResponse(invite, 486, { toTag: 'u1' }))).toBe(true);
    expect(tx.respond(createResponse(invite, 500, { toTag: 'u1' }))).toBe(false);
    clock.advance(8_000);
    expect(transport.times(isStatus(486))).toEqual([0, 500, 1500, 3500, 7500]);
    sut.receive({ message: makeRequest({ method: 'ACK', toTag: 'u1' }), flow: udpFlow });
    expect(tx.state).toBe('confirmed');
    sut.receive({ message: makeRequest({ method: 'ACK', toTag: 'u1' }), flow: udpFlow });
    expect(incoming).toHaveLength(1);
    clock.advance(4_999);
    expect(tx.state).toBe('confirmed');
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(transport.times(isStatus(486))).toHaveLength(5);
    expect(sut.size.server).toBe(0);
  });

  it('reports Timer H when no ACK comes', () => {
    const { clock, transport, sut, incoming } = setup();
    const invite = makeRequest();
    sut.receive({ message: invite, flow: udpFlow });
    const tx = incoming[0]!.transaction!;
    const problems: TransactionProblem[] = [];
    tx.listen({ onProblem: (p) => problems.push(p) });
    tx.respond(createResponse(invite, 603, { toTag: 'u1' }));
    clock.advance(40_000);
    expect(problems).toEqual(['timeout']);
    expect(tx.state).toBe('terminated');
    // G: 0, .5, 1.5, 3.5, 7.5, then every 4 s up to 31.5.
    expect(transport.times(isStatus(603))).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
  });

  it('RFC 6026 Accepted: INVITE retransmissions absorbed, TU 2xx resent, ACK to the TU, Timer L ends it', () => {
    const { clock, transport, sut, incoming } = setup();
    const invite = makeRequest();
    sut.receive({ message: invite, flow: udpFlow });
    const tx = incoming[0]!.transaction!;
    const ok = createResponse(invite, 200, { toTag: 'u1' });
    tx.respond(ok);
    clock.advance(1_000);
    sut.receive({ message: invite, flow: udpFlow });
    expect(transport.responses(200)).toHaveLength(1);
    expect(tx.respond(ok)).toBe(true);
    expect(transport.responses(200)).toHaveLength(2);
    expect(tx.respond(createResponse(invite, 486, { toTag: 'u1' }))).toBe(false);
    // The ACK of a 2xx has its own branch, so it matches no transaction and goes to the TU.
    const ack = makeRequest({ method: 'ACK', branch: 'z9hG4bKack', toTag: 'u1' });
    sut.receive({ message: ack, flow: udpFlow });
    expect(incoming.map((i) => [i.request.method, i.transaction === null])).toEqual([
      ['INVITE', false],
      ['ACK', true],
    ]);
    clock.advance(31_000);
    expect(tx.state).toBe('terminated');
  });

  it('over TCP: no Timer G, and the ACK ends the transaction at once', () => {
    const { clock, transport, sut, incoming } = setup();
    const invite = makeRequest({ transport: 'TCP' });
    sut.receive({ message: invite, flow: tcpFlow });
    const tx = incoming[0]!.transaction!;
    tx.respond(createResponse(invite, 486, { toTag: 'u1' }));
    clock.advance(10_000);
    expect(transport.responses(486)).toHaveLength(1);
    sut.receive({ message: makeRequest({ method: 'ACK', transport: 'TCP', toTag: 'u1' }), flow: tcpFlow });
    expect(tx.state).toBe('terminated');
  });

  it('reports a transport error on a response and terminates', () => {
    const { transport, sut, incoming } = setup();
    const invite = makeRequest();
    transport.failWith = new TransportError('SEND_FAILED', 'gone');
    sut.receive({ message: invite, flow: tcpFlow });
    const tx = incoming[0]!.transaction!;
    expect(tx.state).toBe('terminated');
  });
});

describe('non-INVITE server transaction in the layer', () => {
  it('absorbs retransmissions in Trying, then answers them with the last response; Timer J ends it', () => {
    const { clock, transport, sut, incoming } = setup();
    const options = makeRequest({ method: 'OPTIONS' });
    sut.receive({ message: options, flow: udpFlow });
    sut.receive({ message: options, flow: udpFlow });
    expect(incoming).toHaveLength(1);
    expect(transport.sent).toHaveLength(0);
    const tx = incoming[0]!.transaction!;
    tx.respond(createResponse(options, 200, { toTag: 'u1' }));
    sut.receive({ message: options, flow: udpFlow });
    expect(transport.responses(200)).toHaveLength(2);
    clock.advance(31_999);
    expect(tx.state).toBe('completed');
    clock.advance(1);
    expect(tx.state).toBe('terminated');
    sut.receive({ message: options, flow: udpFlow });
    expect(incoming).toHaveLength(2);
  });
});

describe('server transaction matching (§17.2.3)', () => {
  it('tells apart the same branch from another sent-by, and another method', () => {
    const { sut, incoming } = setup();
    sut.receive({ message: makeRequest({ method: 'OPTIONS' }), flow: udpFlow });
    sut.receive({
      message: makeRequest({ method: 'OPTIONS', sentBy: '192.0.2.9:5060', callId: 'x' }),
      flow: udpFlow,
    });
    sut.receive({ message: makeRequest({ method: 'INFO', callId: 'y' }), flow: udpFlow });
    expect(incoming).toHaveLength(3);
  });

  it('matches RFC 2543 requests (no magic cookie) by URI, tags, Call-ID, CSeq and top Via', () => {
    const { clock, transport, sut, incoming } = setup();
    const invite = makeRequest({ branch: null });
    sut.receive({ message: invite, flow: udpFlow });
    sut.receive({ message: makeRequest({ branch: null }), flow: udpFlow });
    expect(incoming).toHaveLength(1);
    const tx = incoming[0]!.transaction!;
    tx.respond(createResponse(invite, 404, { toTag: 'u1' }));
    // An ACK with another To tag is not for this transaction.
    sut.receive({ message: makeRequest({ method: 'ACK', branch: null, toTag: 'other' }), flow: udpFlow });
    expect(tx.state).toBe('completed');
    expect(incoming.map((i) => i.request.method)).toEqual(['INVITE', 'ACK']);
    clock.advance(1_000);
    expect(transport.responses(404)).toHaveLength(2); // at 0 and 500 (Timer G)
    sut.receive({ message: makeRequest({ method: 'ACK', branch: null, toTag: 'u1' }), flow: udpFlow });
    expect(tx.state).toBe('confirmed');
    // A different CSeq is a new transaction.
    sut.receive({ message: makeRequest({ branch: null, cseq: 2 }), flow: udpFlow });
    expect(incoming).toHaveLength(3);
  });

  it('finds the INVITE a CANCEL cancels; the CANCEL gets its own transaction', () => {
    const { sut, incoming, transport } = setup();
    const invite = makeRequest();
    sut.receive({ message: invite, flow: udpFlow });
    sut.receive({ message: makeRequest({ method: 'CANCEL' }), flow: udpFlow });
    const [inv, cancel] = incoming;
    expect(cancel?.transaction).not.toBeNull();
    expect(cancel?.transaction).not.toBe(inv?.transaction);
    expect(cancel?.cancels).toBe(inv?.transaction);
    cancel?.transaction?.respond(createResponse(cancel.request, 200, { toTag: 'u1' }));
    inv?.transaction?.respond(createResponse(invite, 487, { toTag: 'u1' }));
    expect(transport.responses().map((r) => `${r.status} ${getCSeq(r).method}`)).toEqual([
      '100 INVITE',
      '200 CANCEL',
      '487 INVITE',
    ]);
    // A CANCEL for an unknown branch cancels nothing (the TU answers 481).
    sut.receive({
      message: makeRequest({ method: 'CANCEL', branch: 'z9hG4bKnone', callId: 'unknown' }),
      flow: udpFlow,
    });
    expect(incoming[2]?.cancels).toBeNull();
  });

  it('matches an RFC 2543 CANCEL to its INVITE', () => {
    const { sut, incoming } = setup();
    sut.receive({ message: makeRequest({ branch: null }), flow: udpFlow });
    sut.receive({ message: makeRequest({ method: 'CANCEL', branch: null }), flow: udpFlow });
    expect(incoming[1]?.cancels).toBe(incoming[0]?.transaction);
  });

  it('answers a merged request with 482 and does not hand it up (§8.2.2.2)', () => {
    const { transport, sut, incoming } = setup();
    sut.receive({ message: makeRequest(), flow: udpFlow });
    // The same request forked and arriving by another path: another branch, same From tag/Call-ID/CSeq.
    const merged = makeRequest({ branch: 'z9hG4bKother', sentBy: '192.0.2.7:5060' });
    sut.receive({ message: merged, flow: udpFlow });
    sut.receive({ message: merged, flow: udpFlow });
    expect(incoming).toHaveLength(1);
    const loops = transport.responses(482);
    expect(loops).toHaveLength(2);
    expect(getTo(loops[0]!).tag).toBe('layertag');
    expect(getTopVia(loops[0]!).branch).toBe('z9hG4bKother');
    // With a To tag it is a mid-dialog request: no merge check.
    sut.receive({
      message: makeRequest({ branch: 'z9hG4bK3rd', toTag: 't', sentBy: '192.0.2.8' }),
      flow: udpFlow,
    });
    expect(incoming).toHaveLength(2);
  });

  it('passes a throwing onRequest to onError', () => {
    const clock = new FakeTimers();
    const errors: unknown[] = [];
    const sut = new TransactionLayer({
      transport: new MemoryTransport(clock),
      timers: clock,
      onRequest: () => {
        throw new Error('TU bug');
      },
      onError: (e) => errors.push(e),
    });
    expect(() => sut.receive({ message: makeRequest(), flow: udpFlow })).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

describe('sends that throw', () => {
  it('turn into a transport error for the transaction, not an exception out of a timer', () => {
    const clock = new FakeTimers();
    const errors: unknown[] = [];
    const transport = new MemoryTransport(clock);
    let calls = 0;
    const original = transport.sendRequest.bind(transport);
    transport.sendRequest = (request, target, onError) => {
      if (++calls > 1) throw new Error('cannot serialise');
      return original(request, target, onError);
    };
    const sut = new TransactionLayer({
      transport,
      timers: clock,
      onRequest: () => {},
      onError: (e) => errors.push(e),
    });
    const problems: TransactionProblem[] = [];
    const tx = sut.sendRequest(makeRequest({ method: 'OPTIONS' }), udp, {
      onResponse: () => {},
      onProblem: (p) => problems.push(p),
    });
    expect(() => clock.advance(500)).not.toThrow();
    expect(problems).toEqual(['transport-error']);
    expect(tx.state).toBe('terminated');
    expect(errors).toHaveLength(1);
  });
});
