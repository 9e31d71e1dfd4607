import { channels } from '../channels';
import type { Millis } from '../ports';
import { ExpressionEvalError, evaluate } from './expression-eval';
import {
  defaultFlowLimits,
  type EndAction,
  type FlowAction,
  type FlowContext,
  type FlowEnv,
  type FlowEvent,
  type FlowLimits,
  type FlowRuntimeErrorCode,
  type FlowState,
  type FlowStep,
  type Language,
  languages,
  MAX_STRING,
  type TranscriptEntry,
  type Value,
  type Vars,
} from './flow-types';
import { pickLanguage, render } from './template';
import type { CompiledFlow, CompiledNode } from './validate-flow';
import type { Progress, Runtime } from './verbs/verb';

/**
 * The flow interpreter: pure and resumable.
 *
 *   start(flow, context, env)        → { state, action, visited }
 *   resume(flow, state, event, env)  → { state, action, visited[, refused] }
 *
 * It runs nodes until one needs the channel (an action to carry out and an event to wait for) or the
 * flow ends. The state is plain JSON; the server stores it and calls `resume` with the next event,
 * after a restart too. `env` carries the time of the call and the tenant's data; nothing else is read.
 *
 * Nothing throws out of these functions: a corrupt state, a malformed event or a bug inside a verb
 * becomes a refusal (state unchanged) or an `end` action with an error code.
 */
export function start(flow: CompiledFlow, context: FlowContext, env: FlowEnv): FlowStep {
  try {
    const s = Session.fresh(flow, context, env);
    if (typeof s === 'string') return crashed(flow, 'BAD_CONTEXT', s);
    return s.run(flow.entry);
  } catch (error) {
    return crashed(flow, 'INTERNAL', messageOf(error));
  }
}

export function resume(flow: CompiledFlow, state: FlowState, event: FlowEvent, env: FlowEnv): FlowStep {
  try {
    const problem = stateProblem(state, flow);
    if (problem !== null) return crashed(flow, 'BAD_STATE', problem);
    if (state.flowId !== flow.id || state.flowVersion !== flow.version) {
      return refused(state, 'FLOW_MISMATCH', `the state belongs to ${state.flowId} v${state.flowVersion}`);
    }
    if (state.status === 'ended') return refused(state, 'FLOW_ENDED', 'the flow has ended');
    const bad = eventProblem(event);
    if (bad !== null) return refused(state, 'BAD_EVENT', bad);
    const s = Session.restore(flow, state, env);
    if (event.type === 'hangup') {
      return s.finish({ type: 'end', reason: 'caller_left', outcome: null, error: null });
    }
    if (event.type === 'input') s.heard(event.value.slice(0, MAX_STRING));
    const node = flow.nodes.get(state.node)!;
    const p = s.attempt(
      node,
      (rt) => (node.verb.resume ? node.verb.resume(node.fields, rt, event) : null),
      state.phase,
    );
    if (p === null || p.kind === 'refuse') {
      const why = p === null ? `${node.verb.name} waits for nothing` : p.message;
      return refused(state, 'UNEXPECTED_EVENT', why);
    }
    return s.apply(node, p);
  } catch (error) {
    return crashed(flow, 'INTERNAL', messageOf(error));
  }
}

const refused = (
  state: FlowState,
  code: NonNullable<FlowStep['refused']>['code'],
  message: string,
): FlowStep => ({
  state,
  action: state.pending,
  visited: [],
  refused: { code, message },
});

function endWithError(code: FlowRuntimeErrorCode, message: string): EndAction {
  return { type: 'end', reason: 'error', outcome: null, error: { code, message } };
}

