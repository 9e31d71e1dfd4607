import { parseExpression } from '../expression-parser';
import { dflt, expr, num, obj } from '../shape';
import { bestFaqMatch } from '../text-match';
import { defineVerb, next, refuse, wait } from './verb';

const lastInput = parseExpression('input');

/**
 * `faq`: answers `question` (an expression; default `input`, the customer's last message) from the
 * tenant's knowledge base (`FlowEnv.knowledgeBase`, text-match.ts) when the best article scores at
 * least `threshold` (0…1, default 0.5): says the article's answer, waits for `done`, takes `answered`
 * (`faq.article`, `faq.score` set). Otherwise — or with no knowledge base — takes `no_match` at once.
 */
export const faq = defineVerb({
  name: 'faq',
  fields: obj({ question: dflt(expr(), lastInput), threshold: dflt(num({ min: 0, max: 1 }), 0.5) }),
  outcomes: () => ({ required: ['answered', 'no_match'] }),
  enter(node, rt) {
    rt.set('faq.article', null);
    rt.set('faq.score', null);
    const q = rt.evaluate(node.question);
    const index = rt.env.knowledgeBase;
    if (typeof q !== 'string' || !index) return next('no_match');
    const match = bestFaqMatch(index, q, node.threshold);
    if (!match) return next('no_match');
    rt.set('faq.article', match.article.id);
    rt.set('faq.score', Math.round(match.score * 1000) / 1000);
    // Article text is tenant data, said as written (no `{{…}}` templates).
    const a = match.article.answer;
    const answer = typeof a === 'string' ? a : (a[rt.language] ?? a.ru ?? a.en ?? '');
    return wait({ type: 'say', text: answer, language: rt.language });
  },
  resume: (_node, _rt, event) => (event.type === 'done' ? next('answered') : refuse(event, '"done"')),
});
