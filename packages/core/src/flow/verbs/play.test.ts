import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

describe('play', () => {
  const sut = single({ verb: 'play', audio: 'hold.wav', text: 'Please hold' }, ['done']);

  it('asks to play the file with a text for text channels, and goes on after done or a playback error', () => {
    const c = new Conversation(sut, { channel: 'voice', language: 'en' });
    expect(c.action).toEqual({ type: 'play', audio: 'hold.wav', text: 'Please hold', language: 'en' });
    c.done();
    expect(c.outcome).toBe('done');
    const d = new Conversation(sut);
    d.send({ type: 'error', message: 'no such file' });
    expect(d.outcome).toBe('done');
  });

  it('has no text when none is given', () => {
    expect(new Conversation(single({ verb: 'play', audio: 'a.wav' }, ['done'])).action).toMatchObject({
      text: null,
    });
  });
});
