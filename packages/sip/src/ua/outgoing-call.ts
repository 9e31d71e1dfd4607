import { ackFor2xx, type Dialog, dialogKey, uacDialog } from '../dialog/dialog';
import { requestTimerHeaders, retryAfter422, uacSessionTimer } from '../dialog/session-timer';
import { getCSeq, getTo, type SipHeader, type SipRequest, type SipResponse } from '../message';
import { createRequest } from '../request';
import { createOffer, type LocalDescription } from '../sdp/local-description';
import { type AnswerPolicy, type NegotiatedAudio, readAnswer } from '../sdp/negotiation';
import { parseSdp } from '../sdp/parse-sdp';
import type { ClientTransaction } from '../transaction/client-transaction';
import { cancelFor } from '../transaction/requests';
import type { Target } from '../transport/types';
import { formatUri, type Uri } from '../uri';
import { CallBase } from './call-base';
import type { DigestClient } from './digest-client';
import type { UaContext } from './ua-context';

export interface OutgoingCallOptions {
  /** Request-URI and To. */
  readonly to: Uri;
  /** From value without tag; default `<sip:hotline@host>`. */
  readonly from?: string;
  /** Where the INVITE goes (after RFC 3263); default: the Request-URI's host when it is an IP. */
  readonly target: Target;
  /** Our media: the offer is made from it, re-INVITEs are answered with it. */
  readonly media: AnswerPolicy;
  readonly headers?: readonly SipHeader[];
}

/**
 * An INVITE we send (UAC): provisional responses open early dialogs keyed by To tag (forking-safe), the
 * first 2xx confirms its dialog and every other fork's 2xx is ACKed and hung up (§13.2.2.4); 401/407 are
 * answered once with the digest credentials and 422 with a larger Session-Expires, each with a new
 * CSeq; `hangUp` before the answer CANCELs (once a provisional came, §9.1).
 */
export class OutgoingCall extends CallBase {
  readonly callIdValue: string;
  readonly #fromTag: string;
  readonly #from: string;
  #cseq = 1;
  #tx: ClientTransaction | null = null;
  #offer: LocalDescription;
  #provisional = false;
  #cancelWanted = false;
  #cancelSent = false;
  readonly #early = new Map<string, Dialog>();
  #retries = 0;
  #sessionExpires: number | null;

