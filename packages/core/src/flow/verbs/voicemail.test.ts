import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

describe('voicemail', () => {
  const sut = single({ verb: 'voicemail', mailbox: 'sales', maxSeconds: 60, prompt: 'After the tone…' }, [
    'done',
    'failed',
  ]);

  it('records with a prompt and keeps the recording reference', () => {
    const c = new Conversation(sut, { channel: 'voice', language: 'en' });
    expect(c.action).toEqual({
      type: 'voicemail',
      mailbox: 'sales',
      maxSeconds: 60,
      prompt: 'After the tone…',
      language: 'en',
    });
    c.send({ type: 'done', recording: 'rec/123.wav' });
    expect(c.outcome).toBe('done');
    expect(c.step.state.vars['voicemail.recording']).toBe('rec/123.wav');
  });

  it('silence or an error takes failed', () => {
    for (const type of ['timeout', 'error'] as const) {
      const c = new Conversation(sut, { channel: 'voice' });
      c.send({ type });
      expect(c.outcome).toBe('failed');
    }
  });
});
