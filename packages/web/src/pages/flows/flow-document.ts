import { type FlowDoc, isPlainObject, type NodeDoc, newNode, type Verb } from './flow-verbs';

/**
 * Edits of a flow document made outside the canvas (palette, properties panel, delete): pure
 * functions returning a new document, keeping the key order of everything they do not change.
 */

export const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function nodesOf(doc: FlowDoc): Record<string, unknown> {
  return isPlainObject(doc.nodes) ? doc.nodes : {};
}

/** `obj` with `key` set to `value` in place (appended when new; removed when `value` is undefined). */
export function withKey<T extends Record<string, unknown>>(obj: T, key: string, value: unknown): T {
  const out: Record<string, unknown> = {};
  let seen = false;
  for (const k of Object.keys(obj)) {
    if (k === key) {
      seen = true;
      if (value !== undefined) out[k] = value;
    } else out[k] = obj[k];
  }
  if (!seen && value !== undefined) out[key] = value;
  return out as T;
}

/** A fresh node id for `verb`: `verb`, `verb_2`, `verb_3`, … */
export function freshId(doc: FlowDoc, verb: string): string {
  const taken = nodesOf(doc);
  if (!(verb in taken)) return verb;
  for (let n = 2; ; n += 1) if (!(`${verb}_${n}` in taken)) return `${verb}_${n}`;
}

/** Adds a palette node at `position` (stored, so it stays where dropped). */
export function addNode(
  doc: FlowDoc,
  verb: Verb,
  position: { x: number; y: number },
): { doc: FlowDoc; id: string } {
  const id = freshId(doc, verb);
  let next = withKey(doc, 'nodes', { ...nodesOf(doc), [id]: newNode(verb) });
  next = setPosition(next, id, position);
  return { doc: next, id };
}

export function setPosition(doc: FlowDoc, id: string, position: { x: number; y: number }): FlowDoc {
  const ui = isPlainObject(doc.ui) ? doc.ui : {};
  const positions = isPlainObject(ui.positions) ? ui.positions : {};
  const rounded = { x: Math.round(position.x), y: Math.round(position.y) };
  return withKey(doc, 'ui', withKey(ui, 'positions', withKey(positions, id, rounded)));
}

/**
 * Writes the shown position of every node that has none stored yet, so that once the author arranges
 * the graph (adds or drags a node), the whole layout is theirs and survives a reload unchanged.
 */
export function pinLayout(
  doc: FlowDoc,
  shown: readonly { id: string; position: { x: number; y: number } }[],
): FlowDoc {
  const ui = isPlainObject(doc.ui) ? doc.ui : {};
  const stored = isPlainObject(ui.positions) ? ui.positions : {};
  let out = doc;
  for (const n of shown)
    if (!(n.id in stored) && n.id in nodesOf(doc)) out = setPosition(out, n.id, n.position);
  return out;
}

/**
 * Removes nodes, every edge into them and their stored positions. `entry`/`onError` naming one are
 * left for the validator to report (the author picks the new start).
 */
export function removeNodes(doc: FlowDoc, ids: readonly string[]): FlowDoc {
  const gone = new Set(ids);
  const nodes: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(nodesOf(doc))) {
    if (gone.has(id)) continue;
    if (isPlainObject(node) && isPlainObject(node.next)) {
      const next = Object.fromEntries(
        Object.entries(node.next).filter(([, to]) => typeof to !== 'string' || !gone.has(to)),
      );
      nodes[id] =
        Object.keys(next).length === Object.keys(node.next).length ? node : withKey(node, 'next', next);
    } else nodes[id] = node;
  }
  let out = withKey(doc, 'nodes', nodes);
  if (isPlainObject(doc.ui) && isPlainObject(doc.ui.positions)) {
    const positions = Object.fromEntries(Object.entries(doc.ui.positions).filter(([id]) => !gone.has(id)));
    out = withKey(out, 'ui', withKey(doc.ui, 'positions', positions));
  }
  return out;
}

/** Replaces one node's JSON (the properties panel's edits), keeping its place among the nodes. */
export function replaceNode(doc: FlowDoc, id: string, node: NodeDoc): FlowDoc {
  return withKey(doc, 'nodes', withKey(nodesOf(doc), id, node));
}

/** Renames a node everywhere it is named: its key, edges into it, `entry`, `onError`, its position. */
export function renameNode(doc: FlowDoc, from: string, to: string): FlowDoc {
  if (from === to || to in nodesOf(doc)) return doc;
  const rename = (v: unknown) => (v === from ? to : v);
  const nodes: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(nodesOf(doc))) {
    let value = node;
    if (isPlainObject(node) && isPlainObject(node.next)) {
      const next = Object.fromEntries(Object.entries(node.next).map(([k, v]) => [k, rename(v)]));
      value = withKey(node, 'next', next);
    }
    nodes[id === from ? to : id] = value;
  }
  const out: FlowDoc = {};
  for (const key of Object.keys(doc)) {
    if (key === 'nodes') out.nodes = nodes;
    else if (key === 'entry' || key === 'onError') out[key] = rename(doc[key]);
    else if (key === 'ui' && isPlainObject(doc.ui) && isPlainObject(doc.ui.positions)) {
      const positions = Object.fromEntries(
        Object.entries(doc.ui.positions).map(([k, v]) => [k === from ? to : k, v]),
      );
      out.ui = withKey(doc.ui, 'positions', positions);
    } else out[key] = doc[key];
  }
  return out;
}

/** The node a validation issue's JSON Pointer points into (`/nodes/<id>/…`), if any. */
export function nodeOfPath(path: string): string | null {
  const m = /^\/nodes\/([^/]+)/.exec(path);
  if (!m?.[1]) return null;
  return m[1].replaceAll('~1', '/').replaceAll('~0', '~');
}

/** A new flow's first document: a greeting and a hang-up, valid as it stands. */
export function starterDocument(flowName: string): FlowDoc {
  const id =
    flowName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 64) || 'flow';
  return {
    id,
    version: 1,
    entry: 'greet',
    nodes: {
      greet: { verb: 'say', text: { en: 'Hello!', ru: 'Здравствуйте!' }, next: { done: 'bye' } },
      bye: { verb: 'hangup' },
    },
  };
}
