import { obj, text } from '../shape';
import { defineVerb, next, refuse, wait } from './verb';

/** `say`: text to speech on voice, a message on chat. Waits for `done`; outcome `done`. */
export const say = defineVerb({
  name: 'say',
  fields: obj({ text: text() }),
  outcomes: () => ({ required: ['done'] }),
  enter: (node, rt) => wait({ type: 'say', text: rt.render(node.text), language: rt.language }),
  resume: (_node, _rt, event) => (event.type === 'done' ? next('done') : refuse(event, '"done"')),
});
