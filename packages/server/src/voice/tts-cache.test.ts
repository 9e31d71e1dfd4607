import { describe, expect, it } from 'vitest';
import { normalizeSpeech, TtsCache, ttsCacheKey } from './tts-cache';

describe('TTS cache keys', () => {
  it('depends on language and text, not on whitespace', () => {
    const k = ttsCacheKey('ru', 'Здравствуйте!');
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(ttsCacheKey('ru', '  Здравствуйте!\n')).toBe(k);
    expect(ttsCacheKey('en', 'Здравствуйте!')).not.toBe(k);
    expect(ttsCacheKey('ru', 'Здравствуйте.')).not.toBe(k);
    // No ambiguity between the parts: language and text cannot slide into each other.
    expect(ttsCacheKey('ru', 'en hello')).not.toBe(ttsCacheKey('en', 'hello'));
  });

  it('normalises Unicode so the same words share one file', () => {
    const composed = '\u0439'; // й
    const decomposed = '\u0438\u0306'; // и + combining breve
    expect(normalizeSpeech(decomposed)).toBe(composed);
    expect(ttsCacheKey('ru', `Мо${decomposed}`)).toBe(ttsCacheKey('ru', `Мо${composed}`));
  });

  it('lays files out by key under the directory', () => {
    const sut = new TtsCache({ dir: '/var/lib/hotline/voice/tts' });
    const key = ttsCacheKey('en', 'Hello');
    expect(sut.pathOf('en', 'Hello')).toBe(`/var/lib/hotline/voice/tts/${key.slice(0, 2)}/${key}.wav`);
  });

  it('refuses empty and over-long text with stable codes, before running anything', async () => {
    const sut = new TtsCache({ dir: '/nonexistent', maxTextChars: 10, espeak: '/bin/false' });
    await expect(sut.speech('en', '   ')).rejects.toMatchObject({ code: 'TTS_EMPTY_TEXT' });
    await expect(sut.speech('en', 'x'.repeat(11))).rejects.toMatchObject({ code: 'TTS_TEXT_TOO_LONG' });
  });
});
