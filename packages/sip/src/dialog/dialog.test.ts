import { describe, expect, it } from 'vitest';
import { getCSeq, getRouteSet, headerValues } from '../message';
import { FakeTimers } from '../test-support/fake-timers';
import { request, response } from '../test-support/messages';
import { formatUri } from '../uri';
import {
  ackFor2xx,
  createInDialogRequest,
  dialogKey,
  nextHop,
  receiveRequest,
  requestDialogId,
  uacDialog,
  uasDialog,
} from './dialog';
import { glareBackoffMs } from './glare';
import { OkRetransmitter } from './ok-retransmitter';
import {
  expiryDelayMs,
  refreshDelayMs,
  retryAfter422,
  uacSessionTimer,
  uasSessionTimer,
} from './session-timer';
import { uriTarget } from './uri-target';

const invite = request([
  'INVITE sip:bob@192.0.2.2 SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKinv1',
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@192.0.2.1>;tag=a1',
  'To: <sip:bob@192.0.2.2>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 7 INVITE',
  'Contact: <sip:alice@192.0.2.1:5060>',
  'Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>',
  'Authorization: Digest username="alice", realm="r", nonce="n", uri="sip:bob@192.0.2.2", response="00"',
]);

const ok = response([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKinv1',
  'From: "Alice" <sip:alice@192.0.2.1>;tag=a1',
  'To: <sip:bob@192.0.2.2>;tag=b1',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 7 INVITE',
  'Contact: <sip:bob@192.0.2.9:5070>',
  'Record-Route: <sip:p1.example;lr>',
  'Record-Route: <sip:p2.example;lr>',
]);

