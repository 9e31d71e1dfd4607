import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import { describe, expect, it } from 'vitest';
import type { TtsCache } from './tts-cache';
import { type VoicemailCall, type VoicemailDeps, VoicemailService } from './voicemail';
import {
  isMessage,
  monoWavDurationMs,
  type RecordedAudio,
  voicemailContact,
  voicemailPath,
  voicemailTaskData,
} from './voicemail-rules';

describe('voicemail rules', () => {
  it.each<[RecordedAudio, boolean, string]>([
    [{ durationMs: 999, soundMs: 999 }, false, 'shorter than a second'],
    [{ durationMs: 5000, soundMs: 480 }, false, 'mostly silence'],
    [{ durationMs: 5000, soundMs: 500 }, true, 'half a second of sound'],
    [{ durationMs: 1000, soundMs: null }, true, 'unmeasured (the call was torn down): by length'],
    [{ durationMs: 400, soundMs: null }, false, 'unmeasured and short'],
  ])('%o is a message: %s (%s)', (audio, expected) => {
    expect(isMessage(audio)).toBe(expected);
  });

  it('places the file by tenant and UTC day, relative to the voicemail directory', () => {
    expect(voicemailPath('t1', 'v1', new Date('2026-11-23T23:59:59+00:00'))).toBe('t1/2026-11-23/v1.wav');
    expect(voicemailPath('t1', 'v1', new Date('2026-11-24T01:00:00+03:00'))).toBe('t1/2026-11-23/v1.wav');
  });

  it('measures a mono 8 kHz WAV by its size', () => {
    expect(monoWavDurationMs(44 + 16_000)).toBe(1000);
    expect(monoWavDurationMs(44)).toBe(0);
    expect(monoWavDurationMs(0)).toBe(0);
  });

  it('gives the task string fields and a phone contact only for a number', () => {
    expect(
      voicemailTaskData({ voicemailId: 'v', caller: '+7916', did: '+7495', durationMs: 12_400, callId: 'c' }),
    ).toEqual({
      kind: 'voicemail',
      voicemailId: 'v',
      caller: '+7916',
      did: '+7495',
      durationSec: '12',
      callId: 'c',
    });
    expect(voicemailContact('+79161234567')).toEqual({ phone: '+79161234567' });
    expect(voicemailContact('anonymous')).toEqual({});
  });
});

/** A call whose media records into a real file, with every command logged in order. */
function fakeCall(
  opts: { summary?: { durationMs: number; soundMs?: number } | 'gone'; bytes?: number } = {},
) {
  const log: string[] = [];
  const abort = new AbortController();
  let take: { onMediaEvent(e: MediaEvent): boolean } | null = null;
  let recorded: string | null = null;
  const call: VoicemailCall = {
    tenantId: 't',
    callId: 'c',
    interactionId: 'i',
    caller: '+79161234567',
    did: '+74950000000',
    ended: abort.signal,
    play: async (path) => {
      log.push(`play ${path.endsWith('beep.wav') ? 'beep' : 'prompt'}`);
      return abort.signal.aborted ? 'ended' : 'finished';
    },
    listen: (t) => {
      take = t;
    },
    media: {
      recordLeg: async (path, legId) => {
        log.push(`record ${legId}`);
        recorded = path;
        writeFileSync(path, Buffer.alloc(opts.bytes ?? 44));
        return undefined;
      },
      stopRecording: () => {
        log.push('stop');
        const s = opts.summary ?? { durationMs: 3000, soundMs: 0 };
        return s === 'gone'
          ? Promise.reject(new Error('no call c'))
          : Promise.resolve({ ok: true, frames: 0, dataBytes: 0, ...s });
      },
    },
  };
  const key = (digit: string) =>
    take?.onMediaEvent({
      type: 'dtmf',
      callId: 'c',
      event: { digit, source: 'rfc4733', durationMs: 100 },
    } as MediaEvent);
  return { call, log, abort, key, recorded: () => recorded, listening: () => take !== null };
}

/** Kysely as far as the paths tested here use it: each finished statement is noted as its first call. */
function fakeDb(statements: string[]) {
  const chain = (name: string): unknown =>
    new Proxy(() => undefined, {
      get: (_target, prop) =>
        prop === 'execute' ? async () => void statements.push(name) : () => chain(name),
    });
  return {
    insertInto: () => chain('insert'),
    deleteFrom: () => chain('delete'),
  } as unknown as VoicemailDeps['db'];
}

