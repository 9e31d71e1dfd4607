import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';
import { buildFaqIndex } from '../text-match';

const knowledgeBase = buildFaqIndex([
  {
    id: 'hours',
    questions: ['When are you open?', 'opening hours'],
    answer: { en: 'From 9 to 6.', ru: 'С 9 до 18.' },
  },
  {
    id: 'refund',
    questions: ['How do I get a refund?', 'Как вернуть деньги?'],
    keywords: ['refund', 'возврат'],
    answer: 'Within 14 days.',
  },
]);

describe('faq', () => {
  const sut = single({ verb: 'faq' }, ['answered', 'no_match']);

  it('answers the last input from the best article in the conversation language', () => {
    const c = new Conversation(sut, { channel: 'chat', language: 'ru', variables: {} }, { knowledgeBase });
    // `input` is empty at start: no match.
    expect(c.outcome).toBe('no_match');
    const asked = single({ verb: 'faq', question: "'what are your opening hours'" }, [
      'answered',
      'no_match',
    ]);
    const d = new Conversation(asked, { channel: 'chat', language: 'ru' }, { knowledgeBase });
    expect(d.action).toEqual({ type: 'say', text: 'С 9 до 18.', language: 'ru' });
    expect(d.step.state.vars).toMatchObject({ 'faq.article': 'hours' });
    expect(d.step.state.vars['faq.score']).toBeGreaterThanOrEqual(0.5);
    d.done();
    expect(d.outcome).toBe('answered');
  });

  it('falls through below the threshold or without a knowledge base', () => {
    const weather = single({ verb: 'faq', question: "'what is the weather tomorrow'" }, [
      'answered',
      'no_match',
    ]);
    expect(new Conversation(weather, { channel: 'chat' }, { knowledgeBase }).outcome).toBe('no_match');
    const strict = single({ verb: 'faq', question: "'refund for broken phone'", threshold: 0.99 }, [
      'answered',
      'no_match',
    ]);
    expect(new Conversation(strict, { channel: 'chat' }, { knowledgeBase }).outcome).toBe('no_match');
    const loose = single({ verb: 'faq', question: "'refund for broken phone'", threshold: 0.3 }, [
      'answered',
      'no_match',
    ]);
    expect(new Conversation(loose, { channel: 'chat' }, { knowledgeBase }).action).toMatchObject({
      text: 'Within 14 days.',
    });
    const hours = single({ verb: 'faq', question: "'opening hours'" }, ['answered', 'no_match']);
    expect(new Conversation(hours, { channel: 'chat' }).outcome).toBe('no_match');
  });
});
