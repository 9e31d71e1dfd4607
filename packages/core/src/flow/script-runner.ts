import type { BusinessCalendar } from '../calendar/business-hours';
import { millis } from '../ports';
import type { FlowAction, FlowContext, FlowEnv, FlowEvent, FlowState, FlowStep } from './flow-types';
import { resume, start } from './interpreter';
import { buildFaqIndex, type FaqArticle } from './text-match';
import { compileFlow } from './validate-flow';

/**
 * Plays a scripted conversation against a flow and compares what happens with what the script expects
 * (`npm run flow:test -- FLOW.json SCRIPT.json`; format in README.md §Test scripts). Between every two
 * calls the state goes through JSON text and back, as it would through the database, so every passing
 * script also proves the conversation survives a restart at each step.
 */
export interface TestScript {
  readonly description?: string;
  readonly context: FlowContext;
  /** Start time: ISO 8601 or ms since the epoch. Default 2025-01-01T00:00:00Z. */
  readonly clock?: string | number;
  readonly calendars?: Readonly<Record<string, BusinessCalendar>>;
  readonly knowledgeBase?: readonly FaqArticle[];
  readonly steps: readonly ScriptStep[];
  /** Every node entered, in order, across the whole conversation. */
  readonly path?: readonly string[];
  /** Variables the conversation must end with (only those named). */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** Whether the flow must have ended after the last step (default true). */
  readonly ends?: boolean;
}

export interface ScriptStep {
  /** The action the flow must ask for; only the fields given are compared. */
  readonly expect: Readonly<Record<string, unknown>>;
  /** The channel's answer. Default `{"type":"done"}` where an action takes `done`. */
  readonly send?: FlowEvent;
  /** Moves the clock forward before the answer is sent. */
  readonly advanceMs?: number;
}

export interface ScriptResult {
  readonly ok: boolean;
  /** Human-readable report: one line per step, and a diff on the first mismatch. */
  readonly report: readonly string[];
  /** Set when the script or flow could not be run at all (not a mismatch). */
  readonly unusable?: boolean;
  readonly path: readonly string[];
}

const DEFAULT_CLOCK = Date.UTC(2025, 0, 1);
const DONE_ACTIONS = new Set(['say', 'play', 'voicemail', 'enqueue', 'transfer', 'callback']);

export function runScript(flowJson: unknown, scriptJson: unknown): ScriptResult {
  const compiled = compileFlow(flowJson);
  if (!compiled.ok) {
    return {
      ok: false,
      unusable: true,
      path: [],
      report: [
        '✗ the flow is invalid:',
        ...compiled.issues.map((i) => `  ${i.code} at ${i.path || '/'}: ${i.message}`),
      ],
    };
  }
  const script = checkScript(scriptJson);
  if (typeof script === 'string')
    return { ok: false, unusable: true, path: [], report: [`✗ bad script: ${script}`] };
  const flow = compiled.flow;
  let now = clockOf(script.clock);
  const calendars = script.calendars ?? {};
  const knowledgeBase = script.knowledgeBase ? buildFaqIndex(script.knowledgeBase) : undefined;
  const env = (): FlowEnv => ({
    now: millis(now),
    calendars: (id) => (Object.hasOwn(calendars, id) ? calendars[id] : undefined),
    ...(knowledgeBase ? { knowledgeBase } : {}),
  });

  const report: string[] = [];
  const path: string[] = [];
  let step: FlowStep = start(flow, script.context, env());
  path.push(...step.visited);
  const fail = (lines: string[]): ScriptResult => ({
    ok: false,
    path,
    report: [...report, ...lines, ...context(path, step.state)],
  });

  for (const [i, s] of script.steps.entries()) {
    const n = i + 1;
    const diffs = differences(s.expect, step.action, '');
    if (diffs.length > 0) {
      return fail([
        `✗ step ${n}: the flow asked for something else`,
        `    expected: ${JSON.stringify(s.expect)}`,
        `    actual:   ${JSON.stringify(step.action)}`,
        ...diffs.map((d) => `    - ${d}`),
      ]);
    }
    report.push(`✓ step ${n}: ${summary(step.action)}`);
    const ended = step.state.status === 'ended';
    if (ended) {
      if (i < script.steps.length - 1) {
        return fail([
          `✗ step ${n + 1}: the flow has ended, but the script has ${script.steps.length - n} more step(s)`,
        ]);
      }
      break;
    }
    if (i === script.steps.length - 1 && s.send === undefined) break;
    const event = s.send ?? (DONE_ACTIONS.has(step.action.type) ? ({ type: 'done' } as const) : undefined);
    if (!event) {
      return fail([`✗ step ${n}: the flow waits for "${step.action.type}" input; the step needs "send"`]);
    }
    now += s.advanceMs ?? 0;
    // The restart: what the server stores is JSON text.
    const stored = JSON.parse(JSON.stringify(step.state)) as FlowState;
    const next = resume(flow, stored, event, env());
    if (next.refused) {
      return fail([
        `✗ step ${n}: the flow refused ${JSON.stringify(event)}: ${next.refused.code} ${next.refused.message}`,
      ]);
    }
    step = next;
    path.push(...step.visited);
  }

  const last = script.steps.length;
  if ((script.ends ?? true) && step.state.status !== 'ended') {
    return fail([
      `✗ after step ${last}: the flow still waits (${summary(step.action)}); the script expects it to end`,
    ]);
  }
  if (script.path) {
    const d = pathDifference(script.path, path);
    if (d)
      return fail([
        `✗ path: ${d}`,
        `    expected: ${script.path.join(' → ')}`,
        `    actual:   ${path.join(' → ')}`,
      ]);
    report.push(`✓ path: ${path.length} nodes`);
  }
  if (script.variables) {
    const diffs = differences(script.variables, step.state.vars, 'variables');
    if (diffs.length > 0) return fail(['✗ final variables differ', ...diffs.map((d) => `    - ${d}`)]);
    report.push(`✓ variables: ${Object.keys(script.variables).join(', ')}`);
  }
  return { ok: true, path, report };
}

