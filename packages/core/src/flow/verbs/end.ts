import { obj, opt, str } from '../shape';
import { defineVerb } from './verb';

/**
 * `end`: the flow is finished without hanging up (the channel keeps the line or chat for whatever
 * comes next). `outcome` labels how it ended, for reports ("self_service", "no_answer" …).
 */
export const end = defineVerb({
  name: 'end',
  fields: obj({
    outcome: opt(str({ max: 64, pattern: /^[a-z0-9_]+$/, hint: 'lower-case letters, digits, _' })),
  }),
  outcomes: () => ({ required: [] }),
  endsFlow: true,
  enter: (node) => ({
    kind: 'stop',
    action: { type: 'end', reason: 'completed', outcome: node.outcome ?? null, error: null },
  }),
});
