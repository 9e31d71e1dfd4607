import { uasDialog } from '../dialog/dialog';
import type { SessionTimer } from '../dialog/session-timer';
import type { Party } from '../headers/name-addr';
import { getFrom, getTo, type SipHeader, type SipRequest } from '../message';
import { createOffer } from '../sdp/local-description';
import { type AnswerPolicy, createAnswer, type NegotiatedAudio } from '../sdp/negotiation';
import type { SdpFailure } from '../sdp/sdp-error';
import type { SdpSession } from '../sdp/sdp-model';
import type { ServerTransaction } from '../transaction/server-transaction';
import type { Flow } from '../transport/types';
import { CallBase } from './call-base';
import type { DigestClient } from './digest-client';
import type { UaContext } from './ua-context';

export interface RingOptions {
  /** 180 (default) or 183. */
  readonly status?: 180 | 183;
  /** Early media: answer the offer in the provisional response (183 Session Progress). */
  readonly earlyMedia?: AnswerPolicy;
}

/**
 * An INVITE that created a dialog with us (UAS). The application rings, answers or rejects it; after
 * the answer it behaves like any call (re-INVITE, hold, BYE). A CANCEL before the answer ends it with
 * 487 (§9.2); a BYE in the early dialog likewise.
 */
export class IncomingCall extends CallBase {
  readonly from: Party;
  readonly to: Party;
  /** The offer of the INVITE, or `null` when it had none (our offer goes in the 200, the answer in the ACK). */
  readonly offer: SdpSession | null;
  /** The user the request was authenticated as, when digest was required. */
  readonly authenticatedUser: string | null;
  #answered = false;

  constructor(
    ctx: UaContext,
    readonly request: SipRequest,
    private readonly tx: ServerTransaction,
    readonly flow: Flow,
    offer: SdpSession | null,
    private readonly timer: { readonly timer: SessionTimer | null; readonly headers: readonly SipHeader[] },
    authenticatedUser: string | null,
    digest: DigestClient | null = null,
  ) {
    super(
      ctx,
      flow.transport,
      { transport: flow.transport, address: flow.remote.address, port: flow.remote.port },
      { address: '0.0.0.0', port: 0 },
      digest,
    );
    this.from = getFrom(request);
    this.to = getTo(request);
    this.offer = offer;
    this.authenticatedUser = authenticatedUser;
    this.dialog = uasDialog(request, ctx.newTag());
    ctx.registerDialog(this.dialog, this);
  }

  /** Sends 180 Ringing, or 183 with an early-media answer. */
  ring(o: RingOptions = {}): { readonly ok: true; readonly audio: NegotiatedAudio | null } | SdpFailure {
    if (this.state !== 'initial' && this.state !== 'early') return { ok: true, audio: null };
    let body: Buffer | undefined;
    let audio: NegotiatedAudio | null = null;
    if (o.earlyMedia !== undefined && this.offer !== null) {
      const answer = createAnswer(this.offer, o.earlyMedia, { seed: { sessionId: this.#sessionId() } });
      if (!answer.ok) return answer;
      this.local = answer.description;
      this.mediaPolicy = o.earlyMedia;
      audio = answer.audio;
      this.setAudio(answer.audio, false);
      body = Buffer.from(answer.description.sdp);
    }
    const status = o.status ?? (body === undefined ? 180 : 183);
    this.tx.respond(
      this.response(
        this.request,
        status,
        [{ name: 'Contact', value: this.ctx.contact(this.transport) }],
        body,
      ),
    );
    this.setState('early');
    return { ok: true, audio };
  }

  /**
   * Answers with 200 and our SDP: the answer to the INVITE's offer, or our offer when it had none.
   * An offer we cannot take ends the call with 488 (or 400) and returns the failure.
   */
  answer(policy: AnswerPolicy): { readonly ok: true; readonly audio: NegotiatedAudio | null } | SdpFailure {
    if (this.#answered || this.state === 'ended') return { ok: true, audio: this.audio };
    this.mediaPolicy = policy;
    if (this.offer !== null) {
      const answer = createAnswer(
        this.offer,
        policy,
        this.local ?? { seed: { sessionId: this.#sessionId() } },
      );
      if (!answer.ok) {
        this.reject(
          answer.code === 'SDP_NO_COMMON_CODEC' || answer.code === 'SDP_NO_ACCEPTABLE_MEDIA' ? 488 : 400,
        );
        return answer;
      }
      this.local = answer.description;
      this.setAudio(answer.audio, false);
      this.#answered = true;
      this.setState('answered');
      this.sendOk(this.tx, this.request, answer.description, this.timer.headers, {
        offer: false,
        initial: true,
      });
      this.armSessionTimer(this.timer.timer);
      this.events.emit('answered', answer.audio);
      return { ok: true, audio: answer.audio };
    }
    const offer = createOffer(
      { sessionId: this.#sessionId() },
      {
        address: policy.address,
        port: policy.port,
        ...(policy.codecs === undefined ? {} : { codecs: policy.codecs }),
      },
    );
    this.#answered = true;
    this.setState('answered');
    this.sendOk(this.tx, this.request, offer, this.timer.headers, { offer: true, initial: true });
    this.armSessionTimer(this.timer.timer);
    return { ok: true, audio: null };
  }

  /** A final non-2xx (default 486 Busy Here). Only before the answer. */
  reject(status = 486, headers: readonly SipHeader[] = []): void {
    if (this.#answered || this.state === 'ended') return;
    this.tx.respond(this.response(this.request, status, headers));
    this.end({ by: 'local', cause: 'rejected', status });
  }

  hangUp(): void {
    if (this.#answered) this.bye();
    else this.reject(480);
  }

  /** The INVITE was cancelled (§9.2): 487, unless we already answered (then the call goes on). */
  handleCancel(): void {
    if (this.#answered || this.state === 'ended') return;
    this.tx.respond(this.response(this.request, 487));
    this.end({ by: 'remote', cause: 'cancelled', status: 487 });
  }

  protected override remoteBye(): void {
    // A BYE in the early dialog also terminates the INVITE (§15.1.2).
    if (!this.#answered) this.tx.respond(this.response(this.request, 487));
    super.remoteBye();
  }

  #sessionId(): string {
    return String(Math.floor(this.ctx.random() * 1e12) + 1);
  }
}
