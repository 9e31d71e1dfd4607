import type { Edge, Node } from '@xyflow/react';
import { type FlowDoc, isPlainObject, type NodeDoc, outcomesOf } from './flow-verbs';

/**
 * The flow document ⇄ the canvas graph. The document stays the source of truth: the graph is derived
 * from it, and `fromGraph` folds what the canvas changed (positions, edges) back into the document it
 * came from, keeping every other byte: key order of the document and of each node, values the graph
 * cannot show (a non-string `next` value, an edge to a missing node, editor data of other tools).
 *
 * Positions live in the document as `ui.positions[nodeId] = {x, y}` (the engine ignores `ui`). A node
 * without one is laid out automatically and its position is not written until it is moved.
 */

export type FlowNodeData = {
  /** The node's JSON as in the document (its `next` included). */
  node: NodeDoc;
  /** The position came from the document (or the node was moved), so `fromGraph` writes it. */
  placed: boolean;
  entry: boolean;
  onError: boolean;
  /** Outcome handles, in order. */
  outcomes: string[];
  /** View state set by the editor, never written: a validation issue points into it / the test run is at it. */
  issue?: boolean;
  current?: boolean;
};
export type FlowGraphNode = Node<FlowNodeData, 'flow'>;
export type FlowGraphEdge = Edge<{ outcome: string }>;
export interface FlowGraph {
  nodes: FlowGraphNode[];
  /** Every string `next` value, an edge to a node that does not exist included (see `drawableEdges`). */
  edges: FlowGraphEdge[];
}

export type ToGraphResult = { ok: true; graph: FlowGraph } | { ok: false; reason: 'not_object' | 'no_nodes' };

const LAYER_HEIGHT = 170;
const COLUMN_WIDTH = 280;

export const edgeId = (source: string, outcome: string) => `${source}\u2192${outcome}`;

export function storedPositions(doc: FlowDoc): Record<string, unknown> {
  const ui = doc.ui;
  return isPlainObject(ui) && isPlainObject(ui.positions) ? ui.positions : {};
}

function positionOf(value: unknown): { x: number; y: number } | null {
  if (!isPlainObject(value)) return null;
  const { x, y } = value;
  return typeof x === 'number' && Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y)
    ? { x, y }
    : null;
}

export function toGraph(doc: unknown): ToGraphResult {
  if (!isPlainObject(doc)) return { ok: false, reason: 'not_object' };
  const nodesJson = doc.nodes;
  if (!isPlainObject(nodesJson)) return { ok: false, reason: 'no_nodes' };
  const ids = Object.keys(nodesJson);
  const stored = storedPositions(doc);
  const auto = autoLayout(doc, nodesJson);
  const nodes: FlowGraphNode[] = [];
  const edges: FlowGraphEdge[] = [];
  for (const id of ids) {
    const raw = nodesJson[id];
    const node: NodeDoc = isPlainObject(raw) ? raw : { verb: '?' };
    const position = positionOf(stored[id]);
    nodes.push({
      id,
      type: 'flow',
      position: position ?? auto.get(id) ?? { x: 0, y: 0 },
      data: {
        node: raw as NodeDoc,
        placed: position !== null,
        entry: doc.entry === id,
        onError: doc.onError === id,
        outcomes: outcomesOf(node),
      },
    });
    if (isPlainObject(node.next)) {
      for (const [outcome, target] of Object.entries(node.next)) {
        if (typeof target !== 'string') continue;
        edges.push({
          id: edgeId(id, outcome),
          source: id,
          sourceHandle: outcome,
          target,
          label: outcome,
          data: { outcome },
        });
      }
    }
  }
  return { ok: true, graph: { nodes, edges } };
}

/** Edges the canvas can draw: both ends exist. */
export function drawableEdges(graph: FlowGraph): FlowGraphEdge[] {
  const ids = new Set(graph.nodes.map((n) => n.id));
  return graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
}

/**
 * The document `base` with the graph's nodes (in graph order), their edges and the positions of
 * placed nodes. Other keys keep their values and order; `fromGraph(doc, toGraph(doc).graph)` is `doc`.
 */
