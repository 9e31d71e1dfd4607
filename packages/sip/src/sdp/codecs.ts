/**
 * The codecs Hotline speaks and the RFC 3551 static payload table used to read m-lines that omit
 * `a=rtpmap` for static types (Asterisk, carriers and SIPp often do).
 */
export const AUDIO_CODECS = {
  PCMU: { encoding: 'PCMU', clockRate: 8000, payloadType: 0 },
  PCMA: { encoding: 'PCMA', clockRate: 8000, payloadType: 8 },
} as const;

export type AudioCodecName = keyof typeof AUDIO_CODECS;

/** Our default preference: G.711 µ-law, then A-law (both are universal on trunks). */
export const DEFAULT_CODECS: readonly AudioCodecName[] = ['PCMU', 'PCMA'];

export const TELEPHONE_EVENT = 'telephone-event';
/** The dynamic payload type we offer for telephone-event when we choose (answers keep the offer's). */
export const DEFAULT_TELEPHONE_EVENT_PT = 101;
/** DTMF 0–9, *, #, A–D (0–15) and flash (16), RFC 4733 §3.2. */
export const DEFAULT_TELEPHONE_EVENTS = '0-16';

/** RFC 3551 §6, audio: encoding, clock rate, channels. */
const STATIC_AUDIO: Readonly<Record<number, readonly [string, number, number]>> = {
  0: ['PCMU', 8000, 1],
  3: ['GSM', 8000, 1],
  4: ['G723', 8000, 1],
  5: ['DVI4', 8000, 1],
  6: ['DVI4', 16000, 1],
  7: ['LPC', 8000, 1],
  8: ['PCMA', 8000, 1],
  9: ['G722', 8000, 1],
  10: ['L16', 44100, 2],
  11: ['L16', 44100, 1],
  12: ['QCELP', 8000, 1],
  13: ['CN', 8000, 1],
  14: ['MPA', 90000, 1],
  15: ['G728', 8000, 1],
  16: ['DVI4', 11025, 1],
  17: ['DVI4', 22050, 1],
  18: ['G729', 8000, 1],
};

export function staticPayload(pt: number): { encoding: string; clockRate: number; channels: number } | null {
  const s = STATIC_AUDIO[pt];
  return s === undefined ? null : { encoding: s[0], clockRate: s[1], channels: s[2] };
}

/** Which of our codecs an RTP format is (encoding case-insensitive, clock rate and mono must match). */
export function ourCodec(f: {
  encoding: string;
  clockRate: number;
  channels: number;
}): AudioCodecName | null {
  if (f.channels !== 1) return null;
  for (const [name, spec] of Object.entries(AUDIO_CODECS) as [
    AudioCodecName,
    (typeof AUDIO_CODECS)[AudioCodecName],
  ][]) {
    if (f.encoding.toUpperCase() === spec.encoding && f.clockRate === spec.clockRate) return name;
  }
  return null;
}

export function isTelephoneEvent8k(f: { encoding: string; clockRate: number }): boolean {
  return f.encoding.toLowerCase() === TELEPHONE_EVENT && f.clockRate === 8000;
}

const MAX_EVENT = 255;

/**
 * Reads an RFC 4733 event list (`0-15,66,70-72`) into sorted codes; `null` when malformed. An absent
 * fmtp means `0-15` (RFC 4733 §7.1.1).
 */
export function parseEventList(fmtp: string | null): number[] | null {
  if (fmtp === null || fmtp.trim() === '') return range(0, 15);
  const events = new Set<number>();
  for (const raw of fmtp.split(',')) {
    const m = /^\s*(\d{1,3})(?:\s*-\s*(\d{1,3}))?\s*$/.exec(raw);
    if (m === null) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > hi || hi > MAX_EVENT) return null;
    for (const e of range(lo, hi)) events.add(e);
  }
  return [...events].sort((a, b) => a - b);
}

/** Sorted codes → `0-11,16`. */
export function formatEventList(events: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < events.length) {
    let j = i;
    while (j + 1 < events.length && events[j + 1] === events[j]! + 1) j++;
    parts.push(j === i ? `${events[i]}` : `${events[i]}-${events[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
}
