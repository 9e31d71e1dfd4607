import { businessHours } from './business-hours';
import { callback } from './callback';
import { condition } from './condition';
import { end } from './end';
import { enqueue } from './enqueue';
import { faq } from './faq';
import { gather } from './gather';
import { hangup } from './hangup';
import { http } from './http';
import { menu } from './menu';
import { play } from './play';
import { say } from './say';
import { set } from './set';
import { survey } from './survey';
import { transfer } from './transfer';
import type { Verb } from './verb';
import { voicemail } from './voicemail';

/** Every verb of the flow language by name. Adding a verb: one file beside this one, one line here. */
export const verbs: ReadonlyMap<string, Verb<unknown>> = new Map(
  [
    say,
    play,
    menu,
    gather,
    condition,
    businessHours,
    http,
    set,
    enqueue,
    transfer,
    voicemail,
    callback,
    survey,
    faq,
    hangup,
    end,
  ].map((v) => [v.name, v]),
);
