import {
  ackFor2xx,
  createInDialogRequest,
  type Dialog,
  dialogKey,
  nextHopUri,
  receiveRequest,
  refreshTarget,
} from '../dialog/dialog';
import { glareBackoffMs } from '../dialog/glare';
import { OkRetransmitter } from '../dialog/ok-retransmitter';
import {
  expiryDelayMs,
  refreshDelayMs,
  requestTimerHeaders,
  type SessionTimer,
  uacSessionTimer,
  uasSessionTimer,
} from '../dialog/session-timer';
import { uriTarget } from '../dialog/uri-target';
import { getCSeq, type SipHeader, type SipRequest, type SipResponse } from '../message';
import { createResponse } from '../response';
import { type AudioChange, hold, type LocalDescription, reoffer, resume } from '../sdp/local-description';
import { type AnswerPolicy, createAnswer, type NegotiatedAudio, readAnswer } from '../sdp/negotiation';
import { parseSdp } from '../sdp/parse-sdp';
import { sdpErrorStatus } from '../sdp/sdp-error';
import type { SdpSession } from '../sdp/sdp-model';
import type { TransactionProblem } from '../transaction/effects';
import type { ServerTransaction } from '../transaction/server-transaction';
import type { TimerHandle } from '../transaction/timing';
import type { Target, TransportProtocol } from '../transport/types';
import { formatUri } from '../uri';
import type { DigestClient } from './digest-client';
import { Emitter } from './emitter';
import { ALLOW, type UaContext } from './ua-context';

/** Why a call ended, and who ended it. */
export interface CallEnd {
  readonly by: 'local' | 'remote';
  readonly cause:
    | 'bye'
    | 'cancelled'
    | 'rejected'
    | 'failed'
    | 'ack-timeout'
    | 'session-expired'
    | 'timeout'
    | 'transport-error';
  /** The final status that ended it, when a response did. */
  readonly status?: number;
}

export interface CallEvents {
  /** A provisional response (outgoing) with the early media it negotiated, if any. */
  progress: [status: number, audio: NegotiatedAudio | null];
  /** The call was answered: our 200 went out (incoming) or a 2xx came (outgoing). */
  answered: [audio: NegotiatedAudio | null];
  /** The ACK of the initial 2xx arrived (incoming) or was sent (outgoing). */
  confirmed: [];
  /** A re-INVITE (either side) changed the media: hold, resume, codec, address. */
  media: [audio: NegotiatedAudio];
  ended: [end: CallEnd];
}

export type CallState = 'initial' | 'early' | 'answered' | 'confirmed' | 'ended';

/** The SIP form of `sdpErrorStatus`: 488 unless the SDP itself was malformed (400). */
const sdpStatus = (code: keyof typeof sdpErrorStatus): number => sdpErrorStatus[code] ?? 488;

interface AwaitingAck {
  readonly cseq: number;
  readonly retransmitter: OkRetransmitter;
  /** The 2xx carried our offer (the INVITE had none): the ACK brings the answer. */
  readonly offer: LocalDescription | null;
  readonly initial: boolean;
}

/**
 * What an INVITE session does once it has a dialog, the same for both directions (RFC 3261 §12–§15,
 * RFC 4028, RFC 6026): requests in the dialog (CSeq order, BYE, OPTIONS, re-INVITE with offer/answer
 * and 491/500 glare rules), the UAS 2xx retransmission until the ACK, the UAC ACK of 2xx, re-INVITEs we
 * send (hold, resume, codec change, session refresh) with the §14.1 back-off, and session timers.
 */
export abstract class CallBase {
  protected readonly events: Emitter<CallEvents>;
  protected dialog: Dialog | null = null;
  protected local: LocalDescription | null = null;
  protected remote: SdpSession | null = null;
  #audio: NegotiatedAudio | null = null;
  #state: CallState = 'initial';
  #awaitingAck: AwaitingAck | null = null;
  /** A re-INVITE we sent and that has no final response yet (or waits out a 491 back-off). */
  #reinviteOut = false;
  /** ACKs we sent, by INVITE CSeq, for 2xx retransmissions. */
  readonly #acks = new Map<number, SipRequest>();
  #sessionTimer: SessionTimer | null = null;
  #sessionTimerHandle: TimerHandle | null = null;
  #glareHandle: TimerHandle | null = null;

