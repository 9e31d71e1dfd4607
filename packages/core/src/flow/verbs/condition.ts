import { truthy } from '../expression-eval';
import { expr, obj } from '../shape';
import { defineVerb, next } from './verb';

/** `condition`: evaluates `when` (expression-parser.ts) and takes `true` or `false` by its truthiness. */
export const condition = defineVerb({
  name: 'condition',
  fields: obj({ when: expr() }),
  outcomes: () => ({ required: ['true', 'false'] }),
  enter: (node, rt) => next(truthy(rt.evaluate(node.when)) ? 'true' : 'false'),
});
