import { dflt, int, obj, opt, str, text } from '../shape';
import { defineVerb, next, refuse, wait } from './verb';

/**
 * `voicemail`: records a message for `mailbox` (a queue or user id the server knows), at most
 * `maxSeconds`, after `prompt`. On chat the channel takes the next message as the "recording". `done`
 * (with `recording`, a reference the channel chose, stored in `voicemail.recording`) takes `done`;
 * `timeout` (nothing said) or `error` take `failed`.
 */
export const voicemail = defineVerb({
  name: 'voicemail',
  fields: obj({
    mailbox: str({ max: 128 }),
    maxSeconds: dflt(int({ min: 5, max: 600 }), 120),
    prompt: opt(text()),
  }),
  outcomes: () => ({ required: ['done', 'failed'] }),
  enter: (node, rt) =>
    wait({
      type: 'voicemail',
      mailbox: node.mailbox,
      maxSeconds: node.maxSeconds,
      prompt: node.prompt ? rt.render(node.prompt) : null,
      language: rt.language,
    }),
  resume(_node, rt, event) {
    if (event.type === 'done') {
      rt.set('voicemail.recording', event.recording ?? null);
      return next('done');
    }
    return event.type === 'timeout' || event.type === 'error' ? next('failed') : refuse(event, '"done"');
  },
});
