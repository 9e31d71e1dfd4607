import { millis } from '../ports';
import type { FlowContext, FlowEnv, FlowEvent, FlowState, FlowStep } from './flow-types';
import { resume, start } from './interpreter';
import { type CompiledFlow, compileFlow } from './validate-flow';

/** Test helpers for flows (not used by production code). */
export function compile(json: unknown): CompiledFlow {
  const r = compileFlow(json);
  if (!r.ok)
    throw new Error(`invalid flow:\n${r.issues.map((i) => `${i.code} ${i.path} ${i.message}`).join('\n')}`);
  return r.flow;
}

/**
 * A flow of one node under test (`sut`), each of whose outcomes leads to an `end` node labelled with
 * the outcome's name — so the final action tells which outcome was taken.
 */
export function single(
  node: Record<string, unknown>,
  outcomes: readonly string[],
  variables: Record<string, unknown> = {},
): CompiledFlow {
  const nodes: Record<string, unknown> = {
    sut: {
      ...node,
      next: Object.fromEntries(outcomes.map((o) => [o, `out_${o.replace(/[^A-Za-z0-9_]/g, '_')}`])),
    },
  };
  for (const o of outcomes)
    nodes[`out_${o.replace(/[^A-Za-z0-9_]/g, '_')}`] = {
      verb: 'end',
      outcome: `took_${o === '#' ? 'hash' : o === '*' ? 'star' : o}`,
    };
  return compile({ id: 'test', version: 1, entry: 'sut', variables, nodes });
}

export const T0 = Date.UTC(2025, 0, 6, 9, 0); // a Monday, 09:00 UTC

/** Drives one conversation; the state goes through JSON between calls, as through a database. */
export class Conversation {
  step: FlowStep;
  now: number;
  constructor(
    readonly flow: CompiledFlow,
    context: FlowContext = { channel: 'chat', language: 'en' },
    readonly env: Omit<FlowEnv, 'now'> = {},
    now = T0,
  ) {
    this.now = now;
    this.step = start(flow, context, this.envNow());
  }

  envNow(): FlowEnv {
    return { ...this.env, now: millis(this.now) };
  }

  send(event: FlowEvent): FlowStep {
    const stored = JSON.parse(JSON.stringify(this.step.state)) as FlowState;
    const next = resume(this.flow, stored, event, this.envNow());
    if (!next.refused) this.step = next;
    return next;
  }

  input(value: string): FlowStep {
    return this.send({ type: 'input', value });
  }

  done(): FlowStep {
    return this.send({ type: 'done' });
  }

  get action() {
    return this.step.action;
  }

  /** The `took_X` label of the end node reached, or null while the flow runs. */
  get outcome(): string | null {
    const a = this.step.action;
    return a.type === 'end' && a.outcome ? a.outcome.replace(/^took_/, '') : null;
  }
}
