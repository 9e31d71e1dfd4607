/**
 * The agent's WebRTC leg on libdatachannel (`node-datachannel`): ICE, DTLS-SRTP and the UDP sockets are
 * native code on libdatachannel's own threads; this class sees plain RTP. To the engine it is the same
 * `PhoneLeg` as werift's `WebRtcLeg` (same offer check, same non-trickle answer, same receive path:
 * `InboundStream`'s statistics, jitter buffer and RFC 4733 receiver; same RFC 4733 sender), at about a
 * third of its CPU (ADR 0009).
 *
 * Threading — the contract that makes this safe (ADR 0009): the addon may be loaded by ONE thread per
 * process, ever, and that thread must call `cleanup()` before it ends (a second loading thread, or a
 * thread torn down with the addon loaded, aborts or crashes the process). So this module is imported
 * only by `native-phone-worker.ts` (the process's one native phone thread) and by tests and load
 * generators that use it on their main thread and start no native phone thread. Its callbacks arrive on
 * the loading thread; a JavaScript exception escaping one would abort the process (the addon's
 * thread-safe callbacks do not catch), so every callback here catches.
 *
 * The answer carries `a=ssrc` because our audio track (with its SSRC) is added before the offer is
 * applied; without it Chromium drops our RTP. Received packets are plain RTP and RTCP (decrypted);
 * `sendMessageBinary` encrypts (and copies: one buffer per leg is reused for every packet).
 */
import ndc, { type PeerConnection, type Track } from 'node-datachannel';
import { encodeG711, type G711Law } from '../codec/g711';
import { FRAME_SAMPLES, type LegStats } from '../leg';
import { isRtcpMuxed, parseRtp, RTP_HEADER_BYTES, writeRtpHeader } from '../rtp/rtp-packet';
import { answerPayloadTypes, checkOffer } from './offer-check';
import { type PhoneLeg, type WebRtcLegOptions, WebRtcOfferError, type WebRtcState } from './phone-leg';
import { PhoneRtp } from './phone-rtp';

/** Peer connections of this thread not yet reported closed by the addon. */
let live = 0;
const liveZero = new Set<() => void>();

/**
 * Resolves once every leg's peer connection has been reported closed (or after `timeoutMs`): the
 * addon's `cleanup()` must not run while closings are in flight — their callbacks need this thread,
 * which `cleanup()` blocks, and it dead-locks until its own 10 s timeout.
 */
export function nativeLegsClosed(timeoutMs: number): Promise<void> {
  if (live === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      liveZero.delete(done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    liveZero.add(done);
  });
}

const STATES: ReadonlySet<string> = new Set([
  'new',
  'connecting',
  'connected',
  'disconnected',
  'failed',
  'closed',
]);

export class NativeWebRtcLeg implements PhoneLeg {
  readonly id: string;
  readonly #o: WebRtcLegOptions;
  readonly #law: G711Law;
  readonly #pc: PeerConnection;
  #track: Track | undefined;
  #trackOpen = false;
  readonly #rtp: PhoneRtp;
  readonly #out = Buffer.alloc(RTP_HEADER_BYTES + FRAME_SAMPLES);
  #state: WebRtcState = 'new';
  #closed = false;

  private constructor(options: WebRtcLegOptions, pc: PeerConnection, law: G711Law) {
    this.#o = options;
    this.id = options.id;
    this.#law = law;
    this.#pc = pc;
    this.#rtp = new PhoneRtp(options.id, law, options);
  }

