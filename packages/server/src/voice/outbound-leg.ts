import type { G711Law } from '@hotline/media/codec/g711';
import type { MediaCall } from '@hotline/media/worker/media-host';
import type { CallEnd } from '@hotline/sip/ua/call-base';
import type { OutgoingCall } from '@hotline/sip/ua/outgoing-call';
import type { OutboundDialer } from '../sip/sip-service';
import { unicastTarget } from './rtp-target';

/** Why an outbound leg did not come up: the flow's error code and the CDR's wording. */
export type DialFailure =
  /** The dial plan refused the number, or the tenant has no usable trunk. */
  | 'DIAL_REFUSED'
  | 'BUSY'
  | 'NO_ANSWER'
  | 'REJECTED'
  /** We gave up (the other side of the call left, shutdown). */
  | 'CANCELLED'
  | 'FAILED';

export type DialOutcome =
  | { readonly ok: true; readonly call: OutgoingCall; readonly number: string }
  | {
      readonly ok: false;
      readonly code: DialFailure;
      readonly status: number | null;
      readonly message: string;
    };

export interface DialLegOptions {
  readonly dialer: OutboundDialer;
  /** The call's media: the new RTP leg is added to it as `legId`. */
  readonly media: MediaCall;
  readonly legId: string;
  /** The leg when it exists already (its address and port go into the offer); absent: created here. */
  readonly leg?: { readonly address: string; readonly port: number };
  /** The leg's codec; the offer carries only it (plus telephone-event), so no transcoding is needed. */
  readonly codec: G711Law;
  readonly tenantId: string;
  readonly number: string;
  readonly callerId: string;
  readonly trunkId: string | null;
  /** No answer after this long: CANCEL, `NO_ANSWER`. */
  readonly ringTimeoutMs: number;
  /** Aborting gives up the attempt (`CANCELLED`); an answered call is not affected. */
  readonly signal: AbortSignal;
  /** The far end rings (180) or sends early media (183 with SDP, already connected to the leg). */
  readonly onRinging?: (earlyMedia: boolean) => void;
}

/**
 * Dials a number through the tenant's trunk into a new RTP leg of `media`: creates the leg (its port
 * goes into the offer), places the call (`SipService.dial`: dial plan, trunk choice, digest), points
 * the leg at the far end's media on early media and on the answer (re-INVITEs later move it too), and
 * resolves once the call is answered or has failed. The caller of this function connects the leg
 * (bridge) and hangs the returned call up when its own side ends.
 */
export async function dialLeg(o: DialLegOptions): Promise<DialOutcome> {
  const leg =
    o.leg ??
    (await o.media.createLeg({
      type: 'createLeg',
      legId: o.legId,
      codec: o.codec,
      telephoneEventPt: 101,
      inbandDtmf: false,
    }));
  if (o.signal.aborted) return failed('CANCELLED', null, 'given up before dialling');
  const placed = o.dialer.dial({
    tenantId: o.tenantId,
    number: o.number,
    callerId: o.callerId,
    trunkId: o.trunkId,
    media: { address: leg.address, port: leg.port, codecs: [o.codec] },
  });
  if (!placed.ok) return failed('DIAL_REFUSED', null, `${placed.code}: ${placed.message}`);
  const { call } = placed;
  const moveMedia = (address: string, port: number) => {
    if (address === '0.0.0.0' || !unicastTarget(address) || port <= 0) return;
    o.media.setRemote(o.legId, { address, port }).catch(() => {});
  };
  call.on('media', (audio) => moveMedia(audio.remoteAddress, audio.remotePort));
  return new Promise<DialOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: DialOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      for (const off of offs) off();
      resolve(outcome);
    };
    let gaveUp: DialFailure | null = null;
    const timer = setTimeout(() => {
      gaveUp = 'NO_ANSWER';
      call.hangUp();
    }, o.ringTimeoutMs);
    const onAbort = () => {
      gaveUp = 'CANCELLED';
      call.hangUp();
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    const offs = [
      call.on('progress', (status, audio) => {
        if (audio !== null) moveMedia(audio.remoteAddress, audio.remotePort);
        if (status === 180 || status === 183) o.onRinging?.(audio !== null);
      }),
      call.on('answered', (audio) => {
        if (audio !== null) moveMedia(audio.remoteAddress, audio.remotePort);
        settle({ ok: true, call, number: placed.number });
      }),
      call.on('ended', (end) => {
        if (gaveUp !== null) {
          settle(failed(gaveUp, end.status ?? null, gaveUp === 'NO_ANSWER' ? 'no answer' : 'cancelled'));
          return;
        }
        settle(endFailure(end));
      }),
    ];
  });
}

function endFailure(end: CallEnd): DialOutcome {
  const status = end.status ?? null;
  if (status === 486 || status === 600) return failed('BUSY', status, `busy (${status})`);
  if (status === 408 || status === 480 || status === 487)
    return failed('NO_ANSWER', status, `no answer (${status})`);
  if (status !== null && status >= 300) return failed('REJECTED', status, `refused (${status})`);
  return failed('FAILED', status, `the call failed (${end.cause})`);
}

function failed(code: DialFailure, status: number | null, message: string): DialOutcome {
  return { ok: false, code, status, message };
}
