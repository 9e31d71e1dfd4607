import type { CollectAction, FlowEvent } from '../flow-types';
import { dflt, int, opt, text } from '../shape';
import type { LocalTemplate } from '../template';
import { type Progress, type Runtime, refuse } from './verb';

/**
 * What `menu`, `gather` and `survey` share: asking, waiting for input with a timeout, and asking again
 * after a wrong answer or silence, at most `retries` more times.
 */
export const retryFields = {
  /** Further attempts after the first. */
  retries: dflt(int({ min: 0, max: 5 }), 2),
  timeoutMs: dflt(int({ min: 1000, max: 300_000 }), 8000),
  /** Said before asking again after a wrong answer. */
  invalidPrompt: opt(text()),
  /** Said before asking again after silence. */
  noInputPrompt: opt(text()),
};

export interface Attempt {
  /** 1 on the first ask. */
  readonly attempt: number;
}

export function attemptOf(phase: unknown): number {
  const a = (phase as Partial<Attempt> | null)?.attempt;
  return typeof a === 'number' && Number.isInteger(a) && a >= 1 ? a : 1;
}

export function collect(
  rt: Runtime,
  o: {
    prompt: string | null;
    timeoutMs: number;
    dtmf: boolean;
    maxDigits?: number | null;
    finishOnKey?: string | null;
    maxLength?: number;
    choices?: CollectAction['choices'];
  },
): CollectAction {
  return {
    type: 'collect',
    mode: o.dtmf ? 'dtmf' : 'text',
    prompt: o.prompt,
    language: rt.language,
    timeoutMs: o.timeoutMs,
    maxDigits: o.dtmf ? (o.maxDigits ?? null) : null,
    finishOnKey: o.dtmf ? (o.finishOnKey ?? null) : null,
    maxLength: o.maxLength ?? 1000,
    choices: o.dtmf ? [] : (o.choices ?? []),
  };
}

/** `notice` then `prompt`, as one text (one TTS utterance or one chat message). */
export function joinPrompt(rt: Runtime, notice: LocalTemplate | undefined, prompt: LocalTemplate): string {
  const p = rt.render(prompt);
  return notice ? `${rt.render(notice)} ${p}`.trim() : p;
}

/**
 * Handles the event a collecting node waits for. `accept` gets trimmed input and returns the progress,
 * or null when the input is not acceptable; `ask(attempt, notice)` asks again; `exhausted` is the
 * progress after the last attempt failed.
 */
export function onCollectEvent(
  event: FlowEvent,
  rt: Runtime,
  o: {
    retries: number;
    invalidPrompt: LocalTemplate | undefined;
    noInputPrompt: LocalTemplate | undefined;
    accept(value: string): Progress | null;
    ask(attempt: number, notice: LocalTemplate | undefined): Progress;
    exhausted(): Progress;
  },
): Progress {
  let notice: LocalTemplate | undefined;
  if (event.type === 'input') {
    const accepted = o.accept(event.value.trim());
    if (accepted) return accepted;
    notice = o.invalidPrompt;
  } else if (event.type === 'timeout') {
    notice = o.noInputPrompt;
  } else {
    return refuse(event, '"input" or "timeout"');
  }
  const attempt = attemptOf(rt.phase) + 1;
  return attempt > o.retries + 1 ? o.exhausted() : o.ask(attempt, notice);
}
