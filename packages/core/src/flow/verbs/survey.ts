import { arr, dflt, int, issue, obj, opt, str, target, text } from '../shape';
import type { LocalTemplate } from '../template';
import { collect, joinPrompt, onCollectEvent } from './collect';
import { defineVerb, next, type Runtime, wait } from './verb';

const question = obj({
  id: str({ max: 32, pattern: /^[a-z0-9_]+$/, hint: 'lower-case letters, digits, _' }),
  prompt: text(),
  /** The scale: whole numbers min…max (0…10 at most). */
  min: int({ min: 0, max: 10 }),
  max: int({ min: 1, max: 10 }),
});

/**
 * `survey`: asks `questions` one after another, each answered with a whole number on its scale
 * (a keypad digit or two followed by `#` on voice, a button or a typed number on chat). Answers are
 * stored as numbers in `INTO.ID` (`survey.csat`); a question not answered after `retries` further
 * attempts stays null and the survey goes on. `intro` is said before the first question. Outcomes
 * `done` (all answered) and `incomplete`.
 */
export const survey = defineVerb({
  name: 'survey',
  fields: obj({
    intro: opt(text()),
    questions: arr(question, { min: 1, max: 10 }),
    into: dflt(target(), 'survey'),
    retries: dflt(int({ min: 0, max: 3 }), 1),
    timeoutMs: dflt(int({ min: 1000, max: 300_000 }), 10_000),
    invalidPrompt: opt(text()),
  }),
  outcomes: () => ({ required: ['done', 'incomplete'] }),
  check(node, path, cx) {
    const seen = new Set<string>();
    node.questions.forEach((q, i) => {
      const at = `${path}/questions/${i}`;
      if (seen.has(q.id)) issue(cx, 'DUPLICATE', `${at}/id`, `question id "${q.id}" is used twice`);
      seen.add(q.id);
      if (q.min >= q.max) issue(cx, 'BAD_VALUE', `${at}/max`, 'max must be above min');
      cx.writes.push({ name: `${node.into}.${q.id}`, path: at });
    });
  },
  enter(node, rt) {
    for (const q of node.questions) rt.set(`${node.into}.${q.id}`, null);
    return ask(node, rt, 0, 1, node.intro);
  },
  resume(node, rt, event) {
    const index = questionOf(rt.phase, node.questions.length);
    const q = node.questions[index]!;
    const onward = () => {
      if (index + 1 < node.questions.length) return ask(node, rt, index + 1, 1, undefined);
      const all = node.questions.every((x) => rt.get(`${node.into}.${x.id}`) !== null);
      return next(all ? 'done' : 'incomplete');
    };
    return onCollectEvent(event, rt, {
      retries: node.retries,
      invalidPrompt: node.invalidPrompt,
      noInputPrompt: undefined,
      accept(value) {
        if (!/^\d{1,2}$/.test(value)) return null;
        const n = Number(value);
        if (n < q.min || n > q.max) return null;
        rt.set(`${node.into}.${q.id}`, n);
        return onward();
      },
      ask: (attempt, notice) => ask(node, rt, index, attempt, notice),
      exhausted: onward,
    });
  },
});

type SurveyNode = {
  questions: { id: string; prompt: LocalTemplate; min: number; max: number }[];
  timeoutMs: number;
};

function ask(
  node: SurveyNode,
  rt: Runtime,
  index: number,
  attempt: number,
  notice: LocalTemplate | undefined,
) {
  const q = node.questions[index]!;
  const choices = [];
  for (let n = q.min; n <= q.max; n++) choices.push({ key: String(n), label: String(n) });
  const action = collect(rt, {
    prompt: joinPrompt(rt, notice, q.prompt),
    timeoutMs: node.timeoutMs,
    dtmf: rt.mode === 'dtmf',
    maxDigits: String(q.max).length,
    finishOnKey: '#',
    maxLength: 20,
    choices,
  });
  return wait(action, { question: index, attempt });
}

function questionOf(phase: unknown, count: number): number {
  const q = (phase as { question?: unknown } | null)?.question;
  return typeof q === 'number' && Number.isInteger(q) && q >= 0 && q < count ? q : 0;
}
