import { describe, expect, it } from 'vitest';
import { bestFaqMatch, buildFaqIndex, keywordTokens, tokenize } from './text-match';

const kb = buildFaqIndex([
  {
    id: 'delivery',
    questions: ['Сколько идёт доставка?', 'How long does delivery take?'],
    keywords: ['доставка'],
    answer: 'x',
  },
  {
    id: 'returns',
    questions: ['Как вернуть товар?', 'How do I return an item?'],
    keywords: ['возврат', 'refund'],
    answer: 'x',
  },
  {
    id: 'payment',
    questions: ['Какие способы оплаты?', 'Which payment methods do you accept?'],
    answer: 'x',
  },
  { id: 'hours', questions: ['Часы работы', 'Opening hours'], answer: 'x' },
]);
const best = (q: string, threshold = 0.5) => bestFaqMatch(kb, q, threshold)?.article.id ?? null;

describe('text match (faq)', () => {
  it('tokenizes ru/en: lower case, ё → е, stop words dropped, endings stemmed', () => {
    expect(tokenize('Где мой ЗАКАЗ? Доставки, доставку, доставкой!')).toEqual([
      'заказ',
      'доставк',
      'доставк',
      'доставк',
    ]);
    expect(tokenize('Ещё, идёт')).toEqual(tokenize('еще идет'));
    expect(tokenize('How do I return the items I ordered?')).toEqual(['return', 'item', 'order']);
    expect(keywordTokens('нет, no')).toEqual(['нет', 'no']);
  });

  it.each([
    ['сколько дней идет доставка', 'delivery'],
    ['хочу вернуть товары', 'returns'],
    ['I want a refund', 'returns'],
    ['what are your opening hours?', 'hours'],
    ['оплата картой, какие способы?', 'payment'],
  ])('%s → %s', (q, id) => {
    expect(best(q)).toBe(id);
  });

  it('below the threshold, nothing matches', () => {
    expect(best('what is the weather on Mars')).toBeNull();
    expect(best('')).toBeNull();
    expect(best('привет')).toBeNull();
    expect(best('delivery of pizza to the moon base', 0.9)).toBeNull();
  });

  it('scores lie in [0, 1]; a full match of an average article scores high', () => {
    const m = bestFaqMatch(kb, 'opening hours', 0)!;
    expect(m.score).toBeGreaterThan(0.9);
    expect(m.score).toBeLessThanOrEqual(1);
  });

  it('an empty knowledge base matches nothing', () => {
    expect(bestFaqMatch(buildFaqIndex([]), 'delivery', 0)).toBeNull();
  });

  it('a huge query is cut to its start and stays cheap', { timeout: 500 }, () => {
    expect(bestFaqMatch(kb, 'доставка '.repeat(200_000), 0.5)?.article.id).toBe('delivery');
  });
});
