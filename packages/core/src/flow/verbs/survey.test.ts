import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

describe('survey', () => {
  const sut = single(
    {
      verb: 'survey',
      intro: 'Two quick questions.',
      questions: [
        { id: 'csat', prompt: 'How satisfied were you, 1 to 5?', min: 1, max: 5 },
        { id: 'nps', prompt: 'Would you recommend us, 0 to 10?', min: 0, max: 10 },
      ],
      retries: 1,
      invalidPrompt: 'Please answer with a number on the scale.',
    },
    ['done', 'incomplete'],
  );

  it('asks each question on its scale and stores numbers', () => {
    const c = new Conversation(sut, { channel: 'chat', language: 'en' });
    expect(c.action).toMatchObject({
      type: 'collect',
      prompt: 'Two quick questions. How satisfied were you, 1 to 5?',
      choices: [1, 2, 3, 4, 5].map((n) => ({ key: String(n), label: String(n) })),
    });
    c.input('4');
    expect(c.action).toMatchObject({
      prompt: 'Would you recommend us, 0 to 10?',
      choices: expect.arrayContaining([{ key: '10', label: '10' }]),
    });
    c.input('10');
    expect(c.outcome).toBe('done');
    expect(c.step.state.vars).toMatchObject({ 'survey.csat': 4, 'survey.nps': 10 });
  });

  it('voice: digits with # and room for two digits when the scale reaches 10', () => {
    const c = new Conversation(sut, { channel: 'voice' });
    expect(c.action).toMatchObject({ mode: 'dtmf', maxDigits: 1 });
    c.input('3');
    expect(c.action).toMatchObject({ mode: 'dtmf', maxDigits: 2, finishOnKey: '#' });
  });

  it('an answer off the scale is asked again; one never answered stays null and the survey is incomplete', () => {
    const c = new Conversation(sut, { channel: 'chat' });
    c.input('7');
    expect(c.action).toMatchObject({
      prompt: 'Please answer with a number on the scale. How satisfied were you, 1 to 5?',
    });
    c.input('great');
    expect(c.action).toMatchObject({ prompt: 'Would you recommend us, 0 to 10?' });
    c.input('0');
    expect(c.outcome).toBe('incomplete');
    expect(c.step.state.vars).toMatchObject({ 'survey.csat': null, 'survey.nps': 0 });
  });
});
