/**
 * WAV (RIFF) reading and header writing for prompts and recordings. Reads 16-bit PCM, µ-law (format 7)
 * and A-law (format 6); a data chunk whose size is 0 or runs past the end (a recording interrupted
 * before its header was fixed) is read up to the end of the file.
 */
import { decodeG711 } from '../codec/g711';

export type WavEncoding = 'pcm16' | 'ulaw' | 'alaw';

export interface WavInfo {
  readonly encoding: WavEncoding;
  readonly sampleRate: number;
  readonly channels: number;
  /** The audio bytes (a view into the file). */
  readonly data: Uint8Array;
  /** The data size the header declares (may differ from `data.length` for a truncated file). */
  readonly declaredDataBytes: number;
}

export type WavResult = { ok: true; wav: WavInfo } | { ok: false; reason: string };

export function parseWav(bytes: Uint8Array): WavResult {
  if (bytes.length < 12) return { ok: false, reason: 'too short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const tag = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return { ok: false, reason: 'not a RIFF/WAVE file' };
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) return { ok: false, reason: 'short fmt chunk' };
      let format = view.getUint16(body, true);
      if (format === 0xfffe && size >= 40) format = view.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) return { ok: false, reason: 'data before fmt' };
      const end = size === 0 || body + size > bytes.length ? bytes.length : body + size;
      const encoding = encodingOf(fmt.format, fmt.bits);
      if (!encoding) return { ok: false, reason: `unsupported format ${fmt.format}/${fmt.bits} bit` };
      if (fmt.channels < 1) return { ok: false, reason: 'no channels' };
      return {
        ok: true,
        wav: {
          encoding,
          sampleRate: fmt.rate,
          channels: fmt.channels,
          data: bytes.subarray(body, end),
          declaredDataBytes: size,
        },
      };
    }
    offset = body + size + (size & 1);
  }
  return { ok: false, reason: 'no data chunk' };
}

function encodingOf(format: number, bits: number): WavEncoding | undefined {
  if (format === 1 && bits === 16) return 'pcm16';
  if (format === 7 && bits === 8) return 'ulaw';
  if (format === 6 && bits === 8) return 'alaw';
  return undefined;
}

/** Interleaved 16-bit samples of the file, whatever its encoding. */
export function wavSamples(wav: WavInfo): Int16Array {
  if (wav.encoding === 'ulaw') return decodeG711('PCMU', wav.data);
  if (wav.encoding === 'alaw') return decodeG711('PCMA', wav.data);
  const n = wav.data.length >> 1;
  const out = new Int16Array(n);
  const view = new DataView(wav.data.buffer, wav.data.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Mono 8 kHz PCM of a prompt file; other rates and multi-channel files are refused (convert with sox). */
export function promptPcm(bytes: Uint8Array): { ok: true; pcm: Int16Array } | { ok: false; reason: string } {
  const r = parseWav(bytes);
  if (!r.ok) return r;
  if (r.wav.sampleRate !== 8000 || r.wav.channels !== 1) {
    return {
      ok: false,
      reason: `prompts must be 8 kHz mono, got ${r.wav.sampleRate} Hz × ${r.wav.channels}`,
    };
  }
  return { ok: true, pcm: wavSamples(r.wav) };
}

/** A 44-byte header of a 16-bit PCM WAV file holding `dataBytes` of audio. */
export function pcmWavHeader(channels: number, sampleRate: number, dataBytes: number): Uint8Array {
  const h = new Uint8Array(44);
  const v = new DataView(h.buffer);
  h.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  v.setUint32(4, 36 + dataBytes, true);
  h.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8); // WAVEfmt␠
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * 2, true);
  v.setUint16(32, channels * 2, true);
  v.setUint16(34, 16, true);
  h.set([0x64, 0x61, 0x74, 0x61], 36); // data
  v.setUint32(40, dataBytes, true);
  return h;
}