  protected constructor(
    protected readonly ctx: UaContext,
    /** The transport the call started on: in-dialog requests default to it. */
    protected readonly transport: TransportProtocol,
    /** Where in-dialog requests go when the remote target is not an IP we can reach. */
    protected readonly fallbackTarget: Target,
    /** Our media for answers and re-offers. */
    protected mediaPolicy: AnswerPolicy,
    protected readonly digest: DigestClient | null,
  ) {
    this.events = new Emitter(ctx.reportError);
  }

  on<K extends keyof CallEvents>(event: K, listener: (...args: CallEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  get state(): CallState {
    return this.#state;
  }

  /** The negotiated audio, once an answer was given or read. */
  get audio(): NegotiatedAudio | null {
    return this.#audio;
  }

  get callId(): string | null {
    return this.dialog?.id.callId ?? null;
  }

  /** The active session timer, for diagnostics. */
  get sessionTimer(): SessionTimer | null {
    return this.#sessionTimer;
  }

  /** How often the 2xx was sent again while waiting for the ACK (all INVITEs of this call). */
  okRetransmissions = 0;

  protected setState(state: CallState): void {
    this.#state = state;
  }

  protected setAudio(audio: NegotiatedAudio, announce: boolean): void {
    const changed = JSON.stringify(audio) !== JSON.stringify(this.#audio);
    this.#audio = audio;
    if (announce && changed) this.events.emit('media', audio);
  }

  /** Ends the call: BYE once answered; before that, each direction has its own way (CANCEL, 4xx). */
  abstract hangUp(): void;

  /** Put the peer on hold (re-INVITE with sendonly, or inactive). False when a re-INVITE is pending. */
  hold(mode: 'sendonly' | 'inactive' = 'sendonly'): boolean {
    return this.#sendReinvite((l) => hold(l, mode));
  }

  resume(): boolean {
    return this.#sendReinvite((l) => resume(l));
  }

  /** A re-offer with other codecs, address or port (RFC 3264 §8). */
  reoffer(change: AudioChange): boolean {
    return this.#sendReinvite((l) => reoffer(l, change));
  }

  /** OPTIONS in the dialog (§11): resolves with the final status (408/503 for timeout/transport). */
  options(): Promise<number> {
    return new Promise((resolve) => {
      if (this.dialog === null || this.#state === 'ended') {
        resolve(481);
        return;
      }
      this.sendInDialog('OPTIONS', [], undefined, {
        onFinal: (r) => resolve(r.status),
        onProblem: (p) => resolve(p === 'timeout' ? 408 : 503),
      });
    });
  }

  // ---- requests from the peer -------------------------------------------------------------------

  /** A request in this dialog (its To tag is ours). ACKs go to `handleAck`. */
  handleRequest(request: SipRequest, tx: ServerTransaction): void {
    if (this.dialog === null) {
      tx.respond(this.response(request, 481));
      return;
    }
    const check = receiveRequest(this.dialog, request);
    if (!check.ok) {
      tx.respond(this.response(request, 500, [{ name: 'Retry-After', value: '1' }]));
      return;
    }
    this.dialog = check.dialog;
    switch (request.method) {
      case 'BYE':
        tx.respond(this.response(request, 200));
        this.remoteBye();
        return;
      case 'INVITE':
        this.#onReinvite(request, tx);
        return;
      case 'OPTIONS':
        tx.respond(this.response(request, 200, [{ name: 'Allow', value: ALLOW }]));
        return;
      case 'INFO':
        tx.respond(this.response(request, 200));
        return;
      default:
        tx.respond(this.response(request, 405, [{ name: 'Allow', value: ALLOW }]));
    }
  }

  /** The peer hung up with BYE. Subclasses add what a pending INVITE needs (487). */
  protected remoteBye(): void {
    this.end({ by: 'remote', cause: 'bye' });
  }

  /** The ACK of one of our 2xx (a request outside any transaction). */
  handleAck(ack: SipRequest): void {
    const waiting = this.#awaitingAck;
    if (waiting === null || getCSeq(ack).seq !== waiting.cseq) return;
    waiting.retransmitter.stop();
    this.okRetransmissions += waiting.retransmitter.retransmissions;
    this.#awaitingAck = null;
    if (waiting.offer !== null) {
      const parsed = parseSdp(ack.body);
      const read = parsed.ok ? readAnswer(waiting.offer, parsed.session) : parsed;
      if (!read.ok) {
        // §13.3.1.4 leaves no status to send: the session cannot go on, end it.
        this.bye('failed');
        return;
      }
      if (parsed.ok) this.remote = parsed.session;
      this.local = waiting.offer;
      this.setAudio(read.audio, !waiting.initial);
      if (waiting.initial) this.events.emit('answered', read.audio);
    }
    if (waiting.initial && this.#state === 'answered') {
      this.setState('confirmed');
      if (this.dialog !== null) this.dialog = { ...this.dialog, state: 'confirmed' };
      this.events.emit('confirmed');
    }
  }

  /** A 2xx to an INVITE of ours that the transaction no longer holds (after Timer M): ACK again. */
  handleStray2xx(response: SipResponse): void {
    const ack = this.#acks.get(getCSeq(response).seq);
    if (ack !== undefined) this.ctx.layer.sendAck(ack, this.target());
  }

  // ---- the UAS side of an INVITE (initial or re-INVITE) -----------------------------------------

  /**
   * Sends the 2xx to an INVITE and retransmits it until the ACK (RFC 6026: the TU's job), giving up
   * after 64·T1 with a BYE.
   */
  protected sendOk(
    tx: ServerTransaction,
    request: SipRequest,
    description: LocalDescription | null,
    headers: readonly SipHeader[],
    o: { readonly offer: boolean; readonly initial: boolean },
  ): void {
    const ok = this.response(
      request,
      200,
      [{ name: 'Contact', value: this.ctx.contact(this.transport) }, ...headers],
      description === null ? undefined : Buffer.from(description.sdp),
    );
    tx.respond(ok);
    const retransmitter = new OkRetransmitter(
      ok,
      (again) => tx.respond(again),
      () => {
        this.#awaitingAck = null;
        this.bye('ack-timeout');
      },
      this.ctx.timers,
      this.ctx.timing,
    );
    this.#awaitingAck?.retransmitter.stop();
    this.#awaitingAck = {
      cseq: getCSeq(request).seq,
      retransmitter,
      offer: o.offer ? description : null,
      initial: o.initial,
    };
  }

  #onReinvite(request: SipRequest, tx: ServerTransaction): void {
    if (this.#state !== 'confirmed' || this.local === null) {
      // §14.2: an INVITE while our own 2xx waits for its ACK.
      tx.respond(this.response(request, 500, [{ name: 'Retry-After', value: '2' }]));
      return;
    }
    if (this.#reinviteOut) {
      tx.respond(this.response(request, 491)); // §14.2 glare
      return;
    }
    if (this.#awaitingAck !== null) {
      tx.respond(this.response(request, 500, [{ name: 'Retry-After', value: '2' }]));
      return;
    }
    const timer = uasSessionTimer(
      request,
      this.#sessionTimer === null
        ? this.ctx.sessionTimer
        : { sessionExpires: this.#sessionTimer.intervalSec, minSE: this.ctx.sessionTimer?.minSE ?? 90 },
    );
    if (timer.kind === 'reject') {
      tx.respond(this.response(request, 422, timer.headers));
      return;
    }
    let description: LocalDescription;
    let offer = false;
    if (request.body.length > 0) {
      const parsed = parseSdp(request.body);
      if (!parsed.ok) {
        tx.respond(this.response(request, sdpStatus(parsed.code)));
        return;
      }
      const answer = createAnswer(parsed.session, this.mediaPolicy, this.local);
      if (!answer.ok) {
        tx.respond(this.response(request, sdpStatus(answer.code)));
        return;
      }
      this.remote = parsed.session;
      description = answer.description;
      this.local = description;
      this.setAudio(answer.audio, true);
    } else {
      // §14.2: a re-INVITE without SDP asks for our offer, in the 2xx; the answer comes in the ACK.
      description = reoffer(this.local);
      offer = true;
    }
    this.sendOk(tx, request, description, timer.headers, { offer, initial: false });
    this.armSessionTimer(timer.timer);
  }

  // ---- requests we send in the dialog ------------------------------------------------------------

  /** Where our next in-dialog request goes: the next hop's IP, a resolved name, or the fallback. */
  protected target(): Target {
    if (this.dialog === null) return this.fallbackTarget;
    const uri = nextHopUri(this.dialog);
    return uriTarget(uri, this.transport) ?? this.ctx.resolve(uri, this.transport) ?? this.fallbackTarget;
  }

  /**
   * Sends a request in the dialog, answering one 401/407 with the call's credentials (a new CSeq, §22).
   * 481 and 408 end the dialog (§12.2.1.2) — the caller hears of it through `onFinal` first.
   */
  protected sendInDialog(
    method: string,
    headers: readonly SipHeader[],
    body: Buffer | undefined,
    handlers: {
      readonly onFinal: (response: SipResponse, request: SipRequest) => void;
      readonly onProvisional?: (response: SipResponse) => void;
      readonly onProblem?: (problem: TransactionProblem) => void;
    },
    authorization: SipHeader | null = null,
  ): void {
    if (this.dialog === null) return;
    const built = createInDialogRequest(this.dialog, method, {
      branch: this.ctx.newBranch(),
      sentBy: this.ctx.sentBy,
      ...(method === 'INVITE' ? { contact: this.ctx.contact(this.transport) } : {}),
      headers: [...this.ctx.commonHeaders, ...headers, ...(authorization === null ? [] : [authorization])],
      ...(body === undefined ? {} : { body }),
    });
    this.dialog = built.dialog;
    let retried = false;
    this.ctx.layer.sendRequest(built.request, this.target(), {
      onResponse: (response, tx) => {
        if (response.status < 200) {
          handlers.onProvisional?.(response);
          return;
        }
        if (method === 'INVITE' && response.status < 300) {
          // Every 2xx (a retransmission too) gets an ACK.
          this.#ackReinvite(response, tx.request);
        }
        if ((response.status === 401 || response.status === 407) && !retried && this.digest !== null) {
          retried = true;
          const auth = this.digest.answer(response, {
            method,
            uri: formatRequestUri(built.request),
            ...(body === undefined ? {} : { body }),
          });
          if (auth !== null) {
            this.sendInDialog(method, headers, body, handlers, auth);
            return;
          }
        }
        handlers.onFinal(response, tx.request);
      },
      onProblem: (problem) => handlers.onProblem?.(problem),
    });
  }

  #ackReinvite(response: SipResponse, invite: SipRequest): void {
    const seq = getCSeq(response).seq;
    let ack = this.#acks.get(seq);
    if (ack === undefined && this.dialog !== null) {
      ack = ackFor2xx(this.dialog, invite, { branch: this.ctx.newBranch(), sentBy: this.ctx.sentBy });
      this.rememberAck(seq, ack);
    }
    if (ack !== undefined) this.ctx.layer.sendAck(ack, this.target());
  }

  /** Keeps the ACK of the 2xx to INVITE `seq` for retransmissions of that 2xx (two at most). */
  protected rememberAck(seq: number, ack: SipRequest): void {
    this.#acks.set(seq, ack);
    for (const key of this.#acks.keys()) if (this.#acks.size > 2 && key !== seq) this.#acks.delete(key);
  }

  /**
   * Sends a re-INVITE whose offer `make` derives from our current SDP (computed when sent, so a retry
   * after a 491 starts from whatever the peer's own re-INVITE left). False when one is already pending.
   */
  #sendReinvite(make: (current: LocalDescription) => LocalDescription, attempt = 0): boolean {
    if (this.#state !== 'confirmed' || this.#reinviteOut || this.#awaitingAck !== null) return false;
    if (this.local === null || this.#glareHandle !== null) return false;
    const description = make(this.local);
    this.#reinviteOut = true;
    const timerHeaders =
      this.#sessionTimer !== null && this.ctx.sessionTimer !== null
        ? requestTimerHeaders(this.ctx.sessionTimer, this.#sessionTimer.intervalSec)
        : [];
    let finalSeen = false;
    this.sendInDialog('INVITE', timerHeaders, Buffer.from(description.sdp), {
      onFinal: (response) => {
        if (finalSeen) return; // a retransmitted 2xx: already ACKed above
        finalSeen = true;
        this.#reinviteOut = false;
        if (response.status < 300) {
          if (this.dialog !== null) this.dialog = refreshTarget(this.dialog, response);
          const parsed = parseSdp(response.body);
          const read = parsed.ok ? readAnswer(description, parsed.session) : parsed;
          if (!read.ok) {
            this.bye('failed');
            return;
          }
          if (parsed.ok) this.remote = parsed.session;
          this.local = description;
          this.setAudio(read.audio, true);
          this.armSessionTimer(uacSessionTimer(response) ?? this.#sessionTimer);
          return;
        }
        if (response.status === 491 && attempt < 3) {
          // §14.1: try again after a random wait; meanwhile the peer's re-INVITE may come through.
          const ms = glareBackoffMs(this.dialog?.role === 'uac', this.ctx.random());
          this.#glareHandle = this.ctx.timers.set(ms, () => {
            this.#glareHandle = null;
            if (!this.#sendReinvite(make, attempt + 1)) this.#retryLater(make, attempt + 1);
          });
          return;
        }
        if (response.status === 481 || response.status === 408) {
          this.end({ by: 'remote', cause: 'failed', status: response.status });
        }
        // Any other failure leaves the session as it was (§14.1).
      },
      onProblem: (problem) => {
        this.#reinviteOut = false;
        if (problem === 'timeout') this.bye('timeout');
      },
    });
    return true;
  }

  /** The peer's transaction is still open when our back-off ends: wait a little more. */
  #retryLater(make: (current: LocalDescription) => LocalDescription, attempt: number): void {
    if (this.#state === 'ended' || attempt > 5) return;
    this.#glareHandle = this.ctx.timers.set(this.ctx.timing.t1, () => {
      this.#glareHandle = null;
      if (!this.#sendReinvite(make, attempt + 1)) this.#retryLater(make, attempt + 1);
    });
  }

  // ---- session timers ------------------------------------------------------------------------------

  protected armSessionTimer(timer: SessionTimer | null): void {
    this.#sessionTimerHandle?.cancel();
    this.#sessionTimerHandle = null;
    this.#sessionTimer = timer;
    if (timer === null || this.#state === 'ended') return;
    if (timer.weRefresh) {
      this.#sessionTimerHandle = this.ctx.timers.set(refreshDelayMs(timer), () => {
        this.#sessionTimerHandle = null;
        // The refresh re-sends our current SDP (same o= version): a refresh, not a change.
        if (!this.#sendReinvite((l) => reoffer(l))) this.armSessionTimer(timer);
      });
    } else {
      this.#sessionTimerHandle = this.ctx.timers.set(expiryDelayMs(timer), () => {
        this.#sessionTimerHandle = null;
        this.bye('session-expired');
      });
    }
  }

  // ---- ending --------------------------------------------------------------------------------------

  /** Sends BYE (the call ends now; the BYE's outcome does not matter to the application). */
  protected bye(cause: CallEnd['cause'] = 'bye'): void {
    if (this.#state === 'ended') return;
    if (this.dialog !== null) this.sendInDialog('BYE', [], undefined, { onFinal: () => {} });
    this.end({ by: 'local', cause });
  }

  protected end(end: CallEnd): void {
    if (this.#state === 'ended') return;
    this.setState('ended');
    this.#awaitingAck?.retransmitter.stop();
    this.#awaitingAck = null;
    this.#sessionTimerHandle?.cancel();
    this.#glareHandle?.cancel();
    this.forgetDialogs();
    this.events.emit('ended', end);
  }

  protected forgetDialogs(): void {
    if (this.dialog !== null) this.ctx.forgetDialog(this.dialog);
  }

  /** A response to `request` in this call: our tag on To, common headers. */
  protected response(
    request: SipRequest,
    status: number,
    headers: readonly SipHeader[] = [],
    body?: Buffer,
  ): SipResponse {
    const extra: SipHeader[] = [...headers];
    if (body !== undefined && body.length > 0) extra.push({ name: 'Content-Type', value: 'application/sdp' });
    return createResponse(request, status, {
      toTag: this.dialog?.id.localTag ?? this.ctx.newTag(),
      headers: extra,
      ...(body === undefined ? {} : { body }),
    });
  }

  /** For the UA's tables. */
  get dialogKey(): string | null {
    return this.dialog === null ? null : dialogKey(this.dialog.id);
  }
}

/** The Request-URI as the digest-uri (RFC 3261 §22.4). */
export function formatRequestUri(request: SipRequest): string {
  return formatUri(request.uri);
}