describe('dialog state (RFC 3261 §12)', () => {
  it('builds the UAC dialog from a 2xx: id, reversed route set, Contact as remote target', () => {
    const d = uacDialog(invite, ok);
    expect(d.id).toEqual({ callId: 'c1@192.0.2.1', localTag: 'a1', remoteTag: 'b1' });
    expect(d.state).toBe('confirmed');
    expect(d.localSeq).toBe(7);
    expect(d.remoteSeq).toBeNull();
    expect(formatUri(d.remoteTarget)).toBe('sip:bob@192.0.2.9:5070');
    expect(d.routeSet.map((r) => formatUri(r.uri))).toEqual(['sip:p2.example;lr', 'sip:p1.example;lr']);
  });

  it('builds an early UAC dialog from a 1xx with a To tag', () => {
    const ringing = response([
      ...['SIP/2.0 180 Ringing', 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKinv1'],
      'From: <sip:alice@192.0.2.1>;tag=a1',
      'To: <sip:bob@192.0.2.2>;tag=fork2',
      'Call-ID: c1@192.0.2.1',
      'CSeq: 7 INVITE',
      'Contact: <sip:bob@192.0.2.10>',
    ]);
    const d = uacDialog(invite, ringing);
    expect(d.state).toBe('early');
    expect(d.id.remoteTag).toBe('fork2');
    expect(dialogKey(d.id)).not.toBe(dialogKey(uacDialog(invite, ok).id));
  });

  it('builds the UAS dialog: route set in order, remote CSeq from the INVITE, our tag on To', () => {
    const d = uasDialog(invite, 'b1');
    expect(d.id).toEqual({ callId: 'c1@192.0.2.1', localTag: 'b1', remoteTag: 'a1' });
    expect(d.localParty).toBe('<sip:bob@192.0.2.2>;tag=b1');
    expect(d.remoteSeq).toBe(7);
    expect(d.localSeq).toBeNull();
    expect(d.routeSet.map((r) => formatUri(r.uri))).toEqual(['sip:p1.example;lr', 'sip:p2.example;lr']);
  });

  it('rejects a lower or equal CSeq with 500 and refreshes the target on re-INVITE', () => {
    const d = uasDialog(invite, 'b1');
    const reinvite = (seq: number, contact: string) =>
      request([
        'INVITE sip:bob@192.0.2.2 SIP/2.0',
        'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKre',
        'From: <sip:alice@192.0.2.1>;tag=a1',
        'To: <sip:bob@192.0.2.2>;tag=b1',
        'Call-ID: c1@192.0.2.1',
        `CSeq: ${seq} INVITE`,
        `Contact: <${contact}>`,
      ]);
    expect(receiveRequest(d, reinvite(6, 'sip:x@192.0.2.1'))).toMatchObject({ ok: false, status: 500 });
    expect(receiveRequest(d, reinvite(7, 'sip:x@192.0.2.1'))).toMatchObject({ ok: false, status: 500 });
    const next = receiveRequest(d, reinvite(8, 'sip:alice@192.0.2.50:6000'));
    expect(next.ok).toBe(true);
    if (next.ok) {
      expect(next.dialog.remoteSeq).toBe(8);
      expect(formatUri(next.dialog.remoteTarget)).toBe('sip:alice@192.0.2.50:6000');
    }
    expect(requestDialogId(reinvite(8, 'sip:x@y'))).toEqual(d.id);
  });

  it('loose routing keeps the remote target as Request-URI; a strict router takes its place', () => {
    const loose = uacDialog(invite, ok);
    expect(formatUri(nextHop(loose).uri)).toBe('sip:bob@192.0.2.9:5070');
    expect(nextHop(loose).routes).toEqual(['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
    const strict = {
      ...loose,
      routeSet: loose.routeSet.map((r) => ({ ...r, uri: { ...r.uri, params: [] } })),
    };
    const hop = nextHop(strict as typeof loose);
    expect(formatUri(hop.uri)).toBe('sip:p2.example');
    expect(hop.routes).toEqual(['<sip:p1.example>', '<sip:bob@192.0.2.9:5070>']);
  });

  it('numbers in-dialog requests from the local CSeq; the ACK keeps the INVITE CSeq and credentials', () => {
    const d = uacDialog(invite, ok);
    const { dialog, request: bye } = createInDialogRequest(d, 'BYE', {
      branch: 'z9hG4bKbye',
      sentBy: '192.0.2.1:5060',
    });
    expect(getCSeq(bye)).toEqual({ seq: 8, method: 'BYE' });
    expect(dialog.localSeq).toBe(8);
    expect(headerValues(bye, 'To')).toEqual(['<sip:bob@192.0.2.2>;tag=b1']);
    expect(getRouteSet(bye, 'Route')).toHaveLength(2);
    const ack = ackFor2xx(d, invite, { branch: 'z9hG4bKack', sentBy: '192.0.2.1:5060' });
    expect(getCSeq(ack)).toEqual({ seq: 7, method: 'ACK' });
    expect(headerValues(ack, 'Authorization')).toHaveLength(1);
    expect(formatUri(ack.uri)).toBe('sip:bob@192.0.2.9:5070');
    const uas = uasDialog(invite, 'b1');
    expect(getCSeq(createInDialogRequest(uas, 'BYE', { branch: 'z9hG4bKb', sentBy: 'h' }).request).seq).toBe(
      1,
    );
  });

  it('turns IP URIs into targets and leaves names to DNS', () => {
    const d = uacDialog(invite, ok);
    expect(uriTarget(d.remoteTarget)).toEqual({ transport: 'UDP', address: '192.0.2.9', port: 5070 });
    expect(uriTarget(d.routeSet[0]!.uri)).toBeNull();
    expect(
      uriTarget({ ...d.remoteTarget, params: [{ name: 'transport', value: 'tcp' }] } as never),
    ).toMatchObject({
      transport: 'TCP',
    });
  });
});

describe('2xx retransmission by the UAS core (§13.3.1.4, RFC 6026)', () => {
  it('resends at T1, 2T1, 4T1 … capped at T2, and gives up after 64·T1', () => {
    const clock = new FakeTimers();
    const sent: number[] = [];
    let gaveUp = -1;
    new OkRetransmitter(
      ok,
      () => sent.push(clock.now),
      () => (gaveUp = clock.now),
      clock,
      {
        t1: 500,
        t2: 4000,
        t4: 5000,
      },
    );
    clock.advance(40_000);
    expect(sent).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(gaveUp).toBe(35_500); // the first expiry at or past 64·T1
  });

  it('stops when the ACK comes', () => {
    const clock = new FakeTimers();
    let count = 0;
    const r = new OkRetransmitter(
      ok,
      () => count++,
      () => {},
      clock,
      { t1: 500, t2: 4000, t4: 5000 },
    );
    clock.advance(1600);
    r.stop();
    clock.advance(60_000);
    expect(count).toBe(2);
  });
});

describe('glare back-off (§14.1)', () => {
  it('waits 2.1–4 s for the Call-ID owner and 0–2 s for the other side, in 10 ms steps', () => {
    expect(glareBackoffMs(true, 0)).toBe(2100);
    expect(glareBackoffMs(true, 0.999999)).toBe(4000);
    expect(glareBackoffMs(false, 0)).toBe(0);
    expect(glareBackoffMs(false, 0.999999)).toBe(2000);
    expect(glareBackoffMs(false, 0.5) % 10).toBe(0);
  });
});

describe('session timers (RFC 4028)', () => {
  const withTimer = (lines: string[]) =>
    request([
      'INVITE sip:bob@192.0.2.2 SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKst',
      'From: <sip:alice@192.0.2.1>;tag=a1',
      'To: <sip:bob@192.0.2.2>',
      'Call-ID: st@192.0.2.1',
      'CSeq: 1 INVITE',
      'Contact: <sip:alice@192.0.2.1>',
      ...lines,
    ]);

  it('answers an interval below Min-SE with 422 and ours', () => {
    const d = uasSessionTimer(withTimer(['Supported: timer', 'Session-Expires: 60']), {
      sessionExpires: 1800,
      minSE: 90,
    });
    expect(d).toEqual({ kind: 'reject', status: 422, headers: [{ name: 'Min-SE', value: '90' }] });
  });

  it('lets a timer-capable UAC refresh and requires timer in the 2xx', () => {
    const d = uasSessionTimer(withTimer(['Supported: timer', 'Session-Expires: 1800']), null);
    expect(d).toEqual({
      kind: 'accept',
      timer: { intervalSec: 1800, weRefresh: false },
      headers: [
        { name: 'Session-Expires', value: '1800;refresher=uac' },
        { name: 'Require', value: 'timer' },
      ],
    });
  });

  it('refreshes itself when the UAC does not support timers, or the UAC asks it to', () => {
    const a = uasSessionTimer(withTimer([]), { sessionExpires: 600, minSE: 90 });
    expect(a).toMatchObject({ kind: 'accept', timer: { intervalSec: 600, weRefresh: true } });
    const b = uasSessionTimer(withTimer(['Supported: timer', 'Session-Expires: 300;refresher=uas']), null);
    expect(b).toMatchObject({ timer: { intervalSec: 300, weRefresh: true } });
    expect(uasSessionTimer(withTimer([]), null)).toEqual({ kind: 'accept', timer: null, headers: [] });
  });

  it('reads the 2xx as UAC, retries after 422 with the larger Min-SE, and times refresh and expiry', () => {
    const r = response([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKst',
      'From: <sip:alice@192.0.2.1>;tag=a1',
      'To: <sip:bob@192.0.2.2>;tag=b',
      'Call-ID: st@192.0.2.1',
      'CSeq: 1 INVITE',
      'Session-Expires: 120;refresher=uas',
      'Min-SE: 300',
    ]);
    expect(uacSessionTimer(r)).toEqual({ intervalSec: 120, weRefresh: false });
    expect(retryAfter422({ sessionExpires: 90, minSE: 90 }, r)).toBe(300);
    expect(refreshDelayMs({ intervalSec: 120, weRefresh: true })).toBe(60_000);
    expect(expiryDelayMs({ intervalSec: 120, weRefresh: false })).toBe(88_000);
    expect(expiryDelayMs({ intervalSec: 1800, weRefresh: false })).toBe(1_768_000);
  });
});