/** An ended state for a flow that could not even start or continue. */
function crashed(flow: CompiledFlow, code: FlowRuntimeErrorCode, message: string): FlowStep {
  const action = endWithError(code, message.slice(0, 500));
  const state: FlowState = {
    format: 1,
    flowId: flow.id,
    flowVersion: flow.version,
    status: 'ended',
    node: flow.entry,
    phase: null,
    pending: action,
    channel: 'chat',
    language: 'ru',
    timeZone: 'UTC',
    vars: {},
    routing: { priority: null, skills: [] },
    contactUpdates: {},
    transcript: [],
    trail: [],
    stepsWithoutInput: 0,
    errorsHandled: 0,
  };
  return { state, action, visited: [] };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const MAX_ERROR_HANDLING = 3;

/** The mutable working copy of one flow instance during one call. */
class Session {
  private visited: string[] = [];
  private constructor(
    private readonly flow: CompiledFlow,
    private readonly env: FlowEnv,
    private readonly limits: FlowLimits,
    readonly channel: FlowState['channel'],
    readonly timeZone: string,
    private language: Language,
    private readonly vars: Vars,
    readonly routing: { priority: number | null; skills: { skill: string; minLevel: number }[] },
    readonly contactUpdates: Vars,
    private readonly transcript: TranscriptEntry[],
    private readonly trail: string[],
    private steps: number,
    private errorsHandled: number,
  ) {}

  static fresh(flow: CompiledFlow, context: FlowContext, env: FlowEnv): Session | string {
    if (typeof context !== 'object' || context === null) return 'the context must be an object';
    if (!(channels as readonly string[]).includes(context.channel))
      return `unknown channel ${String(context.channel)}`;
    const language = context.language ?? 'ru';
    if (!languages.includes(language)) return `unknown language ${String(language)}`;
    const vars: Vars = {};
    for (const [name, decl] of Object.entries(flow.variables)) {
      const given =
        context.variables && Object.hasOwn(context.variables, name) ? context.variables[name] : undefined;
      vars[name] =
        given !== undefined && (given === null || typeof given === decl.type)
          ? given
          : (decl.default ?? null);
    }
    const s = new Session(
      flow,
      env,
      limitsOf(env),
      context.channel,
      zoneOr(context.timeZone),
      language,
      vars,
      { priority: null, skills: [] },
      {},
      [],
      [],
      0,
      0,
    );
    if (typeof context.caller?.number === 'string') s.set('caller.number', context.caller.number);
    if (typeof context.caller?.name === 'string') s.set('caller.name', context.caller.name);
    for (const [k, v] of Object.entries(context.contact ?? {})) {
      if (isScalar(v) && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k)) s.vars[`contact.${k}`] = capped(v);
    }
    return s;
  }

  static restore(flow: CompiledFlow, st: FlowState, env: FlowEnv): Session {
    return new Session(
      flow,
      env,
      limitsOf(env),
      st.channel,
      zoneOr(st.timeZone),
      st.language,
      { ...st.vars },
      { priority: st.routing.priority, skills: st.routing.skills.map((x) => ({ ...x })) },
      { ...st.contactUpdates },
      [...st.transcript],
      [...st.trail],
      st.stepsWithoutInput,
      st.errorsHandled,
    );
  }

  heard(text: string): void {
    this.vars.input = text;
    this.steps = 0;
    this.note('customer', text, '');
  }

  /** Runs from node `id` until a node waits or the flow ends. */
  run(id: string): FlowStep {
    let current = id;
    for (;;) {
      if (this.steps >= this.limits.maxStepsWithoutInput) {
        const p = this.fail(current, 'STEP_LIMIT', `${this.steps} nodes without customer input`);
        if (p.kind === 'end') return p.step;
        current = p.goto;
        continue;
      }
      this.steps++;
      this.visited.push(current);
      this.trail.push(current);
      if (this.trail.length > this.limits.maxTrail)
        this.trail.splice(0, this.trail.length - this.limits.maxTrail);
      const node = this.flow.nodes.get(current)!;
      const progress = this.attempt(node, (rt) => node.verb.enter(node.fields, rt), undefined)!;
      const outcome = this.follow(node, progress);
      if (typeof outcome !== 'string') return outcome;
      current = outcome;
    }
  }

  /** Continues after `resume` produced `p` at `node`. */
  apply(node: CompiledNode, p: Progress): FlowStep {
    const outcome = this.follow(node, p);
    return typeof outcome === 'string' ? this.run(outcome) : outcome;
  }

  /** Runs a verb callback; evaluation errors and bugs become `fail`. */
  attempt(node: CompiledNode, f: (rt: Runtime) => Progress | null, phase: unknown): Progress | null {
    try {
      return f(this.runtime(node, phase));
    } catch (error) {
      if (error instanceof ExpressionEvalError)
        return { kind: 'fail', code: 'EXPRESSION_FAILED', message: error.message };
      return { kind: 'fail', code: 'INTERNAL', message: messageOf(error) };
    }
  }

  /** The next node id, or the finished step. */
  private follow(node: CompiledNode, p: Progress): string | FlowStep {
    switch (p.kind) {
      case 'next': {
        const to = node.next[p.outcome];
        if (to !== undefined) return to;
        const f = this.fail(node.id, 'NO_EDGE', `"${node.id}" has no edge for outcome "${p.outcome}"`);
        return f.kind === 'end' ? f.step : f.goto;
      }
      case 'wait':
        this.noteAction(p.action, node.id);
        return this.step('waiting', node.id, p.phase ?? null, p.action);
      case 'stop':
        return this.step('ended', node.id, null, p.action);
      case 'fail': {
        const f = this.fail(node.id, p.code, p.message);
        return f.kind === 'end' ? f.step : f.goto;
      }
      case 'refuse': {
        // Only `resume` may refuse; from `enter` it is a verb bug.
        const f = this.fail(node.id, 'INTERNAL', p.message);
        return f.kind === 'end' ? f.step : f.goto;
      }
    }
  }

  /** A runtime error goes to `onError` (at most MAX_ERROR_HANDLING times), else ends the flow. */
  private fail(
    at: string,
    code: FlowRuntimeErrorCode,
    message: string,
  ): { kind: 'end'; step: FlowStep } | { kind: 'goto'; goto: string } {
    const handler = this.flow.onError;
    if (handler !== null && this.errorsHandled < MAX_ERROR_HANDLING) {
      this.errorsHandled++;
      this.steps = 0;
      this.vars['error.code'] = code;
      this.vars['error.node'] = at;
      return { kind: 'goto', goto: handler };
    }
    return { kind: 'end', step: this.finish(endWithError(code, message)) };
  }

  finish(action: FlowAction): FlowStep {
    const last = this.trail[this.trail.length - 1] ?? this.flow.entry;
    return this.step('ended', last, null, action);
  }

  private step(status: FlowState['status'], node: string, phase: unknown, action: FlowAction): FlowStep {
    const state: FlowState = {
      format: 1,
      flowId: this.flow.id,
      flowVersion: this.flow.version,
      status,
      node,
      phase,
      pending: action,
      channel: this.channel,
      language: this.language,
      timeZone: this.timeZone,
      vars: this.vars,
      routing: this.routing,
      contactUpdates: this.contactUpdates,
      transcript: this.transcript,
      trail: this.trail,
      stepsWithoutInput: this.steps,
      errorsHandled: this.errorsHandled,
    };
    return { state, action, visited: this.visited };
  }

  private noteAction(a: FlowAction, node: string): void {
    if (a.type === 'say') this.note('bot', a.text, node);
    else if (a.type === 'collect' && a.prompt) this.note('bot', a.prompt, node);
    else if (a.type === 'play' && a.text) this.note('bot', a.text, node);
    else if (a.type === 'voicemail' && a.prompt) this.note('bot', a.prompt, node);
  }

  private note(from: TranscriptEntry['from'], text: string, node: string): void {
    this.transcript.push({ from, text, node, at: this.env.now });
    const over = this.transcript.length - this.limits.maxTranscript;
    if (over > 0) this.transcript.splice(0, over);
  }

  get(name: string): Value {
    switch (name) {
      case 'channel':
        return this.channel;
      case 'language':
        return this.language;
      case 'sys.now':
        return this.env.now;
      case 'sys.hour':
        return localTime(this.env.now, this.timeZone).hour;
      case 'sys.weekday':
        return localTime(this.env.now, this.timeZone).weekday;
    }
    return Object.hasOwn(this.vars, name) ? this.vars[name]! : null;
  }

  set(name: string, value: Value): void {
    const v = capped(value);
    this.vars[name] = v;
    if (name.startsWith('contact.')) this.contactUpdates[name.slice('contact.'.length)] = v;
  }

  private runtime(node: CompiledNode, phase: unknown): Runtime {
    const read = (n: string) => this.get(n);
    return {
      nodeId: node.id,
      mode: this.channel === 'voice' ? 'dtmf' : 'text',
      language: this.language,
      env: this.env,
      phase,
      get: read,
      set: (n, v) => this.set(n, v),
      evaluate: (e) => evaluate(e, read),
      render: (t) => render(pickLanguage(t, this.language), read),
      renderTemplate: (t, encode) => render(t, read, encode),
      hasEdge: (outcome) => Object.hasOwn(node.next, outcome),
      setLanguage: (l) => {
        this.language = l;
      },
      routing: this.routing,
      contactUpdates: this.contactUpdates,
      handoverVariables: () => {
        const out: Vars = {};
        for (const [k, v] of Object.entries(this.vars)) if (!k.startsWith('error.')) out[k] = v;
        return out;
      },
    };
  }
}

