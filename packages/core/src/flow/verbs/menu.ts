import { arr, issue, obj, opt, str, target, text } from '../shape';
import { type LocalTemplate, pickLanguage } from '../template';
import { keywordTokens } from '../text-match';
import { collect, joinPrompt, onCollectEvent, retryFields } from './collect';
import { defineVerb, next, type Runtime, wait } from './verb';

const option = obj({
  /** The keypad digit on voice; also what a chat button sends. */
  key: str({ max: 1, pattern: /^[0-9*#]$/, hint: 'one of 0-9, * or #' }),
  label: text(),
  /** Chat: words that choose this option when typed ("заказ", "order status"). */
  keywords: opt(arr(str({ max: 100 }), { max: 20 })),
});

/**
 * `menu`: choose one option. Voice: one DTMF digit. Text channels: buttons (`choices`) — the button's
 * key, the label's text or any option keyword (all its words, stemmed, appearing in the message)
 * chooses. A wrong answer or silence asks again up to `retries` times (with `invalidPrompt` /
 * `noInputPrompt` first), then takes `failed`. Outcomes: each option's key, and `failed`. `into`
 * stores the chosen key.
 */
export const menu = defineVerb({
  name: 'menu',
  fields: obj({
    prompt: text(),
    options: arr(option, { min: 1, max: 12 }),
    into: opt(target()),
    ...retryFields,
  }),
  outcomes: (node) => ({ required: [...node.options.map((o) => o.key), 'failed'] }),
  check(node, path, cx) {
    const seen = new Set<string>();
    node.options.forEach((o, i) => {
      if (seen.has(o.key)) issue(cx, 'DUPLICATE', `${path}/options/${i}/key`, `key "${o.key}" is used twice`);
      seen.add(o.key);
    });
  },
  enter: (node, rt) => ask(node, rt, 1, undefined),
  resume: (node, rt, event) =>
    onCollectEvent(event, rt, {
      ...node,
      accept(value) {
        const chosen = choose(node.options, value, rt);
        if (!chosen) return null;
        if (node.into) rt.set(node.into, chosen);
        return next(chosen);
      },
      ask: (attempt, notice) => ask(node, rt, attempt, notice),
      exhausted: () => next('failed'),
    }),
});

type MenuNode = {
  prompt: LocalTemplate;
  options: { key: string; label: LocalTemplate; keywords?: string[] | undefined }[];
  timeoutMs: number;
};

function ask(node: MenuNode, rt: Runtime, attempt: number, notice: LocalTemplate | undefined) {
  const action = collect(rt, {
    prompt: joinPrompt(rt, notice, node.prompt),
    timeoutMs: node.timeoutMs,
    dtmf: rt.mode === 'dtmf',
    maxDigits: 1,
    maxLength: 200,
    choices: node.options.map((o) => ({ key: o.key, label: rt.render(o.label) })),
  });
  return wait(action, { attempt });
}

const normal = (s: string) =>
  s.normalize('NFKC').toLowerCase().replaceAll('ё', 'е').replace(/\s+/g, ' ').trim();

function choose(options: MenuNode['options'], value: string, rt: Runtime): string | null {
  const byKey = options.find((o) => o.key === value);
  if (byKey || rt.mode === 'dtmf') return byKey?.key ?? null;
  const text = normal(value);
  const byLabel = options.find((o) =>
    (['ru', 'en'] as const).some(
      (l) => o.label[l] && normal(rt.renderTemplate(pickLanguage(o.label, l))) === text,
    ),
  );
  if (byLabel) return byLabel.key;
  const words = new Set(keywordTokens(value));
  const byKeyword = options.find((o) =>
    (o.keywords ?? []).some((k) => {
      const need = keywordTokens(k);
      return need.length > 0 && need.every((w) => words.has(w));
    }),
  );
  return byKeyword?.key ?? null;
}
