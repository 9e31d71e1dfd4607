import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

describe('say', () => {
  const sut = single(
    { verb: 'say', text: { ru: 'Привет, {{caller.name}}!', en: 'Hello, {{caller.name}}!' } },
    ['done'],
  );

  it('says the text in the conversation language with variables filled in, then waits for done', () => {
    const c = new Conversation(sut, { channel: 'voice', language: 'ru', caller: { name: 'Анна' } });
    expect(c.action).toEqual({ type: 'say', text: 'Привет, Анна!', language: 'ru' });
    expect(c.step.state.status).toBe('waiting');
    c.done();
    expect(c.outcome).toBe('done');
  });

  it('falls back to the other language and renders unset variables as empty', () => {
    const ruOnly = single({ verb: 'say', text: { ru: 'Только {{nobody}}по-русски' } }, ['done'], {
      nobody: { type: 'string' },
    });
    expect(new Conversation(ruOnly, { channel: 'chat', language: 'en' }).action).toMatchObject({
      text: 'Только по-русски',
    });
  });

  it('refuses an event other than done', () => {
    const c = new Conversation(sut);
    const r = c.input('hi');
    expect(r.refused?.code).toBe('UNEXPECTED_EVENT');
    expect(c.action.type).toBe('say');
  });
});
