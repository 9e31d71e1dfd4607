import { issue, obj, opt, str } from '../shape';
import { defineVerb, next, refuse, wait } from './verb';

/**
 * `transfer`: to an external `number` (E.164, `+` and 3–20 digits) or an `agent` (id); exactly one.
 * `done` (connected) ends the flow (`end`, reason `transferred`); `error` or `timeout` take `failed`.
 */
export const transfer = defineVerb({
  name: 'transfer',
  fields: obj({
    number: opt(str({ max: 21, pattern: /^\+?[0-9]{3,20}$/, hint: 'a phone number (+ and digits)' })),
    agent: opt(str({ max: 128 })),
  }),
  outcomes: () => ({ required: ['failed'] }),
  endsFlow: true,
  check(node, path, cx) {
    if ((node.number === undefined) === (node.agent === undefined)) {
      issue(
        cx,
        node.number === undefined ? 'MISSING_FIELD' : 'BAD_VALUE',
        `${path}/number`,
        'give exactly one of number, agent',
      );
    }
  },
  enter: (node) =>
    wait({
      type: 'transfer',
      to:
        node.number !== undefined
          ? { kind: 'number', number: node.number }
          : { kind: 'agent', agentId: node.agent! },
    }),
  resume(_node, _rt, event) {
    if (event.type === 'done') {
      return { kind: 'stop', action: { type: 'end', reason: 'transferred', outcome: null, error: null } };
    }
    return event.type === 'error' || event.type === 'timeout'
      ? next('failed')
      : refuse(event, '"done" or "error"');
  },
});