function service(overrides: Partial<VoicemailDeps> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'voicemail-'));
  const toneDir = join(root, 'tones');
  mkdirSync(toneDir);
  writeFileSync(join(toneDir, 'beep.wav'), Buffer.alloc(100)); // made already: no sox here
  const logs: string[] = [];
  const statements: string[] = [];
  const deps: VoicemailDeps = {
    db: fakeDb(statements),
    clock: { now: () => Date.parse('2026-11-23T10:00:00Z') },
    ids: { next: () => '00000000-0000-4000-8000-000000000001' },
    routing: null as never,
    tts: { speech: async () => join(root, 'prompt.wav') } as unknown as TtsCache,
    log: { info: (_f, m) => logs.push(m), warn: (_f, m) => logs.push(m), error: (_f, m) => logs.push(m) },
    dir: join(root, 'voicemail'),
    toneDir,
    ...overrides,
  };
  return { sut: new VoicemailService(deps), dir: deps.dir, logs, statements };
}

const request = { queueId: 'q', maxSeconds: 30, prompt: null, language: 'ru' as const };
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('VoicemailService.take', () => {
  it('prompt, beep, records the caller’s leg until #, then discards silence and deletes its file', async () => {
    const { sut, dir, statements } = service();
    const c = fakeCall({ summary: { durationMs: 3000, soundMs: 0 } });
    const taking = sut.take(c.call, request);
    await until(c.listening);
    expect(c.key('5')).toBe(true); // keys while recording belong to the message
    expect(c.log).not.toContain('stop');
    c.key('#');
    expect(await taking).toEqual({ kind: 'empty' });
    expect(c.log).toEqual(['play prompt', 'play beep', 'record caller', 'stop']);
    expect(c.recorded()).toMatch(/t\/2026-11-23\/00000000-0000-4000-8000-000000000001\.wav$/);
    expect(existsSync(c.recorded()!)).toBe(false);
    expect(readdirSync(join(dir, 't', '2026-11-23'))).toEqual([]);
    // The row was written before the recording started, and dropped with the file.
    expect(statements).toEqual(['insert', 'delete']);
    expect(c.listening()).toBe(false);
  });

  it('on hang-up stops the recorder inside the abort, before the call’s own media hang-up can be sent', async () => {
    const { sut } = service();
    const c = fakeCall({ summary: { durationMs: 300, soundMs: 300 } });
    const taking = sut.take(c.call, request);
    await until(c.listening);
    c.abort.abort();
    expect(c.log.at(-1)).toBe('stop'); // synchronously: `InboundCall` hangs the media up right after
    expect(await taking).toEqual({ kind: 'empty' });
    expect(c.log.filter((l) => l === 'stop')).toHaveLength(1);
  });

  it('measures the file by its size when the call was gone before the stop reached it', async () => {
    const { sut, logs } = service();
    // 0.5 s of audio: not a message by length alone.
    const c = fakeCall({ summary: 'gone', bytes: 44 + 8000 });
    const taking = sut.take(c.call, request);
    await until(c.listening);
    c.abort.abort();
    expect(await taking).toEqual({ kind: 'empty' });
    expect(logs).toContain('voicemail discarded: too short or silent');
  });

  it('stops at the time limit', async () => {
    const { sut } = service();
    const c = fakeCall();
    const started = Date.now();
    expect(await sut.take(c.call, { ...request, maxSeconds: 0.05 })).toEqual({ kind: 'empty' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(c.log.at(-1)).toBe('stop');
  });

  it('answers failed (never throws) when the prompt cannot be made', async () => {
    const { sut } = service({
      tts: {
        speech: async () => {
          throw new Error('espeak-ng missing');
        },
      } as unknown as TtsCache,
    });
    const c = fakeCall();
    expect(await sut.take(c.call, request)).toEqual({
      kind: 'failed',
      code: 'VOICEMAIL_FAILED',
      message: 'prompt: espeak-ng missing',
    });
    expect(c.log).toEqual([]);
  });
});
