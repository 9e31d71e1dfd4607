import { ExpressionEvalError } from '../expression-eval';
import { parseExpression } from '../expression-parser';
import { expr, obj, opt, str } from '../shape';
import { defineVerb, next, refuse, wait } from './verb';

const callerNumber = parseExpression('caller.number');

/**
 * `callback`: schedules a call back to `number` (an expression; default `caller.number`) through
 * `queue`, at `at` (an expression giving ms since the epoch, e.g. `sys.now + 3600000`; absent or null:
 * as soon as an agent is free). A number without 3–20 digits or a time in the past takes `failed`
 * without asking the channel. `done` takes `scheduled`; `error` takes `failed`.
 */
export const callback = defineVerb({
  name: 'callback',
  fields: obj({ queue: str({ max: 128 }), number: opt(expr()), at: opt(expr()) }),
  outcomes: () => ({ required: ['scheduled', 'failed'] }),
  enter(node, rt) {
    const number = rt.evaluate(node.number ?? callerNumber);
    if (typeof number !== 'string' && typeof number !== 'number') return next('failed');
    const digits = String(number).replace(/[\s()-]+/g, '');
    if (!/^\+?[0-9]{3,20}$/.test(digits)) return next('failed');
    const at = node.at ? rt.evaluate(node.at) : null;
    if (at !== null && typeof at !== 'number')
      throw new ExpressionEvalError('callback "at" must be a number (ms) or null');
    if (at !== null && at < rt.env.now) return next('failed');
    return wait({ type: 'callback', number: digits, queue: node.queue, at });
  },
  resume(_node, _rt, event) {
    if (event.type === 'done') return next('scheduled');
    return event.type === 'error' ? next('failed') : refuse(event, '"done" or "error"');
  },
});