function checkScript(v: unknown): TestScript | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a script is a JSON object';
  const s = v as Record<string, unknown>;
  if (typeof s.context !== 'object' || s.context === null)
    return '"context" (an object with "channel") is required';
  if (!Array.isArray(s.steps) || s.steps.length === 0) return '"steps" must be a non-empty array';
  for (const [i, step] of s.steps.entries()) {
    if (
      typeof step !== 'object' ||
      step === null ||
      typeof (step as { expect?: unknown }).expect !== 'object'
    ) {
      return `step ${i + 1} needs "expect" (an object)`;
    }
  }
  if (s.clock !== undefined && Number.isNaN(clockOf(s.clock as string | number)))
    return '"clock" is not a date';
  if (s.path !== undefined && !(Array.isArray(s.path) && s.path.every((x) => typeof x === 'string'))) {
    return '"path" must be an array of node ids';
  }
  return v as TestScript;
}

function clockOf(clock: string | number | undefined): number {
  if (clock === undefined) return DEFAULT_CLOCK;
  return typeof clock === 'number' ? clock : Date.parse(clock);
}

/** Where `actual` departs from `expected`: every field of `expected`, recursively; arrays whole. */
export function differences(expected: unknown, actual: unknown, at: string): string[] {
  const here = at || '(action)';
  if (typeof expected === 'object' && expected !== null && !Array.isArray(expected)) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      return [`${here}: expected an object, got ${JSON.stringify(actual)}`];
    }
    const out: string[] = [];
    for (const [k, v] of Object.entries(expected)) {
      const a = Object.hasOwn(actual, k) ? (actual as Record<string, unknown>)[k] : undefined;
      out.push(...differences(v, a, at ? `${at}.${k}` : k));
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [`${here}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
    }
    return expected.flatMap((e, i) => differences(e, actual[i], `${at}[${i}]`));
  }
  return Object.is(expected, actual)
    ? []
    : [`${here}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

function pathDifference(expected: readonly string[], actual: readonly string[]): string | null {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== actual[i]) return `node ${i + 1} is "${actual[i]}", expected "${expected[i]}"`;
  }
  if (expected.length !== actual.length) {
    return actual.length > n
      ? `went on to "${actual[n]}" after the expected ${n} nodes`
      : `stopped after ${n} nodes; expected "${expected[n]}" next`;
  }
  return null;
}

function summary(a: FlowAction): string {
  switch (a.type) {
    case 'say':
      return `say "${a.text}"`;
    case 'collect':
      return `collect ${a.mode}${a.prompt ? ` "${a.prompt}"` : ''}`;
    case 'http':
      return `http ${a.method} ${a.url}`;
    case 'enqueue':
      return `enqueue to ${a.queue}`;
    case 'end':
      return `end (${a.reason}${a.outcome ? `: ${a.outcome}` : ''}${a.error ? `: ${a.error.code}` : ''})`;
    default:
      return a.type;
  }
}

function context(path: readonly string[], state: FlowState): string[] {
  const lines = [`  path so far: ${path.join(' → ') || '(none)'}`];
  if (state.transcript.length > 0) {
    lines.push('  transcript:');
    for (const t of state.transcript.slice(-10)) lines.push(`    ${t.from}: ${t.text}`);
  }
  return lines;
}
