import { truthy } from '../expression-eval';
import { MAX_SUBJECT, safeTest } from '../safe-regex';
import { dflt, expr, int, issue, obj, oneOf, opt, pattern, str, target, text } from '../shape';
import type { LocalTemplate } from '../template';
import { collect, joinPrompt, onCollectEvent, retryFields } from './collect';
import { defineVerb, next, type Runtime, wait } from './verb';

/**
 * `gather`: collects digits (keypad on voice, typed on chat; spaces and dashes dropped) or free text
 * into `into`. The answer must have `minLength`…`maxLength` characters, match `pattern` (anchor it
 * yourself: `^\d{6}$`) and make `validate` true (an expression where `input` is the answer). A wrong
 * answer or silence asks again up to `retries` times, then takes `failed`. Outcomes `ok`, `failed`.
 */
export const gather = defineVerb({
  name: 'gather',
  fields: obj({
    prompt: text(),
    into: target(),
    input: dflt(oneOf(['digits', 'text']), 'digits'),
    minLength: dflt(int({ min: 1, max: 1000 }), 1),
    maxLength: opt(int({ min: 1, max: 1000 })),
    finishOnKey: dflt(str({ max: 1, pattern: /^[#*]$/, hint: '"#" or "*"' }), '#'),
    pattern: opt(pattern()),
    validate: opt(expr()),
    ...retryFields,
  }),
  outcomes: () => ({ required: ['ok', 'failed'] }),
  check(node, path, cx) {
    const max = maxOf(node);
    if (max < node.minLength) issue(cx, 'BAD_VALUE', `${path}/maxLength`, 'maxLength is below minLength');
    if (node.pattern && max > MAX_SUBJECT) {
      issue(cx, 'BAD_VALUE', `${path}/maxLength`, `with a pattern, maxLength must be at most ${MAX_SUBJECT}`);
    }
  },
  enter: (node, rt) => ask(node, rt, 1, undefined),
  resume: (node, rt, event) =>
    onCollectEvent(event, rt, {
      ...node,
      accept(raw) {
        const value = node.input === 'digits' ? raw.replace(/[\s-]+/g, '') : raw;
        if (value.length < node.minLength || value.length > maxOf(node)) return null;
        if (node.input === 'digits' && !/^\d+$/.test(value)) return null;
        if (node.pattern && !safeTest(node.pattern, value)) return null;
        rt.set('input', value);
        if (node.validate && !truthy(rt.evaluate(node.validate))) return null;
        rt.set(node.into, value);
        return next('ok');
      },
      ask: (attempt, notice) => ask(node, rt, attempt, notice),
      exhausted: () => next('failed'),
    }),
});

type GatherNode = Parameters<typeof maxOf>[0] & {
  prompt: LocalTemplate;
  timeoutMs: number;
  finishOnKey: string;
};

function maxOf(node: { input: 'digits' | 'text'; maxLength?: number | undefined }): number {
  return node.maxLength ?? (node.input === 'digits' ? 32 : 1000);
}

function ask(node: GatherNode, rt: Runtime, attempt: number, notice: LocalTemplate | undefined) {
  const action = collect(rt, {
    prompt: joinPrompt(rt, notice, node.prompt),
    timeoutMs: node.timeoutMs,
    dtmf: rt.mode === 'dtmf' && node.input === 'digits',
    maxDigits: maxOf(node),
    finishOnKey: node.finishOnKey,
    maxLength: maxOf(node),
  });
  return wait(action, { attempt });
}
