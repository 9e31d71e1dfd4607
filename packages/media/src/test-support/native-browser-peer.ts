// A libdatachannel (node-datachannel) peer playing the agent's browser, for load generators that must be
// cheap (bench:voice runs hundreds on the cores the server uses) and for tests of the werift leg against
// another stack. Same behaviour as `browser-peer.ts`: offers PCMU + telephone-event with all its
// candidates (non-trickle), sends a looped source every 20 ms from its own ticker, keeps what it hears,
// sends RFC 4733 digits.
//
// Threading: node-datachannel may be loaded by one thread per process and must be cleaned up before
// that thread ends (ADR 0009): use this on a process's main thread only, in a process that starts no
// native phone thread (a MediaHost with webrtc 'werift', or none), and await `releaseNativeBrowserPeers()`
// before exiting (a synchronous, less patient release also runs on `process.exit`).
import ndc from 'node-datachannel';
import { decodeG711, encodeG711 } from '../codec/g711';
import { planDtmfEvent, Rfc4733Receiver } from '../dtmf/rfc4733';
import { RTP_HEADER_BYTES, writeRtpHeader } from '../rtp/rtp-packet';
import { Ticker } from '../worker/ticker';
import type { SimulatedBrowser } from './browser-peer';

let exitHook = false;
let released = false;
/** Peer connections not yet reported closed by the addon. */
let live = 0;
let onLiveZero: (() => void) | undefined;

/**
 * Closes every native peer of this process, waits (at most `timeoutMs`) until the addon reports them
 * closed, then releases it (once; no native peer after it). The addon's `cleanup()` called while
 * connections are still closing can dead-lock for its 10 s timeout: the closings' callbacks need this
 * thread, which `cleanup()` blocks.
 */
export async function releaseNativeBrowserPeers(timeoutMs = 2000): Promise<void> {
  if (released) return;
  for (const close of closers) close();
  if (live > 0)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      onLiveZero = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  releaseNow();
}

/** The exit hook's last resort: synchronous, so connections still closing may delay it. */
function releaseNow(): void {
  if (released) return;
  released = true;
  try {
    ndc.cleanup();
  } catch {
    // a timeout: the process is ending anyway
  }
}

const closers = new Set<() => void>();

/** One 20 ms clock for every peer of the process (hundreds of timers would cost more than the audio). */
const senders = new Set<() => void>();
const clock = new Ticker(20, () => {
  for (const send of senders) send();
});

export async function startNativeBrowserPeer(options: {
  source?: Int16Array;
  keepHeard?: boolean;
  telephoneEventPt?: number;
  /** The address our host candidates bind (default 127.0.0.1). */
  address?: string;
}): Promise<SimulatedBrowser> {
  if (released) throw new Error('node-datachannel was released in this process');
  if (!exitHook) {
    exitHook = true;
    process.on('exit', releaseNow);
  }
  const tePt = options.telephoneEventPt ?? 101;
  const ssrc = (Math.floor(Math.random() * 0xfffffffe) + 1) >>> 0;
  const pc = new ndc.PeerConnection('browser', {
    iceServers: [],
    bindAddress: options.address ?? '127.0.0.1',
  });
  const audio = new ndc.Audio('0', 'SendRecv');
  audio.addAudioCodec(0, 'PCMU/8000');
  audio.addAudioCodec(tePt, 'telephone-event/8000');
  audio.addSSRC(ssrc, 'browser', 'browser', 'browser-audio');
  const track = pc.addTrack(audio);
  let state = 'new';
  let open = false;
  const waiters: (() => void)[] = [];
  const heardDigits: string[] = [];
  const digitsIn = new Rfc4733Receiver((r) => heardDigits.push(r.digit));
  // every callback catches: an exception escaping into the addon aborts the process
  live++;
  let counted = true;
  pc.onStateChange((s) => {
    state = s;
    if (s === 'connected') for (const w of waiters.splice(0)) w();
    if (s === 'closed' && counted) {
      counted = false;
      if (--live === 0) onLiveZero?.();
    }
  });
  track.onOpen(() => {
    open = true;
  });
  track.onClosed(() => {
    open = false;
  });
  track.onMessage((msg) => {
    try {
      if (msg.length < RTP_HEADER_BYTES || (msg[1]! >= 192 && msg[1]! <= 223)) return; // RTCP
      peer.packetsReceived++;
      const pt = msg[1]! & 0x7f;
      const payload = msg.subarray(RTP_HEADER_BYTES + 4 * (msg[0]! & 0x0f));
      if (pt === 0 && options.keepHeard !== false) peer.heard.push(decodeG711('PCMU', payload));
      else if (pt === tePt) digitsIn.receive(msg.readUInt32BE(4), payload, performance.now());
    } catch {
      // a malformed packet: ignored
    }
  });
  const gathered = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.onGatheringStateChange((s) => {
      if (s !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
  pc.setLocalDescription();
  await gathered;

  const out = Buffer.alloc(RTP_HEADER_BYTES + 160);
  const frame = new Int16Array(160);
  const dtmf: { payload: Uint8Array; marker: boolean }[] = [];
  let seq = 1;
  let ts = 0;
  let eventTs = 0;
  let position = 0;
  let gap = 0;
  const send = () => {
    ts = (ts + 160) >>> 0;
    const next = gap > 0 ? undefined : dtmf.shift();
    if (gap > 0) gap--;
    let length = out.length;
    if (next) {
      if (next.marker) eventTs = ts;
      writeRtpHeader(out, {
        payloadType: tePt,
        marker: next.marker,
        sequenceNumber: seq,
        timestamp: eventTs,
        ssrc,
      });
      out.set(next.payload, RTP_HEADER_BYTES);
      length = RTP_HEADER_BYTES + next.payload.length;
      if (dtmf[0]?.marker !== false) gap = 3;
    } else {
      const src = options.source;
      frame.fill(0);
      if (src && src.length > 0) {
        for (let i = 0; i < 160; i++) frame[i] = src[(position + i) % src.length]!;
        position = (position + 160) % src.length;
      }
      writeRtpHeader(out, { payloadType: 0, sequenceNumber: seq, timestamp: ts, ssrc });
      encodeG711('PCMU', frame, out.subarray(RTP_HEADER_BYTES));
    }
    seq = (seq + 1) & 0xffff;
    if (!open || state !== 'connected') return;
    try {
      track.sendMessageBinary(length === out.length ? out : out.subarray(0, length));
    } catch {
      // closed meanwhile
    }
  };

  const peer: SimulatedBrowser = {
    offer: pc.localDescription()?.sdp ?? '',
    heard: [],
    heardDigits,
    packetsReceived: 0,
    get connectionState() {
      return state;
    },
    accept: async (answer) => pc.setRemoteDescription(answer, 'answer'),
    connected: (timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        if (state === 'connected') return resolve();
        const timer = setTimeout(() => reject(new Error('browser peer did not connect')), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    start: () => {
      if (senders.size === 0) clock.start();
      senders.add(send);
    },
    sendDigits: (digits) => {
      for (const d of digits) dtmf.push(...planDtmfEvent(d, { durationMs: 100 }));
    },
    close: async () => close(),
  };
  const close = () => {
    senders.delete(send);
    if (senders.size === 0) clock.stop();
    open = false;
    closers.delete(close);
    try {
      track.close();
      pc.close();
    } catch {
      // already closed
    }
  };
  closers.add(close);
  return peer;
}
