import { arr, int, obj, opt, source, str } from '../shape';
import { skillList } from './set';
import { defineVerb, next, refuse, wait } from './verb';

/**
 * `enqueue`: hands the conversation to a human through the router (`routing/engine-contract.ts`
 * `EnqueueRequest`): `queue` (id), `priority` (else the one `set` chose, else the queue's own), and the
 * required skills `set` chose plus this node's `skills` (the higher level wins per skill). The action
 * carries the gathered variables for the agent's screen (`variables`: these names only; default:
 * everything except `sys.*` and `error.*`) and the contact attributes the flow changed.
 *
 * `done` (the router accepted it) ends the flow (`end`, reason `handed_over`); `error` takes `error`.
 */
export const enqueue = defineVerb({
  name: 'enqueue',
  fields: obj({
    queue: str({ max: 128 }),
    priority: opt(int({ min: 0, max: 100 })),
    skills: opt(skillList()),
    variables: opt(arr(source(), { max: 100 })),
  }),
  outcomes: () => ({ required: ['error'] }),
  endsFlow: true,
  enter(node, rt) {
    const skills = new Map<string, number>();
    for (const s of [...rt.routing.skills, ...(node.skills ?? [])]) {
      skills.set(s.skill, Math.max(s.minLevel, skills.get(s.skill) ?? 0));
    }
    const all = rt.handoverVariables();
    const variables = node.variables ? Object.fromEntries(node.variables.map((n) => [n, rt.get(n)])) : all;
    return wait({
      type: 'enqueue',
      queue: node.queue,
      priority: node.priority ?? rt.routing.priority,
      skills: [...skills].map(([skill, minLevel]) => ({ skill, minLevel })),
      language: rt.language,
      variables,
      contactUpdates: { ...rt.contactUpdates },
    });
  },
  resume(_node, _rt, event) {
    if (event.type === 'done') {
      return { kind: 'stop', action: { type: 'end', reason: 'handed_over', outcome: null, error: null } };
    }
    return event.type === 'error' ? next('error') : refuse(event, '"done" or "error"');
  },
});
