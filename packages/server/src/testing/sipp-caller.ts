import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeG711 } from '@hotline/media/codec/g711';
import { DTMF_DIGITS, parseTelephoneEvent } from '@hotline/media/dtmf/rfc4733';
import { parseRtp } from '@hotline/media/rtp/rtp-packet';
import { type SippResult, startSipp } from '@hotline/sip/test-support/sipp';
import { expect } from 'vitest';

/**
 * A SIPp caller for tests of inbound calls on 127.0.0.1: scenario pieces (INVITE with an SDP offer,
 * ACK, BYE both ways), a plain UDP socket standing in for the caller's RTP port, and what is needed
 * to tell which prompt the caller heard (µ-law frames of a WAV compared nearly byte for byte).
 */

/** The caller's number (From user). */
export const CALLER = '79161234567';

/** RFC 4733 digit 1 as SIPp plays it (`<exec play_pcap_audio=…/>`). */
export const DTMF_1_PCAP = '/usr/share/sip-tester/dtmf_2833_1.pcap';

export interface ScenarioOptions {
  /** SDP media lines after `c=`/`t=`; `[media_port]` is SIPp's own RTP port. */
  readonly media: readonly string[];
  /** What follows the INVITE (default: the final answer then the ACK). */
  readonly body: string;
  /** Replace the whole SDP (hostile input). */
  readonly rawSdp?: string;
}

export const invite = (o: ScenarioOptions) => {
  const sdp =
    o.rawSdp ??
    [
      'v=0',
      'o=caller 53655765 2353687637 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      ...o.media,
    ].join('\n      ');
  return `
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:${CALLER}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:${CALLER}@[local_ip]:[local_port]
      Max-Forwards: 70
      User-Agent: SIPp
      Content-Type: application/sdp
      Content-Length: [len]

      ${sdp}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>`;
};

export const ack = (cseq = 1) => `
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:${CALLER}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: ${cseq} ACK
      Contact: sip:${CALLER}@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`;

export const bye = `
  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:${CALLER}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:${CALLER}@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>`;

/** Answers the server's BYE (the server hangs up). */
export const answerBye = `
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>`;

export const scenarioXml = (name: string, o: ScenarioOptions) => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${name}">${invite(o)}${o.body}
</scenario>
`;

export const pcmuMedia = (port: number | '[media_port]') => [
  `m=audio ${port} RTP/AVP 0 101`,
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
];

let runs = 0;
/** One SIPp call of scenario `o` from 127.0.0.1 to `to` (E.164) at our SIP `port`; files under `dir`. */
export function sippCall(
  dir: string,
  port: number,
  to: string,
  name: string,
  o: ScenarioOptions,
  timeoutSec = 30,
) {
  const run = join(dir, `run-${process.pid}-${++runs}`);
  mkdirSync(run, { recursive: true });
  const file = join(run, 'scenario.xml');
  writeFileSync(file, scenarioXml(name, o));
  return startSipp({
    scenario: { file },
    remotePort: port,
    service: to.replace('+', ''),
    transport: 'u1',
    calls: 1,
    rate: 1,
    timeoutSec,
    dir: run,
  });
}

/** SIPp ran its `calls` calls (one by default) to the end of the scenario, none failed. */
export function expectPassed(r: SippResult, what: string, calls = 1): void {
  expect(r.successful, `${what}: ${r.log}`).toBe(calls);
  expect(r.failed, `${what}: ${r.log}`).toBe(0);
}

export async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms: number,
  what: string,
): Promise<T> {
  const end = Date.now() + ms;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`${what}: not met in ${ms} ms; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

/** One RTP packet a sink received: when, its payload type, RTP timestamp and payload. */
export interface SunkPacket {
  at: number;
  payload: Uint8Array;
  pt: number;
  ts: number;
}

/** A UDP socket standing in for the caller's RTP port: keeps every RTP payload it receives, with its time. */
export async function rtpSink(): Promise<{
  socket: Socket;
  port: number;
  packets: SunkPacket[];
}> {
  const socket = createSocket('udp4');
  const packets: SunkPacket[] = [];
  socket.on('message', (msg) => {
    const rtp = parseRtp(msg);
    if (rtp.ok)
      packets.push({
        at: Date.now(),
        payload: Uint8Array.from(rtp.packet.payload),
        pt: rtp.packet.payloadType,
        ts: rtp.packet.timestamp,
      });
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: (socket.address() as { port: number }).port, packets };
}

/**
 * The RFC 4733 digits among received packets (telephone-event payload type `pt`), one per event: the
 * packets of one event share its RTP timestamp; an event counts once one of its end packets came.
 */
export function rtpDigits(packets: readonly SunkPacket[], pt = 101): string[] {
  const ended = new Map<number, string>();
  for (const p of packets) {
    const e = p.pt === pt ? parseTelephoneEvent(p.payload) : undefined;
    if (e?.end && !ended.has(p.ts)) ended.set(p.ts, DTMF_DIGITS[e.event] ?? '?');
  }
  return [...ended.values()];
}

/** The µ-law samples of a WAV file (its `data` chunk). */
export function ulawData(path: string): Uint8Array {
  const b = readFileSync(path);
  for (let at = 12; at + 8 <= b.length; ) {
    const size = b.readUInt32LE(at + 4);
    if (b.toString('latin1', at, at + 4) === 'data') return b.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Whole 20 ms frames (160 samples). */
export const frames = (data: Uint8Array) =>
  Array.from({ length: Math.floor(data.length / 160) }, (_, i) => data.subarray(i * 160, i * 160 + 160));

/** Two µ-law frames holding the same sound: at least 95 % of the bytes equal. */
export function nearlyEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  let equal = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === y[i]) equal++;
  return equal >= x.length * 0.95;
}

/** RMS of a 20 ms µ-law frame, in 16-bit sample units. */
export function rms(payload: Uint8Array): number {
  const pcm = decodeG711('PCMU', payload);
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}
