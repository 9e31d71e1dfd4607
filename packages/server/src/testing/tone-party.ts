import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { decodeG711, encodeG711 } from '@hotline/media/codec/g711';
import { goertzelPower } from '@hotline/media/dtmf/goertzel';
import { eventCodeOf, serializeTelephoneEvent } from '@hotline/media/dtmf/rfc4733';
import { parseRtp, serializeRtp } from '@hotline/media/rtp/rtp-packet';
import { tones } from '@hotline/media/test-support/signals';
import type { SunkPacket } from './sipp-caller';

/**
 * A phone party of a voice test that speaks a steady tone, and how to tell who was heard: each party
 * of a call has its own frequency, so a frame that is mostly one tone says whose voice it carries.
 */

const sumOfSquares = (frame: Int16Array) => frame.reduce((n, v) => n + v * v, 0);
/** Louder than about -40 dBFS. */
export const loud = (frame: Int16Array) => Math.sqrt(sumOfSquares(frame) / Math.max(1, frame.length)) > 300;
/** Share of a loud frame's energy at `hz` (1 for a pure tone there); 0 for a quiet frame. */
export function toneShare(frame: Int16Array, hz: number): number {
  if (!loud(frame)) return 0;
  return goertzelPower(frame, hz, 8000) / ((frame.length * sumOfSquares(frame)) / 2);
}
/** How many frames are mostly a tone of `hz`. */
export const framesOf = (frames: readonly Int16Array[], hz: number) =>
  frames.filter((f) => toneShare(f, hz) > 0.6).length;

export interface TalkingParty {
  /** The RTP port to name in SDP (the caller's INVITE, the carrier's answer). */
  readonly port: number;
  /** Every RTP packet received (audio and RFC 4733 events). */
  readonly packets: SunkPacket[];
  /** The PCMU audio received, decoded, one frame a packet. */
  heard(): Int16Array[];
  /** Presses a key: the next 100 ms go out as an RFC 4733 event (payload type 101) instead of the tone. */
  press(digit: string): void;
  close(): void;
}

/**
 * An RTP port on 127.0.0.1 behind SIPp (a caller, or the carrier's customer): keeps what it receives
 * and answers with a steady PCMU tone of `hz`, 20 ms a packet, to wherever our packets come from
 * (symmetric RTP: our leg latches to it in turn).
 */
export async function talkingParty(hz: number): Promise<TalkingParty> {
  const socket = createSocket('udp4');
  const packets: SunkPacket[] = [];
  let peer: { address: string; port: number } | null = null;
  socket.on('message', (msg, rinfo) => {
    const rtp = parseRtp(msg);
    if (!rtp.ok) return;
    peer ??= { address: rinfo.address, port: rinfo.port };
    const { payload, payloadType: pt, timestamp: ts } = rtp.packet;
    packets.push({ at: Date.now(), payload: Uint8Array.from(payload), pt, ts });
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let seq = 0;
  let sample = 0;
  const ssrc = 0x5eed;
  /** Keys pressed and not yet sent; the one being sent, with its start and packets so far. */
  const keys: number[] = [];
  let key: { event: number; start: number; sent: number } | null = null;
  const timer = setInterval(() => {
    if (!peer) return;
    key ??= keys.length > 0 ? { event: keys.shift()!, start: sample, sent: 0 } : null;
    let packet: Uint8Array;
    if (key !== null) {
      // Three packets of the event growing by 20 ms, then three end packets (RFC 4733 §2.5.1.4).
      const sent = ++key.sent;
      const payload = serializeTelephoneEvent({
        event: key.event,
        end: sent > 3,
        volume: 10,
        duration: 160 * Math.min(sent, 4),
      });
      packet = serializeRtp({
        payloadType: 101,
        marker: sent === 1,
        sequenceNumber: seq,
        timestamp: key.start,
        ssrc,
        payload,
      });
      if (sent === 6) key = null;
    } else {
      const payload = encodeG711('PCMU', tones([hz], 20, 3000, sample));
      packet = serializeRtp({ payloadType: 0, sequenceNumber: seq, timestamp: sample, ssrc, payload });
    }
    seq = (seq + 1) & 0xffff;
    sample += 160;
    socket.send(packet, peer.port, peer.address);
  }, 20);
  return {
    port: (socket.address() as AddressInfo).port,
    packets,
    heard: () => packets.filter((p) => p.pt === 0).map((p) => decodeG711('PCMU', p.payload)),
    press(digit) {
      keys.push(eventCodeOf(digit));
    },
    close() {
      clearInterval(timer);
      socket.close();
    },
  };
}
