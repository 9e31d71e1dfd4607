import { obj } from '../shape';
import { defineVerb } from './verb';

/** `hangup`: ends the call (voice) or closes the conversation (chat). No outcomes. */
export const hangup = defineVerb({
  name: 'hangup',
  fields: obj({}),
  outcomes: () => ({ required: [] }),
  endsFlow: true,
  enter: () => ({ kind: 'stop', action: { type: 'hangup' } }),
});
