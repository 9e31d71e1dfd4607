import { isIPv4, isIPv6 } from 'node:net';
import { type MediaDescription, parse } from 'sdp-transform';
import { hostKind } from '../uri';
import { staticPayload } from './codecs';
import { type SdpFailure, sdpFailure } from './sdp-error';
import type { Direction, RtpFormat, SdpConnection, SdpMedia, SdpOrigin, SdpSession } from './sdp-model';

/**
 * Bounds on what one session description may cost us. The defaults fit a WebRTC offer with audio,
 * video and data (≈ 6 KB, 150 lines, 40 formats on the video line) several times over.
 */
export interface SdpLimits {
  /** The whole body, in octets. */
  readonly maxBytes: number;
  readonly maxLines: number;
  /** One line, in characters, without its line end. */
  readonly maxLineLength: number;
  /** m-lines. */
  readonly maxMedia: number;
  /** Format tokens on one m-line. */
  readonly maxFormats: number;
}

export const defaultSdpLimits: SdpLimits = {
  maxBytes: 32_768,
  maxLines: 1_000,
  maxLineLength: 2_048,
  maxMedia: 16,
  maxFormats: 128,
};

export type SdpParseResult = { readonly ok: true; readonly session: SdpSession } | SdpFailure;

/**
 * Parses and checks a session description. Never throws. Structural lines (`v=`, `o=`, `c=`, `m=`) are
 * checked strictly — a wrong one is a failure with a code; attributes we read (`rtpmap`, `fmtp`,
 * `ptime`, `rtcp`) are ignored when malformed, as RFC 4566 §5.13 lets a parser do with attributes.
 * Line ends may be CRLF or LF; a bare CR is refused because `sdp-transform` would split on it.
 */
