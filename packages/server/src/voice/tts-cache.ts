import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Language } from '@hotline/core/flow/flow-types';

/**
 * Text-to-speech for calls: espeak-ng speaks, sox turns it into what the media engine plays (8 kHz
 * mono µ-law WAV), and the file is kept on disk under the hash of (language, text), so a greeting is
 * synthesised once and every later call plays the file.
 *
 * Contracts:
 * - Generation runs in child processes (never on the event loop), at most `concurrency` at a time;
 *   concurrent requests for the same text share one generation.
 * - A file appears under its final name only when complete (written to a temporary name, then
 *   renamed), so a crash or a failure never leaves a truncated prompt in the cache.
 * - Text goes to espeak-ng on stdin, never as an argument: a text starting with `-` is not an option.
 * - Errors reject with a `TtsError` and a stable code; the call turns it into the flow's `error` event.
 */
export type TtsErrorCode = 'TTS_EMPTY_TEXT' | 'TTS_TEXT_TOO_LONG' | 'TTS_FAILED' | 'TTS_TIMEOUT';

export class TtsError extends Error {
  constructor(
    readonly code: TtsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TtsError';
  }
}

export interface TtsCacheOptions {
  /** Where the WAV files live (created when missing). */
  readonly dir: string;
  /** Syntheses running at once (default 2: one per core of a small machine). */
  readonly concurrency?: number;
  /** One synthesis (espeak-ng plus sox) may take this long (default 15 s). */
  readonly timeoutMs?: number;
  /** Longer texts are refused (default 2,000 characters, about two minutes of speech). */
  readonly maxTextChars?: number;
  /** The programs (default `espeak-ng` and `sox` on PATH). */
  readonly espeak?: string;
  readonly sox?: string;
}

/** Bump when voices or conversion change: old files are then simply never asked for again. */
const FORMAT = 'espeak-ng/1/ulaw8k';
const VOICES: Record<Language, string> = { ru: 'ru', en: 'en' };

/** Whitespace runs collapse to one space and ends are trimmed: the same speech, the same file. */
export function normalizeSpeech(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** The cache key of a (language, text) pair: SHA-256 over the format, language and normalised text. */
export function ttsCacheKey(language: Language, text: string): string {
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, language, normalizeSpeech(text)]))
    .digest('hex');
}

export class TtsCache {
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #maxChars: number;

  constructor(private readonly o: TtsCacheOptions) {
    this.#concurrency = Math.max(1, o.concurrency ?? 2);
    this.#timeoutMs = o.timeoutMs ?? 15_000;
    this.#maxChars = o.maxTextChars ?? 2_000;
  }

  /** Where the file of (language, text) lives, whether or not it exists yet. */
  pathOf(language: Language, text: string): string {
    const key = ttsCacheKey(language, text);
    return join(this.o.dir, key.slice(0, 2), `${key}.wav`);
  }

  /** The WAV file speaking `text`: from the cache, or synthesised now. */
  async speech(language: Language, text: string): Promise<string> {
    const spoken = normalizeSpeech(text);
    if (spoken === '') throw new TtsError('TTS_EMPTY_TEXT', 'nothing to say');
    if (spoken.length > this.#maxChars) {
      throw new TtsError(
        'TTS_TEXT_TOO_LONG',
        `text of ${spoken.length} characters (at most ${this.#maxChars})`,
      );
    }
    const path = this.pathOf(language, spoken);
    if (await exists(path)) return path;
    const running = this.#inflight.get(path);
    if (running) return running;
    const job = this.#limited(() => this.#generate(language, spoken, path)).finally(() =>
      this.#inflight.delete(path),
    );
    this.#inflight.set(path, job);
    return job;
  }

  async #limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await fn();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  async #generate(language: Language, text: string, path: string): Promise<string> {
    // Another process (or an earlier job) may have made it while this one waited for a slot.
    if (await exists(path)) return path;
    const dir = join(path, '..');
    await mkdir(dir, { recursive: true });
    const tag = randomBytes(6).toString('hex');
    const raw = join(dir, `.tmp-${tag}-raw.wav`);
    const out = join(dir, `.tmp-${tag}-8k.wav`);
    const deadline = Date.now() + this.#timeoutMs;
    try {
      await run(this.o.espeak ?? 'espeak-ng', ['-v', VOICES[language], '-w', raw, '--stdin'], text, deadline);
      await run(this.o.sox ?? 'sox', [raw, '-r', '8000', '-c', '1', '-e', 'u-law', out], null, deadline);
      await rename(out, path);
      return path;
    } finally {
      await rm(raw, { force: true });
      await rm(out, { force: true });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 44;
  } catch {
    return false;
  }
}

/** Runs a program to completion; rejects with a TtsError on a non-zero exit, a spawn error or the deadline. */
function run(program: string, args: string[], stdin: string | null, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    let settled = false;
    const settle = (error: TtsError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => {
        child.kill('SIGKILL');
        settle(new TtsError('TTS_TIMEOUT', `${program} took too long`));
      },
      Math.max(1, deadline - Date.now()),
    );
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-500);
    });
    child.on('error', (err) => settle(new TtsError('TTS_FAILED', `${program}: ${err.message}`)));
    child.on('close', (code) =>
      settle(
        code === 0 ? null : new TtsError('TTS_FAILED', `${program} exited with ${code}: ${stderr.trim()}`),
      ),
    );
    child.stdin.on('error', () => {}); // a program that exits early closes its stdin: reported by `close`
    child.stdin.end(stdin ?? undefined);
  });
}
