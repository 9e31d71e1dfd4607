import type { StaticType } from './expression-eval';
import { MAX_NODES, type Value, type VariableDecl } from './flow-types';
import {
  anything,
  type CheckContext,
  dflt,
  type FlowIssue,
  INVALID,
  int,
  isReadOnlyVariable,
  issue,
  newCheckContext,
  obj,
  oneOf,
  opt,
  pointer,
  rec,
  scalar,
  str,
  VARIABLE_NAME,
} from './shape';
import { verbs } from './verbs/registry';
import type { Verb } from './verbs/verb';

/**
 * Checks a flow on save and compiles it for the interpreter. Every problem is reported (not only the
 * first) with a stable code and a JSON Pointer; the codes are listed in README.md. A flow with any
 * issue does not compile: the interpreter only ever runs compiled flows.
 */
export interface CompiledNode {
  readonly id: string;
  readonly verb: Verb<unknown>;
  /** The node's fields as its verb's shape compiled them. */
  readonly fields: unknown;
  readonly next: Readonly<Record<string, string>>;
}

export interface CompiledFlow {
  readonly id: string;
  readonly version: number;
  readonly entry: string;
  readonly onError: string | null;
  readonly variables: Readonly<Record<string, VariableDecl>>;
  readonly nodes: ReadonlyMap<string, CompiledNode>;
}

export type CompileResult =
  | { readonly ok: true; readonly flow: CompiledFlow; readonly issues: readonly [] }
  | { readonly ok: false; readonly issues: readonly FlowIssue[] };

const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Types the engine guarantees for its own variables (for static checks of expressions). */
const builtinTypes: Readonly<Record<string, StaticType>> = {
  channel: 'string',
  language: 'string',
  input: 'string',
  'caller.number': 'string',
  'caller.name': 'string',
  'sys.now': 'number',
  'sys.hour': 'number',
  'sys.weekday': 'string',
  'error.code': 'string',
  'error.node': 'string',
  'http.status': 'any',
  'faq.article': 'any',
  'faq.score': 'any',
  'voicemail.recording': 'any',
};

const header = obj(
  {
    id: str({ max: 128 }),
    version: int({ min: 1, max: 1_000_000_000 }),
    entry: str({ max: 64 }),
    onError: opt(str({ max: 64 })),
    variables: dflt(
      rec(obj({ type: oneOf(['string', 'number', 'boolean']), default: opt(scalar()) }), {
        key: str({ max: 64, pattern: VARIABLE_NAME, hint: 'a variable name' }),
        max: 200,
      }),
      {},
    ),
    ui: anything(),
  },
  { ignore: ['nodes'] },
);

const edges = rec(str({ max: 64 }), { key: str({ max: 64 }), max: 50 });

