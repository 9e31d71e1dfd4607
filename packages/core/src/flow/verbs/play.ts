import { obj, opt, str, text } from '../shape';
import { defineVerb, next, refuse, wait } from './verb';

/**
 * `play`: an audio file (a prompt, music). `text` is what a text channel shows instead (or a caption);
 * the channel decides. Waits for `done` (or `error` when the file cannot be played: also `done`, the
 * flow goes on). Outcome `done`.
 */
export const play = defineVerb({
  name: 'play',
  fields: obj({ audio: str({ max: 1024 }), text: opt(text()) }),
  outcomes: () => ({ required: ['done'] }),
  enter: (node, rt) =>
    wait({
      type: 'play',
      audio: node.audio,
      text: node.text ? rt.render(node.text) : null,
      language: rt.language,
    }),
  resume: (_node, _rt, event) =>
    event.type === 'done' || event.type === 'error' ? next('done') : refuse(event, '"done"'),
});
