import type { EvalValue } from '../expression-eval';
import type { Expr } from '../expression-parser';
import type {
  FlowAction,
  FlowEnv,
  FlowEvent,
  FlowRuntimeErrorCode,
  Language,
  Value,
  Vars,
} from '../flow-types';
import type { CheckContext, Shape } from '../shape';
import type { LocalTemplate, Template } from '../template';

/**
 * The contract of a verb: its node fields (a shape, checked on save), the outcomes it may take (edges
 * are named after them), extra checks, and how it runs. `enter` runs when the flow reaches the node;
 * `resume` runs with the channel's event when the node waited. Both are pure: they read and write only
 * through the `Runtime` and return what happens next.
 */
export interface Verb<N> {
  readonly name: string;
  /** The node's fields besides `verb`, `next` and `ui`. */
  readonly fields: Shape<N>;
  /** Outcomes that must have an edge, and those that may (each verb documents its fallback). */
  outcomes(node: N): { readonly required: readonly string[]; readonly optional?: readonly string[] };
  check?(node: N, path: string, cx: CheckContext): void;
  enter(node: N, rt: Runtime): Progress;
  resume?(node: N, rt: Runtime, event: FlowEvent): Progress;
  /** A node of this verb can end the flow (`stop`): an exit for the loop check. */
  readonly endsFlow?: boolean;
}

export type Progress =
  /** Follow the edge named `outcome`. */
  | { readonly kind: 'next'; readonly outcome: string }
  /** Ask the channel to do `action` and wait for its event; `phase` is stored for `resume`. */
  | { readonly kind: 'wait'; readonly action: FlowAction; readonly phase?: unknown }
  /** The flow ends with `action` (`hangup`, `end`). */
  | { readonly kind: 'stop'; readonly action: FlowAction }
  /** A runtime error: continues at the flow's `onError` node or ends the flow. */
  | { readonly kind: 'fail'; readonly code: FlowRuntimeErrorCode; readonly message: string }
  /** The event does not fit what the node waits for; nothing changes. */
  | { readonly kind: 'refuse'; readonly message: string };

/** What a verb may read and change while it runs; implemented by the interpreter. */
export interface Runtime {
  readonly nodeId: string;
  /** Keypad digits (voice) or text and buttons (every other channel). */
  readonly mode: 'dtmf' | 'text';
  readonly language: Language;
  readonly env: FlowEnv;
  /** The waiting node's stored phase (undefined on `enter`). */
  readonly phase: unknown;
  get(name: string): Value;
  set(name: string, value: Value): void;
  /** Evaluates an expression; a failure throws `ExpressionEvalError`, which the interpreter turns into `fail`. */
  evaluate(e: Expr): EvalValue;
  render(t: LocalTemplate): string;
  renderTemplate(t: Template, encode?: (s: string) => string): string;
  hasEdge(outcome: string): boolean;
  setLanguage(language: Language): void;
  readonly routing: { priority: number | null; skills: { skill: string; minLevel: number }[] };
  readonly contactUpdates: Vars;
  /** Variables handed to an agent: everything the flow or the context set, except `sys.*` and `error.*`. */
  handoverVariables(): Vars;
}

export function defineVerb<N>(verb: Verb<N>): Verb<unknown> {
  return verb as Verb<unknown>;
}

export const next = (outcome: string): Progress => ({ kind: 'next', outcome });
export const wait = (action: FlowAction, phase?: unknown): Progress => ({ kind: 'wait', action, phase });
export const refuse = (event: FlowEvent, expected: string): Progress => ({
  kind: 'refuse',
  message: `got "${event.type}", waiting for ${expected}`,
});