  constructor(
    ctx: UaContext,
    private readonly opts: OutgoingCallOptions,
    digest: DigestClient | null,
  ) {
    super(ctx, opts.target.transport, opts.target, opts.media, digest);
    this.callIdValue = ctx.newCallId();
    this.#fromTag = ctx.newTag();
    this.#from = `${opts.from ?? `<sip:hotline@${ctx.sentBy.split(':')[0]}>`};tag=${this.#fromTag}`;
    this.#offer = createOffer(
      { sessionId: String(Math.floor(ctx.random() * 1e12) + 1) },
      {
        address: opts.media.address,
        port: opts.media.port,
        ...(opts.media.codecs === undefined ? {} : { codecs: opts.media.codecs }),
      },
    );
    this.#sessionExpires = ctx.sessionTimer?.sessionExpires ?? null;
  }

  /** Sends the INVITE. Called once by `UserAgent.call`. */
  start(): void {
    this.#send(null);
  }

  hangUp(): void {
    if (this.state === 'confirmed' || this.state === 'answered') {
      this.bye();
      return;
    }
    if (this.state === 'ended') return;
    this.#cancelWanted = true;
    this.#maybeCancel();
  }

  #maybeCancel(): void {
    if (!this.#cancelWanted || this.#cancelSent || !this.#provisional || this.#tx === null) return;
    this.#cancelSent = true;
    const tx = this.#tx;
    this.ctx.layer.sendRequest(cancelFor(tx.request), tx.target, { onResponse: () => {} });
  }

  #send(authorization: SipHeader | null): void {
    const timer =
      this.#sessionExpires !== null && this.ctx.sessionTimer !== null
        ? requestTimerHeaders(this.ctx.sessionTimer, this.#sessionExpires)
        : [];
    const invite = createRequest({
      method: 'INVITE',
      uri: this.opts.to,
      from: this.#from,
      to: `<${formatUri(this.opts.to)}>`,
      callId: this.callIdValue,
      cseq: this.#cseq,
      branch: this.ctx.newBranch(),
      sentBy: this.ctx.sentBy,
      contact: this.ctx.contact(this.transport),
      headers: [
        ...this.ctx.commonHeaders,
        ...timer,
        ...(this.opts.headers ?? []),
        ...(authorization === null ? [] : [authorization]),
      ],
      body: Buffer.from(this.#offer.sdp),
    });
    this.#provisional = false;
    this.#tx = this.ctx.layer.sendRequest(invite, this.opts.target, {
      onResponse: (response, tx) => this.#onResponse(response, tx.request),
      onProblem: (problem) => {
        if (this.state === 'initial' || this.state === 'early') {
          this.end({
            by: 'remote',
            cause: problem === 'timeout' ? 'timeout' : 'transport-error',
            status: problem === 'timeout' ? 408 : 503,
          });
        }
      },
    });
  }

  #onResponse(response: SipResponse, invite: SipRequest): void {
    if (response.status < 200) this.#onProvisional(response, invite);
    else if (response.status < 300) this.#on2xx(response, invite);
    else this.#onFailure(response, invite);
  }

  #onProvisional(response: SipResponse, invite: SipRequest): void {
    if (response.status === 100) return;
    this.#provisional = true;
    this.#maybeCancel();
    if (this.state === 'ended') return;
    let audio: NegotiatedAudio | null = null;
    const tag = getTo(response).tag;
    if (tag !== null && !this.#early.has(tag)) {
      try {
        const early = uacDialog(invite, response);
        this.#early.set(tag, early);
        this.ctx.registerDialog(early, this);
        if (this.dialog === null) this.dialog = early;
      } catch {
        // No Contact in the provisional: no early dialog, the call still proceeds.
      }
    }
    if (response.body.length > 0) {
      const parsed = parseSdp(response.body);
      const read = parsed.ok ? readAnswer(this.#offer, parsed.session) : null;
      if (read?.ok) {
        audio = read.audio;
        this.setAudio(read.audio, false);
      }
    }
    this.setState('early');
    this.events.emit('progress', response.status, audio);
  }

  #on2xx(response: SipResponse, invite: SipRequest): void {
    const tag = getTo(response).tag;
    const seq = getCSeq(response).seq;
    if (this.dialog !== null && this.dialog.state === 'confirmed') {
      if (tag === this.dialog.id.remoteTag) {
        this.handleStray2xx(response); // a retransmission: ACK again
        return;
      }
      this.#ackAndHangUpFork(response, invite);
      return;
    }
    let dialog: Dialog;
    try {
      dialog = { ...uacDialog(invite, response), localSeq: seq };
    } catch {
      this.end({ by: 'remote', cause: 'failed', status: response.status });
      return;
    }
    for (const early of this.#early.values()) this.ctx.forgetDialog(early);
    this.#early.clear();
    this.dialog = dialog;
    this.ctx.registerDialog(dialog, this);
    const ack = ackFor2xx(dialog, invite, { branch: this.ctx.newBranch(), sentBy: this.ctx.sentBy });
    this.rememberAck(seq, ack);
    this.ctx.layer.sendAck(ack, this.target());
    this.digest?.succeeded();
    this.setState('confirmed');
    if (this.#cancelWanted) {
      // The 2xx crossed our CANCEL (§9.1): the call is up, so end it with BYE.
      this.bye();
      return;
    }
    const parsed = parseSdp(response.body);
    const read = parsed.ok ? readAnswer(this.#offer, parsed.session) : parsed;
    if (!read.ok) {
      this.bye('failed');
      return;
    }
    if (parsed.ok) this.remote = parsed.session;
    this.local = this.#offer;
    this.setAudio(read.audio, false);
    this.armSessionTimer(uacSessionTimer(response));
    this.events.emit('answered', read.audio);
    this.events.emit('confirmed');
  }

  /** Another fork answered too (§13.2.2.4): confirm its dialog with ACK, then end it with BYE. */
  #ackAndHangUpFork(response: SipResponse, invite: SipRequest): void {
    let fork: Dialog;
    try {
      fork = uacDialog(invite, response);
    } catch {
      return;
    }
    const target = this.target();
    this.ctx.layer.sendAck(
      ackFor2xx(fork, invite, { branch: this.ctx.newBranch(), sentBy: this.ctx.sentBy }),
      target,
    );
    const bye = createRequest({
      method: 'BYE',
      uri: fork.remoteTarget,
      from: fork.localParty,
      to: fork.remoteParty,
      callId: fork.id.callId,
      cseq: getCSeq(invite).seq + 1,
      branch: this.ctx.newBranch(),
      sentBy: this.ctx.sentBy,
      headers: this.ctx.commonHeaders,
    });
    this.ctx.layer.sendRequest(bye, target, { onResponse: () => {} });
  }

  #onFailure(response: SipResponse, invite: SipRequest): void {
    if (this.state === 'ended') return;
    const body = invite.body;
    if ((response.status === 401 || response.status === 407) && this.digest !== null && this.#retries < 3) {
      const auth = this.digest.answer(response, { method: 'INVITE', uri: formatUri(invite.uri), body });
      if (auth !== null && !this.#cancelWanted) {
        this.#retry(auth);
        return;
      }
    }
    if (
      response.status === 422 &&
      this.ctx.sessionTimer !== null &&
      this.#retries < 3 &&
      !this.#cancelWanted
    ) {
      this.#sessionExpires = retryAfter422(this.ctx.sessionTimer, response);
      this.#retry(null);
      return;
    }
    this.digest?.succeeded();
    const cancelled = this.#cancelSent && response.status === 487;
    this.end({
      by: cancelled ? 'local' : 'remote',
      cause: cancelled ? 'cancelled' : 'rejected',
      status: response.status,
    });
  }

  #retry(authorization: SipHeader | null): void {
    this.#retries++;
    this.#cseq++;
    for (const early of this.#early.values()) this.ctx.forgetDialog(early);
    this.#early.clear();
    this.dialog = null;
    this.#send(authorization);
  }

  protected override forgetDialogs(): void {
    for (const early of this.#early.values()) this.ctx.forgetDialog(early);
    this.#early.clear();
    super.forgetDialogs();
  }

  /** Keys of every dialog this call holds (tests). */
  get dialogKeys(): string[] {
    return [...this.#early.values(), ...(this.dialog === null ? [] : [this.dialog])].map((d) =>
      dialogKey(d.id),
    );
  }
}
