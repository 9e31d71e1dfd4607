import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SippRun, startSipp } from '@hotline/sip/test-support/sipp';

/**
 * SIPp as the carrier behind a trunk's outbound proxy, for tests of calls we place (transfer, callback)
 * on 127.0.0.1: a UAS scenario that checks our INVITE, rings, answers (or says busy), then does what
 * `after` says (play audio, wait for our BYE, or hang up itself).
 */

/**
 * SIPp as the carrier: takes one INVITE (checking its Request-URI and From), rings, then answers
 * (`true`), says busy (`false`), or rings until our CANCEL (`'never'`).
 */
export function carrierXml(o: {
  to: string;
  from: string;
  answer: boolean | 'never';
  after: string;
  pt?: 0 | 8;
  /** The RTP port the answer's SDP names (a test's own socket); default SIPp's own. */
  mediaPort?: number;
}): string {
  const reply = (status: string, extra = '', body = '') => `
  <send${body ? ' retrans="500"' : ''}>
    <![CDATA[
      SIP/2.0 ${status}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:carrier@[local_ip]:[local_port]>
      ${extra}Content-Length: ${body ? '[len]' : '0'}
${body}
    ]]>
  </send>`;
  const sdp = `
      v=0
      o=carrier 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio ${o.mediaPort ?? '[media_port]'} RTP/AVP ${o.pt ?? 0} 101
      a=rtpmap:${o.pt ?? 0} ${o.pt === 8 ? 'PCMA' : 'PCMU'}/8000
      a=rtpmap:101 telephone-event/8000`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="carrier">
  <recv request="INVITE">
    <action>
      <ereg regexp="^INVITE sip:\\${o.to}@" search_in="msg" check_it="true" assign_to="check"/>
      <ereg regexp="sip:\\${o.from}@" search_in="hdr" header="From:" check_it="true" assign_to="check"/>
${
  o.after.includes('[$local_to]')
    ? `
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="local_to"/>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="contact"/>`
    : ''
}
    </action>
  </recv>
  ${reply('180 Ringing')}
  <pause milliseconds="600"/>
  ${
    o.answer === 'never'
      ? `<recv request="CANCEL"/>
  ${reply('200 OK')}
  ${reply('487 Request Terminated').replace('[last_CSeq:]', 'CSeq: 1 INVITE')}
  <recv request="ACK"/>`
      : o.answer
        ? `${reply('200 OK', 'Content-Type: application/sdp\n      ', sdp)}
  <recv request="ACK"/>${o.after}`
        : `${reply('486 Busy Here')}
  <recv request="ACK"/>`
  }
</scenario>
`;
}

/** Answers our BYE (carrier side). */
export const carrierAnswersBye = `
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

let carriers = 0;
/** Starts SIPp as the carrier on `port` of 127.0.0.1 with a scenario from `carrierXml` (one call, 40 s at most). */
export async function carrier(dir: string, port: number, xml: string): Promise<SippRun> {
  const run = join(dir, `carrier-${++carriers}`);
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'carrier.xml'), xml);
  return startSipp({
    scenario: { file: join(run, 'carrier.xml') },
    localPort: port,
    transport: 'u1',
    calls: 1,
    rate: 1,
    timeoutSec: 40,
    dir: run,
  });
}

/** The carrier hangs up (to our INVITE's Contact). */
export const carrierHangsUp = `
  <send retrans="500">
    <![CDATA[
      BYE [$contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$local_to];tag=[pid]SIPpTag01[call_number]
      To: [$remote_from]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>`;
