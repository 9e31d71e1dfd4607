/**
 * A WebRTC leg (werift): ICE, DTLS-SRTP, G.711 (one law) and telephone-event, for the agent's browser.
 * To the engine it is a `MediaLeg` like `RtpLeg`: received RTP goes through the same jitter buffer and
 * RFC 4733 receiver, `sendFrame` sends one 20 ms packet, DTMF goes out as RFC 4733 events.
 *
 * Signalling is non-trickle: `answer(offer)` waits for our host candidates to be gathered (immediate:
 * the server has no STUN/TURN of its own; its address is reachable or it is on 127.0.0.1) and returns a
 * complete answer. The browser may trickle nothing either: it sends its offer once its gathering is
 * complete (host, srflx and relay candidates from its TURN server are then all in it).
 *
 * Threading: werift's sockets and timers belong to the worker thread that created the leg; everything
 * here runs on it.
 */
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpSender,
  RtpHeader,
  type RtpPacket as WeriftRtpPacket,
} from 'werift';
import { encodeG711, type G711Law } from '../codec/g711';
import { FRAME_SAMPLES, type LegStats } from '../leg';
import { answerPayloadTypes, checkOffer } from './offer-check';
import { type PhoneLeg, type WebRtcLegOptions, WebRtcOfferError, type WebRtcState } from './phone-leg';
import { PhoneRtp } from './phone-rtp';

export class WebRtcLeg implements PhoneLeg {
  readonly id: string;
  readonly #o: WebRtcLegOptions;
  readonly #law: G711Law;
  readonly #pc: RTCPeerConnection;
  readonly #track = new MediaStreamTrack({ kind: 'audio' });
  readonly #rtp: PhoneRtp;
  #sender: RTCRtpSender | undefined;
  #state: WebRtcState = 'new';
  #closed = false;

  private constructor(options: WebRtcLegOptions, pc: RTCPeerConnection, law: G711Law) {
    this.#o = options;
    this.id = options.id;
    this.#law = law;
    this.#pc = pc;
    this.#rtp = new PhoneRtp(options.id, law, options);
  }

  /**
   * Answers a browser's offer. Rejects with a `WebRtcOfferError` (`BAD_OFFER`, `NO_COMMON_CODEC`) for an
   * offer we cannot use; the peer connection is then already closed.
   */
  static async answer(
    offerSdp: unknown,
    options: WebRtcLegOptions,
  ): Promise<{ leg: WebRtcLeg; answer: string }> {
    const law = options.codec ?? 'PCMU';
    const check = checkOffer(offerSdp, law);
    if (!check.ok) throw new WebRtcOfferError(check.code, check.reason);
    const pc = new RTCPeerConnection({
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: `audio/${law}`,
            clockRate: 8000,
            channels: 1,
            payloadType: law === 'PCMU' ? 0 : 8,
          }),
          new RTCRtpCodecParameters({
            mimeType: 'audio/telephone-event',
            clockRate: 8000,
            channels: 1,
            payloadType: 101,
          }),
        ],
        video: [],
      },
      iceUseIpv6: false,
      ...(options.hostAddress ? { iceAdditionalHostAddresses: [options.hostAddress] } : {}),
      ...(options.portRange ? { icePortRange: [options.portRange.min, options.portRange.max] } : {}),
    });
    const leg = new WebRtcLeg(options, pc, law);
    try {
      const answer = await leg.#negotiate(offerSdp as string);
      return { leg, answer };
    } catch (e) {
      await pc.close().catch(() => {});
      if (e instanceof WebRtcOfferError || (e as { code?: unknown }).code === 'NO_PORTS') throw e;
      throw new WebRtcOfferError('BAD_OFFER', `the offer was refused: ${e instanceof Error ? e.message : e}`);
    }
  }

  async #negotiate(offer: string): Promise<string> {
    const pc = this.#pc;
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => this.#onRtp(rtp));
    });
    pc.connectionStateChange.subscribe((s) => this.#setState(s as WebRtcState));
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    const audio = pc.getTransceivers().find((t) => t.kind === 'audio');
    if (!audio) throw new WebRtcOfferError('BAD_OFFER', 'no audio transceiver after the offer');
    audio.sender.replaceTrack(this.#track);
    audio.setDirection('sendrecv');
    this.#sender = audio.sender;
    this.#rtp.ssrc = audio.sender.ssrc; // the SSRC our answer announces
    await pc.setLocalDescription(await pc.createAnswer());
    await this.#gathered();
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('no local description');
    // werift answers without candidates when it could bind no port (the ICE port range is used up)
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

  #gathered(): Promise<void> {
    const pc = this.#pc;
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.#o.gatherTimeoutMs ?? 3000);
      const sub = pc.iceGatheringStateChange.subscribe((s) => {
        if (s !== 'complete') return;
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      });
    });
  }

  get state(): WebRtcState {
    return this.#state;
  }

  #setState(state: WebRtcState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#o.onState?.(state);
  }

  #onRtp(p: WeriftRtpPacket): void {
    if (this.#closed) return;
    const h = p.header;
    this.#rtp.receive(h.payloadType, h.ssrc, h.sequenceNumber, h.timestamp, p.payload, this.#o.now());
  }

  receiveFrame(nowMs: number): Int16Array {
    return this.#rtp.receiveFrame(nowMs);
  }

  sendFrame(pcm: Int16Array, nowMs: number): void {
    if (this.#closed) return;
    this.#rtp.advance(nowMs);
    if (this.#state !== 'connected') return; // nothing to send on until DTLS is up
    const packet = this.#rtp.packet();
    const { payloadType, marker, sequenceNumber, timestamp, ssrc } = packet;
    const header = new RtpHeader({ payloadType, marker, sequenceNumber, timestamp, ssrc });
    const payload = packet.event
      ? Buffer.from(packet.event)
      : encodeG711(this.#law, pcm, Buffer.allocUnsafe(FRAME_SAMPLES));
    // Straight to SRTP: werift's `writeRtp` would overwrite the payload type (so no telephone-event),
    // clone every packet, keep a retransmission cache audio has no use for and queue asynchronously.
    this.#sender?.dtlsTransport.sendRtp(payload as Buffer, header).catch(() => this.#rtp.sendError());
    this.#rtp.sent();
  }

  /** The next packet starts a talkspurt (marker bit): after a pause in sending (idle phone). */
  resume(): void {
    this.#rtp.resume();
  }

  sendDtmf(digits: string, durationMs = 100): void {
    this.#rtp.sendDtmf(digits, durationMs);
  }

  stats(): LegStats {
    return this.#rtp.stats();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pc.close().catch(() => {});
    this.#setState('closed');
  }
}