const isScalar = (v: unknown): v is Value =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));

function capped(v: Value): Value {
  if (typeof v === 'string' && v.length > MAX_STRING) return v.slice(0, MAX_STRING);
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

function limitsOf(env: FlowEnv): FlowLimits {
  const pick = (k: keyof FlowLimits) => {
    const v = env.limits?.[k];
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : defaultFlowLimits[k];
  };
  return {
    maxStepsWithoutInput: pick('maxStepsWithoutInput'),
    maxTranscript: pick('maxTranscript'),
    maxTrail: pick('maxTrail'),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  return f;
}

function zoneOr(timeZone: unknown): string {
  if (typeof timeZone !== 'string' || timeZone.length > 64) return 'UTC';
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function localTime(at: Millis, timeZone: string): { hour: number; weekday: string } {
  let hour = 0;
  let weekday = '';
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type === 'hour') hour = Number(p.value) % 24;
    if (p.type === 'weekday') weekday = p.value.toLowerCase().slice(0, 3);
  }
  return { hour, weekday };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const scalarsOnly = (v: unknown) => isObject(v) && Object.values(v).every(isScalar);

/** Why a stored state cannot be resumed, or null. Checks shape, not history. */
function stateProblem(st: unknown, flow: CompiledFlow): string | null {
  if (!isObject(st)) return 'the state is not an object';
  if (st.format !== 1) return 'unknown state format';
  if (typeof st.flowId !== 'string' || typeof st.flowVersion !== 'number') return 'no flow id or version';
  if (st.status !== 'waiting' && st.status !== 'ended') return 'bad status';
  if (!(channels as readonly string[]).includes(st.channel as string)) return 'bad channel';
  if (!languages.includes(st.language as Language)) return 'bad language';
  if (typeof st.timeZone !== 'string') return 'bad time zone';
  if (!scalarsOnly(st.vars) || !scalarsOnly(st.contactUpdates)) return 'variables must be scalars';
  const r = st.routing;
  if (!isObject(r) || !(r.priority === null || typeof r.priority === 'number') || !Array.isArray(r.skills)) {
    return 'bad routing';
  }
  if (!r.skills.every((x) => isObject(x) && typeof x.skill === 'string' && typeof x.minLevel === 'number')) {
    return 'bad skills';
  }
  if (
    !Array.isArray(st.transcript) ||
    !st.transcript.every((t) => isObject(t) && typeof t.text === 'string')
  ) {
    return 'bad transcript';
  }
  if (!Array.isArray(st.trail) || !st.trail.every((t) => typeof t === 'string')) return 'bad trail';
  if (!Number.isInteger(st.stepsWithoutInput) || !Number.isInteger(st.errorsHandled)) return 'bad counters';
  if (!isObject(st.pending) || typeof st.pending.type !== 'string') return 'bad pending action';
  if (typeof st.node !== 'string') return 'bad node';
  const sameFlow = st.flowId === flow.id && st.flowVersion === flow.version;
  if (sameFlow && st.status === 'waiting' && !flow.nodes.has(st.node))
    return `no node "${st.node}" in the flow`;
  return null;
}

/** Why an event is malformed, or null. */
function eventProblem(e: unknown): string | null {
  if (!isObject(e)) return 'the event is not an object';
  switch (e.type) {
    case 'done':
      return e.recording === undefined || typeof e.recording === 'string'
        ? null
        : 'recording must be a string';
    case 'input':
      return typeof e.value === 'string' ? null : 'input needs a string value';
    case 'timeout':
    case 'hangup':
      return null;
    case 'http_response':
      return Number.isInteger(e.status) && (e.status as number) >= 100 && (e.status as number) <= 599
        ? null
        : 'http_response needs a status 100–599';
    case 'error':
      return null;
    default:
      return `unknown event type ${JSON.stringify(String(e.type)).slice(0, 40)}`;
  }
}
