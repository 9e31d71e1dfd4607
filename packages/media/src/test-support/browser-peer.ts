// A werift peer playing the agent's browser in tests and the benchmark: offers PCMU + telephone-event
// with all its candidates (non-trickle, like the softphone), sends a looped source every 20 ms from its
// own ticker, keeps every frame it hears (decoded, in arrival order) and sends RFC 4733 digits.
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { decodeG711, encodeG711 } from '../codec/g711';
import { planDtmfEvent, Rfc4733Receiver } from '../dtmf/rfc4733';
import { Ticker } from '../worker/ticker';

/** A simulated agent browser, whatever its WebRTC stack (werift here, libdatachannel in `native-browser-peer.ts`). */
export interface SimulatedBrowser {
  readonly offer: string;
  /** Decoded audio packets heard, in arrival order. */
  readonly heard: Int16Array[];
  /** RFC 4733 digits heard (one per event, at its first end packet). */
  readonly heardDigits: string[];
  packetsReceived: number;
  readonly connectionState: string;
  accept(answer: string): Promise<void>;
  connected(timeoutMs?: number): Promise<void>;
  /** Starts sending the source (silence without one). */
  start(): void;
  sendDigits(digits: string): void;
  close(): Promise<void>;
}

export interface BrowserPeer extends SimulatedBrowser {
  readonly pc: RTCPeerConnection;
}

export async function startBrowserPeer(options: {
  source?: Int16Array;
  keepHeard?: boolean;
  telephoneEventPt?: number;
}): Promise<BrowserPeer> {
  const tePt = options.telephoneEventPt ?? 101;
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
        new RTCRtpCodecParameters({
          mimeType: 'audio/telephone-event',
          clockRate: 8000,
          channels: 1,
          payloadType: tePt,
        }),
      ],
      video: [],
    },
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  const track = new MediaStreamTrack({ kind: 'audio' });
  const transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
  const heardDigits: string[] = [];
  const digitsIn = new Rfc4733Receiver((r) => heardDigits.push(r.digit));
  const peer: BrowserPeer = {
    pc,
    offer: '',
    heard: [],
    heardDigits,
    packetsReceived: 0,
    get connectionState() {
      return pc.connectionState;
    },
    accept: async (answer) => pc.setRemoteDescription({ type: 'answer', sdp: answer }),
    connected: (timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        if (pc.connectionState === 'connected') return resolve();
        const timer = setTimeout(() => reject(new Error('browser peer did not connect')), timeoutMs);
        pc.connectionStateChange.subscribe((s) => {
          if (s === 'connected') {
            clearTimeout(timer);
            resolve();
          }
        });
      }),
    start: () => ticker.start(),
    sendDigits: (digits) => {
      for (const d of digits)
        dtmf.push(...planDtmfEvent(d, { durationMs: 100 }).map((p) => ({ ...p, digit: d })));
    },
    close: async () => {
      ticker.stop();
      await pc.close();
    },
  };
  transceiver.onTrack.subscribe((t) =>
    t.onReceiveRtp.subscribe((rtp) => {
      peer.packetsReceived++;
      if (options.keepHeard !== false && rtp.header.payloadType === 0)
        peer.heard.push(decodeG711('PCMU', rtp.payload));
      else if (rtp.header.payloadType === tePt)
        digitsIn.receive(rtp.header.timestamp, rtp.payload, performance.now());
    }),
  );
  const sender = transceiver.sender;
  let seq = 1;
  let ts = 0;
  let position = 0;
  let eventTs: number | undefined;
  const dtmf: { payload: Uint8Array; marker: boolean; digit: string }[] = [];
  let gap = 0;
  const frame = new Int16Array(160);
  const ticker = new Ticker(20, () => {
    ts = (ts + 160) >>> 0;
    let packet: RtpPacket;
    const next = gap > 0 ? undefined : dtmf.shift();
    if (gap > 0) gap--;
    if (next) {
      if (next.marker) eventTs = ts;
      packet = new RtpPacket(
        new RtpHeader({
          payloadType: tePt,
          marker: next.marker,
          sequenceNumber: seq,
          timestamp: eventTs!,
          ssrc: sender.ssrc,
        }),
        Buffer.from(next.payload),
      );
      if (dtmf[0]?.marker !== false) gap = 3;
    } else {
      const src = options.source;
      frame.fill(0);
      if (src && src.length > 0) {
        for (let i = 0; i < 160; i++) frame[i] = src[(position + i) % src.length]!;
        position = (position + 160) % src.length;
      }
      packet = new RtpPacket(
        new RtpHeader({ payloadType: 0, sequenceNumber: seq, timestamp: ts, ssrc: sender.ssrc }),
        Buffer.from(encodeG711('PCMU', frame)),
      );
    }
    seq = (seq + 1) & 0xffff;
    // as the leg does: straight to SRTP (werift's writeRtp would rewrite the telephone-event payload type)
    if (pc.connectionState === 'connected')
      void sender.dtlsTransport.sendRtp(packet.payload, packet.header).catch(() => {});
  });
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      pc.iceGatheringStateChange.subscribe((s) => {
        if (s === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }
  (peer as { offer: string }).offer = pc.localDescription!.sdp;
  return peer;
}
