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
  const sdp = answerSdp(o.mediaPort, o.pt);
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="carrier">
  <recv request="INVITE">
    <action>
      <ereg regexp="^INVITE sip:\\${o.to}@" search_in="msg" check_it="true" assign_to="check"/>
      <ereg regexp="sip:\\${o.from}@" search_in="hdr" header="From:" check_it="true" assign_to="check"/>
${o.after.includes('[$local_to]') ? dialogVars : ''}
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

/**
 * SIPp as the carrier of several numbers, one call each (a callback's customer, then the number the
 * agent hands them to): each INVITE is matched to the line whose number it calls and whose calling
 * number it presents, and answered with that line's RTP port; an INVITE no line matches gets a 404,
 * which fails the run. Run it with `calls` = the number of lines.
 */
export function carrierLinesXml(
  lines: readonly { to: string; from: string; mediaPort: number; after: string }[],
): string {
  const literal = (n: string) => n.replace('+', '\\+');
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="carrier lines">
  <recv request="INVITE">
    <action>${lines
      .map(
        (l, i) => `
      <ereg regexp="^INVITE sip:${literal(l.to)}@.*From:[^@]*sip:${literal(l.from)}@" search_in="msg" check_it="false" assign_to="line${i}"/>
      <log message="line ${i}: [$line${i}]"/>`,
      )
      .join('')}${lines.some((l) => l.after.includes('[$local_to]')) ? dialogVars : ''}
    </action>
  </recv>
  ${reply('180 Ringing')}
  <pause milliseconds="600"/>${lines
    .map(
      (_, i) => `
  <nop next="${i + 1}" test="line${i}"/>`,
    )
    .join('')}
  ${reply('404 Not Found')}
  <recv request="ACK" next="99"/>${lines
    .map(
      (l, i) => `
  <label id="${i + 1}"/>
  ${reply('200 OK', 'Content-Type: application/sdp\n      ', answerSdp(l.mediaPort))}
  <recv request="ACK"/>${l.after}
  <nop next="99"/>`,
    )
    .join('')}
  <label id="99"/>
</scenario>
`;
}

/** The dialog's parties and our Contact, for a carrier that hangs up itself (`carrierHangsUp`). */
const dialogVars = `
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="local_to"/>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="contact"/>`;

/** A reply of the carrier to the last request; with a body, retransmitted until acknowledged. */
function reply(status: string, extra = '', body = ''): string {
  return `
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
}

/** The carrier's SDP answer: RTP at `mediaPort` (default SIPp's own), G.711 and telephone-event. */
function answerSdp(mediaPort?: number, pt?: 0 | 8): string {
  return `
      v=0
      o=carrier 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio ${mediaPort ?? '[media_port]'} RTP/AVP ${pt ?? 0} 101
      a=rtpmap:${pt ?? 0} ${pt === 8 ? 'PCMA' : 'PCMU'}/8000
      a=rtpmap:101 telephone-event/8000`;
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
/** Starts SIPp as the carrier on `port` of 127.0.0.1 with a scenario from `carrierXml` (`calls` calls, 40 s at most). */
export async function carrier(dir: string, port: number, xml: string, calls = 1): Promise<SippRun> {
  const run = join(dir, `carrier-${++carriers}`);
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'carrier.xml'), xml);
  return startSipp({
    scenario: { file: join(run, 'carrier.xml') },
    localPort: port,
    transport: 'u1',
    calls,
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