export function fromGraph(base: FlowDoc, graph: FlowGraph): FlowDoc {
  const out = new Map<string, FlowGraphEdge[]>();
  for (const e of graph.edges) out.set(e.source, [...(out.get(e.source) ?? []), e]);
  const nodes: Record<string, unknown> = {};
  for (const n of graph.nodes) nodes[n.id] = withEdges(n.data.node, out.get(n.id) ?? []);
  const ui = withPositions(base.ui, graph.nodes);
  const doc: FlowDoc = {};
  for (const key of Object.keys(base)) {
    if (key === 'nodes') doc.nodes = nodes;
    else if (key === 'ui') {
      if (ui !== undefined) doc.ui = ui;
    } else doc[key] = base[key];
  }
  if (!('nodes' in doc)) doc.nodes = nodes;
  if (!('ui' in doc) && ui !== undefined) doc.ui = ui;
  return doc;
}

/** `node` with `next` rebuilt from its outgoing edges: existing outcomes in place, new ones after. */
function withEdges(node: NodeDoc, edges: FlowGraphEdge[]): NodeDoc {
  if (!isPlainObject(node)) return node;
  const original = node.next;
  const target = (outcome: string) => edges.find((e) => outcomeOf(e) === outcome)?.target;
  if (original !== undefined && !isPlainObject(original) && edges.length === 0) return node;
  const next: Record<string, unknown> = {};
  if (isPlainObject(original)) {
    for (const [outcome, value] of Object.entries(original)) {
      const to = target(outcome);
      if (to !== undefined) next[outcome] = to;
      else if (typeof value !== 'string') next[outcome] = value;
    }
  }
  for (const e of edges) {
    const outcome = outcomeOf(e);
    if (!(outcome in next)) next[outcome] = e.target;
  }
  const result: NodeDoc = {};
  for (const key of Object.keys(node)) result[key] = key === 'next' ? next : node[key];
  if (!('next' in node) && Object.keys(next).length > 0) result.next = next;
  return result;
}

function outcomeOf(e: FlowGraphEdge): string {
  return e.data?.outcome ?? e.sourceHandle ?? '';
}

function withPositions(ui: unknown, nodes: FlowGraphNode[]): unknown {
  const placed = nodes.filter((n) => n.data.placed);
  const original = isPlainObject(ui) && isPlainObject(ui.positions) ? ui.positions : undefined;
  if (placed.length === 0 && original === undefined) return ui;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const positions: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(original ?? {})) {
    const n = byId.get(id);
    if (n?.data.placed) {
      const same = positionOf(value);
      positions[id] =
        same && same.x === n.position.x && same.y === n.position.y
          ? value
          : { ...(isPlainObject(value) ? value : {}), x: n.position.x, y: n.position.y };
    } else positions[id] = value;
  }
  for (const n of placed) if (!(n.id in positions)) positions[n.id] = { x: n.position.x, y: n.position.y };
  if (isPlainObject(ui)) {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(ui)) result[key] = key === 'positions' ? positions : ui[key];
    if (!('positions' in result)) result.positions = positions;
    return result;
  }
  return { positions };
}

/**
 * Top-down layers by distance from the entry (then `onError`, then anything unreachable), each layer
 * centred; only for nodes the document has no position for.
 */
function autoLayout(doc: FlowDoc, nodes: Record<string, unknown>): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>();
  const roots = [doc.entry, doc.onError, ...Object.keys(nodes)].filter(
    (id): id is string => typeof id === 'string' && id in nodes,
  );
  let base = 0;
  for (const root of roots) {
    if (depth.has(root)) continue;
    const queue: string[] = [root];
    depth.set(root, base);
    let deepest = base;
    while (queue.length > 0) {
      const id = queue.shift() as string;
      const d = depth.get(id) as number;
      deepest = Math.max(deepest, d);
      const node = nodes[id];
      const next = isPlainObject(node) && isPlainObject(node.next) ? Object.values(node.next) : [];
      for (const to of next) {
        if (typeof to === 'string' && to in nodes && !depth.has(to)) {
          depth.set(to, d + 1);
          queue.push(to);
        }
      }
    }
    base = deepest + 1;
  }
  const layers = new Map<number, string[]>();
  for (const [id, d] of depth) layers.set(d, [...(layers.get(d) ?? []), id]);
  const out = new Map<string, { x: number; y: number }>();
  for (const [d, ids] of layers) {
    ids.forEach((id, i) => {
      out.set(id, { x: (i - (ids.length - 1) / 2) * COLUMN_WIDTH, y: d * LAYER_HEIGHT });
    });
  }
  return out;
}