  /**
   * Answers a browser's offer. Rejects with a `WebRtcOfferError` (`BAD_OFFER`, `NO_COMMON_CODEC`) or an
   * error of code `NO_PORTS`; the peer connection is then already closed.
   */
  static async answer(
    offerSdp: unknown,
    options: WebRtcLegOptions,
  ): Promise<{ leg: NativeWebRtcLeg; answer: string }> {
    const law = options.codec ?? 'PCMU';
    const check = checkOffer(offerSdp, law);
    if (!check.ok) throw new WebRtcOfferError(check.code, check.reason);
    const pc = new ndc.PeerConnection(options.id, {
      iceServers: [],
      ...(options.hostAddress ? { bindAddress: options.hostAddress } : {}),
      ...(options.portRange
        ? { portRangeBegin: options.portRange.min, portRangeEnd: options.portRange.max }
        : {}),
    });
    live++;
    const leg = new NativeWebRtcLeg(options, pc, law);
    try {
      const answer = await leg.#negotiate(
        offerSdp as string,
        check.audioPayloadType,
        check.telephoneEventPt,
        check.mid,
      );
      return { leg, answer };
    } catch (e) {
      leg.#shut();
      if (e instanceof WebRtcOfferError || (e as { code?: unknown }).code === 'NO_PORTS') throw e;
      throw new WebRtcOfferError('BAD_OFFER', `the offer was refused: ${e instanceof Error ? e.message : e}`);
    }
  }

  async #negotiate(
    offer: string,
    pt: number,
    tePt: number | undefined,
    mid: string | undefined,
  ): Promise<string> {
    const pc = this.#pc;
    const audio = new ndc.Audio(mid ?? '0', 'SendRecv');
    audio.addAudioCodec(pt, `${this.#law}/8000`);
    if (tePt !== undefined) audio.addAudioCodec(tePt, 'telephone-event/8000');
    audio.addSSRC(this.#rtp.ssrc, 'hotline', 'hotline', `agent-${this.id}`);
    const track = pc.addTrack(audio);
    this.#track = track;
    track.onOpen(() => {
      this.#trackOpen = true;
    });
    track.onClosed(() => {
      this.#trackOpen = false;
    });
    track.onMessage((msg) => {
      try {
        this.#onPacket(msg);
      } catch {
        this.#rtp.drop('receive-error');
      }
    });
    let counted = true;
    pc.onStateChange((s) => {
      try {
        if (s === 'closed' && counted) {
          counted = false;
          if (--live === 0) for (const done of [...liveZero]) done();
        }
        if (STATES.has(s)) this.#setState(s as WebRtcState);
      } catch {
        // a listener's error must not reach the addon (it would abort the process)
      }
    });
    const gathered = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#o.gatherTimeoutMs ?? 3000);
      pc.onGatheringStateChange((s) => {
        if (s !== 'complete') return;
        clearTimeout(timer);
        resolve();
      });
    });
    pc.setRemoteDescription(offer, 'offer'); // the answer is made and gathering starts at once
    await gathered;
    const sdp = pc.localDescription()?.sdp;
    if (!sdp) throw new Error('no local description');
    if (!/^a=candidate:/m.test(sdp))
      throw Object.assign(new Error('no ICE candidate could be gathered (WebRTC port range used up?)'), {
        code: 'NO_PORTS',
      });
    const pts = answerPayloadTypes(sdp, this.#law);
    if (pts.audio === undefined)
      throw new WebRtcOfferError('NO_COMMON_CODEC', `the answer has no ${this.#law}/8000 audio`);
    this.#rtp.pt = pts.audio;
    this.#rtp.tePt = pts.telephoneEvent;
    return sdp;
  }

  get state(): WebRtcState {
    return this.#state;
  }

  #setState(state: WebRtcState): void {
    if (state === this.#state || (this.#closed && state !== 'closed')) return;
    this.#state = state;
    this.#o.onState?.(state);
  }

  #onPacket(msg: Buffer): void {
    if (this.#closed) return;
    if (isRtcpMuxed(msg)) return; // the browser's reports: nothing here uses them yet
    const r = parseRtp(msg);
    if (!r.ok) {
      this.#rtp.drop(r.reason);
      return;
    }
    const p = r.packet;
    this.#rtp.receive(p.payloadType, p.ssrc, p.sequenceNumber, p.timestamp, p.payload, this.#o.now());
  }

  receiveFrame(nowMs: number): Int16Array {
    return this.#rtp.receiveFrame(nowMs);
  }

  sendFrame(pcm: Int16Array, nowMs: number): void {
    if (this.#closed) return;
    this.#rtp.advance(nowMs);
    const track = this.#track;
    if (this.#state !== 'connected' || !this.#trackOpen || !track) return; // nothing to send on yet
    const packet = this.#rtp.packet();
    const out = this.#out;
    writeRtpHeader(out, packet);
    let length = RTP_HEADER_BYTES + FRAME_SAMPLES;
    if (packet.event) {
      out.set(packet.event, RTP_HEADER_BYTES);
      length = RTP_HEADER_BYTES + packet.event.length;
    } else {
      encodeG711(this.#law, pcm, out.subarray(RTP_HEADER_BYTES, RTP_HEADER_BYTES + FRAME_SAMPLES));
    }
    try {
      // copied by the addon, then encrypted and sent on its own thread
      track.sendMessageBinary(length === out.length ? out : out.subarray(0, length));
    } catch {
      this.#rtp.sendError();
    }
    this.#rtp.sent();
  }

  resume(): void {
    this.#rtp.resume();
  }

  sendDtmf(digits: string, durationMs = 100): void {
    this.#rtp.sendDtmf(digits, durationMs);
  }

  stats(): LegStats {
    return this.#rtp.stats();
  }

  #shut(): void {
    this.#closed = true;
    this.#trackOpen = false;
    try {
      this.#track?.close();
    } catch {
      // already closed
    }
    try {
      this.#pc.close();
    } catch {
      // already closed
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#shut();
    this.#setState('closed');
  }
}