export function compileFlow(json: unknown): CompileResult {
  const cx = newCheckContext();
  const top = header.parse(json, '', cx);
  const raw = json as { nodes?: unknown };
  if (top === INVALID && (typeof json !== 'object' || json === null || Array.isArray(json))) {
    return { ok: false, issues: cx.issues };
  }
  const variables: Record<string, VariableDecl> = top === INVALID ? {} : checkVariables(top.variables, cx);
  const typed = newCheckContext((name) => builtinTypes[name] ?? variables[name]?.type ?? 'any');
  typed.issues.push(...cx.issues);

  const nodes = new Map<string, CompiledNode>();
  /** Edges as written (also of nodes whose fields are invalid), for the graph checks. */
  const graph = new Map<string, { outcome: string; to: string }[]>();
  const nodesJson = raw.nodes;
  if (nodesJson === undefined) issue(typed, 'MISSING_FIELD', '/nodes', '"nodes" is required');
  else if (typeof nodesJson !== 'object' || nodesJson === null || Array.isArray(nodesJson)) {
    issue(typed, 'WRONG_TYPE', '/nodes', 'expected an object of nodes by id');
  } else {
    const ids = Object.keys(nodesJson);
    if (ids.length === 0) issue(typed, 'MISSING_FIELD', '/nodes', 'a flow needs at least one node');
    if (ids.length > MAX_NODES) {
      issue(typed, 'TOO_LARGE', '/nodes', `more than ${MAX_NODES} nodes`);
      return { ok: false, issues: typed.issues };
    }
    for (const id of ids) {
      graph.set(id, []);
      checkNode(id, (nodesJson as Record<string, unknown>)[id], typed, nodes, graph);
    }
    for (const [id, list] of graph) {
      list.forEach((e) => {
        if (!graph.has(e.to)) {
          issue(typed, 'DANGLING_EDGE', pointer(`/nodes/${id}/next`, e.outcome), `no node "${e.to}"`);
        }
      });
    }
  }

  if (top !== INVALID) {
    if (graph.size > 0 && !graph.has(top.entry))
      issue(typed, 'DANGLING_EDGE', '/entry', `no node "${top.entry}"`);
    if (top.onError !== undefined && graph.size > 0 && !graph.has(top.onError)) {
      issue(typed, 'DANGLING_EDGE', '/onError', `no node "${top.onError}"`);
    }
    checkGraph(graph, [top.entry, top.onError], nodes, typed);
  }
  checkVariableUse(typed, variables);

  if (typed.issues.length > 0 || top === INVALID) return { ok: false, issues: typed.issues };
  return {
    ok: true,
    issues: [],
    flow: {
      id: top.id,
      version: top.version,
      entry: top.entry,
      onError: top.onError ?? null,
      variables,
      nodes,
    },
  };
}

export function validateFlow(json: unknown): readonly FlowIssue[] {
  return compileFlow(json).issues;
}

function checkVariables(
  decls: Record<string, { type: VariableDecl['type']; default: Value | undefined }>,
  cx: CheckContext,
): Record<string, VariableDecl> {
  const out: Record<string, VariableDecl> = {};
  for (const [name, d] of Object.entries(decls)) {
    const at = pointer('/variables', name);
    if (isReadOnlyVariable(name)) {
      issue(cx, 'READ_ONLY_VARIABLE', at, `"${name}" is set by the engine`);
      continue;
    }
    if (d.default !== undefined && d.default !== null && typeof d.default !== d.type) {
      issue(cx, 'WRONG_TYPE', `${at}/default`, `expected a ${d.type}, got ${typeof d.default}`);
    }
    out[name] = d.default === undefined ? { type: d.type } : { type: d.type, default: d.default };
  }
  return out;
}

function checkNode(
  id: string,
  node: unknown,
  cx: CheckContext,
  nodes: Map<string, CompiledNode>,
  graph: Map<string, { outcome: string; to: string }[]>,
): void {
  const path = pointer('/nodes', id);
  if (!NODE_ID.test(id)) issue(cx, 'BAD_VALUE', path, 'a node id is 1–64 letters, digits, _ or -');
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    issue(cx, 'WRONG_TYPE', path, 'expected a node object');
    return;
  }
  const { verb: verbName, next: nextJson, ui: _ui, ...fields } = node as Record<string, unknown>;
  const parsedNext = nextJson === undefined ? {} : edges.parse(nextJson, `${path}/next`, cx);
  if (parsedNext !== INVALID) {
    graph.set(
      id,
      Object.entries(parsedNext).map(([outcome, to]) => ({ outcome, to })),
    );
  }
  if (verbName === undefined) {
    issue(cx, 'MISSING_FIELD', `${path}/verb`, '"verb" is required');
    return;
  }
  if (typeof verbName !== 'string') {
    issue(cx, 'WRONG_TYPE', `${path}/verb`, 'expected a verb name (string)');
    return;
  }
  const verb = verbs.get(verbName);
  if (!verb) {
    issue(
      cx,
      'UNKNOWN_VERB',
      `${path}/verb`,
      `unknown verb "${verbName}" (known: ${[...verbs.keys()].join(', ')})`,
    );
    return;
  }
  const before = cx.issues.length;
  const parsed = verb.fields.parse(fields, path, cx);
  if (parsed === INVALID) return;
  verb.check?.(parsed, path, cx);
  if (parsedNext === INVALID) return;
  const { required, optional = [] } = verb.outcomes(parsed);
  for (const outcome of required) {
    if (!Object.hasOwn(parsedNext, outcome)) {
      issue(
        cx,
        'MISSING_EDGE',
        pointer(`${path}/next`, outcome),
        `${verbName} needs an edge for outcome "${outcome}"`,
      );
    }
  }
  for (const outcome of Object.keys(parsedNext)) {
    if (!required.includes(outcome) && !optional.includes(outcome)) {
      const known = [...required, ...optional];
      issue(
        cx,
        'UNKNOWN_OUTCOME',
        pointer(`${path}/next`, outcome),
        `${verbName} has no outcome "${outcome}" (${known.length > 0 ? `it has: ${known.join(', ')}` : 'it ends the flow'})`,
      );
    }
  }
  if (cx.issues.length === before) nodes.set(id, { id, verb, fields: parsed, next: parsedNext });
}

