import { toValue } from '../expression-eval';
import { arr, expr, int, issue, obj, oneOf, opt, rec, str, target } from '../shape';
import { defineVerb, next } from './verb';

export const skillList = () =>
  arr(obj({ skill: str({ max: 128 }), minLevel: int({ min: 1, max: 10 }) }), { min: 1, max: 20 });

/**
 * `set`: assigns variables from expressions (`values`, evaluated in order; later ones see earlier
 * ones), contact attributes (`contact.NAME`: also reported to the server as contact updates), the
 * routing priority and required skills used by a later `enqueue`, and the conversation language.
 * Outcome `done`.
 */
export const set = defineVerb({
  name: 'set',
  fields: obj({
    values: opt(rec(expr(), { key: target(), min: 1, max: 50 })),
    priority: opt(int({ min: 0, max: 100 })),
    skills: opt(skillList()),
    language: opt(oneOf(['ru', 'en'])),
  }),
  outcomes: () => ({ required: ['done'] }),
  check(node, path, cx) {
    if (
      node.values === undefined &&
      node.priority === undefined &&
      node.skills === undefined &&
      !node.language
    ) {
      issue(
        cx,
        'MISSING_FIELD',
        `${path}/values`,
        'set needs at least one of values, priority, skills, language',
      );
    }
  },
  enter(node, rt) {
    for (const [name, e] of Object.entries(node.values ?? {})) rt.set(name, toValue(rt.evaluate(e)));
    if (node.priority !== undefined) rt.routing.priority = node.priority;
    if (node.skills) rt.routing.skills = node.skills.map((s) => ({ skill: s.skill, minLevel: s.minLevel }));
    if (node.language) rt.setLanguage(node.language);
    return next('done');
  },
});
