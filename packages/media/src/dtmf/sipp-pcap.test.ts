// SIPp ships RFC 4733 captures it replays with <exec play_pcap_audio=…/> (Debian: sip-tester). Their
// names say the digit (dtmf_2833_1.pcap, …_star, …_pound); decoding them here checks our receiver against
// a third party's packets, and the test reads the event codes rather than trusting the names.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRtp } from '../rtp/rtp-packet';
import { readPcapUdp } from '../test-support/pcap';
import { type DtmfReport, parseTelephoneEvent, Rfc4733Receiver } from './rfc4733';

const DIR = '/usr/share/sip-tester';

function receive(file: string) {
  const digits: DtmfReport[] = [];
  const sut = new Rfc4733Receiver((d) => digits.push(d));
  const packets = readPcapUdp(readFileSync(`${DIR}/${file}`)).map((d) => {
    const r = parseRtp(d.payload);
    if (!r.ok) throw new Error(`${file}: ${r.reason}`);
    return { ...r.packet, timeMs: d.timeMs };
  });
  for (const p of packets) sut.receive(p.timestamp, p.payload, p.timeMs);
  return { digits, packets, sut };
}

describe('SIPp RFC 4733 captures', () => {
  it('are installed (sip-tester)', () => {
    expect(existsSync(`${DIR}/dtmf_2833_1.pcap`)).toBe(true);
  });

  it('dtmf_2833_1.pcap carries one press of "1", reported once despite its end retransmissions', () => {
    const { digits, packets, sut } = receive('dtmf_2833_1.pcap');
    // what is on the wire, read independently of the receiver
    const events = packets.map((p) => parseTelephoneEvent(p.payload)!);
    expect(new Set(packets.map((p) => p.payloadType))).toEqual(new Set([101]));
    expect(new Set(events.map((e) => e.event))).toEqual(new Set([1]));
    expect(events.filter((e) => e.end).length).toBeGreaterThanOrEqual(3);
    expect(packets[0]!.marker).toBe(true);
    const finalDuration = Math.max(...events.map((e) => e.duration));
    expect(digits).toEqual([
      { digit: '1', durationMs: (finalDuration * 1000) / 8000, volume: events[0]!.volume, endLost: false },
    ]);
    expect(sut.stats.repeats).toBe(events.filter((e) => e.end).length - 1);
  });

  it.each([
    ['0', '0'],
    ['2', '2'],
    ['3', '3'],
    ['4', '4'],
    ['5', '5'],
    ['6', '6'],
    ['7', '7'],
    ['8', '8'],
    ['9', '9'],
    ['star', '*'],
    ['pound', '#'],
  ])('dtmf_2833_%s.pcap decodes to %s', (name, digit) => {
    const { digits } = receive(`dtmf_2833_${name}.pcap`);
    expect(digits.map((d) => d.digit)).toEqual([digit]);
  });
});