/** Unreachable nodes, and loops no path leaves (iterative Tarjan, so big flows cannot overflow the stack). */
function checkGraph(
  graph: Map<string, { outcome: string; to: string }[]>,
  roots: readonly (string | undefined)[],
  nodes: Map<string, CompiledNode>,
  cx: CheckContext,
): void {
  const succ = (id: string) => (graph.get(id) ?? []).map((e) => e.to).filter((to) => graph.has(to));
  const seen = new Set<string>();
  const stack = roots.filter((r): r is string => r !== undefined && graph.has(r));
  for (const r of stack) seen.add(r);
  while (stack.length > 0) {
    for (const to of succ(stack.pop()!)) {
      if (!seen.has(to)) {
        seen.add(to);
        stack.push(to);
      }
    }
  }
  if (seen.size > 0) {
    for (const id of graph.keys()) {
      if (!seen.has(id))
        issue(cx, 'UNREACHABLE_NODE', pointer('/nodes', id), `no path from the entry reaches "${id}"`);
    }
  }

  for (const component of stronglyConnected(graph, succ)) {
    const members = new Set(component);
    const first = component[0]!;
    const isLoop = component.length > 1 || succ(first).includes(first);
    if (!isLoop) continue;
    const leaves = component.some(
      (id) => nodes.get(id)?.verb.endsFlow === true || succ(id).some((to) => !members.has(to)),
    );
    // A node that failed its own checks may hide its exits; judge loops only on valid nodes.
    if (!leaves && component.every((id) => nodes.has(id))) {
      const ordered = [...graph.keys()].filter((id) => members.has(id));
      issue(
        cx,
        'LOOP_WITHOUT_EXIT',
        pointer('/nodes', ordered[0]!),
        `no edge leads out of the loop ${ordered.join(' → ')}, and none of its nodes ends the flow`,
      );
    }
  }
}

function stronglyConnected(graph: Map<string, unknown>, succ: (id: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { id: string; next: string[]; i: number }[] = [];
    const open = (id: string) => {
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      work.push({ id, next: succ(id), i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.next.length) {
        const to = top.next[top.i++]!;
        if (!index.has(to)) open(to);
        else if (onStack.has(to)) low.set(top.id, Math.min(low.get(top.id)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(top.id)!));
      if (low.get(top.id) === index.get(top.id)) {
        const component: string[] = [];
        let x: string;
        do {
          x = stack.pop()!;
          onStack.delete(x);
          component.push(x);
        } while (x !== top.id);
        out.push(component);
      }
    }
  }
  return out;
}

function checkVariableUse(cx: CheckContext, declared: Record<string, VariableDecl>): void {
  const written = new Set(cx.writes.map((w) => w.name));
  for (const r of cx.reads) {
    const known =
      Object.hasOwn(builtinTypes, r.name) ||
      Object.hasOwn(declared, r.name) ||
      written.has(r.name) ||
      r.name.startsWith('contact.');
    if (!known) {
      issue(
        cx,
        'UNKNOWN_VARIABLE',
        r.path,
        `"${r.name}" is never declared or set (declare it under "variables")`,
      );
    }
  }
}