export function parseSdp(input: string | Uint8Array, limits: SdpLimits = defaultSdpLimits): SdpParseResult {
  try {
    return parseChecked(input, limits);
  } catch (e) {
    // Defence in depth: the checks below are meant to leave nothing that throws.
    return sdpFailure('SDP_SYNTAX', `unexpected: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseChecked(input: string | Uint8Array, limits: SdpLimits): SdpParseResult {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (bytes > limits.maxBytes) return sdpFailure('SDP_TOO_LARGE', `${bytes} octets`);
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');

  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > limits.maxLines) return sdpFailure('SDP_TOO_LARGE', `${lines.length} lines`);
  let mediaCount = 0;
  let originCount = 0;
  for (const [i, line] of lines.entries()) {
    if (line.length > limits.maxLineLength) return sdpFailure('SDP_TOO_LARGE', `line ${i + 1} too long`);
    if (!/^[a-z]=/.test(line) || line.includes('\r')) {
      return sdpFailure('SDP_SYNTAX', `line ${i + 1} is not <type>=<value>`);
    }
    if (line.startsWith('m=')) mediaCount++;
    if (line.startsWith('o=')) originCount++;
  }
  if (lines[0] !== 'v=0') return sdpFailure('SDP_SYNTAX', 'first line is not v=0');
  if (mediaCount > limits.maxMedia) return sdpFailure('SDP_TOO_LARGE', `${mediaCount} m-lines`);
  if (originCount !== 1) return sdpFailure('SDP_BAD_ORIGIN', `${originCount} o= lines`);

  const raw = parse(lines.join('\r\n'));
  const origin = readOrigin(raw.origin);
  if (origin === null) return sdpFailure('SDP_BAD_ORIGIN', 'o= does not parse');

  const hasSessionC = lines.slice(0, firstMediaLine(lines)).some((l) => l.startsWith('c='));
  const sessionConnection = readConnection(raw.connection);
  if (hasSessionC && sessionConnection === null) {
    return sdpFailure('SDP_BAD_CONNECTION', 'session-level c= does not parse');
  }
  const sessionDirection = raw.direction ?? 'sendrecv';

  const mediaLines = mediaSections(lines);
  const media: SdpMedia[] = [];
  for (const [index, m] of raw.media.entries()) {
    const read = readMedia(m, index, mediaLines[index] ?? [], sessionConnection, sessionDirection, limits);
    if (!read.ok) return read;
    media.push(read.media);
  }
  return {
    ok: true,
    session: { origin, name: str(raw.name) ?? '', connection: sessionConnection, media },
  };
}

/** `sdp-transform` turns digit strings into numbers when that round-trips; anything may be a string. */
function str(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

function int(v: unknown, min: number, max: number): number | null {
  const s = str(v);
  if (s === null || !/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

function addrType(ipVer: unknown): 'IP4' | 'IP6' | null {
  const v = str(ipVer);
  return v === '4' ? 'IP4' : v === '6' ? 'IP6' : null;
}

function readOrigin(o: unknown): SdpOrigin | null {
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  const username = str(r.username);
  const sessionId = str(r.sessionId);
  const version = str(r.sessionVersion);
  const type = addrType(r.ipVer);
  const address = str(r.address);
  if (username === null || username === '' || str(r.netType) !== 'IN' || type === null) return null;
  if (sessionId === null || !/^\d{1,40}$/.test(sessionId)) return null;
  if (version === null || !/^\d{1,40}$/.test(version)) return null;
  if (address === null || address === '') return null;
  return { username, sessionId, sessionVersion: BigInt(version), addrType: type, address };
}

function readConnection(c: unknown): SdpConnection | null {
  if (typeof c !== 'object' || c === null) return null;
  const r = c as Record<string, unknown>;
  const type = addrType(r.version);
  const address = str(r.ip);
  if (type === null || address === null) return null;
  const ok =
    type === 'IP4'
      ? isIPv4(address) || (!/^[\d.]+$/.test(address) && hostKind(address) === 'hostname')
      : isIPv6(address) || hostKind(address) === 'hostname';
  return ok ? { addrType: type, address } : null;
}

function firstMediaLine(lines: readonly string[]): number {
  const i = lines.findIndex((l) => l.startsWith('m='));
  return i < 0 ? lines.length : i;
}

/** The lines of each media section, to tell "no c=" from "a c= that did not parse". */
function mediaSections(lines: readonly string[]): string[][] {
  const sections: string[][] = [];
  for (const l of lines) {
    if (l.startsWith('m=')) sections.push([]);
    else sections[sections.length - 1]?.push(l);
  }
  return sections;
}

const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function readMedia(
  m: MediaDescription,
  index: number,
  sectionLines: readonly string[],
  sessionConnection: SdpConnection | null,
  sessionDirection: Direction,
  limits: SdpLimits,
): { ok: true; media: SdpMedia } | SdpFailure {
  const type = str(m.type);
  const port = int(m.port, 0, 65_535);
  const protocol = str(m.protocol);
  if (type === null || type === '' || port === null || protocol === null || protocol === '') {
    return sdpFailure('SDP_BAD_MEDIA', `m-line ${index + 1} does not parse`);
  }
  const formats = (str(m.payloads) ?? '').split(' ').filter((f) => f !== '');
  if (formats.length > limits.maxFormats) return sdpFailure('SDP_TOO_LARGE', `${formats.length} formats`);
  if (formats.length === 0 && port !== 0)
    return sdpFailure('SDP_BAD_MEDIA', `m-line ${index + 1} has no format`);

  let connection = sessionConnection;
  if (sectionLines.some((l) => l.startsWith('c='))) {
    connection = readConnection(m.connection);
    if (connection === null) return sdpFailure('SDP_BAD_CONNECTION', `c= of m-line ${index + 1}`);
  }
  if (connection === null && port !== 0) {
    return sdpFailure('SDP_MISSING_CONNECTION', `m-line ${index + 1} has no c=`);
  }

  const direction = DIRECTIONS.includes(m.direction as Direction)
    ? (m.direction as Direction)
    : sessionDirection;
  const ptimeRaw = Number(str(m.ptime));
  const ptime = Number.isFinite(ptimeRaw) && ptimeRaw > 0 && ptimeRaw <= 1000 ? ptimeRaw : null;
  return {
    ok: true,
    media: {
      index,
      type,
      port,
      protocol,
      formats,
      rtp: protocol.toUpperCase().includes('RTP') ? readRtp(m, formats) : [],
      direction,
      connection,
      ptime,
      rtcpPort: int(m.rtcp?.port, 1, 65_535),
      rtcpMux: m.rtcpMux === 'rtcp-mux',
    },
  };
}

function readRtp(m: MediaDescription, formats: readonly string[]): RtpFormat[] {
  const maps = new Map<number, { encoding: string; clockRate: number; channels: number }>();
  for (const r of Array.isArray(m.rtp) ? m.rtp : []) {
    const pt = int(r.payload, 0, 127);
    const encoding = str(r.codec);
    const clockRate = int(r.rate, 1, 10_000_000);
    const channels = r.encoding === undefined ? 1 : int(r.encoding, 1, 255);
    if (pt === null || encoding === null || encoding === '' || clockRate === null || channels === null)
      continue;
    if (!maps.has(pt)) maps.set(pt, { encoding, clockRate, channels });
  }
  const fmtps = new Map<number, string>();
  for (const f of Array.isArray(m.fmtp) ? m.fmtp : []) {
    const pt = int(f.payload, 0, 127);
    const config = str(f.config);
    if (pt !== null && config !== null && !fmtps.has(pt)) fmtps.set(pt, config);
  }
  const out: RtpFormat[] = [];
  const seen = new Set<number>();
  for (const token of formats) {
    const pt = int(token, 0, 127);
    if (pt === null || seen.has(pt)) continue;
    seen.add(pt);
    // An rtpmap wins over the static table; dynamic types (96–127) are known only through rtpmap.
    const known = maps.get(pt) ?? staticPayload(pt);
    if (known !== null && known !== undefined)
      out.push({ payloadType: pt, ...known, fmtp: fmtps.get(pt) ?? null });
  }
  return out;
}
